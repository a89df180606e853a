"""Pipeline construction: stage contracts (reads/writes) checked at build time, order from config."""

from __future__ import annotations

import pytest

from khabar.analysis.pipeline import Pipeline, PipelineError, default_stages
from khabar.model import Document


class _Stage:
    def __init__(self, name, reads=(), writes=()):
        self.name, self.reads, self.writes = name, frozenset(reads), frozenset(writes)
        self.reads_optional = frozenset()
        self.calls = 0

    def __call__(self, doc):
        self.calls += 1
        return doc.with_(title=(doc.title or "") + self.name)


def test_missing_requirement_is_named():
    with pytest.raises(PipelineError, match="'quotes' requires entities"):
        Pipeline.build([_Stage("segment", ["text"], ["sentences"]), _Stage("quotes", ["entities"])])


def test_unknown_stage_lists_known_ones():
    with pytest.raises(PipelineError, match=r"unknown stage 'nope'; known stages: .*segment"):
        Pipeline.build(["nope"])


def test_stages_run_in_the_given_order():
    a, b = _Stage("a", ["text"], ["x"]), _Stage("b", ["x"], ["y"])
    p = Pipeline.build([a, b])
    assert p(Document(id="d", text="نص")).title == "ab" and p.names == ["a", "b"]


def test_default_pipeline_builds_and_starts_with_segment():
    stages = default_stages()
    assert stages[0] == "segment"
    p = Pipeline.build()
    doc = p(Document(id="d", text="جملة أولى. جملة ثانية."))
    assert len(doc.sentences) == 2 and doc.sentences[0].tokens[0].text == "جملة"
