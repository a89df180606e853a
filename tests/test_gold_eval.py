"""Eval gates on the 24 dev gold articles, the team's own blind set (gold/own) and its tuning set (gold/tune).

khabar runs in-process, ../shared/tools/score_gold.py scores. Prints every figure (entities, quotes,
attribution, time expressions) so that the stages' owners can pin floors for theirs; asserts the
floors pinned in tests/eval_floors.toml. gold/own holds articles the team wrote in other outlets'
styles and annotated before khabar was run on them (gold/own/README.md): nothing may be tuned on
it, so its figures are the honest estimate of accuracy on unseen outlets. Measure by hand:

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


OWN = Path(__file__).resolve().parents[1] / "gold" / "own"
# The tuning set (gold/tune/README.md): annotated blind like gold/own, but it may be read and trained on
# (the speaker ranker is), so its figures guard against regressions, not estimate unseen outlets.
TUNE = Path(__file__).resolve().parents[1] / "gold" / "tune"


def _score(shared: Path, label: str, articles: list[Path], gold_dir: Path, out: Path) -> dict:
    """Analyse ``articles`` with the default pipeline into ``out`` and score them against ``gold_dir``."""
    pipeline = Pipeline.build()
    for path in articles:
        (doc,) = list(iter_path(str(path)))
        result = pipeline(doc)
        (out / path.name).write_text(json.dumps(result.to_dict(), ensure_ascii=False), encoding="utf-8")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = _scorer(shared).main([str(gold_dir), str(out), "--json"])
    assert rc == 0
    scores = json.loads(buf.getvalue())
    print(f"\n{label} ({scores['articles']} articles), pipeline {pipeline.names}:")
    for key in ("entities", "quotes", "attribution", "timexes"):
        print(f"  {key:12} " + "  ".join(f"{m}={v:.3f}" for m, v in scores[key].items()))
    return scores


@pytest.fixture(scope="module")
def dev_scores(shared: Path, tmp_path_factory) -> dict:
    articles = sorted((shared / "gold" / "dev" / "articles").glob("*.json"))
    assert len(articles) == 24
    return _score(shared, "dev gold", articles, shared / "gold" / "dev" / "gold", tmp_path_factory.mktemp("pred"))


def _team_set(shared: Path, folder: Path, label: str, out: Path) -> dict:
    """Scores on one of the team's sets (gold/own, gold/tune): 30+ articles and their gold."""
    articles = sorted((folder / "articles").glob("*.json"))
    assert len(articles) >= 30, f"{folder} should hold the team's 30+ articles"
    return _score(shared, label, articles, folder / "gold", out)


@pytest.fixture(scope="module")
def own_scores(shared: Path, tmp_path_factory) -> dict:
    return _team_set(shared, OWN, "own blind set", tmp_path_factory.mktemp("own-pred"))


@pytest.fixture(scope="module")
def tune_scores(shared: Path, tmp_path_factory) -> dict:
    return _team_set(shared, TUNE, "tuning set", tmp_path_factory.mktemp("tune-pred"))


def _assert_floors(scores: dict, f: dict) -> None:
    """Every measure of a team set at or above its floor in ``f`` (a section of eval_floors.toml)."""
    for part, measure, key in (("entities", "f1", "entities_f1"), ("quotes", "f1", "quote_f1"),
                               ("quotes", "precision", "quote_precision"), ("attribution", "f1", "attribution_f1"),
                               ("timexes", "f1", "timex_f1"), ("timexes", "value_accuracy", "timex_value_accuracy")):
        assert scores[part][measure] >= f[key], (key, scores[part])


@pytest.mark.slow
@pytest.mark.shared
def test_quotes_and_attribution_floors(dev_scores: dict, floors: dict):
    f = floors["quotes"]
    assert dev_scores["quotes"]["f1"] >= f["quote_f1"], dev_scores["quotes"]
    assert dev_scores["attribution"]["f1"] >= f["attribution_f1"], dev_scores["attribution"]
    assert dev_scores["quotes"]["precision"] >= f["quote_precision"], dev_scores["quotes"]


@pytest.mark.slow
@pytest.mark.shared
def test_own_blind_set_floors(own_scores: dict, floors: dict):
    """Every measure on the blind set stays at or above its floor (raised as khabar improves)."""
    _assert_floors(own_scores, floors["own"])


@pytest.mark.slow
@pytest.mark.shared
def test_tuning_set_floors(tune_scores: dict, floors: dict):
    """Every measure on the tuning set stays at or above its floor (raised as khabar improves)."""
    _assert_floors(tune_scores, floors["tune"])


@pytest.mark.parametrize("folder", [OWN, TUNE], ids=["own", "tune"])
def test_team_gold_sets_are_well_formed(folder: Path):
    """gold/own/check.py finds nothing: every exact string is in its article, speakers are entities."""
    spec = importlib.util.spec_from_file_location("check_own", OWN / "check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["check.py", str(folder)]) == 0
