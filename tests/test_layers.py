"""medlab's layers: a module imports only from its own layer or below, and top-level units form no cycle.

Bottom to top: ``_version`` and ``errors``; ``io``; ``runtime`` (what a chapter
calls while it runs); ``dicom``; ``data``; the topic modules (models, training,
evaluation and every chapter's own module), which may import one another but
never in a cycle; ``book`` (running, recording and publishing the book); and
the entry points ``run`` and the package's ``__init__``.
"""

from __future__ import annotations

import ast
import graphlib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "medlab"

LAYERS: dict[str, int] = {"_version": 0, "errors": 0, "io": 1, "runtime": 2, "dicom": 3, "data": 4,
                          "book": 6, "run": 7, "__init__": 7}
TOPIC = 5
"""Every top-level unit not named in :data:`LAYERS` is a topic module."""


def _unit(dotted: str) -> str:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def import_graph() -> dict[str, dict[str, list[str]]]:
    """``{unit: {imported unit: [file:line, ...]}}`` over every module of medlab (function-level imports too)."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("").parts
        is_package = rel[-1] == "__init__"
        module = ".".join(rel[:-1] if is_package else rel)
        source = "__init__" if rel == ("medlab", "__init__") else _unit(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.split(".")[0] == "medlab"]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    package = module.split(".") if is_package else module.split(".")[:-1]
                    package = package[: len(package) - (node.level - 1)]
                    base = ".".join(package + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                if base.split(".")[0] != "medlab":
                    continue
                targets = [f"medlab.{a.name}" for a in node.names] if base == "medlab" else [base]
            for target in targets:
                unit = _unit(target)
                if unit != source:
                    graph[source][unit].append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return graph


def _layer(unit: str) -> int:
    return LAYERS.get(unit, TOPIC)


def test_every_import_goes_down_the_layers():
    upward = [f"{source} (layer {_layer(source)}) imports {target} (layer {_layer(target)}) at {', '.join(where)}"
              for source, targets in import_graph().items() for target, where in targets.items()
              if _layer(target) > _layer(source)]
    assert not upward, "imports that go up the layers:\n" + "\n".join(upward)


def test_no_cycle_between_top_level_units():
    graph = import_graph()
    sorter = graphlib.TopologicalSorter({source: set(targets) for source, targets in graph.items()})
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        details = [f"{a} -> {b} at {', '.join(graph[a][b][:3])}" for a, b in zip(cycle, cycle[1:], strict=False)]
        raise AssertionError("import cycle between medlab units:\n" + "\n".join(details)) from None


def test_the_contract_catches_an_upward_import(monkeypatch, tmp_path):
    """The check is real: a data module importing the book is reported."""
    graph = import_graph()
    graph["data"]["book"].append("medlab/data/example.py:1")
    upward = [t for s, ts in graph.items() for t in ts if _layer(t) > _layer(s)]
    assert upward == ["book"]
    graph["runtime"]["data"].append("medlab/runtime/example.py:1")
    graph["data"]["runtime"].append("medlab/data/example.py:2")
    sorter = graphlib.TopologicalSorter({s: set(ts) for s, ts in graph.items()})
    try:
        sorter.prepare()
        raise AssertionError("a cycle went unnoticed")
    except graphlib.CycleError:
        pass
