"""News outlets and agencies as ORG entities (issue 14/15): data/outlets.json read by
khabar.analysis.outlets, through the entities stage. Sentences written for these tests."""

from __future__ import annotations

import pytest
from fake_tagger import FakeTagger

from khabar.analysis.entities import EntityStage
from khabar.analysis.pipeline import Pipeline
from khabar.model import Document


@pytest.fixture(scope="module")
def kb_only():
    return Pipeline.build(["segment", EntityStage(tagger=None)])


def orgs(pipe, text: str) -> list[tuple[str, str | None]]:
    doc = pipe(Document(id="t", text=text))
    doc.to_dict()  # span invariant (checked by conftest)
    return [(m.text, e.name_en) for e in doc.entities if e.type == "ORG" for m in e.mentions]


def test_outlet_names_in_running_text(kb_only):
    # 'A CNN correspondent said ...', 'in a statement to Mosaique' (the clitic ل left out)
    assert orgs(kb_only, "وقال مراسل CNN إن الطريق مغلق.") == [("CNN", "CNN")]
    assert orgs(kb_only, "وقال في تصريح لموزاييك إن الموسم جيد.") == [("موزاييك", "Mosaique FM")]


def test_weak_outlet_name_needs_a_cue(kb_only):
    # 'said to «Al-Ghad»' vs 'today and tomorrow'
    assert orgs(kb_only, "وقال لـ«الغد» إن المياه ستصل.") == [("الغد", "Al-Ghad")]
    assert orgs(kb_only, "تستمر الأعمال اليوم والغد في المدينة.") == []
    # a credit between dashes vs the adverb 'together'
    assert orgs(kb_only, "بيت لحم- معا- أعلنت البلدية خطة جديدة.") == [("معا", "Maan News Agency")]
    assert orgs(kb_only, "وقرر الفريقان العمل معا في الموسم المقبل.") == []


def test_credit_that_is_also_a_pronoun(kb_only):
    # '/ BNA /' in a dateline: بنا is also 'with us', a generic word that names nobody alone
    assert orgs(kb_only, "المنامة في 7 يونيو / بنا / استقبل الوزير السفير.") == [("بنا", "Bahrain News Agency (BNA)")]


def test_outlet_replaces_a_tagger_span_of_another_type():
    pipe = Pipeline.build(["segment", EntityStage(tagger=FakeTagger({"عنب": "PER", "بلدي": "PER"}))])
    doc = pipe(Document(id="t", text="وذكرت عنب بلدي أن الأسعار ارتفعت."))  # 'Enab Baladi reported ...'
    assert [(e.name, e.type) for e in doc.entities] == [("عنب بلدي", "ORG")]
