#!/usr/bin/env bash
# medlab-book: set up, build and test the book.
#
#   ./book.sh build         create .venv (requirements.txt, every version fixed by requirements.lock),
#                           fetch the data, write HTML to _build/html
#   ./book.sh test          everything CI checks: lint (ruff), unit tests, notebook rules, every chapter
#                           under the smoke profile (nbval), a clean book build with warnings as errors,
#                           and a headless-Chromium check of the rendered pages
#   ./book.sh test --fast   the contributor's loop: lint and the unit tests not marked slow
#                           (no notebooks, no book build, no browser; a minute or two)
#   ./book.sh run CHAPTER... [--profile full]   re-execute chapters and store their outputs
#   ./book.sh lock          resolve requirements.txt afresh and rewrite requirements.lock
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

ensure_env() {  # ensure_env EXTRA: the extra of pyproject.toml the command needs (book or test)
  if [ -n "${MEDLAB_PYTHON:-}" ]; then
    case "$1" in
      test) check_python test medlab papermill ipykernel jupyter_book pytest nbval selenium ruff ;;
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
  # the 28 px file by default) need the network; the subset exists only in a mirror.
  "$PY" -m medlab.data.fetch --all --quiet --optional pneumoniamnist pneumoniamnist_subset \
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

lint() {
  log "lint (ruff, configured in pyproject.toml)"
  "$PY" -m ruff check medlab tests benchmarks tools data_scripts
}

run_tests() {
  local t0=$SECONDS
  lint
  # The browser comes first: tests/test_check_site.py drives it (and fails under CI=true without it).
  ensure_browser
  t0=$SECONDS
  log "unit tests, notebook rules, and every chapter under the smoke profile (nbval)"
  MEDLAB_PROFILE=smoke "$PY" -m pytest tests chapters --nbval-lax --nbval-current-env \
    --nbval-cell-timeout=900 -p no:cacheprovider -q
  echo "tests: $((SECONDS - t0)) s"
  t0=$SECONDS
  build_book
  echo "book build: $((SECONDS - t0)) s"
  t0=$SECONDS
  log "opening every page in headless Chromium"
  "$PY" tools/check_site.py _build/html
  echo "page check: $((SECONDS - t0)) s"
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
  lock) lock_requirements ;;
  *) sed -n '2,17p' "$0"; exit 2 ;;
esac
