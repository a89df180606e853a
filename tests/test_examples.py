"""The example articles under examples/ (written for this project), as `make run` shows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from khabar.io import iter_path
from khabar.model import Document
from khabar.service import analyze

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return {d.id: analyze(d) for d in iter_path(EXAMPLES)}


def speakers(doc: Document) -> list[tuple[str, str | None]]:
    return [(q.cue.text, doc.entity(q.speaker).name if q.speaker else None) for q in doc.quotes]


def test_no_time_expression_is_an_entity_and_no_entity_is_a_time_expression(docs):
    for doc in docs.values():
        for e in doc.entities:
            for m in e.mentions:
                assert not any(t.start < m.end and m.start < t.end for t in doc.timexes), (e.name, m.text)


def test_embassy_statement(docs):
    doc = docs["embassy_statement"]
    assert speakers(doc) == [("أعلنت", "وزارة الخارجية السعودية"), ("وقالت", "وزارة الخارجية السعودية"),
                             ("صرح", "هانس غروندبرغ"), ("مؤكدا", "هانس غروندبرغ")]
    assert doc.quotes[0].text.startswith("ترحيبها")
    assert all(e.type != "PER" or e.kb_id for e in doc.entities)  # every person is a known one


def test_vaccine_talks(docs):
    doc = docs["example-001"]
    assert speakers(doc) == [("وقال", "فراس الهواري"), ("وأضاف", "فراس الهواري"), ("أكد", "خالد عبد الغفار"),
                             ("وأشار", "خالد عبد الغفار")]
    assert sorted(e.name for e in doc.entities if e.type == "PER") == ["خالد عبد الغفار", "فراس الهواري"]
    city = next(e for e in doc.entities if e.name == "السادس من أكتوبر")
    assert (city.type, city.name_en) == ("LOC", "6th of October City")
    assert [t.text for t in doc.timexes] == ["يوم الثلاثاء", "الأشهر الستة المقبلة", "شهر يونيو المقبل",
                                             "الأسبوع المقبل"]
    consult = [v for v in doc.events if v.type == "CONSULT"]
    assert [(v.trigger.text, doc.entity(v.actor1).name) for v in consult] == [
        ("بحث", "فراس الهواري"), ("يزور", "خالد عبد الغفار")]
    assert doc.entity(consult[0].actor2).name == "خالد عبد الغفار"
    agree = next(v for v in doc.events if v.type == "AGREE")
    assert doc.entity(agree.actor1).name == "خالد عبد الغفار"
