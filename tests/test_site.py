"""The built site in a real browser: headless Debian Chromium driven by Playwright.

Builds the book (cached execution), serves _build/html on 127.0.0.1 and opens
every page. Skipped, with the reason, where no Chromium is installed; in CI
that is a failure (see ``conftest.need``).
"""

import pathlib
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"


def _pages():
    return sorted(str(p.relative_to(HTML)) for p in (HTML / "book").rglob("*.html"))


def test_every_page_loads_cleanly(site, browser):
    pages = _pages()
    assert len(pages) >= 12, pages
    page = browser.new_page()
    errors, foreign = [], []
    page.on("console", lambda m: errors.append(f"{m.text} {m.location.get('url')}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    page.on("request", lambda r: foreign.append(r.url)
            if urllib.parse.urlparse(r.url).hostname not in ("127.0.0.1", None)
            and not r.url.startswith("data:") else None)
    for rel in pages:
        page.goto(f"{site}/{rel}", wait_until="networkidle")
        broken = page.evaluate(
            "[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
        assert broken == [], f"{rel}: images that did not load: {broken}"
    assert errors == [], errors
    assert foreign == [], f"requests to other hosts: {foreign}"
    page.close()


def test_search_finds_the_nan_chapter(site, browser):
    page = browser.new_page()
    page.goto(f"{site}/search.html?q=NaN", wait_until="networkidle")
    page.wait_for_selector("#search-results ul li a", timeout=30_000)
    links = page.eval_on_selector_all("#search-results ul li a", "els => els.map(e => e.href)")
    assert any("case2/03-localised" in href for href in links), links
    page.close()


def test_solutions_are_closed_until_clicked(site, browser):
    page = browser.new_page()
    page.goto(f"{site}/book/case1/05-exercises.html", wait_until="networkidle")
    solution = page.locator("div.solution.dropdown").first
    body = solution.locator("section#solution-content")
    assert not body.is_visible()
    solution.locator(".admonition-title").click()
    body.wait_for(state="visible", timeout=5_000)
    assert body.is_visible()
    page.close()


def test_every_chapter_offers_its_notebook_for_download(site, browser):
    page = browser.new_page()
    for rel in _pages():
        if (ROOT / rel).with_suffix(".md").exists():
            continue  # a Markdown page: its download is the .md source
        page.goto(f"{site}/{rel}")
        href = page.eval_on_selector(
            "a[href$='.ipynb']", "a => a.getAttribute('href')")
        assert href.endswith(pathlib.Path(rel).with_suffix(".ipynb").name), (rel, href)
        response = page.request.get(urllib.parse.urljoin(f"{site}/{rel}", href))
        assert response.status == 200 and b'"cells"' in response.body(), rel
    page.close()


#: A laptop's browser window: 1280 px wide, the page's contents column showing.
WIDE = {"width": 1280, "height": 800}
#: Code the reader is meant to read: cell inputs and Markdown code blocks, not
#: outputs (a folded traceback may be wide).
CODE = "article pre:not(.cell_output pre)"


def test_code_fits_the_page(site, browser):
    """No page's code scrolls sideways in a 1280-pixel window."""
    page = browser.new_page(viewport=WIDE)
    page.goto(f"{site}/book/case2/03-localised.html")
    assert page.locator(".bd-sidebar-secondary").first.is_visible(), "no contents column"
    wide = []
    for rel in _pages():
        page.goto(f"{site}/{rel}")
        wide += [f"{rel}: {line}" for line in page.eval_on_selector_all(
            CODE,
            """els => els.filter(e => e.scrollWidth > e.clientWidth + 1)
                        .map(e => e.textContent.split("\\n")
                        .reduce((a, b) => (b.length > a.length ? b : a)))""")]
    page.close()
    assert wide == [], "code lines wider than the page:\n" + "\n".join(wide)


# ---------------------------------------------------------------- Find your error

def _pasted():
    """(entry id, how, text): every text and variant of the index, as readers paste it."""
    from test_explain import REWRITES

    from loss_casebook import errorindex

    return [(e.id, how, rewrite(p)) for e in errorindex.load() for p in e.patterns
            for how, rewrite in REWRITES.items()]


def _entry_hits(page, selector):
    return page.eval_on_selector_all(selector, "els => els.map(e => e.dataset.entry)")


def test_the_paste_box_finds_every_variant(site, browser):
    """Typed into the page's paste box, each variant lists its entry among the first 3."""
    page = browser.new_page()
    page.goto(f"{site}/book/find-your-error.html", wait_until="networkidle")
    lost = []
    for eid, how, text in _pasted():
        page.fill("#error-paste-input", text)
        page.wait_for_selector("#error-paste-results[data-state]")
        hits = _entry_hits(page, "#error-paste-results a.error-index-hit")
        if eid not in hits[:3]:
            lost.append((eid, how, text[:60], hits))
    page.fill("#error-paste-input", "ValueError: Shapes (None, 10) and (None, 1) are incompatible")
    assert page.get_attribute("#error-paste-results", "data-state") == "none"
    page.close()
    assert lost == [], lost


def test_site_search_finds_every_variant(site, browser):
    """A pasted message in the site's search: its entry is among the first 3 results.

    Sphinx's search needs every word of the query on a page, so a reader's
    own names and numbers find nothing there; the page's script lists the
    matching entries above Sphinx's results (#error-index-results).
    """
    page = browser.new_page()
    lost = []
    # the page runs the paste box's matcher (tested on every form above): here
    # each pattern once, changed as readers change it most (other numbers)
    for eid, how, text in [t for t in _pasted() if t[1] == "other numbers"]:
        page.goto(f"{site}/search.html?q={urllib.parse.quote(text)}")
        page.wait_for_selector("#error-index-results", state="attached", timeout=30_000)
        hits = _entry_hits(page, "#error-index-results a.error-index-hit")
        if eid not in hits[:3]:
            lost.append((eid, how, text[:60], hits))
    page.goto(f"{site}/search.html?q=hello+world")
    page.wait_for_selector("#error-index-results", state="attached")
    assert page.get_attribute("#error-index-results", "data-state") == "none"
    page.close()
    assert lost == [], lost


def test_the_search_box_takes_a_typed_message(site, browser):
    """Typed into the theme's search box and sent with Enter, as a reader does."""
    from loss_casebook import errorindex

    page = browser.new_page(viewport=WIDE)
    lost = []
    for entry in errorindex.load():
        text = entry.texts[0].text
        page.goto(f"{site}/book/intro.html", wait_until="networkidle")
        page.locator("button.search-button__button").first.click()
        box = page.locator("form.bd-search input[name=q]").first
        box.fill(text)
        box.press("Enter")
        page.wait_for_selector("#error-index-results", state="attached", timeout=30_000)
        hits = _entry_hits(page, "#error-index-results a.error-index-hit")
        if entry.id not in hits[:3]:
            lost.append((entry.id, text, hits))
    page.close()
    assert lost == [], lost


def test_sphinx_search_finds_the_page_for_each_exact_text(site, browser):
    """Sphinx's own index: the words of each exact text find Find your error."""
    from loss_casebook import errorindex

    page = browser.new_page()
    lost = []
    for entry in errorindex.load():
        for t in entry.texts:
            page.goto(f"{site}/search.html?q={urllib.parse.quote(t.text)}")
            page.wait_for_selector("#search-results .search-summary", timeout=30_000)
            links = page.eval_on_selector_all("#search-results ul li a",
                                              "els => els.map(e => e.href)")
            if not any("/book/find-your-error.html" in h for h in links):
                lost.append((entry.id, t.text, links[:3]))
    page.close()
    assert lost == [], lost
