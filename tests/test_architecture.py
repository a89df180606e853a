"""The package layout holds (docs/architecture.md): no import cycles between khabar modules,
analysis code without I/O, SQL or web, and CLI and web libraries only in their packages.

Imports are read with ``ast`` from every module, function-level ones included (a cycle broken only
by importing inside a function is still a cycle). The checker itself is tested on small fake
packages built in tmp_path, so that a checker that finds nothing cannot pass unnoticed.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

# Imports an analysis module must not make: files, SQL, HTTP, the web, the CLI, the corpus, the
# scorers (evaluation reads gold data and analysis; inference never needs it).
ANALYSIS_FORBIDDEN = (
    "sqlite3", "khabar.corpus", "khabar.web", "khabar.cli", "khabar.monitor", "khabar.io", "khabar.service",
    "khabar.evaluation",
    "fastapi", "starlette", "uvicorn", "click", "http", "urllib", "socket", "requests", "httpx",
    "feedparser", "trafilatura",
)
# Third-party libraries that belong to one package: (library, packages allowed to import it).
# uvicorn runs the web app from the `khabar serve` command, so cli.web may import it too.
PACKAGE_ONLY = (
    ("click", ("khabar.cli",)),
    ("fastapi", ("khabar.web",)),
    ("fastapi_offline", ("khabar.web",)),
    ("starlette", ("khabar.web",)),
    ("pydantic", ("khabar.web",)),
    ("jinja2", ("khabar.web",)),
    ("uvicorn", ("khabar.web", "khabar.cli.web")),
    ("sqlite3", ("khabar.corpus",)),
)


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _modules(root: Path, package: str) -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package) of every module under ``root`` (the package's folder)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        out[".".join(parts)] = (path, is_pkg)
    return out


def imports(root: Path, package: str) -> dict[str, set[str]]:
    """Every module's imports as absolute dotted names (inside functions too)."""
    mods = _modules(root, package)
    out: dict[str, set[str]] = {}
    for name, (path, is_pkg) in mods.items():
        here = name if is_pkg else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                found.add(target)
                # `from pkg import mod` imports the module pkg.mod
                found.update(f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in mods)
        out[name] = found
    return out


def dependency_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Module -> the package modules importing it runs: the target and the packages above it
    that are not also above the importer (their ``__init__`` runs on the way)."""
    mods = _modules(root, package)
    graph: dict[str, set[str]] = {}
    for name, targets in imports(root, package).items():
        edges = set()
        for target in targets:
            parts = target.split(".")
            for k in range(1, len(parts) + 1):
                step = ".".join(parts[:k])
                if step in mods and step != name and not _within(name, step):
                    edges.add(step)
        graph[name] = edges
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a closed path) per strongly connected group of modules, via Tarjan."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    cycles = []
    for group in groups:
        start = min(group)
        # breadth-first from start back to start inside the group: the shortest cycle through it
        paths = {start: [start]}
        frontier = [start]
        cycle = None
        while frontier and cycle is None:
            nxt = []
            for v in frontier:
                for w in sorted(graph[v] & group):
                    if w == start:
                        cycle = paths[v] + [start]
                        break
                    if w not in paths:
                        paths[w] = paths[v] + [w]
                        nxt.append(w)
                if cycle:
                    break
            frontier = nxt
        cycles.append(cycle)
    return sorted(cycles)


def analysis_violations(root: Path, package: str, forbidden=ANALYSIS_FORBIDDEN) -> list[str]:
    """``module imports name`` for each forbidden import of a module under <package>.analysis."""
    out = []
    for name, targets in imports(root, package).items():
        if _within(name, f"{package}.analysis"):
            out += [f"{name} imports {t}" for t in sorted(targets)
                    if any(_within(t, f.replace("khabar", package, 1)) for f in forbidden)]
    return out


def package_only_violations(root: Path, package: str, rules=PACKAGE_ONLY) -> list[str]:
    """``module imports lib`` where lib belongs to other packages (see PACKAGE_ONLY)."""
    out = []
    for name, targets in imports(root, package).items():
        for lib, allowed in rules:
            allowed = [a.replace("khabar", package, 1) for a in allowed]
            if any(_within(t, lib) for t in targets) and not any(_within(name, a) for a in allowed):
                out.append(f"{name} imports {lib} (only {', '.join(allowed)} may)")
    return out


def _khabar_root() -> Path:
    spec = importlib.util.find_spec("khabar")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent


def _cycle_text(cycles: list[list[str]]) -> str:
    return "; ".join(" -> ".join(c) for c in cycles)


# --------------------------------------------------------------------------- the real package

def test_no_import_cycles_between_khabar_modules():
    cycles = find_cycles(dependency_graph(_khabar_root(), "khabar"))
    assert not cycles, f"import cycles: {_cycle_text(cycles)}"


def test_analysis_imports_no_io_sql_web_or_cli():
    assert analysis_violations(_khabar_root(), "khabar") == []


def test_cli_and_web_libraries_stay_in_their_packages():
    assert package_only_violations(_khabar_root(), "khabar") == []


def test_the_layout_has_its_packages():
    root = _khabar_root()
    for pkg in ("analysis", "analysis/text", "analysis/ner", "corpus", "evaluation", "monitor", "cli", "web"):
        assert (root / pkg / "__init__.py").is_file(), pkg
    assert imports(root, "khabar")["khabar.analysis.entities"]  # the walker reads real modules


# --------------------------------------------------------------------------- the checker itself

def _fake(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "fake"
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    for d in [root, *[p for p in root.rglob("*") if p.is_dir()]]:
        (d / "__init__.py").touch()
    return root


def test_checker_names_a_cycle_hidden_in_a_function(tmp_path):
    root = _fake(tmp_path, {
        "model.py": "def segments():\n    from .text.tokenize import pieces\n    return pieces\n",
        "text/tokenize.py": "from ..model import segments\npieces = 1\n",
        "ok.py": "from . import model\n",
    })
    assert find_cycles(dependency_graph(root, "fake")) == [["fake.model", "fake.text.tokenize", "fake.model"]]


def test_checker_finds_a_cycle_through_a_package_init(tmp_path):
    # model imports text.clitics, whose package __init__ imports tokenize, which imports model
    root = _fake(tmp_path, {
        "model.py": "from .text.clitics import pieces\n",
        "text/__init__.py": "from .tokenize import tokenize\n",
        "text/clitics.py": "pieces = 1\n",
        "text/tokenize.py": "from fake.model import pieces as tokenize\n",
    })
    cycles = find_cycles(dependency_graph(root, "fake"))
    assert len(cycles) == 1 and {"fake.model", "fake.text", "fake.text.tokenize"} == set(cycles[0])


def test_checker_allows_a_package_importing_its_own_modules(tmp_path):
    root = _fake(tmp_path, {
        "ner/__init__.py": "from .tagger import tag\n",
        "ner/tagger.py": "from .features import f\n\ndef tag():\n    from . import neural\n",
        "ner/neural.py": "from .features import f\n",
        "ner/features.py": "f = 1\n",
    })
    assert find_cycles(dependency_graph(root, "fake")) == []


def test_checker_finds_io_sql_and_web_imports_in_analysis(tmp_path):
    root = _fake(tmp_path, {
        "analysis/quotes.py": ("import json\nfrom importlib import resources\nfrom ..model import Doc\n"
                               "def save():\n    import sqlite3\n    from ..corpus.store import Store\n"),
        "analysis/kb.py": "from urllib.request import urlopen\nfrom fake import io\n",
        "analysis/ok.py": "from .text import normalize\nimport iolib\n",
        "model.py": "Doc = 1\n",
        "io.py": "",
        "corpus/store.py": "import sqlite3\nStore = 1\n",
    })
    assert analysis_violations(root, "fake") == [
        "fake.analysis.kb imports fake.io",
        "fake.analysis.kb imports urllib.request",
        "fake.analysis.quotes imports fake.corpus.store",
        "fake.analysis.quotes imports sqlite3",
    ]


def test_checker_finds_cli_and_web_libraries_outside_their_packages(tmp_path):
    root = _fake(tmp_path, {
        "cli/__init__.py": "import click\n",
        "cli/web.py": "import uvicorn\n",
        "web/api.py": "from fastapi import FastAPI\n",
        "corpus/ingest.py": "def progress():\n    import click\n",
        "service.py": "from starlette.concurrency import run_in_threadpool\n",
        "corpus/store.py": "import sqlite3\n",
        "views.py": "import sqlite3\n",
    })
    assert sorted(package_only_violations(root, "fake")) == [
        "fake.corpus.ingest imports click (only fake.cli may)",
        "fake.service imports starlette (only fake.web may)",
        "fake.views imports sqlite3 (only fake.corpus may)",
    ]


@pytest.mark.parametrize("text", ["import khabar.corpus.store\n", "from ..corpus import store\n",
                                  "def f():\n    from khabar.web import api\n",
                                  "from ..evaluation.ner import score\n"])
def test_checker_reads_every_import_form(tmp_path, text):
    root = _fake(tmp_path, {"analysis/x.py": text.replace("khabar", "fake"), "corpus/store.py": "",
                            "web/api.py": "", "evaluation/ner.py": ""})
    found = analysis_violations(root, "fake")
    assert found and all(v.startswith("fake.analysis.x imports fake.") for v in found), found
