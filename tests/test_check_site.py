"""Tests for tools/check_site.py on tiny fake sites, in real headless Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "check_site.py"
CHROMIUM = os.environ.get("CHECK_SITE_CHROMIUM", "/usr/bin/chromium")  # the paths tools/check_site.py uses
CHROMEDRIVER = os.environ.get("CHECK_SITE_CHROMEDRIVER", "/usr/bin/chromedriver")


@pytest.fixture
def chromium() -> None:
    """Skip without a browser on a workstation; fail under CI=true, where ./book.sh test installs one."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.path.isfile(p)]
    if missing:
        message = (f"needs {' and '.join(missing)} (Debian: apt-get install chromium chromium-driver; macOS: "
                   "brew install --cask chromium && brew install chromedriver, then ./book.sh test passes their "
                   "paths in CHECK_SITE_CHROMIUM and CHECK_SITE_CHROMEDRIVER)")
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: under CI=true the page check must run, not skip")
        pytest.skip(message)


def needs_chromium(test):
    """A test in real Chromium: slow (a browser start each), so ./book.sh test --fast leaves it out."""
    return pytest.mark.slow(pytest.mark.usefixtures("chromium")(test))

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}</head>
<body>
<nav><a href="a.html">A</a> <a href="b.html">B</a> <a href="https://example.org/">elsewhere</a></nav>
<main><article class="bd-article">
<h1>{title}<a class="headerlink" href="#">#</a></h1>
{body}
</article></main>
</body></html>
"""


def write_png(path: Path) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 30), (200, 30, 30)).save(path)


def make_site(root: Path, *, link: str = "b.html#target", image: str = "_images/fig.png",
              notebook_image: bool = True, script: str = "") -> Path:
    """A two-page site: a.html (a notebook-like page with a figure) links to b.html."""
    write_png(root / "_images" / "fig.png")
    (root / "_images" / "corrupt.png").write_bytes(b"this is not a PNG")
    figure = f'<img src="{image}" alt="figure">' if notebook_image else "<pre>no figure</pre>"
    (root / "a.html").write_text(PAGE.format(
        title="Page A",
        # an external stylesheet that cannot load: must be ignored
        head='<link rel="stylesheet" href="https://cdn.example.invalid/missing.css">' + script,
        body=f"""
<p>See <a href="{link}">the target on page B</a> and <a href="#local">below</a>.</p>
<div class="cell docutils container">
  <div class="cell_input"><pre>plt.show()</pre></div>
  <div class="cell_output docutils container">{figure}</div>
</div>
<p id="local">Local anchor.</p>
""",
    ), encoding="utf-8")
    (root / "b.html").write_text(PAGE.format(
        title="Page B", head="",
        body='<p id="target">The target.</p><p><a href="a.html#local">back</a> <a href="./">home</a></p>',
    ), encoding="utf-8")
    (root / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=a.html" />', encoding="utf-8")
    # pages that are not part of the book: broken on purpose, must be skipped
    for skipped in ("genindex.html", "search.html", "_static/page.html", "_sources/x.html"):
        (root / skipped).parent.mkdir(parents=True, exist_ok=True)
        (root / skipped).write_text("<html><body><a href='nowhere.html'>x</a></body></html>", encoding="utf-8")
    return root


def run_check(site: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), str(site), *extra],
                          capture_output=True, text=True, timeout=180)


@needs_chromium
def test_good_site_passes(tmp_path):
    site = make_site(tmp_path / "site")
    shots = tmp_path / "shots"
    result = run_check(site, "--screenshot-dir", str(shots))
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "ok   a.html  (1 images," in out
    assert "ok   b.html" in out
    assert "ok   index.html" in out
    assert "genindex" not in out and "_static" not in out and "_sources" not in out
    assert out.strip().splitlines()[-1] == "site check: 3 passed, 0 failed"
    assert sorted(p.name for p in shots.glob("*.png")) == ["a.png", "b.png"]
    assert (shots / "a.png").stat().st_size > 1000


@needs_chromium
@pytest.mark.parametrize("link, reason", [
    ("b.html#missing", "broken link: b.html#missing (no element with that id)"),
    ("c.html", "broken link: c.html does not exist"),
])
def test_broken_link_fails(tmp_path, link, reason):
    site = make_site(tmp_path / "site", link=link)
    result = run_check(site)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"FAIL a.html: {reason}" in result.stdout
    assert "ok   b.html" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "site check: 2 passed, 1 failed"


@needs_chromium
@pytest.mark.parametrize("image", ["_images/missing.png", "_images/corrupt.png"])
def test_broken_image_fails(tmp_path, image):
    site = make_site(tmp_path / "site", image=image)
    result = run_check(site)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"FAIL a.html: image not rendered: {image}" in result.stdout
    assert "notebook page shows no rendered image" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "site check: 2 passed, 1 failed"


@needs_chromium
def test_notebook_without_figure_and_js_error_fail(tmp_path):
    site = make_site(tmp_path / "site", notebook_image=False,
                     script="<script>undefinedFunction();</script>")
    result = run_check(site)
    assert result.returncode == 1, result.stdout + result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("FAIL a.html"))
    assert "notebook page shows no rendered image" in line
    assert "console error" in line and "undefinedFunction" in line
    assert "example.invalid" not in line  # the unreachable external stylesheet is ignored


def test_missing_browser_is_reported(tmp_path):
    site = make_site(tmp_path / "site")
    env = dict(os.environ, CHECK_SITE_CHROMIUM=str(tmp_path / "no-chromium"))
    result = subprocess.run([sys.executable, str(SCRIPT), str(site)],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 2
    assert "apt-get install chromium chromium-driver" in result.stderr
