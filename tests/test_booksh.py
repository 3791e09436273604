"""book.sh: its usage text, the page check's browser step, and ``./book.sh lab``, in real bash.

The functions under test are cut out of book.sh and run in ``bash -c`` with a PATH that holds
only stubs (``id``, a fake Python), so no environment is built, nothing is installed and no
browser or JupyterLab starts: each test takes a fraction of a second.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK_SH = ROOT / "book.sh"
BASH = shutil.which("bash")

pytestmark = pytest.mark.skipif(BASH is None, reason="needs bash")


def functions(*names: str) -> str:
    """The source of the named shell functions of book.sh (``name() {`` ... ``}`` at column 0)."""
    text = BOOK_SH.read_text(encoding="utf-8")
    out = []
    for name in names:
        match = (re.search(rf"^{name}\(\) \{{[^\n]*\}}\n", text, flags=re.M)  # a one-line function
                 or re.search(rf"^{name}\(\) \{{.*?^\}}\n", text, flags=re.M | re.S))
        assert match, f"book.sh has no function {name}"
        out.append(match.group(0))
    return "\n".join(out)


def tool_dir(tmp_path: Path) -> Path:
    """A folder for PATH with only ``cat`` (the notices print with it); tests add their stubs."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "cat").symlink_to(shutil.which("cat"))
    return folder


def stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)


def run_bash(script: str, path: Path, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([BASH, "-c", script], env={"PATH": str(path), "HOME": str(path), **env},
                          cwd=cwd, capture_output=True, text=True, timeout=30)


def test_usage_lists_every_command():
    result = subprocess.run([BASH, str(BOOK_SH)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    for command in ("./book.sh build", "./book.sh test", "./book.sh test --fast", "./book.sh run",
                    "./book.sh lock", "./book.sh lab"):
        assert command in result.stdout, f"usage text lacks {command}"
    assert "--no-browser" in result.stdout  # lab passes its arguments on to jupyter lab
    assert "set -euo pipefail" not in result.stdout  # the header only


BROWSER = functions("log", "browser_hint", "browser_skipped_notice", "ensure_browser") + """
PAGE_CHECK=1
ensure_browser
echo "rc=$? PAGE_CHECK=$PAGE_CHECK chromium=${CHECK_SITE_CHROMIUM:-} driver=${CHECK_SITE_CHROMEDRIVER:-}"
"""


@pytest.fixture
def no_browser(tmp_path) -> Path:
    """A PATH without chromium or chromedriver, as a user who is not root, with an apt-get that must not run."""
    bin_dir = tool_dir(tmp_path)
    stub(bin_dir, "id", "echo 1000")
    stub(bin_dir, "apt-get", "echo 'apt-get must not run' >&2; exit 99")
    return bin_dir


def test_no_browser_outside_ci_says_what_to_install_and_skips(no_browser):
    result = run_bash(BROWSER, no_browser)

    assert "rc=0 PAGE_CHECK=0" in result.stdout
    notice = result.stderr
    assert "PAGE CHECK SKIPPED" in notice
    assert "sudo apt-get install chromium chromium-driver" in notice
    assert "brew install --cask chromium" in notice and "brew install chromedriver" in notice
    assert "Google Chrome" in notice
    assert "apt-get must not run" not in notice


def test_no_browser_as_root_without_apt_get_skips_too(tmp_path):
    bin_dir = tool_dir(tmp_path)
    stub(bin_dir, "id", "echo 0")  # root, but no apt-get (a Mac, a non-Debian container)

    result = run_bash(BROWSER, bin_dir)

    assert "rc=0 PAGE_CHECK=0" in result.stdout
    assert "brew install --cask chromium" in result.stderr


def test_no_browser_under_ci_fails(no_browser):
    result = run_bash(BROWSER, no_browser, CI="true")

    assert "rc=1 PAGE_CHECK=1" in result.stdout
    assert "error: the page check needs chromium and chromedriver" in result.stderr
    assert "sudo apt-get install chromium chromium-driver" in result.stderr


def test_browser_found_on_path_is_handed_to_the_check(no_browser):
    stub(no_browser, "chromium", "exit 0")
    stub(no_browser, "chromedriver", "exit 0")

    result = run_bash(BROWSER, no_browser, CI="true")

    assert f"rc=0 PAGE_CHECK=1 chromium={no_browser}/chromium driver={no_browser}/chromedriver" in result.stdout
    assert result.stderr == ""


def test_page_check_runs_only_when_the_browser_step_allows_it():
    body = functions("run_tests")
    assert re.search(r'if \[ "\$PAGE_CHECK" = 1 \]; then\s+log "opening every page', body)


def test_lab_starts_jupyterlab_in_chapters_with_the_mirror_and_the_book_kernel(tmp_path):
    bin_dir = tool_dir(tmp_path)
    stub(bin_dir, "id", "echo 1000")
    prefix = tmp_path / "venv"
    (prefix / "share" / "jupyter" / "kernels" / "python3").mkdir(parents=True)
    # A Python that answers the sys.prefix question and otherwise prints what it was started with.
    stub(bin_dir, "fakepython", f"""if [ "$1" = -c ]; then echo {prefix}; exit 0; fi
echo "ARGS=$*"
echo "MIRROR=$MEDLAB_DATA_MIRROR"
echo "JUPYTER_PATH=$JUPYTER_PATH\"""")
    checkout = tmp_path / "medlab-book"
    (checkout / "chapters").mkdir(parents=True)
    (tmp_path / "shared" / "data").mkdir(parents=True)  # the mirror beside the checkout
    script = functions("log", "run_lab") + f"""
ensure_env() {{ echo "ensure_env $*"; }}
PY={bin_dir}/fakepython
run_lab --no-browser --port 8888
"""

    result = run_bash(script, bin_dir, cwd=checkout)

    lines = result.stdout.splitlines()
    assert "ensure_env lab" in lines
    assert f"ARGS=-m jupyterlab --ServerApp.root_dir={checkout}/chapters --no-browser --port 8888" in lines
    assert f"MIRROR={tmp_path}/shared/data" in lines
    assert f"JUPYTER_PATH={prefix}/share/jupyter" in lines
    assert "--allow-root" not in result.stdout

    # An existing setting wins over ../shared/data; as root, JupyterLab is told that it may run.
    stub(bin_dir, "id", "echo 0")
    result = run_bash(script, bin_dir, cwd=checkout, MEDLAB_DATA_MIRROR="/elsewhere", JUPYTER_PATH="/mine")
    assert "MIRROR=/elsewhere" in result.stdout.splitlines()
    assert f"JUPYTER_PATH={prefix}/share/jupyter:/mine" in result.stdout.splitlines()
    assert f"ARGS=-m jupyterlab --ServerApp.root_dir={checkout}/chapters --allow-root --no-browser" in result.stdout


def test_lab_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "./book.sh lab" in readme
    assert os.access(BOOK_SH, os.X_OK)
