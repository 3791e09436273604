#!/usr/bin/env python3
"""Check that every page of the built HTML book renders in a real browser.

Usage::

    python tools/check_site.py _build/html [--screenshot-dir DIR]

The folder is served over HTTP on 127.0.0.1 (a random free port, in a
background thread) and every book page is opened in headless Chromium,
driven by Selenium 4 through Debian's ``/usr/bin/chromedriver``.  Selenium
Manager is never used, so nothing is downloaded.  For each page we check:

* the main article has a non-empty ``<h1>``;
* the browser console has no SEVERE errors about local resources (failures to
  reach external hosts, such as a CDN on an offline machine, are ignored);
* every ``<img>`` in the article loaded (``complete && naturalWidth > 0``);
* every link to a local file points to an existing file and, where the link has
  a ``#fragment`` into an HTML page, that page has an element with that id
  (read with an HTML parser, not the browser);
* a notebook page (one with code cells or ``.cell_output`` elements) shows at
  least one rendered image.

One line is printed per page, then ``site check: N passed, M failed``.  The exit
status is 0 when every page passed, 1 when any failed and 2 when the check
could not run (no Chromium, no chromedriver, no site).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

CHROMIUM = os.environ.get("CHECK_SITE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHECK_SITE_CHROMEDRIVER", "/usr/bin/chromedriver")
INSTALL_HINT = "apt-get install chromium chromium-driver"

SKIP_DIRS = {"_static", "_sources"}
SKIP_PAGES = {"genindex.html", "search.html", "py-modindex.html"}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}

# SEVERE console messages that the Jupyter Book 1 toolchain itself produces on
# every book, whatever the chapters say.  They are not counted as failures
# (unless --strict-console is given) but are listed in a note after the run.
KNOWN_UPSTREAM = [
    # sphinx-thebe and sphinx-togglebutton inline <script> bodies are emitted
    # twice in <head> (Sphinx 7.4 + jupyter-book 1.0.x); the second
    # `const THEBE_JS_URL = ...` is a redeclaration.
    ("Identifier 'THEBE_JS_URL' has already been declared", "duplicated sphinx-thebe inline script"),
    # pydata-sphinx-theme on a first visit (empty localStorage "mode").
    ("Got invalid theme mode: . Resetting to auto.", "pydata-sphinx-theme first-visit theme mode"),
    # Chromium asks for /favicon.ico when the page names no icon.
    ("favicon.ico - Failed to load resource: the server responded with a status of 404",
     "no favicon (browser's implicit request)"),
]
WINDOW = (1280, 2000)

CHROME_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    f"--window-size={WINDOW[0]},{WINDOW[1]}",
]
# Requests to any host but the local server fail at once instead of waiting
# on DNS or a firewall; such failures are ignored by the console check anyway.
BLOCK_EXTERNAL = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost"

# Finds the article, its title and its links and images.  Returns a dict.
PAGE_SCRIPT = r"""
const art = document.querySelector('article.bd-article')
  || document.querySelector('main article')
  || document.querySelector('article')
  || document.querySelector('[role="main"]');
const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.href);
if (!art) return {article: false, h1: '', links: links, notebook: false, nimg: 0};
const h1 = art.querySelector('h1');
let title = '';
if (h1) {
  const c = h1.cloneNode(true);
  c.querySelectorAll('.headerlink').forEach(e => e.remove());
  title = c.textContent.trim();
}
return {
  article: true,
  h1: title,
  links: links,
  notebook: art.querySelector('.cell_output, div.cell') !== null,
  nimg: art.querySelectorAll('img').length,
  outputSvgs: art.querySelectorAll('.cell_output svg').length,
};
"""

# Async: makes every article image eager, scrolls it into view, waits for it
# to decode (or fail), then reports complete/naturalWidth for each.
IMAGE_SCRIPT = r"""
const done = arguments[arguments.length - 1];
const art = document.querySelector('article.bd-article')
  || document.querySelector('main article')
  || document.querySelector('article')
  || document.querySelector('[role="main"]');
const imgs = art ? Array.from(art.querySelectorAll('img')) : [];
const waits = imgs.map(img => {
  img.loading = 'eager';
  img.scrollIntoView({block: 'center'});
  return img.decode().then(() => true, () => false);
});
const wait = Promise.all(waits);
const limit = new Promise(r => setTimeout(() => r(null), arguments[0]));
Promise.race([wait, limit]).then(decoded => {
  window.scrollTo(0, 0);
  done(imgs.map((img, i) => ({
    src: img.getAttribute('src') || '',
    url: img.currentSrc || img.src || '',
    complete: img.complete,
    width: img.naturalWidth,
    decoded: decoded ? decoded[i] : false,
  })));
});
"""


# --------------------------------------------------------------------------
# static part: pages, redirects, fragment targets


class _IdCollector(HTMLParser):
    """Collects the ids (and legacy <a name>) of a page, and a meta refresh."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refresh: str | None = None
        self.has_body_content = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            content = a.get("content") or ""
            _, _, rest = content.partition(";")
            rest = rest.strip()
            if rest.lower().startswith("url="):
                self.refresh = rest[4:].strip().strip("'\"")
        if tag in {"h1", "article", "main", "img", "p", "div"}:
            self.has_body_content = True


@functools.cache
def parse_html(path: Path) -> _IdCollector:
    parser = _IdCollector()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return parser


def book_pages(site: Path) -> list[Path]:
    pages = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site)
        if rel.parts[0] in SKIP_DIRS or rel.parts[0].startswith("."):
            continue
        if len(rel.parts) == 1 and rel.name in SKIP_PAGES:
            continue
        pages.append(path)
    return pages


def url_to_file(site: Path, path: str) -> Path:
    """Maps the path part of a local URL to a file of the site."""
    rel = unquote(path).lstrip("/")
    target = site / PurePosixPath(rel)
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def check_link(site: Path, base: str, url: str) -> str | None:
    """Returns a problem with one link, or None.  External links are not checked."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or f"{parts.scheme}://{parts.netloc}" != base:
        return None
    target = url_to_file(site, parts.path)
    shown = unquote(parts.path).lstrip("/") or "index.html"
    try:
        target.resolve().relative_to(site.resolve())
    except ValueError:
        return f"link outside the site: {shown}"
    if not target.is_file():
        return f"broken link: {shown} does not exist"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in parse_html(target).ids:
        return f"broken link: {shown}#{fragment} (no element with that id)"
    return None


def is_external_problem(message: str, base: str) -> bool:
    """True when a console message only concerns hosts other than the local server."""
    urls = [w.strip("'\"(),") for w in message.split() if "://" in w]
    urls = [u for u in urls if u.split("://", 1)[0] in {"http", "https", "ws", "wss"}]
    if not urls:
        return False
    for u in urls:
        host = (urlsplit(u).hostname or "").lower()
        if u.startswith(base) or host in LOCAL_HOSTS:
            return False
    return True


# --------------------------------------------------------------------------
# server and browser


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass


def start_server(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="check-site-http", daemon=True).start()
    host, port = server.server_address[:2]
    return server, f"http://{host}:{port}"


def missing_browser() -> str | None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (os.path.isfile(p) and os.access(p, os.X_OK))]
    if missing:
        return f"check_site: {' and '.join(missing)} not found; install them with: {INSTALL_HINT}"
    return None


def start_browser(profile_dir: str, block_external: bool = True):
    # Belt and braces: Selenium Manager is skipped because the driver path is
    # given, and SE_OFFLINE keeps it from reaching the network if it ever runs.
    os.environ.setdefault("SE_OFFLINE", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile_dir}")
    if block_external:
        options.add_argument(BLOCK_EXTERNAL)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(*WINDOW)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


# --------------------------------------------------------------------------
# one page


def check_page(driver, site: Path, base: str, page: Path, screenshot_dir: Path | None,
               strict_console: bool = False, ignored: dict[str, int] | None = None) -> tuple[list[str], str]:
    """Returns (problems, summary) for one page; counts ignored known console messages in `ignored`."""
    ignored = {} if ignored is None else ignored
    rel = page.relative_to(site).as_posix()

    static = parse_html(page)
    if static.refresh is not None and not static.has_body_content:
        # A redirect stub such as the index.html that Jupyter Book writes.
        problem = check_link(site, base, urljoin(f"{base}/{rel}", static.refresh))
        return ([problem] if problem else []), f"redirect to {static.refresh}"

    driver.get(f"{base}/{rel}")
    info = driver.execute_script(PAGE_SCRIPT)
    images = driver.execute_async_script(IMAGE_SCRIPT, 15000) if info["nimg"] else []
    problems: list[str] = []

    if not info["article"]:
        problems.append("no main article element")
    elif not info["h1"]:
        problems.append("no non-empty <h1> in the article")

    shown = 0
    for img in images:
        is_svg = img["url"].split("?")[0].lower().endswith(".svg") or img["url"].startswith("data:image/svg")
        if img["complete"] and (img["width"] > 0 or (is_svg and img["decoded"])):
            shown += 1
        else:
            problems.append(f"image not rendered: {img['src'] or '(no src)'}")

    if info["notebook"] and shown + info.get("outputSvgs", 0) == 0:
        problems.append("notebook page shows no rendered image (are the cell outputs stored?)")

    links = sorted(set(info["links"]))
    checked = 0
    for url in links:
        parts = urlsplit(url)
        if parts.scheme in {"http", "https"} and f"{parts.scheme}://{parts.netloc}" == base:
            checked += 1
        problem = check_link(site, base, url)
        if problem and problem not in problems:
            problems.append(problem)

    for entry in driver.get_log("browser"):
        if entry.get("level") != "SEVERE":
            continue
        message = " ".join(str(entry.get("message", "")).split())
        if is_external_problem(message, base):
            continue
        known = next((why for text, why in KNOWN_UPSTREAM if text in message), None)
        if known and not strict_console:
            ignored[known] = ignored.get(known, 0) + 1
            continue
        problems.append(f"console error: {message.replace(base + '/', '')}")

    if screenshot_dir is not None:
        shot = screenshot_dir / (rel[: -len(".html")].replace("/", "__") + ".png")
        if not driver.save_screenshot(str(shot)):
            problems.append(f"could not save screenshot {shot}")

    return problems, f"{shown} images, {checked} links"


# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Open every page of a built HTML book in headless Chromium and check it renders.")
    parser.add_argument("site", type=Path, help="the built HTML folder, e.g. _build/html")
    parser.add_argument("--screenshot-dir", type=Path, help="save a PNG screenshot of each page here")
    parser.add_argument("--allow-external", action="store_true",
                        help="let the browser try to reach external hosts (default: they fail at once)")
    parser.add_argument("--strict-console", action="store_true",
                        help="also fail on the known console errors of the Jupyter Book toolchain")
    args = parser.parse_args(argv)

    site = args.site.resolve()
    if not site.is_dir():
        print(f"check_site: {args.site} is not a folder (build the book first: jupyter-book build .)", file=sys.stderr)
        return 2
    pages = book_pages(site)
    if not pages:
        print(f"check_site: no HTML pages in {args.site}", file=sys.stderr)
        return 2
    problem = missing_browser()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        import selenium  # noqa: F401
    except ImportError:
        print("check_site: selenium is not installed (pip install 'selenium>=4')", file=sys.stderr)
        return 2
    if args.screenshot_dir is not None:
        args.screenshot_dir.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    server, base = start_server(site)
    profile_dir = tempfile.mkdtemp(prefix="check-site-chromium-")
    driver = None
    passed = failed = 0
    ignored: dict[str, int] = {}
    try:
        try:
            driver = start_browser(profile_dir, block_external=not args.allow_external)
        except Exception as err:  # noqa: BLE001 - report any start-up failure plainly
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            print(f"check_site: could not start Chromium through {CHROMEDRIVER}: {first}\n"
                  f"(is the chromium-driver version the same as chromium's? {INSTALL_HINT})", file=sys.stderr)
            return 2
        for page in pages:
            rel = page.relative_to(site).as_posix()
            try:
                problems, summary = check_page(driver, site, base, page, args.screenshot_dir,
                                              args.strict_console, ignored)
            except Exception as err:  # noqa: BLE001 - a crashed page is a failed page
                first = str(err).strip().splitlines()[0] if str(err).strip() else ""
                problems, summary = [f"{type(err).__name__}: {first}"], ""
            if problems:
                failed += 1
                print(f"FAIL {rel}: {'; '.join(problems)}", flush=True)
            else:
                passed += 1
                print(f"ok   {rel}  ({summary})", flush=True)
    finally:
        if driver is not None:
            driver.quit()
        server.shutdown()
        server.server_close()
        shutil.rmtree(profile_dir, ignore_errors=True)

    for why, count in ignored.items():
        print(f"note: ignored {count} known toolchain console error(s): {why} (--strict-console to fail on them)")
    print(f"checked {passed + failed} pages in {time.perf_counter() - started:.1f} s")
    print(f"site check: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
