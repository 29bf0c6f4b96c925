// Offline card check: verifies the Ed25519-signed compact credential of a card's QR code
// against the published public key and the signed revocation list kept from the last time
// this page was online (localStorage). Nothing is sent to the server.
(() => {
  const root = document.querySelector("[data-offline-check]");
  if (!root) return;
  const text = (key) => root.dataset[key];
  const out = root.querySelector(".offline-result");
  const listInfo = root.querySelector(".offline-list");
  const b64 = (s) => {
    const padded = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  const load = (name) => JSON.parse(localStorage.getItem(`entezam-offline-${name}`) || "null");
  const save = (name, value) => localStorage.setItem(`entezam-offline-${name}`, JSON.stringify(value));
  const showList = () => {
    const list = load("revocations");
    listInfo.textContent = list ? `${text("listLabel")} ${list.issued_at}` : text("noList");
  };
  const refresh = async () => {
    try {
      const [key, list] = await Promise.all([
        fetch(root.dataset.keyUrl).then((r) => r.json()),
        fetch(root.dataset.listUrl).then((r) => r.json()),
      ]);
      save("key", key.ed25519);
      save("revocations", list);
    } catch (error) {
      /* offline: keep what was saved */
    }
    showList();
  };
  const canonicalList = (list) => JSON.stringify({ issued_at: list.issued_at, numbers: list.numbers });
  const check = async () => {
    const raw = root.querySelector("textarea").value.trim();
    const compact = raw.includes("#c=") ? raw.split("#c=")[1] : raw;
    const keyText = load("key");
    const list = load("revocations");
    out.className = "offline-result alert";
    if (!keyText || !list) {
      out.classList.add("alert-secondary");
      out.textContent = text("noList");
      return;
    }
    try {
      const key = await crypto.subtle.importKey("raw", b64(keyText), { name: "Ed25519" }, false, ["verify"]);
      const [body, signature] = compact.split(".");
      const payload = b64(body);
      const good = await crypto.subtle.verify("Ed25519", key, b64(signature), payload);
      const listGood = await crypto.subtle.verify(
        "Ed25519", key, b64(list.signature), new TextEncoder().encode(canonicalList(list)),
      );
      if (!good || !listGood) throw new Error("signature");
      const claims = JSON.parse(new TextDecoder().decode(payload));
      const today = new Date().toISOString().slice(0, 10);
      const listed = list.numbers.includes(claims.n);
      const expired = claims.e < today;
      const ok = !listed && !expired;
      out.classList.add(ok ? "alert-success" : "alert-danger");
      out.dataset.result = ok ? "valid" : listed ? "listed" : "expired";
      out.textContent = `${ok ? text("ok") : listed ? text("listed") : text("expired")} — ${claims.f} ${claims.l}، ${claims.i} (${claims.n}, ${claims.e})`;
    } catch (error) {
      out.classList.add("alert-danger");
      out.dataset.result = "invalid";
      out.textContent = text("invalid");
    }
  };
  root.querySelector("button.offline-check").addEventListener("click", check);
  refresh();
})();
