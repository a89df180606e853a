"""Document model: schema khabar.article/1 round trip and the span invariant."""

from __future__ import annotations

import pytest

from khabar.model import (
    SCHEMA,
    Document,
    Entity,
    Event,
    Mention,
    Quote,
    SchemaError,
    Span,
    Timex,
    Topic,
    span_errors,
)

TEXT = "قال الرئيس الروسي فلاديمير بوتين مساء الأربعاء إن الاتفاق مهم."


def _doc() -> Document:
    name = Span.of(TEXT, 18, 32)
    return Document(
        id="a1", text=TEXT, published="2021-08-19",
        entities=(Entity("e1", "PER", "فلاديمير بوتين",
                         (Mention(4, 17, TEXT[4:17], "title"), Mention(18, 32, TEXT[18:32])),
                         name_en="Vladimir Putin", kb_id="Q7747"),),
        quotes=(Quote("q1", 51, 62, TEXT[51:62], "indirect", "e1", name, Span.of(TEXT, 0, 3)),),
        timexes=(Timex("t1", 33, 47, TEXT[33:47], "TIME", "2021-08-18TEV"),),
        events=(Event("v1", "CONSULT", Span.of(TEXT, 0, 3), 0, cameo="041", actor1="e1", time="t1"),),
        topics=(Topic("سياسة", 0.5),), summary=(0,),
    )


def test_to_dict_has_exactly_the_schema_fields():
    d = _doc().to_dict()
    assert d["schema"] == SCHEMA
    assert list(d) == ["schema", "id", "title", "published", "source", "url", "text", "sentences",
                       "entities", "quotes", "timexes", "events", "topics", "summary"]
    assert list(d["entities"][0]) == ["id", "type", "name", "name_en", "kb_id", "mentions"]
    assert list(d["quotes"][0]) == ["id", "start", "end", "text", "kind", "speaker", "speaker_mention", "cue"]
    assert list(d["timexes"][0]) == ["id", "start", "end", "text", "type", "value"]
    assert list(d["events"][0]) == ["id", "type", "cameo", "actor1", "actor2", "trigger", "time",
                                    "location", "sentence", "actor1_mention", "actor2_mention"]


def test_round_trip():
    d = _doc().to_dict()
    assert Document.from_dict(d).to_dict() == d


def test_span_errors_finds_bad_spans():
    d = _doc().to_dict()
    assert span_errors(d) == []
    d["entities"][0]["mentions"][0]["text"] = "غلط"
    d["quotes"][0]["end"] = 10_000
    errors = span_errors(d)
    assert len(errors) == 2 and "mention of e1" in errors[0] and "out of range" in errors[1]


def test_from_dict_rejects_other_schemas():
    with pytest.raises(SchemaError, match="expected schema"):
        Document.from_dict({"schema": "other/1", "id": "x", "text": ""})
    with pytest.raises(SchemaError, match="malformed"):
        Document.from_dict({"schema": SCHEMA, "id": "x", "text": "", "entities": [{"id": "e1"}]})


def test_documents_are_immutable():
    doc = _doc()
    with pytest.raises(AttributeError):
        doc.text = "x"  # type: ignore[misc]
    assert doc.with_(title="t").title == "t" and doc.title is None
