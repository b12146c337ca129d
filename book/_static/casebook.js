// The casebook's page script (wired in _config.yml: html_js_files).
//
// A text table that is wider than its column scrolls inside its box; this
// puts a visible hint above each such box, and takes it away when the box is
// wide enough (another window size, a folded output opened). Tables of the
// pages' own Markdown (the theme's scrollable containers) get the same hint.
(function () {
  "use strict";
  var OUTPUTS = "div.cell_output div.output.output-table";
  var TABLES = "article div.pst-scrollable-table-container";
  var HINT = "Wide table: scroll sideways to see every column.";

  // The element that scrolls: an output's <pre>, or the table's container.
  function scroller(box) {
    return box.querySelector("pre, div.pst-scrollable-table-container") || box;
  }

  function update(box) {
    var el = scroller(box);
    var wide = el.scrollWidth > el.clientWidth + 1;
    box.classList.toggle("is-wide", wide);
  }

  function setUp(box) {
    if (box.classList.contains("scroll-box")) return;
    box.classList.add("scroll-box");
    var hint = document.createElement("p");
    hint.className = "scroll-hint";
    hint.textContent = HINT;
    box.insertBefore(hint, box.firstChild);
    var el = scroller(box);
    el.setAttribute("tabindex", "0"); // scrollable with the keyboard too
    el.setAttribute("role", "region");
    el.setAttribute("aria-label", "table, scrolls sideways");
    update(box);
    if (window.ResizeObserver) {
      new ResizeObserver(function () { update(box); }).observe(el);
    } else {
      window.addEventListener("resize", function () { update(box); });
    }
  }

  function start() {
    document.querySelectorAll(OUTPUTS).forEach(setUp);
    // a Markdown table's container scrolls itself: the hint goes in a wrapper
    document.querySelectorAll(TABLES).forEach(function (table) {
      var box = document.createElement("div");
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
      setUp(box);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
