/* The book's error index in the browser: the matcher of
 * loss_casebook/explain.py, rule for rule (tokens, longest common run,
 * overlap, the 60 % share), over window.LOSS_CASEBOOK_ERRORS, which the
 * Sphinx extension loss_casebook.maintain.errorpage writes from errors.toml.
 * It fills the paste box of "Find your error" and, on the search page, lists
 * the matching entries above Sphinx's results. No other script, no network.
 */
(function () {
  "use strict";
  const DATA = window.LOSS_CASEBOOK_ERRORS;
  if (!DATA) return;
  const STOP = new Set(DATA.stop);
  const TOKEN = /-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|[a-z_][a-z0-9_]*/g;
  const CLASS = /^[a-z_]*(error|warning|exception)$/;
  const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

  function tokens(text) {
    const out = [];
    const found = text.replace(ANSI, " ").toLowerCase().match(TOKEN) || [];
    for (const tok of found) {
      if (/[0-9]/.test(tok[0]) || (tok[0] === "-" && tok.length > 1)) {
        out.push(tok[0] === "-" ? "-#" : "#");
      } else if (!STOP.has(tok) && !CLASS.test(tok)) {
        out.push(tok);
      }
    }
    return out;
  }

  function score(pattern, text) {
    if (!pattern.length || !text.length) return [0, 0];
    const where = new Map();
    text.forEach((tok, j) => {
      if (!where.has(tok)) where.set(tok, []);
      where.get(tok).push(j);
    });
    let best = 0;
    let prev = new Map();
    for (const tok of pattern) {
      const cur = new Map();
      for (const j of where.get(tok) || []) {
        const run = (prev.get(j - 1) || 0) + 1;
        cur.set(j, run);
        if (run > best) best = run;
      }
      prev = cur;
    }
    const have = new Map();
    for (const tok of text) have.set(tok, (have.get(tok) || 0) + 1);
    const want = new Map();
    for (const tok of pattern) want.set(tok, (want.get(tok) || 0) + 1);
    let overlap = 0;
    for (const [tok, n] of want) overlap += Math.min(n, have.get(tok) || 0);
    return [best, overlap / pattern.length];
  }

  const ENTRIES = DATA.entries.map((e, order) => ({
    ...e, order, toks: e.patterns.map(tokens),
  }));

  function match(text) {
    const pasted = tokens(text);
    const found = [];
    for (const e of ENTRIES) {
      let best = null;
      e.toks.forEach((ptoks, n) => {
        const [run, cover] = score(ptoks, pasted);
        const need = Math.max(2, Math.ceil(DATA.share * Math.min(ptoks.length, pasted.length)));
        if (run < need) return;
        const rank = run / ptoks.length + cover / 2;
        if (!best || rank > best.rank || (rank === best.rank && run > best.run)) {
          best = { entry: e, rank, run, pattern: e.patterns[n] };
        }
      });
      if (best) found.push(best);
    }
    found.sort((a, b) => (b.rank - a.rank) || (b.run - a.run) || (a.entry.order - b.entry.order));
    return found;
  }

  /* The site's root, from Sphinx's documentation_options script tag. */
  function root() {
    const el = document.getElementById("documentation_options");
    return el && el.dataset.url_root ? el.dataset.url_root : "";
  }

  function render(list, found, limit) {
    list.textContent = "";
    for (const m of found.slice(0, limit)) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = root() + DATA.page + "#" + m.entry.anchor;
      a.textContent = m.entry.title;
      a.className = "error-index-hit";
      a.dataset.entry = m.entry.id;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" (" + m.entry.kind + ")"));
      list.appendChild(li);
    }
  }

  function pasteBox() {
    const input = document.getElementById("error-paste-input");
    const list = document.getElementById("error-paste-results");
    if (!input || !list) return;
    const update = () => {
      const found = input.value.trim() ? match(input.value) : [];
      render(list, found, 5);
      list.dataset.state = input.value.trim() ? (found.length ? "found" : "none") : "empty";
      if (input.value.trim() && !found.length) {
        const li = document.createElement("li");
        li.textContent = "No entry matches this text.";
        list.appendChild(li);
      }
    };
    input.addEventListener("input", update);
    update();
  }

  function searchPage() {
    const results = document.getElementById("search-results");
    if (!results) return;
    const q = new URLSearchParams(window.location.search).get("q");
    if (!q) return;
    const found = match(q);
    const box = document.createElement("div");
    box.id = "error-index-results";
    box.dataset.state = found.length ? "found" : "none";
    if (found.length) {
      const h = document.createElement("p");
      h.textContent = "From Find your error:";
      const list = document.createElement("ol");
      render(list, found, 3);
      box.appendChild(h);
      box.appendChild(list);
    }
    results.parentNode.insertBefore(box, results);
  }

  window.lossCasebookMatch = match;
  document.addEventListener("DOMContentLoaded", () => { pasteBox(); searchPage(); });
})();
