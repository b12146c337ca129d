/* The exact messages of the book's error index in the browser: the matcher
 * of loss_casebook/explain/exact.py, rule for rule (tokens, longest common
 * run, overlap, the 60 % share, message entries only), over
 * window.LOSS_CASEBOOK_ERRORS, which the Sphinx extension
 * loss_casebook.maintain.errorpage writes from errors.toml. rankedsearch.js
 * puts what it finds first. No other script, no network.
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
      const word = tok !== "#" && tok !== "-#" ? 1 : 0;
      const cur = new Map();
      for (const j of where.get(tok) || []) {
        const [run0, words0] = prev.get(j - 1) || [0, 0];
        const run = run0 + 1;
        const words = words0 + word;
        cur.set(j, [run, words]);
        if (words >= 2 && run > best) best = run;
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
      if (e.kind !== "message") continue;
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

  window.lossCasebookMatch = match;
})();
