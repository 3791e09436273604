"""Rules every chapter notebook follows (checked on the stored notebooks, no execution)."""

from __future__ import annotations

import getpass
import re
from pathlib import Path

import nbformat
import pytest

from medlab.book.provenance import stale_message, toc_chapters

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
MAX_OUTPUT_LINES = 100
MAX_NOTEBOOK_BYTES = 3_000_000
ABS_PATH = re.compile(r"(?<![\w.~-])(/(home|root|Users|tmp|work|mnt|opt|var|private)/|[A-Za-z]:\\\\)")


def _nb(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _output_texts(nb, html=True):
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                yield i, out.get("text", "")
            elif out.get("output_type") == "error":
                yield i, "\n".join(out.get("traceback", []))
            else:
                for mime, value in out.get("data", {}).items():
                    if mime == "text/html" and not html:
                        continue
                    if mime.startswith("text/") or mime == "application/json":
                        yield i, value if isinstance(value, str) else str(value)


def test_there_are_chapters():
    assert CHAPTERS, "no chapters/*.ipynb"


def test_chapter_files_match_toc():
    listed = {p.as_posix() for p in toc_chapters(ROOT)}
    on_disk = {p.relative_to(ROOT).as_posix() for p in CHAPTERS}
    assert listed == on_disk, f"only in _toc.yml: {listed - on_disk}; only on disk: {on_disk - listed}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_numbered_name(path):
    assert re.fullmatch(r"\d{2}_[a-z0-9_]+\.ipynb", path.name), f"{path.name}: use NN_topic.ipynb"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_one_parameters_cell_with_profile(path):
    cells = [c for c in _nb(path).cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{path.name}: {len(cells)} cells tagged 'parameters', need exactly 1"
    assert re.search(r"^PROFILE\s*=", cells[0].source, re.M), f"{path.name}: parameters cell lacks PROFILE"
    assert re.search(r"^SEED\s*=", cells[0].source, re.M), f"{path.name}: parameters cell lacks SEED"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_imports_medlab_and_calls_setup(path):
    code = "\n".join(c.source for c in _nb(path).cells if c.cell_type == "code")
    assert re.search(r"^\s*(import medlab|from medlab\b)", code, re.M), f"{path.name} does not import medlab"
    assert "medlab.setup(" in code, f"{path.name} does not call medlab.setup(PROFILE, SEED, ...)"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_outputs_are_short(path):
    # HTML is the rendering of a table whose text/plain twin is counted here; its size is capped
    # by test_no_errors_and_size_cap
    for i, text in _output_texts(_nb(path), html=False):
        lines = text.count("\n") + 1
        assert lines <= MAX_OUTPUT_LINES, f"{path.name}, cell {i}: output has {lines} lines (max {MAX_OUTPUT_LINES})"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_absolute_paths_or_user_names(path):
    user = getpass.getuser()
    for i, text in _output_texts(_nb(path)):
        match = ABS_PATH.search(text)
        near = text[max(0, match.start() - 30):match.end() + 30] if match else ""
        assert not match, f"{path.name}, cell {i}: absolute path in output near {near!r}"
        if user not in {"root", "runner", "user"}:
            assert user not in text, f"{path.name}, cell {i}: user name {user!r} in output"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_errors_and_size_cap(path):
    nb = _nb(path)
    assert path.stat().st_size <= MAX_NOTEBOOK_BYTES, f"{path.name}: {path.stat().st_size} bytes"
    errors = [i for i, c in enumerate(nb.cells) for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: stored error outputs in cells {errors}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_outputs_are_current(path):
    """A chapter whose code changed after its outputs were produced fails here, with the fix."""
    msg = stale_message(ROOT, path.relative_to(ROOT))
    assert msg is None, msg


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_records_name_a_clean_commit_and_the_seeds_that_ran(path):
    """A stored page comes from committed code, and its record lists every seed the chapter drew."""
    import json

    from medlab.book.provenance import results_path

    result = json.loads(results_path(ROOT, path.relative_to(ROOT)).read_text())
    assert result["git"].get("dirty") is False, (
        f"{path.name}: its outputs come from uncommitted (or unchecked) changes; commit, then re-run it")
    from medlab.book.provenance import commit_mismatches

    wrong = commit_mismatches(ROOT, path.relative_to(ROOT), result)
    assert not wrong, f"{path.name}: the commit its record names does not hold the code it says ran: {wrong}"
    code = "\n".join(c.source for c in _nb(path).cells if c.cell_type == "code")
    assert not re.search(r"seeds\s*=\s*list\(range\(", code), f"{path.name}: draw seeds with run.seeds(n)"
    assert "run.seeds(" in code or "seed_sets" not in result or not result["seed_sets"]
    drawn = [s for group in result.get("seed_sets", {}).values() for s in group]
    if "run.seeds(" in code:
        assert drawn, f"{path.name}: the chapter draws seeds with run.seeds, but its record lists none"
    assert sorted(set(drawn) | {result["seed"]}) == sorted(set(result["seeds"]) | {result["seed"]}), (
        f"{path.name}: recorded seeds {result['seeds']} are not the ones drawn {result.get('seed_sets')}")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_stored_outputs_are_not_smoke(path):
    import json

    from medlab.book.provenance import results_path

    result = json.loads(results_path(ROOT, path.relative_to(ROOT)).read_text())
    assert result["profile"] in {"full", "paper"}, (
        f"{path.name}: stored outputs come from the '{result['profile']}' profile; the book shows full or paper runs")


# --- Numbers quoted in the text ---------------------------------------------------------------
#
# A chapter's prose must not quote a result that its outputs do not show: after a re-run the text
# would silently disagree with the page. The rule, for every markdown cell but the provenance box:
#
# * A *quoted number* is a decimal number written with a point, such as 0.876, 12.5, 62.5 % or
#   3.4x; whole numbers (counts, years, sizes) are not checked.
# * It passes if some number in the chapter's stored text outputs (streams, text/plain, text/markdown,
#   text/html) or in its results record (results/NN_name.json, any nested number) equals it after
#   rounding that number to the quoted number of decimals (half up or half even; an output printed
#   with fewer decimals than the quote cannot match, the record's numbers are exact). The sign is
#   ignored, and a number followed by % may also be 100 times an output or record number, so a quoted
#   0.88 matches an output 0.876, and 62.5 % matches 0.625.
# * Numbers from the literature are marked in the text with MyST's inline attributes,
#   [0.944]{.published} (the attrs_inline extension in _config.yml), and settings the reader is given
#   rather than results (a gamma of 1.5 that defines a severity, a dose of 1.5 Gy to try) as
#   [1.5]{.given}; both are skipped, as is whatever
#   is not a claim about this chapter's results: code spans and code blocks, math ($...$, $$...$$,
#   {math} blocks), URLs and link targets, DOIs, directive options (:label: ...), version strings
#   (1.2.3, v2.1, "Python 3.11", "version 2.0"), dates (2026-11-23, 23.11.2026), citations ([@key])
#   section, table, figure and equation numbers ("section 4.2", "Table 3.1", "PS3.15") and ordinals
#   ("the 2.5th percentile"), legal citations ("45 CFR 164.514"). A number in scientific notation
#   (4.5e-04) passes when the outputs print it as it is quoted.
#
# Every chapter follows the rule.
QUOTED_NUMBERS_CHECKED = tuple(p.stem for p in CHAPTERS)

_NOT_PROSE = [  # removed from the markdown before numbers are read, in this order
    re.compile(r"<!--.*?-->", re.S),                                # comments
    re.compile(r"\$\$.*?\$\$", re.S),                               # display math
    re.compile(r"(?<!\\)\$[^$\n]+?(?<!\\)\$"),                      # inline math
    re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S),                 # code spans (and roles such as {math}`x`)
    re.compile(r"\[[^\]]*\]\{[^}]*\.(?:published|given)\b[^}]*\}"),  # [0.944]{.published}, [1.5]{.given}
    re.compile(r"\bCFR\s+\d+(?:\.\d+)+"),                               # legal citations (45 CFR 164.514)
    re.compile(r"\]\([^)\s]*\)"),                                   # link targets
    re.compile(r"\[@[^\]]*\]"),                                     # citations
    re.compile(r"(?i)\b(?:https?://|www\.)\S+"),                    # URLs
    re.compile(r"(?i)\b(?:doi:\s*)?10\.\d{4,9}/\S+"),               # DOIs
    re.compile(r"(?i)\barxiv:\s*\d{4}\.\d{4,5}(?:v\d+)?"),          # arXiv identifiers
    re.compile(r"<[^>\n]+>"),                                       # HTML tags
    re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"),                       # ISO dates
    re.compile(r"(?i)\b(?:version|release|python|pytorch|torch|torchvision|numpy|pydicom|monai|scikit-learn|"
               r"sklearn|medmnist|cuda|sphinx|jupyter book|myst-parser|myst-nb)\s+v?\d+(?:\.\d+)+"),  # versions
    re.compile(r"(?i)(?:\bsections?|\bsect\.|§|\bchapters?|\btables?|\bfigures?|\bfig\.|\beq\.|\bequations?|"
               r"\bannex|\bappendix|\bparts?)\s*\(?\d+(?:\.\d+)+"),  # section, table, figure numbers
]
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,}|:{3,})\s*(\{([\w:-]+)\})?")
_CODE_DIRECTIVES = {"math", "code", "code-block", "code-cell", "sourcecode", "literalinclude", "raw"}
_QUOTED = re.compile(r"(?<![\w.])(\d+\.\d+(?:e[-+]?\d+)?)(?![\w.]*\d)(?!(?:st|nd|rd|th)\b)(\s?%)?")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _prose(markdown: str) -> str:
    """The markdown without code blocks, code directives and directive options (one line per line)."""
    out, stack = [], []  # stack of (fence, is_code) for open fences
    for line in markdown.splitlines():
        match = _FENCE.match(line)
        if match:
            fence = match.group(2)
            if stack and fence[0] == stack[-1][0][0] and len(fence) >= len(stack[-1][0]) and not match.group(3) \
                    and not line.strip()[len(fence):].strip():
                stack.pop()  # a closing fence
                out.append("")
                continue
            if not (stack and stack[-1][1]):  # a fence inside a code block is text of that block
                name = match.group(4)
                is_code = fence[0] != ":" and (name is None or name in _CODE_DIRECTIVES) \
                    or (name in _CODE_DIRECTIVES)
                stack.append((fence, is_code))
                out.append("")
                continue
        if stack and stack[-1][1]:
            out.append("")
        elif re.match(r"^\s*:[\w-]+:", line) or re.match(r"^( {4,}|\t)", line):
            out.append("")  # directive options; indented code
        else:
            out.append(line)
    text = "\n".join(out)
    for pattern in _NOT_PROSE:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def quoted_numbers(markdown: str) -> list[tuple[str, bool, str]]:
    """The decimal numbers the prose of ``markdown`` quotes: (number, followed by %, context)."""
    text = _prose(markdown)
    found = []
    for match in _QUOTED.finditer(text):
        start = max(0, match.start() - 40)
        context = " ".join(text[start:match.end() + 20].split())
        found.append((match.group(1), bool(match.group(2)), context))
    return found


def _numbers_in(value) -> list[str]:
    """Every number in a record (nested dicts and lists), as text."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, (int, float)):
        return [repr(value)] if value == value and abs(value) != float("inf") else []
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers_in(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers_in(v)]
    return []


def _rounded_forms(numbers: list[str], exact: bool) -> dict[int, set[str]]:
    """For 1 to 8 decimals, the set of strings the numbers round to (and 100 times them, key -d)."""
    from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation

    forms: dict[int, set[str]] = {}
    for text in numbers:
        try:
            value = abs(Decimal(text))
        except InvalidOperation:
            continue
        places = 99 if exact else max(0, -value.as_tuple().exponent)
        for scale, key in ((0, 1), (2, -1)):
            scaled = value.scaleb(scale)
            for d in range(1, 9):
                if d > places - scale:
                    break
                for rounding in (ROUND_HALF_UP, ROUND_HALF_EVEN):
                    forms.setdefault(key * d, set()).add(str(scaled.quantize(Decimal(1).scaleb(-d), rounding)))
    return forms


def unsupported_numbers(nb, record: dict) -> list[str]:
    """The quoted numbers of ``nb`` that neither its outputs nor ``record`` support, with their context."""
    texts = [text for _, text in _output_texts(nb)]
    outputs = [n for text in texts for n in _NUMBER.findall(text)]
    known = _rounded_forms(outputs, exact=False)
    for d, forms in _rounded_forms(_numbers_in(record), exact=True).items():
        known.setdefault(d, set()).update(forms)
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or "provenance" in cell.metadata.get("tags", []):
            continue
        for number, percent, context in quoted_numbers(cell.source):
            if "e" in number:  # scientific notation: quoted as printed
                if any(number in text for text in texts):
                    continue
                problems.append(f"cell {i}: {number} in '...{context}...'")
                continue
            d = len(number.split(".")[1])
            if number in known.get(d, set()) or (percent and number in known.get(-d, set())):
                continue
            problems.append(f"cell {i}: {number}{' %' if percent else ''} in '...{context}...'")
    return problems


def test_quoted_numbers_rule():
    text = ("AUC 0.876 and [0.944]{.published}, `lr=0.123`, $p = 0.05$, 62.5 % of images, "
            "Python 3.11, version 1.2.3, https://x.org/a1.5, doi:10.7937/K9.1, section 4.2, PS3.15, v2.1, "
            "3.4x faster, 2026-11-23, the 97.5th percentile.\n\n```python\nx = 9.75\n```\n\n"
            "```{exercise}\n:label: ex-1.5\n\nQuote 0.25.\n```")
    assert [(n, p) for n, p, _ in quoted_numbers(text)] == [("0.876", False), ("62.5", True), ("3.4", False),
                                                             ("0.25", False)]
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(text),
        nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output("stream", text="auc 0.8764\n")]),
    ])
    record = {"metrics": {"share": 0.625, "speedup": [3.41]}, "run": {"quarter": 0.25}}
    assert unsupported_numbers(nb, record) == []
    nb.cells[1].outputs[0].text = "auc 0.87\n"  # printed with fewer decimals than quoted
    assert [p.split(" in ")[0] for p in unsupported_numbers(nb, record)] == ["cell 0: 0.876"]


@pytest.mark.parametrize("name", QUOTED_NUMBERS_CHECKED)
def test_quoted_numbers_are_in_the_outputs(name):
    """Every decimal number the prose quotes is printed by the chapter, recorded by it, or marked as published."""
    import json

    path = ROOT / "chapters" / f"{name}.ipynb"
    record = json.loads((ROOT / "results" / f"{name}.json").read_text())
    problems = unsupported_numbers(_nb(path), record)
    assert not problems, (
        f"{path.name}: numbers quoted in the text that the stored outputs and results/{name}.json do not show "
        f"(change them to what the outputs print, describe them without a number, or mark a number from the "
        f"literature as [0.944]{{.published}}):\n  " + "\n  ".join(problems))
