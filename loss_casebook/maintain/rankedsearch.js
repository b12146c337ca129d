/* The book's ranked search in the browser: the answer of
 * loss_casebook/explain (exact messages of the index first, then lunr's
 * ranking of every entry and section) on the search page and in the paste
 * box of "Find your error".
 *
 * words() and queryWords() port loss_casebook/explain/text.py and rank.py
 * rule for rule; the index is the one the Python port of lunr builds
 * (ranked-search-data.js, written by loss_casebook.maintain.errorpage), run
 * here by lunr.js 2.3.9. The exact matcher is errorsearch.js's. The data is
 * loaded only on the two pages that use it. No other script, no network.
 */
(function () {
  "use strict";
  const ANSI = /\x1b\[[0-9;]*[A-Za-z]|https?:\/\/\S+/g;
  const CAMEL = /([a-z0-9])([A-Z])/g;
  const CROSS = /cross[\s_-]*entropy/g;
  const NEGATIVE = /(loss\w*['"]?\s*[:=]\s*)-(?=\s*[0-9.])/g;
  const WORD = /[a-z][a-z0-9]*|[\u3400-\u9fff\uf900-\ufaff]/g;
  let DATA = null;
  let INDEX = null;

  function words(text) {
    let t = text.replace(ANSI, " ").replace(CAMEL, "$1 $2").toLowerCase();
    t = t.replace(CROSS, "crossentropy").replace(NEGATIVE, "$1 negative ");
    const stop = DATA.stopSet;
    return (t.match(WORD) || []).filter((w) => (w.length > 1 || w > "\u3000") && !stop.has(w));
  }

  function queryWords(text) {
    const lines = text.split(/\r\n|\r|\n/);
    const loud = lines.filter((ln) => ["error", "warning", "nan"].some((k) => ln.toLowerCase().includes(k)));
    const seen = new Set();
    for (const ln of loud.concat(lines)) {
      for (const w of words(ln)) {
        seen.add(w);
        if (seen.size >= DATA.maxTerms) return Array.from(seen);
      }
    }
    return Array.from(seen);
  }

  function rank(text) {
    const asked = queryWords(text);
    if (!asked.length) return [];
    return INDEX.query((q) => { for (const w of asked) q.term(w); });
  }

  /* "explained", "near" or "none": the verdict of explain (reply.py), from
   * an exact message, a negative loss in a log, or lunr's best score. (The
   * log's other fingerprints, a loss stuck at a floor, are explain's only.) */
  function verdict(text, found) {
    if (found.some((h) => h.why === "message") || new RegExp(NEGATIVE.source).test(text.toLowerCase())) {
      return "explained";
    }
    const top = found.length && found[0].score ? found[0].score : 0;
    const strength = [top, top / Math.sqrt(Math.max(1, queryWords(text).length))];
    const over = (t) => strength[0] >= t[0] && strength[1] >= t[1];
    return over(DATA.confident) ? "explained" : over(DATA.near) ? "near" : "none";
  }

  const HEADS = {
    explained: "The book explains this; best first:",
    near: "The book may explain this, but the text matches it only in part:",
    none: "Nothing in the book explains this text; the nearest pages are:",
  };

  const LOSS_ARG = /\bloss\s*=\s*(?:[\w.]*\.)?['"]?([A-Za-z_]\w*)/gi;
  const norm = (name) => name.toLowerCase().replace(/[^a-z]/g, "");

  /* The entries a negative loss in the text names (explain's
   * fingerprints.negative_entries): those covering a loss the text compiles
   * with, or, when none is named or none matches, every one of them. */
  function negativeEntries(text) {
    if (!new RegExp(NEGATIVE.source).test(text.toLowerCase())) return [];
    const named = new Set(Array.from(text.matchAll(LOSS_ARG), (m) => norm(m[1])));
    const rules = DATA.negative || [];
    const known = rules.filter((e) => e.losses.some((l) => named.has(norm(l))));
    return (known.length ? known : rules).map((e) => e.ref);
  }

  /* Exact messages first, then the entries a negative loss names, then
   * lunr's order, each document once. */
  function search(text) {
    const out = [];
    const taken = new Set();
    const exact = window.lossCasebookMatch ? window.lossCasebookMatch(text) : [];
    for (const m of exact) {
      const ref = "err-" + m.entry.id;
      if (!taken.has(ref) && DATA.docs[ref]) { taken.add(ref); out.push({ ref, why: "message" }); }
    }
    for (const ref of negativeEntries(text)) {
      if (!taken.has(ref) && DATA.docs[ref]) { taken.add(ref); out.push({ ref, why: "log" }); }
    }
    for (const r of rank(text)) {
      if (!taken.has(r.ref)) { taken.add(r.ref); out.push({ ref: r.ref, why: "words", score: r.score }); }
    }
    return out;
  }

  function root() {
    const el = document.getElementById("documentation_options");
    return el && el.dataset.url_root ? el.dataset.url_root : "";
  }

  function render(list, found) {
    list.textContent = "";
    for (const hit of found.slice(0, DATA.top)) {
      const [title, url, kind] = DATA.docs[hit.ref];
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = root() + url;
      a.textContent = title;
      a.className = "ranked-hit";
      a.dataset.ref = hit.ref;
      li.appendChild(a);
      const where = kind === "entry" ? "index entry" : "section of " + hit.ref.split("#")[0];
      li.appendChild(document.createTextNode(" (" + where + ")"));
      list.appendChild(li);
    }
  }

  function pasteBox() {
    const input = document.getElementById("error-paste-input");
    const list = document.getElementById("error-paste-results");
    if (!input || !list) return;
    const update = () => {
      const text = input.value.trim();
      const found = text ? search(input.value) : [];
      render(list, found);
      list.dataset.state = text ? (found.length ? "found" : "none") : "empty";
      list.dataset.verdict = text ? verdict(input.value, found) : "";
      const head = document.getElementById("error-paste-verdict");
      if (head) head.textContent = text && found.length ? HEADS[list.dataset.verdict] : "";
      if (text && !found.length) {
        const li = document.createElement("li");
        li.textContent = "No page of the book shares a word with this text.";
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
    const found = search(q);
    const box = document.createElement("div");
    box.id = "ranked-results";
    box.dataset.state = found.length ? "found" : "none";
    box.dataset.verdict = verdict(q, found);
    const h = document.createElement("p");
    h.className = "ranked-verdict";
    h.textContent = found.length ? HEADS[box.dataset.verdict]
      : "No page of the book shares a word with this text.";
    box.appendChild(h);
    if (found.length) {
      const list = document.createElement("ol");
      render(list, found);
      box.appendChild(list);
    }
    results.parentNode.insertBefore(box, results);
  }

  function start() {
    DATA = window.LOSS_CASEBOOK_RANKED;
    DATA.stopSet = new Set(DATA.stop);
    INDEX = window.lunr.Index.load(DATA.index);
    window.lossCasebookSearch = search;
    window.lossCasebookVerdict = (t) => verdict(t, search(t));
    window.lossCasebookWords = words;
    pasteBox();
    searchPage();
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!document.getElementById("error-paste-input") && !document.getElementById("search-results")) return;
    const me = document.querySelector('script[src*="rankedsearch.js"]');
    const s = document.createElement("script");
    s.src = me.src.replace(/rankedsearch\.js.*$/, "ranked-search-data.js");
    s.onload = start;
    document.head.appendChild(s);
  });
})();
