// The 197 call console: suggested category and urgency while typing; keyboard shortcuts.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("call-form");
  if (!form) return;
  const text = form.querySelector("[name=text]");
  const box = document.getElementById("suggestion");
  const category = form.querySelector("[name=category]");
  const urgent = form.querySelector("[name=urgent]");
  const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  let timer = null;
  let last = "";
  const ask = () => {
    const value = text.value.trim();
    if (value === last || value.length < 3) return;
    last = value;
    const body = new URLSearchParams({ text: value });
    fetch(form.dataset.suggestUrl, { method: "POST", body, headers: { "X-CSRFToken": token }, credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null))
      .then((data) => {
        if (!data || !data.category) return;
        const pct = Math.round(data.confidence * 100).toLocaleString(document.documentElement.lang === "fa" ? "fa-IR" : "en");
        box.textContent = `${box.dataset.labelSuggested}: ${data.label} (${pct}%)` + (data.urgent ? ` · ${box.dataset.labelUrgent}` : "");
        box.dataset.category = data.category;
        box.classList.toggle("alert-danger", data.urgent);
        box.classList.toggle("alert-secondary", !data.urgent);
      })
      .catch(() => {});
  };
  text.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(ask, 250); });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
    if (event.altKey && /^[1-5]$/.test(event.key)) { event.preventDefault(); category.selectedIndex = Number(event.key); }
    if (event.altKey && (event.key === "u" || event.key === "U")) { event.preventDefault(); urgent.checked = !urgent.checked; }
  });
});
