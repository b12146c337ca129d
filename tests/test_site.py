"""The built site in a real browser: headless Debian Chromium driven by Playwright.

Builds the book (cached execution), serves _build/html on 127.0.0.1 and opens
every page. Skipped, with the reason, where no Chromium is installed.
"""

import functools
import http.server
import pathlib
import shutil
import subprocess
import sys
import threading
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def site():
    jb = pathlib.Path(sys.executable).parent / "jupyter-book"
    # the strict build: a warning fails the browser test too
    subprocess.run([str(jb), "build", str(ROOT), "-W", "-n", "--keep-going"],
                   check=True, capture_output=True)
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()




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
        if rel == "book/classroom.html":
            continue  # a Markdown page: its download is the .md source
        page.goto(f"{site}/{rel}")
        href = page.eval_on_selector(
            "a[href$='.ipynb']", "a => a.getAttribute('href')")
        assert href.endswith(pathlib.Path(rel).with_suffix(".ipynb").name), (rel, href)
        response = page.request.get(urllib.parse.urljoin(f"{site}/{rel}", href))
        assert response.status == 200 and b'"cells"' in response.body(), rel
    page.close()
