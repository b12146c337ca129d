"""The reader's pages in a 1280-pixel Chromium window: every code and output
block fits its column (or scrolls inside a box that says so), and captions are
readable.

Uses the ``browser`` and ``site`` fixtures of ``tests/conftest.py`` (the strict
build, served on 127.0.0.1); skipped with the reason where no Chromium is
installed, a failure in CI. ``book/_static/casebook.css`` and ``casebook.js``
make the pages pass; ``loss_casebook.maintain.sphinxext`` marks the text tables.
"""

import pathlib

import pytest

from loss_casebook.maintain import sphinxext

ROOT = pathlib.Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"

#: A laptop's browser window, as in tests/test_site.py.
WIDE = {"width": 1280, "height": 800}

#: What a reader can unfold: folded outputs and sources, solutions.
OPEN_ALL = """() => {
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  document.querySelectorAll(".toggle-hidden").forEach(
      e => e.classList.remove("toggle-hidden"));
}"""

#: Blocks wider than the article's column, or scrolling sideways, that are
#: not inside a box whose visible hint says it scrolls sideways.
TOO_WIDE = """() => {
  const col = document.querySelector("article.bd-article");
  const edge = col.getBoundingClientRect().right
               - parseFloat(getComputedStyle(col).paddingRight);
  const labelled = e => {
    const box = e.closest(".scroll-box.is-wide");
    if (!box || box.getBoundingClientRect().right > edge + 1) return false;
    const hint = box.querySelector(":scope > .scroll-hint");
    return !!hint && hint.offsetHeight > 0
           && /scroll sideways/i.test(hint.textContent);
  };
  const longest = t => t.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), "");
  const out = [];
  const blocks = col.querySelectorAll(
      "pre, code, table, div.highlight, div.cell_output, div.output");
  blocks.forEach((e, i) => {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return;
    const inline = getComputedStyle(e).display.startsWith("inline");
    const wide = r.right > edge + 1
                 || (!inline && e.scrollWidth > e.clientWidth + 1);
    if (wide && !labelled(e)) {
      const name = e.tagName.toLowerCase()
                   + (e.className ? "." + String(e.className).trim().split(/\\s+/).join(".") : "");
      const room = Math.round(Math.min(edge - r.left, inline ? edge : e.clientWidth));
      out.push(`${name} (${Math.round(Math.max(r.width, e.scrollWidth))} px`
               + ` where ${room} px fit): `
               + longest(e.textContent).trim().slice(0, 80));
    }
  });
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth + 1) {
    out.push(`the page itself scrolls sideways (${page.scrollWidth} px)`);
  }
  return out;
}"""


def _open_all(page):
    """Unfold what a reader can unfold, and wait for togglebutton's 0.3 s fade-in
    (and the ResizeObserver behind the scroll hints)."""
    page.evaluate(OPEN_ALL)
    page.wait_for_timeout(400)


def _pages():
    return sorted(str(p.relative_to(HTML)) for p in (HTML / "book").rglob("*.html"))


def test_every_block_fits_its_column(site, browser):
    """No pre, code, table or output block is wider than the column at 1280 px,
    except inside a box labelled "scroll sideways"."""
    page = browser.new_page(viewport=WIDE)
    wide, pages = [], _pages()
    assert len(pages) >= 12, pages
    for rel in pages:
        page.goto(f"{site}/{rel}", wait_until="load")
        _open_all(page)
        wide += [f"{rel}: {block}" for block in page.evaluate(TOO_WIDE)]
    page.close()
    assert wide == [], ("blocks wider than their column at 1280 px:\n"
                        + "\n".join(wide))


def test_a_wide_table_says_it_scrolls(site, browser):
    """A text table wider than its column keeps its columns and scrolls in a
    box whose hint is shown; a long log line wraps instead."""
    page = browser.new_page(viewport={"width": 480, "height": 800})
    page.goto(f"{site}/book/backends.html", wait_until="load")
    page.wait_for_timeout(100)
    table = page.locator("div.output.output-table").first
    assert "is-wide" in table.get_attribute("class")
    assert table.locator(".scroll-hint").is_visible()
    assert page.evaluate("""() => {
        const pre = document.querySelector("div.output.output-table pre");
        return getComputedStyle(pre).whiteSpace; }""") == "pre"
    page.set_viewport_size(WIDE)
    page.wait_for_timeout(200)
    assert "is-wide" not in table.get_attribute("class"), "the table fits at 1280 px"
    assert not table.locator(".scroll-hint").is_visible()
    page.close()


#: Each visible text element under ``selector``: its contrast with what is
#: behind it (colours composited over the page, opacity included) and weight.
CONTRAST = """(selector) => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = rgb => { const f = v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(rgb[0]) + 0.7152 * f(rgb[1]) + 0.0722 * f(rgb[2]); };
  const behind = e => { const layers = [];
    for (let n = e; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let bg = [255, 255, 255];
    for (const c of layers.reverse()) bg = bg.map((v, i) => v * (1 - c[3]) + c[i] * c[3]);
    return bg; };
  const out = [];
  for (const e of document.querySelectorAll(selector)) {
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const r = e.getBoundingClientRect();
    const s = getComputedStyle(e);
    if (!own || r.width === 0 || s.visibility === "hidden") continue;
    let alpha = parse(s.color)[3];
    for (let n = e; n; n = n.parentElement) alpha *= Number(getComputedStyle(n).opacity);
    const bg = behind(e);
    const fg = parse(s.color).slice(0, 3).map((v, i) => v * alpha + bg[i] * (1 - alpha));
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    out.push({ratio: (hi + 0.05) / (lo + 0.05), weight: Number(s.fontWeight),
              what: e.tagName.toLowerCase() + "." + String(e.className).trim(),
              text: e.textContent.trim().slice(0, 50)});
  }
  return out;
}"""

#: Captions: of figures and tables, the sidebar's parts, the scroll hints.
CAPTIONS = ("article figcaption, article figcaption *, article caption, article caption *, "
            "article .scroll-hint, nav.bd-docs-nav p.caption, nav.bd-docs-nav p.caption *")
#: Text that shows only on hover (a heading's link, the copy button) is not read.
TEXT = "article *:not(.headerlink):not(.copybtn):not(.copybtn *)"


def _faint(page, selector, min_weight):
    return [f"{t['what']} {t['ratio']:.2f}:1, weight {t['weight']:.0f}: {t['text']}"
            for t in page.evaluate(CONTRAST, selector)
            if t["ratio"] < 4.5 or t["weight"] < min_weight]


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_captions_and_text_are_readable(site, browser, mode):
    """Contrast at least 4.5:1 against the background (WCAG AA) for every
    visible text of the pages, in light and dark mode; captions also in a
    normal weight (a 300 weight thins the strokes whatever the colour)."""
    page = browser.new_page(viewport=WIDE)
    faint = []
    for rel in _pages():
        page.goto(f"{site}/{rel}", wait_until="load")
        page.evaluate(f"document.documentElement.dataset.theme = '{mode}'")
        page.set_viewport_size({"width": 480, "height": 800})  # hints show
        _open_all(page)
        faint += [f"{rel}: caption {f}" for f in _faint(page, CAPTIONS, 400)]
        faint += [f"{rel}: {f}" for f in _faint(page, TEXT, 0)]
        page.set_viewport_size(WIDE)
    page.close()
    assert faint == [], f"text below 4.5:1 ({mode} mode):\n" + "\n".join(sorted(set(faint)))


# ------------------------------------------------ without a browser

@pytest.mark.parametrize("text", [
    "            loss     accuracy\n----------  -------  --------\ntensorflow  -0.07    0.01",
    "Model: \"model\"\n" + "_" * 60 + "\n Layer (type)   Output Shape\n" + "=" * 60,
    "┏━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┓\n┃ Layer (type)    ┃ Output Shape ┃",
])
def test_text_tables_are_recognised(text):
    assert sphinxext.is_text_table(text)


@pytest.mark.parametrize("text", [
    "Epoch 1/6\n3/3 - 3s - loss: -4.5848e-01 - accuracy: 0.0096 - val_loss: -4.5220e-01",
    "student,exercise,verdict,message\nben,ex-c1-sign,wrong,Every value - ---",
    "a - b is ----",
])
def test_logs_are_not_tables(text):
    assert not sphinxext.is_text_table(text)
