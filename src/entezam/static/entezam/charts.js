// Draws every <canvas data-chart="bar"> from its data-* attributes (no inline script: CSP).
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Chart === "undefined") return;
  const font = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.family = font;
  const rtl = document.documentElement.dir === "rtl";
  const digits = (n) => (document.documentElement.lang === "fa" ? Number(n).toLocaleString("fa-IR") : Number(n).toLocaleString("en"));
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const labels = canvas.dataset.labels.split("|");
    const values = canvas.dataset.values.split("|").map(Number);
    const colors = (canvas.dataset.colors || "").split("|");
    new Chart(canvas, {
      type: canvas.dataset.chart,
      data: { labels, datasets: [{ data: values, backgroundColor: colors, borderRadius: 6 }] },
      options: {
        // Inside a .chart-box the chart fills the box's fixed height, whatever the width.
        maintainAspectRatio: !canvas.parentElement.classList.contains("chart-box"),
        plugins: { legend: { display: false }, tooltip: { rtl, callbacks: { label: (c) => digits(c.parsed.y) } } },
        scales: { x: { reverse: rtl }, y: { beginAtZero: true, ticks: { precision: 0, callback: (v) => digits(v) } } },
      },
    });
  });
});
