"""Corpus identity (issue 13 item 5): an explicit pipeline version and index version.

Stored articles carry the identity of the analysis that produced them, and the store records the
identity of its search-index word rules. Neither hashes source files: moving or reformatting code
changes nothing; the stage list, the version constants and the packaged data files do.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from corpus_helpers import corpus_docs

from khabar.analysis import pipeline as pipeline_module
from khabar.analysis.pipeline import PIPELINE_VERSION, pipeline_version
from khabar.corpus import store as store_module
from khabar.corpus.ingest import ingest, reindex
from khabar.corpus.ingest import pipeline_version as ingest_version
from khabar.corpus.store import Store, index_fingerprint, index_words

SRC = Path(__file__).resolve().parent.parent / "src"

_PROBE = """
import json, khabar
from khabar.corpus.ingest import pipeline_version
from khabar.corpus.store import index_fingerprint
print(json.dumps({"file": khabar.__file__, "version": pipeline_version(("segment", "summary")),
                  "index": index_fingerprint()}))
"""


def _identity_of(src: Path) -> dict:
    """The identities computed by the khabar package under ``src`` (a fresh interpreter)."""
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}, cwd=src.parent)
    got = json.loads(out.stdout)
    assert Path(got["file"]).is_relative_to(src), got["file"]  # really the copy, not the installed one
    return got


@pytest.fixture(scope="module")
def moved(tmp_path_factory) -> Path:
    """A copy of the package elsewhere, with the model and every stage module reformatted."""
    src = tmp_path_factory.mktemp("moved") / "elsewhere" / "src"
    shutil.copytree(SRC / "khabar", src / "khabar", ignore=shutil.ignore_patterns("__pycache__"))
    for rel in ["model.py", "analysis/quotes.py", "analysis/text/normalize.py", "analysis/text/tokenize.py",
                "analysis/text/stage.py", "analysis/summary.py"]:
        f = src / "khabar" / rel
        f.write_text("# reformatted\n\n" + f.read_text(encoding="utf-8").replace("\n\n\n", "\n\n\n\n"),
                     encoding="utf-8")
    return src


def test_moving_or_reformatting_source_keeps_the_identity(moved):
    here = _identity_of(SRC)
    there = _identity_of(moved)
    assert there["version"] == here["version"] == ingest_version(("segment", "summary"))
    assert there["index"] == here["index"] == index_fingerprint()


def test_a_changed_data_file_changes_the_identity(moved, tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(moved, copy)
    stop = copy / "khabar" / "data" / "stopwords_ar.txt"
    stop.write_text(stop.read_text(encoding="utf-8") + "كذلك\n", encoding="utf-8")  # "also": one more stopword
    assert _identity_of(copy)["version"] != _identity_of(moved)["version"]


def test_the_stage_list_and_the_version_change_the_identity(monkeypatch):
    base = pipeline_version(["segment", "summary"])
    assert base != pipeline_version(["segment"])
    assert base != pipeline_version(["summary", "segment"])
    assert base == pipeline_version(("segment", "summary"))  # a pure function of names and data
    monkeypatch.setattr(pipeline_module, "PIPELINE_VERSION", PIPELINE_VERSION + "x")
    assert pipeline_version(["segment", "summary"]) != base
    monkeypatch.setattr(store_module, "INDEX_VERSION", "next")
    assert index_fingerprint() == "index-next"


def test_a_store_from_before_is_reanalysed_once_and_its_index_recognised(tmp_path):
    """Articles stamped with an old source-hash identity are outdated (reindex re-analyses them,
    once); an index recorded under the last source-hash fingerprint of these word rules is current."""
    with Store(tmp_path / "k.db") as s:
        for d in corpus_docs():
            s.add_article(d, pipeline_version="4f1c2a9b7d30")  # what a store from before holds
        s.set_meta("index_fingerprint", "1017f4554488")
        assert s.index_is_current()
        assert s.count_outdated(ingest_version(("segment",))) == 3
        rep = reindex(s, workers=1, stages=("segment",))
        assert rep.added == 3 and rep.index_rebuilt == 0 and rep.outdated == 0
        assert reindex(s, workers=1, stages=("segment",)).added == 0
        s.set_meta("index_fingerprint", "0123456789ab")  # other rules: rebuilt
        assert not s.index_is_current()


def test_ingest_stamps_articles_with_the_pipeline_version(tmp_path):
    (tmp_path / "a.txt").write_text("قال الوزير إن الاجتماع سيعقد غدا.", encoding="utf-8")
    with Store(tmp_path / "k.db") as s:
        rep = ingest([tmp_path], s, workers=1, stages=("segment",))
        assert rep.pipeline_version == pipeline_version(["segment"])
        assert s.stats().pipeline_versions == {rep.pipeline_version: 1}


# Sentences written for this test. If this fails, index_words changed: bump INDEX_VERSION in
# khabar/corpus/store.py (stores then rebuild their index on 'khabar reindex') and update the words.
_SENTENCES = {
    # "The president told journalists that the school and the schools open on 3 September."
    "وقال الرئيس للصحفيين إن المدرسة والمدارس ستفتح أبوابها في ٣ أيلول/سبتمبر.":
        ["قال", "رييس", "صحفيين", "ان", "مدرسه", "مدارس", "تفتح", "ابوابها", "في", "3", "ايلول", "سبتمبر"],
    # "Yesterday the ministry announced that 12 students won the prize, for the first time."
    "وبالأمس أعلنت الوزارةُ أن ١٢ طالباً فازوا بالجائزة، ولِلمرة الأولى.":
        ["امس", "اعلنت", "وزاره", "ان", "12", "طالبا", "ازوا", "جايزه", "مره", "اولي"],
    # "The teacher wrote: «We will meet in Tehran and Moscow»"
    "كتب المعلّم: «سنلتقي في طهران وموسكو»": ["كتب", "معلم", "نلتقي", "في", "طهران", "موسكو"],
}


@pytest.mark.parametrize("text", list(_SENTENCES))
def test_index_words_are_pinned_to_the_index_version(text):
    assert store_module.INDEX_VERSION == "2"
    assert index_words(text) == _SENTENCES[text]
