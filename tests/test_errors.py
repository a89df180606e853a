"""khabar.errors: one home for the error classes, each with a stable code that the CLI prints and
the API returns (docs/errors.md)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from khabar import errors
from khabar.cli import main

DOCS = Path(__file__).resolve().parents[1] / "docs" / "errors.md"

# The published table. A code may be added here, never changed or reused: clients act on them.
PINNED = {
    "UsageError": "E001",
    "KhabarError": "E100",
    "InputError": "E101",
    "SchemaError": "E102",
    "ConllError": "E103",
    "WatchError": "E104",
    "PipelineError": "E201",
    "AnalysisError": "E202",
    "StoreError": "E301",
    "QueryError": "E302",
    "NotFound": "E303",
    "ExportError": "E304",
    "AlreadyExists": "E305",
    "FetchError": "E401",
    "FeedError": "E402",
    "AuthError": "E501",
    "BusyError": "E502",
    "ListenError": "E503",
    "InternalError": "E900",
}


def test_every_error_has_its_pinned_unique_code():
    table = {cls.__name__: cls.code for cls in errors.all_errors()}
    assert table == PINNED
    assert len(set(table.values())) == len(table)
    assert all(re.fullmatch(r"E\d{3}", code) for code in table.values())


def test_docs_list_exactly_the_error_table():
    rows = re.findall(r"^\| (E\d{3}) \| `(\w+)` \|", DOCS.read_text(encoding="utf-8"), re.M)
    assert {name: code for code, name in rows} == PINNED and len(rows) == len(PINNED)


def test_old_homes_re_export_the_same_classes():
    # Callers and `except` clauses written against the old modules keep working.
    from khabar.analysis.ner.conll import ConllError
    from khabar.analysis.pipeline import PipelineError
    from khabar.corpus.export import ExportError
    from khabar.corpus.store import QueryError, StoreError
    from khabar.corpus.views import NotFound
    from khabar.io import InputError
    from khabar.model import SchemaError
    from khabar.monitor.watch import FeedError, FetchError, WatchError

    for cls in (ConllError, PipelineError, ExportError, QueryError, StoreError, NotFound, InputError,
                SchemaError, FeedError, FetchError, WatchError):
        assert getattr(errors, cls.__name__) is cls
        assert issubclass(cls, errors.KhabarError)
    # the built-in bases callers catch are kept
    assert issubclass(errors.InputError, ValueError) and issubclass(errors.WatchError, errors.InputError)
    assert issubclass(errors.StoreError, RuntimeError) and issubclass(errors.NotFound, LookupError)
    assert errors.StoreError("x", "busy").kind == "busy" and errors.FetchError("x", transient=True).transient


def _cli_error(*args: str, input: str | None = None) -> str:
    r = CliRunner().invoke(main, list(args), input=input)
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1, r.output
    return lines[0]


def test_cli_error_line_carries_the_code(tmp_path):
    assert _cli_error("analyze", str(tmp_path / "missing.txt")).startswith("khabar: error E101: ")
    assert _cli_error("analyze", "-", "--stages", "nonsense", input="نص").startswith("khabar: error E201: ")
    bad = tmp_path / "bad.conll"
    bad.write_text("كلمة\tB-PER\n\n\n\n\nكلمة\tO\n", encoding="utf-8")
    assert _cli_error("eval", "ner", "--gold", str(bad)).startswith("khabar: error E103: ")
    assert _cli_error("analyze", "--nope").startswith("khabar: error E001: ")
    assert _cli_error("search", "x", "--db", str(tmp_path / "none.db")).startswith("khabar: error E301: ")


def test_api_error_body_carries_the_code_and_keeps_its_fields():
    pytest.importorskip("fastapi", reason="the web extra is not installed (pip install 'khabar[web]')")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from khabar.web.api import create_app

    client = TestClient(create_app(), raise_server_exceptions=False)
    cases = [
        (client.get("/v1/articles", params={"q": '"'}), 400, "bad_request", "E302"),  # malformed search
        (client.get("/v1/articles/999999"), 404, "not_found", "E303"),
        (client.get("/v1/articles", params={"page": 0}), 422, "validation_error", "E001"),
        (client.post("/v1/analyze", content=b"x", headers={"content-type": "text/plain"}), 400, "bad_request",
         "E001"),
    ]
    for r, status, name, code in cases:
        body = r.json()
        assert r.status_code == status and body["status"] == status, body
        assert body["error"] == name and body["code"] == code and body["message"], body


@pytest.mark.parametrize(("args", "code"), [
    (["watch", "{tmp}/missing.toml"], "E101"),  # a SOURCES file that does not exist: an input
    (["watch", "{tmp}/latin1.toml"], "E101"),  # not UTF-8: cannot be read
    (["watch", "--feed", "http://127.0.0.1:9/rss", "--interval", "5"], "E104"),  # as `interval = 5` in a file
    (["watch", "--feed", "ftp://127.0.0.1/rss"], "E104"),
    (["watch"], "E001"),  # nothing to watch: the command line itself
    (["alert", "add", "x", "--query", "!?"], "E302"),  # a query without words
    (["alert", "add", "x", "--source", "s", "--webhook", "ftp://h/x"], "E104"),
    (["alert", "add", "x", "--entity", "999"], "E303"),
    (["alert", "remove", "nope"], "E303"),
    (["alert", "show", "nope"], "E303"),
    (["alert", "add", "x", "--colour", "red"], "E001"),  # an unknown option stays a usage error
    (["serve", "--db", "{tmp}/none.db"], "E301"),  # as `search --db none.db`
    (["serve", "--db", "{tmp}/no/such/dir.db", "--create"], "E301"),
])
def test_bad_input_to_watch_alert_and_serve_gets_its_own_code(args, code, tmp_path):
    if args[0] == "serve":
        pytest.importorskip("uvicorn", reason="the web extra is not installed (pip install 'khabar[web]')")
    (tmp_path / "latin1.toml").write_bytes('[[source]]\nname = "é"\nurl = "http://h/"\n'.encode("latin-1"))
    args = [a.format(tmp=tmp_path) for a in args]
    if args[0] == "alert":
        from khabar.corpus.store import Store

        Store(tmp_path / "a.db").close()
        args += ["--db", str(tmp_path / "a.db")]
    assert _cli_error(*args).startswith(f"khabar: error {code}: ")


def test_taken_alert_name_gets_its_own_code_and_keeps_the_alert(tmp_path):
    from khabar.corpus.store import Store

    db = str(tmp_path / "a.db")
    assert CliRunner().invoke(main, ["alert", "add", "nile", "--query", "نهر", "--db", db]).exit_code == 0  # "river"
    line = _cli_error("alert", "add", "nile", "--source", "s", "--db", db)
    assert line.startswith("khabar: error E305: ") and "'nile' exists already" in line
    with Store(db, readonly=True) as store:  # the first alert is kept as it was
        assert [(a.name, a.query, a.source) for a in store.alerts()] == [("nile", "نهر", None)]


def test_serve_on_a_port_it_cannot_listen_on_gets_its_own_code(tmp_path):
    import socket

    pytest.importorskip("uvicorn", reason="the web extra is not installed (pip install 'khabar[web]')")
    db = str(tmp_path / "a.db")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _cli_error("serve", "--db", db, "--create", "--port", str(port))
    assert line.startswith("khabar: error E503: ") and f"127.0.0.1:{port}" in line and "in use" in line
    # an address that is not this machine's (TEST-NET-1, RFC 5737): the same code, host:port named
    line = _cli_error("serve", "--db", db, "--create", "--host", "192.0.2.1", "--port", "8000", "--insecure")
    assert line.startswith("khabar: error E503: ") and "192.0.2.1:8000" in line
