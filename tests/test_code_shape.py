"""House rules on the shape of the code (issue 13 item 4): no function over 80 lines without a
reason, and the ingest's failure bookkeeping in one place."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

MAX_LINES = 80
ROOT = Path(importlib.util.find_spec("khabar").origin).parent


def long_functions(root: Path, limit: int = MAX_LINES) -> list[str]:
    """``path:line name (n lines)`` of every function longer than ``limit`` lines (the ``def``
    to its last line) without a ``# long:`` reason on the line above it (above its decorators)
    or in its docstring."""
    out = []
    for path in sorted(root.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            n = node.end_lineno - node.lineno + 1
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            above = lines[first - 2].strip() if first >= 2 else ""
            if n > limit and not above.startswith("# long:") and "# long:" not in (ast.get_docstring(node) or ""):
                out.append(f"{path.relative_to(root)}:{node.lineno} {node.name} ({n} lines)")
    return out


def test_no_function_over_80_lines_without_a_reason():
    assert long_functions(ROOT) == []


def test_the_checker_sees_long_functions_and_reasons(tmp_path):
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_LINES))
    (tmp_path / "m.py").write_text(
        f"def long_one():\n{body}\n\n# long: a table of cases read top to bottom\ndef with_reason():\n{body}\n\n"
        f"@property\ndef decorated():\n{body}\n\ndef short():\n    return 1\n", encoding="utf-8")
    assert long_functions(tmp_path) == ["m.py:1 long_one (81 lines)", f"m.py:{2 * MAX_LINES + 9} decorated (81 lines)"]


def test_ingest_failures_are_recorded_and_counted_in_one_place():
    calls = []
    for path in sorted((ROOT / "corpus").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                    node.func.attr == "record_failure"
                    or (node.func.attr == "append" and isinstance(node.func.value, ast.Attribute)
                        and node.func.value.attr == "failures")):
                calls.append(f"{path.name} {node.func.attr}")
    assert sorted(calls) == ["ingest_report.py append", "ingest_report.py record_failure"]
