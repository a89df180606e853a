"""The learned speaker ranker (khabar.analysis.speakers): candidates, features, packaged weights, constraints."""

from __future__ import annotations

import numpy as np
import pytest

from khabar.analysis.pipeline import Pipeline
from khabar.analysis.quotes import QuoteStage
from khabar.analysis.speakers import (
    FEATURES,
    Ranker,
    load_ranker,
    quote_candidates,
    resolve_speakers,
    title_links,
)
from khabar.model import Document, Entity, Mention


def _doc(text: str, entities: tuple[Entity, ...] = ()) -> Document:
    doc = Pipeline.build(["segment"])(Document(id="t", text=text)).with_(entities=entities)
    return QuoteStage(learned=False)(doc)


def _mention(text: str, fragment: str, kind: str = "name", nth: int = 0) -> Mention:
    pos = -1
    for _ in range(nth + 1):
        pos = text.find(fragment, pos + 1)
    return Mention(pos, pos + len(fragment), fragment, kind)


def test_packaged_weights_cover_every_feature():
    ranker = load_ranker()
    assert ranker.weights.shape == (len(FEATURES),)
    assert ranker.to_dict()["features"] == list(FEATURES)
    with pytest.raises(ValueError, match="lack features"):
        Ranker.from_dict({"weights": {"rule_pick": 1.0}})


def test_candidates_describe_position_type_and_rule_pick():
    text = "التقى الوزير سامي الحربي وفد الشركة. وقال مدير الشركة خالد العمري إن العقد سيوقع غدا."
    doc = _doc(text, (Entity("e1", "PER", "سامي الحربي", (_mention(text, "سامي الحربي"),)),
                      Entity("e2", "PER", "خالد العمري", (_mention(text, "خالد العمري"),))))
    (cands,) = quote_candidates(doc)
    by_name = {doc.entity(c.entity).name: dict(zip(FEATURES, c.features)) for c in cands}
    named = next(n for n in by_name if "خالد العمري" in n)
    assert by_name[named]["rule_pick"] == 1.0 and by_name[named]["after_cue"] == 1.0
    other = next(n for n in by_name if "سامي الحربي" in n)
    assert by_name[other]["sentence_before"] == 1.0 and by_name[other]["rule_pick"] == 0.0
    assert all(len(c.features) == len(FEATURES) for c in cands)


def test_ranker_can_overrule_the_rules():
    text = "وقال الوزير سامي الحربي إن المعبر سيفتح غدا."
    doc = _doc(text)
    q = doc.quotes[0]
    other = Entity("e9", "ORG", "وزارة النقل", ())
    doc = doc.with_(entities=doc.entities + (other,))
    # weights that prefer anything the rules did not pick: the speaker changes, the span stays
    w = np.zeros(len(FEATURES))
    w[FEATURES.index("rule_pick")] = -5.0
    w[FEATURES.index("type_per")] = 1.0
    out = resolve_speakers(doc, Ranker(w))
    assert out.quotes[0].speaker == q.speaker  # e9 has no mention near the cue: not a candidate
    ents = doc.entities[:-1] + (Entity("e9", "PER", "سعيد الغامدي", (_mention(text, "الوزير"),)),)
    out = resolve_speakers(doc.with_(entities=ents), Ranker(w))
    assert out.quotes[0].speaker == "e9" and (out.quotes[0].start, out.quotes[0].end) == (q.start, q.end)


def test_title_links_cross_honorifics_only():
    text = "وصل رئيس البلدية الدكتور ماجد القحطاني. وقال رئيس البلدية إن الطرق ستفتح، وإن فهد السبيعي سيحضر."
    ents = (Entity("e1", "PER", "رئيس البلدية", (_mention(text, "رئيس البلدية", "title"),
                                                 _mention(text, "رئيس البلدية", "title", 1))),
            Entity("e2", "PER", "ماجد القحطاني", (_mention(text, "ماجد القحطاني"),)),
            Entity("e3", "PER", "فهد السبيعي", (_mention(text, "فهد السبيعي"),)))
    assert title_links(_doc(text, ents)) == {"e1": "e2"}
    # a complementizer between a title and a name is no title-of link
    text2 = "وقال رئيس البلدية إن فهد السبيعي سيحضر."
    doc2 = _doc(text2, (Entity("e1", "PER", "رئيس البلدية", (_mention(text2, "رئيس البلدية", "title"),)),
                        Entity("e3", "PER", "فهد السبيعي", (_mention(text2, "فهد السبيعي"),))))
    assert title_links(doc2) == {}
