"""Eval gate on the 24 dev gold articles: khabar runs in-process, ../shared/tools/score_gold.py scores.

Prints every figure (entities, quotes, attribution, time expressions) so that the stages' owners
can pin floors for theirs; asserts the floors pinned in tests/eval_floors.toml. Measure by hand:

    make dev && .venv/bin/python -m pytest -q -s tests/test_gold_eval.py
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
from pathlib import Path

import pytest

from khabar.analysis.pipeline import Pipeline
from khabar.io import iter_path


def _scorer(shared: Path):
    spec = importlib.util.spec_from_file_location("score_gold", shared / "tools" / "score_gold.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def dev_scores(shared: Path, tmp_path_factory) -> dict:
    gold_dir = shared / "gold" / "dev" / "gold"
    articles = sorted((shared / "gold" / "dev" / "articles").glob("*.json"))
    assert len(articles) == 24
    pipeline = Pipeline.build()
    out = tmp_path_factory.mktemp("pred")
    for path in articles:
        (doc,) = list(iter_path(str(path)))
        result = pipeline(doc)
        (out / path.name).write_text(json.dumps(result.to_dict(), ensure_ascii=False), encoding="utf-8")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = _scorer(shared).main([str(gold_dir), str(out), "--json"])
    assert rc == 0
    scores = json.loads(buf.getvalue())
    print(f"\ndev gold ({scores['articles']} articles), pipeline {pipeline.names}:")
    for key in ("entities", "quotes", "attribution", "timexes"):
        print(f"  {key:12} " + "  ".join(f"{m}={v:.3f}" for m, v in scores[key].items()))
    return scores


@pytest.mark.slow
@pytest.mark.shared
def test_quotes_and_attribution_floors(dev_scores: dict, floors: dict):
    f = floors["quotes"]
    assert dev_scores["quotes"]["f1"] >= f["quote_f1"], dev_scores["quotes"]
    assert dev_scores["attribution"]["f1"] >= f["attribution_f1"], dev_scores["attribution"]
    assert dev_scores["quotes"]["precision"] >= f["quote_precision"], dev_scores["quotes"]
