"""The "Find your error" page cannot drift from what the chapters print.

Every message on the page must occur in the stored outputs of the first
chapter its row links to, and every error a chapter raises on purpose must be
listed on the page. In the built site, searching for each message finds its
chapter.
"""

import json
import pathlib
import re
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGE = ROOT / "book" / "find-your-error.md"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def rows() -> list[tuple[str, list[str]]]:
    """(message, linked chapters) for each entry of the page.

    An entry is a list item that starts with the message in bold code,
    ``- **`the text`**``, and links its chapters with {doc} roles; the first
    link is the chapter that reproduces the message.
    """
    entries = re.split(r"\n(?=- \*\*`)", PAGE.read_text())[1:]
    out = []
    for entry in entries:
        entry = entry.split("\n\n")[0]
        message = re.match(r"- \*\*(`+) ?(.+?) ?\1\*\*", entry).group(2)
        out.append((message, re.findall(r"\{doc\}`([^`]+)`", entry)))
    return out


def outputs(notebook: pathlib.Path) -> str:
    """All text a notebook's stored outputs show, colour codes removed."""
    parts = []
    for cell in json.loads(notebook.read_text())["cells"]:
        for o in cell.get("outputs", []):
            if o["output_type"] == "stream":
                parts.append("".join(o["text"]))
            elif o["output_type"] == "error":
                parts.append(f"{o['ename']}: {o['evalue']}")
                parts.extend(o["traceback"])
            else:
                parts.append("".join(o.get("data", {}).get("text/plain", "")))
    return ANSI.sub("", "\n".join(parts))


def test_page_has_rows_for_both_cases():
    docs = {d.split("/")[0] for _, links in rows() for d in links}
    assert len(rows()) >= 8 and {"case1", "case2"} <= docs, rows()


@pytest.mark.parametrize("message,docs", rows(), ids=[m[:40] for m, _ in rows()])
def test_message_is_what_its_chapter_prints(message, docs):
    assert docs, f"the row for {message!r} links no chapter"
    for doc in docs:
        assert (ROOT / "book" / f"{doc}.ipynb").exists(), f"{doc} does not exist"
    assert message in outputs(ROOT / "book" / f"{docs[0]}.ipynb"), (
        f"{message!r} is not in the stored outputs of {docs[0]}")


def test_every_error_a_chapter_raises_is_listed():
    listed = [m for m, _ in rows()]
    missing = []
    for nb in sorted((ROOT / "book").rglob("*.ipynb")):
        for cell in json.loads(nb.read_text())["cells"]:
            if "raises-exception" not in cell.get("metadata", {}).get("tags", []):
                continue
            for o in cell.get("outputs", []):
                if o["output_type"] != "error":
                    continue
                shown = ANSI.sub("", f"{o['ename']}: {o['evalue']}")
                if not any(m in shown or m in ANSI.sub("", "".join(o["traceback"]))
                           for m in listed):
                    missing.append(f"{nb.relative_to(ROOT)}: {shown.splitlines()[0][:100]}")
    assert missing == [], missing


def test_search_finds_each_message_in_its_chapter(site, browser):
    page = browser.new_page()
    lost = []
    for message, docs in rows():
        words = " ".join(re.findall(r"[A-Za-z_]{3,}", message))
        page.goto(f"{site}/search.html?q={urllib.parse.quote(words)}")
        page.wait_for_selector("#search-results .search-summary", timeout=30_000)
        links = page.eval_on_selector_all("#search-results ul li a",
                                          "els => els.map(e => e.href)")
        if not any(f"/book/{docs[0]}.html" in href for href in links):
            lost.append((message, words, links))
    page.close()
    assert lost == [], lost
