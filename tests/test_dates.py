"""khabar.dates: one module parses and validates calendar dates for the CLI, API, pages, corpus,
feeds and gold files (issue 13 item 2)."""

from __future__ import annotations

import ast
import importlib.util
import re
import time
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from khabar import dates
from khabar.cli import main
from khabar.errors import InputError

ROOT = Path(importlib.util.find_spec("khabar").origin).parent
# Time expressions inside article text are the timexes stage's own business.
EXEMPT = {ROOT / "dates.py", ROOT / "analysis" / "timex_normalize.py", ROOT / "analysis" / "timex_recognize.py"}


def test_exact_dates_for_user_input_and_lenient_ones_for_files():
    assert dates.parse_date(" 2021-08-19 ", exact=True) == "2021-08-19"
    assert dates.parse_date("2021-08-19T10:00:00Z") == "2021-08-19"  # a feed or file timestamp
    for bad in ("2021-08-19T10:00", "2021-8-19", "2021-02-30", "2021-W33-4", "20210819", ""):
        with pytest.raises(InputError, match="expected YYYY-MM-DD"):
            dates.parse_date(bad, exact=True)
        assert not dates.is_date(bad)
    with pytest.raises(InputError):
        dates.parse_date("yesterday")
    assert dates.is_date("2024-02-29") and not dates.is_date("2023-02-29")


def test_the_helpers_behind_views_store_feeds_and_exports():
    assert dates.date_ordinal("2021-08-19T10:00") - dates.date_ordinal("2021-08-18") == 1
    assert dates.date_ordinal("soon") is None and dates.date_ordinal(None) is None
    assert dates.timex_date("2021-08-18TEV") == "2021-08-18" and dates.timex_date("2021-09") == "2021-09"
    assert dates.timex_date("P3D") is None and dates.timex_date("2021") is None
    assert dates.from_compact("20210819") == "2021-08-19" and dates.from_compact("2021081") is None
    assert dates.year_fraction("20210819") == round(2021 + (7 * 30 + 19) / 365, 4)
    assert dates.from_struct_time(time.strptime("2021-08-19", "%Y-%m-%d")) == "2021-08-19"
    assert dates.from_http_date("Thu, 19 Aug 2021 10:00:00 GMT") == "2021-08-19"
    assert dates.from_http_date("not a date") is None and dates.from_http_date(None) is None


def test_iso_week_dates_are_refused_everywhere_users_type_dates():
    # date.fromisoformat reads "2021-W33-4" (Python 3.11+) as 2021-08-19: the CLI and the API body
    # accepted it while the API's query parameters refused it.
    r = CliRunner().invoke(main, ["analyze", "-", "--published", "2021-W33-4"], input="نص")
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.output and "Traceback" not in r.output
    pytest.importorskip("fastapi", reason="the web extra is not installed (pip install 'khabar[web]')")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from khabar.web.api import create_app

    client = TestClient(create_app(), raise_server_exceptions=False)
    assert client.post("/v1/analyze", json={"text": "نص", "published": "2021-W33-4"}).status_code == 422
    assert client.get("/v1/articles", params={"from": "2021-W33-4"}).status_code == 422
    assert client.post("/analyze", data={"text": "نص", "published": "2021-W33-4"}).status_code == 400


def test_no_other_module_parses_dates_itself():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path in EXEMPT:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("fromisoformat", "strptime"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.attr}")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                    re.search(r"\\d\{4\}-\\d\{2\}", node.value) or node.value == "%Y-%m-%d"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert found == []
