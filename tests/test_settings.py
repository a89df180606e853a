"""khabar.settings: the operational limits, timeouts, pool and batch sizes live in one module, each
with a comment, and the modules that use them read them from there (issue 13 item 2)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from khabar import settings

ROOT = Path(importlib.util.find_spec("khabar").origin).parent
# The operational packages and modules; analysis holds language data, not settings.
OPERATIONAL = ["io.py", "service.py", "corpus", "web", "monitor", "cli"]


def _files() -> list[Path]:
    out = []
    for name in OPERATIONAL:
        p = ROOT / name
        out += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    return out


def _is_number(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def test_no_operational_module_names_a_numeric_setting_of_its_own():
    found = []
    for path in _files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bodies = [tree.body] + [n.body for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
        for body in bodies:
            for node in body:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
                    if isinstance(node, ast.AnnAssign) and node.value is not None else []
                value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
                for t in targets:
                    if isinstance(t, ast.Name) and t.id.lstrip("_").isupper() and value is not None \
                            and _is_number(value):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {t.id}")
    # the largest SQLite rowid is a fact of SQLite, not a setting
    assert [f for f in found if not f.endswith(" _MAX_ROWID")] == []


def test_every_setting_is_commented():
    lines = (ROOT / "settings.py").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line[:1].isupper() and " = " in line:
            assert "#" in line or lines[i - 1].startswith("#"), line


def test_users_read_the_settings():
    from khabar import io, service
    from khabar.corpus import ingest
    from khabar.monitor import watch
    from khabar.web import api, pages
    from khabar.web.corpus import WebCorpus

    assert api.MAX_BODY_BYTES == settings.MAX_BODY_BYTES and api.MAX_TEXT_CHARS == settings.MAX_TEXT_CHARS
    assert api.MAX_CONCURRENT_ANALYSES == settings.MAX_CONCURRENT_ANALYSES and pages.PER_PAGE == settings.PER_PAGE
    assert io.DEFAULT_MAX_CHARS == settings.DEFAULT_MAX_CHARS and watch.MIN_INTERVAL == settings.MIN_INTERVAL
    assert (WebCorpus.POOL_SIZE, WebCorpus.WAIT_S) == (settings.WEB_POOL_SIZE, settings.WEB_POOL_WAIT_SECONDS)
    assert service.pipe.__kwdefaults__["batch_size"] == settings.ANALYZE_CHUNK
    assert ingest.ingest.__kwdefaults__["batch_size"] == settings.INGEST_BATCH_SIZE


def test_the_store_connection_uses_the_settings():
    from khabar.corpus.store import Store

    store = Store(":memory:")
    try:
        assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == settings.STORE_BUSY_TIMEOUT_MS
        assert store.conn.execute("PRAGMA cache_size").fetchone()[0] == -settings.STORE_CACHE_KIB
    finally:
        store.close()
