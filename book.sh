#!/usr/bin/env bash
# medlab-book: set up, build and test the book.
#
#   ./book.sh build         create .venv (requirements.txt, every version fixed by requirements.lock),
#                           fetch the data, write HTML to _build/html
#   ./book.sh test          everything CI checks: lint (ruff), unit tests, notebook rules, every chapter
#                           under the smoke profile (nbval), a clean book build with warnings as errors,
#                           and a headless-Chromium check of the rendered pages (without Chromium and
#                           chromedriver it says what to install and skips that check, except under CI=true)
#   ./book.sh test --fast   the contributor's loop: lint and the unit tests not marked slow
#                           (no notebooks, no book build, no browser; a minute or two)
#   ./book.sh run CHAPTER... [--profile full]   re-execute chapters and store their outputs
#   ./book.sh gpu BUDGET [--dry-run] [--allow-dirty]   on a GPU machine lent for BUDGET seconds: the throughput
#                           benchmark, then the chapters whose results/paper records are stale or missing, most
#                           valuable first, each only if it fits in the time left (benchmarks/gpu_session.py)
#   ./book.sh lock          resolve requirements.txt afresh and rewrite requirements.lock
#   ./book.sh lab [ARG...]  for instructors: the chapters in JupyterLab with the book's kernel
#                           ("Python 3 (medlab-book)") and data settings (the mirror ../shared/data when
#                           there is one); ARGs go to jupyter lab, e.g. --no-browser --port 8888
#
# Offline, point the data layer at a mirror: MEDLAB_DATA_MIRROR=/path/to/mirror ./book.sh test
# On a GPU machine whose image already has PyTorch with a matching CUDA, use its Python instead
# of .venv (book.sh then installs nothing, it only checks that medlab and papermill import):
#   MEDLAB_PYTHON=python3 ./book.sh run chapters/05_evaluating_diagnostic_models.ipynb --profile paper --output-dir results/paper
set -euo pipefail
# Notebooks run in chapters/, so relative data paths are made absolute first.
for var in MEDLAB_DATA_DIR MEDLAB_DATA_MIRROR; do
  if [ -n "${!var:-}" ] && [ "${!var:0:1}" != "/" ]; then
    export "$var=$PWD/${!var}"
  fi
done
cd "$(dirname "$0")"

VENV="${MEDLAB_VENV:-.venv}"
if [ -n "${MEDLAB_PYTHON:-}" ]; then
  PY="$(command -v "$MEDLAB_PYTHON" || true)"
  if [ -z "$PY" ]; then
    echo "error: MEDLAB_PYTHON=$MEDLAB_PYTHON is not an interpreter on this machine" >&2
    exit 1
  fi
else
  PY="$VENV/bin/python"
fi

log() { printf '\n==> %s\n' "$*"; }

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1; then
      if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)'; then
        echo "$candidate"; return 0
      fi
    fi
  done
  echo "error: Python 3.11 or newer is needed (requirements.lock is resolved for 3.11); set PYTHON=/path/to/python3.11" >&2
  return 1
}

# MEDLAB_PYTHON: use that interpreter as it is; say how to complete it if something is missing.
check_python() {  # check_python EXTRA MODULE...
  local extra="$1"; shift
  local missing
  # From outside the checkout, as the chapters' kernel (which runs in chapters/) imports them.
  missing="$(cd / && "$PY" - "$OLDPWD" "$@" <<'EOF'
import importlib, pathlib, sys
root = pathlib.Path(sys.argv[1]).resolve()
for name in sys.argv[2:]:
    try:
        module = importlib.import_module(name)
    except Exception as exc:  # report every failure, not only ImportError
        print(f"  {name}: {type(exc).__name__}: {exc}")
        continue
    if name == "medlab" and pathlib.Path(module.__file__).resolve().parent != root / "medlab":
        print(f"  medlab is imported from {pathlib.Path(module.__file__).parent}, not from this checkout")
EOF
)" || missing="  $PY does not run"
  if [ -n "$missing" ]; then
    cat >&2 <<EOF
error: MEDLAB_PYTHON=$MEDLAB_PYTHON ($PY) cannot import what this command needs:
$missing
book.sh installs nothing into MEDLAB_PYTHON. Install this checkout with its '$extra' extra there,
keeping the image's own PyTorch (the constraint stops pip from replacing it), then run this again:
  $PY -m pip install -e '.[$extra]' -c <($PY -c 'import importlib.metadata as m; print("torch==" + m.version("torch"))')
EOF
    return 1
  fi
}

ensure_env() {  # ensure_env EXTRA: the extra of pyproject.toml the command needs (book or test; lab: book)
  if [ -n "${MEDLAB_PYTHON:-}" ]; then
    case "$1" in
      test) check_python test medlab papermill ipykernel jupyter_book pytest nbval selenium ruff ;;
      lab) check_python book medlab ipykernel jupyterlab ;;
      *) check_python book medlab papermill ipykernel jupyter_book ;;
    esac
    return
  fi
  local stamp="$VENV/.medlab-requirements"
  local want
  want="$(cat requirements.txt requirements.lock pyproject.toml | sha256sum | cut -c1-16)"
  if [ -x "$PY" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "creating the environment in $VENV (one-off, a few minutes)"
  local base; base="$(find_python)"
  [ -x "$PY" ] || "$base" -m venv "$VENV"
  "$PY" -m pip install --quiet --upgrade pip
  "$PY" -m pip install --quiet -r requirements.txt -c requirements.lock
  "$PY" -m pip install --quiet --no-deps -e .
  "$PY" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (medlab-book)" >/dev/null
  echo "$want" > "$stamp"
}

# requirements.lock: every package pip installs for requirements.txt, resolved in a throwaway
# environment (a dry run: pip reads the packages' metadata and installs nothing).
lock_requirements() {
  log "resolving requirements.txt afresh and writing requirements.lock"
  local base; base="$(find_python)"
  local tmp; tmp="$(mktemp -d)"
  trap "rm -rf '$tmp'" EXIT
  "$base" -m venv "$tmp/venv"
  "$tmp/venv/bin/python" -m pip install --quiet --upgrade pip
  "$tmp/venv/bin/python" -m pip install --quiet --dry-run --ignore-installed \
    --report "$tmp/report.json" -r requirements.txt
  "$tmp/venv/bin/python" - "$tmp/report.json" > "$tmp/requirements.lock" <<'EOF'
import json, platform, re, sys

report = json.load(open(sys.argv[1]))
pins = sorted((item["metadata"]["name"], item["metadata"]["version"]) for item in report["install"])
print(f"""\
# requirements.lock: the exact version of every package that ./book.sh installs (requirements.txt
# and everything it pulls in), resolved for Python {platform.python_version()} on {platform.system()} {platform.machine()}.
# ./book.sh installs with `pip install -r requirements.txt -c requirements.lock`: requirements.txt
# names what the book needs, this file fixes the rest. A package that another platform does not
# need (the nvidia-* CUDA wheels on macOS) is simply not installed there.
# Regenerate it after changing requirements.txt: ./book.sh lock
# (a dry-run resolve of requirements.txt in a throwaway environment; it installs nothing).""")
for name, version in sorted(pins, key=lambda p: re.sub(r"[-_.]+", "-", p[0]).lower()):
    print(f"{name}=={version}")
EOF
  mv "$tmp/requirements.lock" requirements.lock
  echo "requirements.lock: $(grep -vc '^#' requirements.lock) packages"
}

fetch_data() {
  log "fetching and verifying the datasets (mirror: ${MEDLAB_DATA_MIRROR:-unset})"
  # The official PneumoniaMNIST and the larger MedMNIST+ BreastMNIST files (chapter 06 can use them, reads
  # the 28 px file by default) need the network, so a machine without it and without them in its mirror
  # goes on. The PneumoniaMNIST subset (the chapters' default) is not optional: it is read from the mirror,
  # or, with network access, rebuilt from the official file and checked against its registered checksum.
  "$PY" -m medlab.data.fetch --all --quiet --optional pneumoniamnist \
    breastmnist_64 breastmnist_128 breastmnist_224
}

jupyter_book() {
  "$PY" -c 'import sys; from jupyter_book.cli.main import main; sys.argv[0] = "jupyter-book"; sys.exit(main())' "$@"
}

build_book() {
  log "building the book from the stored outputs (warnings are errors)"
  "$PY" -m medlab.book.report
  rm -rf _build
  jupyter_book build . --builder html -W -n --keep-going
  echo "HTML written to _build/html/index.html"
}

# The page check (tools/check_site.py, tested by tests/test_check_site.py) drives Chromium through
# chromedriver. ensure_browser finds both on PATH (and hands their paths to the check), installs Debian's
# as root, or else, outside CI, says what to install and turns the page check off (PAGE_CHECK=0), so
# that ./book.sh test works on a Mac or without root; its tests then skip. Under CI=true it fails.
PAGE_CHECK=1

browser_hint() {
  cat <<'EOF'
    Debian/Ubuntu: sudo apt-get install chromium chromium-driver
    macOS:         brew install --cask chromium && brew install chromedriver
                   (or Google Chrome and a chromedriver of the same version, with
                   CHECK_SITE_CHROMIUM="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")
EOF
}

ensure_browser() {
  local chromium driver
  chromium="${CHECK_SITE_CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}"
  driver="${CHECK_SITE_CHROMEDRIVER:-$(command -v chromedriver || true)}"
  if [ -n "$chromium" ] && [ -x "$chromium" ] && [ -n "$driver" ] && [ -x "$driver" ]; then
    export CHECK_SITE_CHROMIUM="$chromium" CHECK_SITE_CHROMEDRIVER="$driver"
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian's chromium and chromium-driver for the page check"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
    return 0
  fi
  if [ "${CI:-}" = "true" ]; then
    { echo "error: the page check needs chromium and chromedriver, and under CI=true it may not be skipped; install them:"
      browser_hint; } >&2
    return 1
  fi
  PAGE_CHECK=0
  browser_skipped_notice
}

browser_skipped_notice() {
  { cat <<'EOF'

##############################################################################################
##  PAGE CHECK SKIPPED: no Chromium and chromedriver found (on PATH, or named by
##  CHECK_SITE_CHROMIUM and CHECK_SITE_CHROMEDRIVER). The rendered pages are not opened in a
##  browser and the tests of tools/check_site.py skip; CI runs them. To run them here, install:
EOF
    browser_hint
    cat <<'EOF'
##  and run ./book.sh test again.
##############################################################################################

EOF
  } >&2
}

lint() {
  log "lint (ruff, configured in pyproject.toml)"
  "$PY" -m ruff check medlab tests benchmarks tools data_scripts
}

# Test workers: one per core, at most 4 (each chapter's kernel holds one to two GiB).
test_workers() {
  local n
  n="$( (nproc || sysctl -n hw.ncpu) 2>/dev/null || echo 2)"
  [ "$n" -gt 4 ] && n=4
  echo "$n"
}

run_tests() {
  local t0=$SECONDS
  lint
  # The browser comes first: tests/test_check_site.py drives it (and fails under CI=true without it).
  ensure_browser
  t0=$SECONDS
  # Files are shared out between workers (pytest-xdist; a notebook stays on one worker, its cells in
  # order); each chapter's kernel uses one torch thread, so the workers do not fight over the cores.
  local workers="${MEDLAB_TEST_WORKERS:-$(test_workers)}"
  log "unit tests, notebook rules, and every chapter under the smoke profile (nbval, $workers workers)"
  MEDLAB_PROFILE=smoke MEDLAB_THREADS="${MEDLAB_THREADS:-1}" \
    MEDLAB_UNMARKED_TEST_LIMIT="${MEDLAB_UNMARKED_TEST_LIMIT:-15}" \
    "$PY" -m pytest tests chapters --nbval-lax --nbval-current-env \
    --nbval-cell-timeout=900 -p no:cacheprovider -q -n "$workers" --dist loadfile
  echo "tests: $((SECONDS - t0)) s"
  t0=$SECONDS
  build_book
  echo "book build: $((SECONDS - t0)) s"
  t0=$SECONDS
  if [ "$PAGE_CHECK" = 1 ]; then
    log "opening every page in headless Chromium"
    "$PY" tools/check_site.py _build/html
    echo "page check: $((SECONDS - t0)) s"
  else
    browser_skipped_notice  # again at the end, where it is seen
  fi
}

# For instructors (and readers who want to run the chapters themselves): JupyterLab on chapters/ with
# the book's environment and kernel, and the data settings the chapters read.
run_lab() {
  ensure_env lab
  if [ -z "${MEDLAB_DATA_MIRROR:-}" ] && [ -d ../shared/data ]; then
    MEDLAB_DATA_MIRROR="$(cd ../shared/data && pwd)"
  fi
  if [ -n "${MEDLAB_DATA_MIRROR:-}" ]; then
    export MEDLAB_DATA_MIRROR
  fi
  # The kernel ensure_env installed into the environment, "Python 3 (medlab-book)", goes before a
  # python3 kernel of the user's own (~/.local/share/jupyter) that would otherwise shadow it.
  local prefix
  prefix="$("$PY" -c 'import sys; print(sys.prefix)')"
  if [ -d "$prefix/share/jupyter/kernels/python3" ]; then
    export JUPYTER_PATH="$prefix/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
  fi
  if [ "$(id -u)" = 0 ]; then
    set -- --allow-root "$@"  # a container or a CI machine: JupyterLab refuses root without it
  fi
  log "JupyterLab in chapters/ (data mirror: ${MEDLAB_DATA_MIRROR:-unset}; downloads: ${MEDLAB_DATA_DIR:-your cache folder})"
  exec "$PY" -m jupyterlab --ServerApp.root_dir="$PWD/chapters" "$@"
}

run_fast_tests() {
  local t0=$SECONDS
  lint
  log "unit tests not marked slow (the full run is ./book.sh test)"
  MEDLAB_PROFILE=smoke "$PY" -m pytest -m "not slow" tests -p no:cacheprovider -q
  echo "fast tests: $((SECONDS - t0)) s"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  build) ensure_env book; fetch_data; build_book ;;
  test)
    case "${1:-}" in
      --fast) ensure_env test; run_fast_tests ;;
      "") ensure_env test; fetch_data; run_tests ;;
      *) echo "error: unknown option for test: $1 (did you mean --fast?)" >&2; exit 2 ;;
    esac ;;
  run) ensure_env book; "$PY" -m medlab.run "$@" ;;
  gpu)
    if [ -z "${1:-}" ] || [ "${1:0:1}" = "-" ]; then
      echo "error: ./book.sh gpu BUDGET: say how many seconds the GPU machine is yours for, e.g. ./book.sh gpu 780" >&2
      exit 2
    fi
    budget="$1"; shift
    ensure_env book; "$PY" benchmarks/gpu_session.py --budget "$budget" "$@" ;;
  lock) lock_requirements ;;
  lab) run_lab "$@" ;;
  *) awk 'NR == 1 { next } /^#/ { print; next } { exit }' "$0"; exit 2 ;;
esac
