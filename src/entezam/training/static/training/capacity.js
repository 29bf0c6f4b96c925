// Grouped bars of seats planned and people needing a mandatory course, per province
// (drawn from data-* attributes: no inline script under the CSP).
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Chart === "undefined") return;
  const rtl = document.documentElement.dir === "rtl";
  const fa = document.documentElement.lang === "fa";
  const digits = (n) => Number(n).toLocaleString(fa ? "fa-IR" : "en");
  document.querySelectorAll("canvas[data-capacity-chart]").forEach((canvas) => {
    const data = canvas.dataset;
    const numbers = (text) => (text ? text.split("|").map(Number) : []);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels ? data.labels.split("|") : [],
        datasets: [
          { label: data.seatsLabel, data: numbers(data.seats), backgroundColor: "#0d6efd", borderRadius: 4 },
          { label: data.needLabel, data: numbers(data.need), backgroundColor: "#dc3545", borderRadius: 4 },
        ],
      },
      options: {
        // The canvas fills its fixed-height box (the card), whatever the page's width.
        maintainAspectRatio: false,
        plugins: { legend: { rtl }, tooltip: { rtl, callbacks: { label: (c) => `${c.dataset.label}: ${digits(c.parsed.y)}` } } },
        scales: { x: { reverse: rtl }, y: { beginAtZero: true, ticks: { precision: 0, callback: (v) => digits(v) } } },
      },
    });
  });
});
