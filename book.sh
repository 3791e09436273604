#!/usr/bin/env bash
# medlab-book: set up, build and test the book.
#
#   ./book.sh build   create .venv from requirements.txt, fetch the data, write HTML to _build/html
#   ./book.sh test    everything CI checks: unit tests, notebook rules, every chapter under the
#                     smoke profile (nbval), a clean book build with warnings as errors, and a
#                     headless-Chromium check of the rendered pages
#   ./book.sh run CHAPTER... [--profile full]   re-execute chapters and store their outputs
#
# Offline, point the data layer at a mirror: MEDLAB_DATA_MIRROR=/path/to/mirror ./book.sh test
set -euo pipefail
# Notebooks run in chapters/, so relative data paths are made absolute first.
for var in MEDLAB_DATA_DIR MEDLAB_DATA_MIRROR; do
  if [ -n "${!var:-}" ] && [ "${!var:0:1}" != "/" ]; then
    export "$var=$PWD/${!var}"
  fi
done
cd "$(dirname "$0")"

VENV="${MEDLAB_VENV:-.venv}"
PY="$VENV/bin/python"

log() { printf '\n==> %s\n' "$*"; }

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1; then
      if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 10) else 1)'; then
        echo "$candidate"; return 0
      fi
    fi
  done
  echo "error: Python 3.10 or newer is needed (3.11 recommended); set PYTHON=/path/to/python3.11" >&2
  return 1
}

ensure_env() {
  local stamp="$VENV/.medlab-requirements"
  local want
  want="$(cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)"
  if [ -x "$PY" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "creating the environment in $VENV (one-off, a few minutes)"
  local base; base="$(find_python)"
  [ -x "$PY" ] || "$base" -m venv "$VENV"
  "$PY" -m pip install --quiet --upgrade pip
  "$PY" -m pip install --quiet -r requirements.txt
  "$PY" -m pip install --quiet --no-deps -e .
  "$PY" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (medlab-book)" >/dev/null
  echo "$want" > "$stamp"
}

fetch_data() {
  log "fetching and verifying the datasets (mirror: ${MEDLAB_DATA_MIRROR:-unset})"
  # The official PneumoniaMNIST needs the network; the subset exists only in a mirror.
  "$PY" -m medlab.data.fetch --all --quiet --optional pneumoniamnist pneumoniamnist_subset
}

build_book() {
  log "building the book from the stored outputs (warnings are errors)"
  "$PY" -m medlab.book.report
  rm -rf _build
  "$VENV/bin/jupyter-book" build . --builder html -W -n --keep-going
  echo "HTML written to _build/html/index.html"
}

ensure_browser() {
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian's chromium and chromium-driver for the page check"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
  else
    echo "error: the page check needs chromium and chromedriver; install them (Debian: sudo apt-get install chromium chromium-driver)" >&2
    return 1
  fi
}

run_tests() {
  local t0=$SECONDS
  log "unit tests, notebook rules, and every chapter under the smoke profile (nbval)"
  MEDLAB_PROFILE=smoke "$PY" -m pytest tests chapters --nbval-lax --nbval-current-env \
    --nbval-cell-timeout=900 -p no:cacheprovider -q
  echo "tests: $((SECONDS - t0)) s"
  t0=$SECONDS
  build_book
  echo "book build: $((SECONDS - t0)) s"
  t0=$SECONDS
  ensure_browser
  log "opening every page in headless Chromium"
  "$PY" tools/check_site.py _build/html
  echo "page check: $((SECONDS - t0)) s"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  build) ensure_env; fetch_data; build_book ;;
  test) ensure_env; fetch_data; run_tests ;;
  run) ensure_env; "$PY" -m medlab.run "$@" ;;
  *) sed -n '2,11p' "$0"; exit 2 ;;
esac
