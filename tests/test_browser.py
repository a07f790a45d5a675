"""The built book opened in a real browser (Debian's headless Chromium).

Fails if a page shows a cell error, if a figure of an executed page is missing from the rendered
page, if raw TeX is visible instead of typeset math (e.g. because MathJax did not load offline), or if
a page reads like a developer's notebook: code shown unfolded (other than the parameters cell), test
markers, configuration dumps, or claims without their tally.
Run by ``make test-book`` after building the book into ``$COMPANION_BOOK_HTML``; a screenshot of
every page is kept next to the build for a human to look at.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("COMPANION_BOOK_HTML", ROOT / "_build" / "html")).resolve()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=15000"]
# TeX that must never reach the reader as text once MathJax has typeset the page.
RAW_TEX = re.compile(r"\\(frac|mathbb|sum|int|kappa|lambda|mu|Gamma|sqrt|cdot)\b|\$\$")

PAGES = ["intro", "book/notation"] + [f"book/notebooks/{p.stem}" for p in sorted((ROOT / "book/notebooks").glob("*.ipynb"))]


def _chromium(*args: str) -> str:
    if CHROMIUM is None:
        pytest.fail("chromium is not installed (apt-get install chromium); the rendering check needs a real browser")
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120)
    return proc.stdout


def _html_path(page: str) -> Path:
    path = HTML / (("index" if page == "intro" else page) + ".html")
    if page == "intro" and not path.exists():
        path = HTML / "book" / "intro.html"
    assert path.exists(), f"{path} was not built"
    return path


@pytest.mark.parametrize("page", PAGES)
def test_page_renders(page):
    path = _html_path(page)
    dom = BeautifulSoup(_chromium("--dump-dom", path.as_uri()), "html.parser")
    main = dom.find("main") or dom.body
    assert main is not None and main.get_text(strip=True), f"{page}: empty page"

    for tag in main(["script", "style", "noscript"]):
        tag.decompose()
    # The theme repeats the page title in a print-only block, as plain text: not what a reader sees.
    for tag in main.select(".onlyprint"):
        tag.decompose()
    # Typeset math is inside <mjx-container>; anything TeX-like left outside it is raw TeX.
    typeset = main.find_all("mjx-container")
    for tag in typeset:
        tag.decompose()
    text = main.get_text(" ")
    raw = RAW_TEX.findall(text)
    assert not raw, f"{page}: raw TeX visible ({raw[:5]}): math was not typeset"

    errors = [d for d in main.select("div.output") if "error" in " ".join(d.get("class", []))]
    assert not errors and "Traceback (most recent call last)" not in text, f"{page}: a cell shows an error"

    if page.startswith("book/notebooks/"):
        nb = json.loads((ROOT / f"{page}.ipynb").read_text())
        n_png = sum("image/png" in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", []))
        assert n_png > 0, f"{page}: the executed page has no figure"
        for cell in nb["cells"]:
            src = "".join(cell["source"])
            if cell["cell_type"] == "code" and re.search(r"^fig = ", src, re.M):
                assert any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])), \
                    f"{page}: a figure cell shows no figure:\n{src}"
        imgs = [i for i in main.find_all("img") if i.get("src", "").endswith(".png") or
                i.get("src", "").startswith("data:image/png")]
        assert len(imgs) >= n_png, f"{page}: {n_png} figures executed, {len(imgs)} rendered"
        for img in imgs:
            src = img["src"]
            if not src.startswith("data:"):
                assert (path.parent / src).resolve().is_file(), f"{page}: figure {src} missing"
        assert typeset, f"{page}: no typeset math at all"

        # what a reader sees: code folded (closed) except the parameters cell; no test markers or dumps
        for cell in main.select("div.cell"):
            classes = cell.get("class", [])
            code = cell.select_one("div.cell_input")
            if code is None or "tag_parameters" in classes:
                continue
            folded = code.find_parent("details")
            assert folded is not None and not folded.has_attr("open"), \
                f"{page}: a code cell is shown unfolded:\n{code.get_text()[:200]}"
        assert "NBVAL" not in text, f"{page}: an nbval marker is visible"
        assert not re.search(r"\bConfig\(profile=", text), f"{page}: a configuration dump is visible"
        blocks = main.select("div.claims-block")
        assert blocks and all(re.search(r"\d+ claims?: \d+", b.get_text()) for b in blocks), \
            f"{page}: claims tables without their tally"

    shots = HTML.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    _chromium(f"--screenshot={shots / (page.replace('/', '_') + '.png')}", "--window-size=1280,2400", path.as_uri())
