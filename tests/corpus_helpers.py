"""Helpers for corpus tests: analysed documents written by hand (sentences of our own), with
offsets computed from the text so every span is exact."""

from __future__ import annotations

from typing import Any

from khabar.model import SCHEMA


def _find_all(text: str, s: str) -> list[tuple[int, int]]:
    out, i = [], text.find(s)
    while i >= 0:
        out.append((i, i + len(s)))
        i = text.find(s, i + 1)
    assert out, f"{s!r} not in text"
    return out


def make_doc(doc_id: str, text: str, *, published: str | None = None, source: str | None = None,
             title: str | None = None, entities: list[dict[str, Any]] | None = None,
             quotes: list[dict[str, Any]] | None = None, events: list[dict[str, Any]] | None = None,
             timexes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A khabar.article/1 dict. ``entities``: {id, type, name, surfaces, kb_id?, name_en?};
    ``quotes``: {id, text, speaker?, kind?}; ``timexes``: {id, text, value, type?};
    ``events``: {id, type, trigger, actor1?, actor2?, location?, time?, cameo?, sentence?}."""
    ents = []
    for e in entities or []:
        mentions = [{"start": s, "end": t, "text": text[s:t], "kind": "name"}
                    for surf in e["surfaces"] for s, t in _find_all(text, surf)]
        ents.append({"id": e["id"], "type": e["type"], "name": e["name"], "name_en": e.get("name_en"),
                     "kb_id": e.get("kb_id"), "mentions": sorted(mentions, key=lambda m: m["start"])})
    qs = []
    for q in quotes or []:
        s, t = _find_all(text, q["text"])[0]
        qs.append({"id": q["id"], "start": s, "end": t, "text": q["text"], "kind": q.get("kind", "direct"),
                   "speaker": q.get("speaker"), "speaker_mention": None, "cue": None})
    tx = []
    for x in timexes or []:
        s, t = _find_all(text, x["text"])[0]
        tx.append({"id": x["id"], "start": s, "end": t, "text": x["text"], "type": x.get("type", "DATE"),
                   "value": x["value"]})
    evs = []
    for v in events or []:
        s, t = _find_all(text, v["trigger"])[0]
        evs.append({"id": v["id"], "type": v["type"], "cameo": v.get("cameo"), "actor1": v.get("actor1"),
                    "actor2": v.get("actor2"), "trigger": {"start": s, "end": t, "text": v["trigger"]},
                    "time": v.get("time"), "location": v.get("location"), "sentence": v.get("sentence", 0)})
    return {"schema": SCHEMA, "id": doc_id, "title": title, "published": published, "source": source, "url": None,
            "text": text, "sentences": [{"start": 0, "end": len(text)}], "entities": ents, "quotes": qs,
            "timexes": tx, "events": evs, "topics": [], "summary": []}


RAISI = {"id": "e1", "type": "PER", "name": "إبراهيم رئيسي", "surfaces": ["إبراهيم رئيسي"], "kb_id": "Q5932580",
         "name_en": "Ebrahim Raisi"}
PUTIN = {"id": "e2", "type": "PER", "name": "فلاديمير بوتين", "surfaces": ["فلاديمير بوتين"], "kb_id": "Q7747",
         "name_en": "Vladimir Putin"}
TEHRAN = {"id": "e3", "type": "LOC", "name": "طهران", "surfaces": ["طهران"], "kb_id": "Q3616", "name_en": "Tehran"}


def corpus_docs() -> list[dict[str, Any]]:
    """A small corpus (sentences written for these tests)."""
    t1 = ("أجرى الرئيس الإيراني إبراهيم رئيسي اتصالا هاتفيا مع الرئيس الروسي فلاديمير بوتين مساء الأربعاء. "
          "وقال إبراهيم رئيسي إن \"العلاقات مع روسيا استراتيجية\". وأكد فلاديمير بوتين أن طهران شريك مهم.")
    t2 = ("استقبل الرئيس الروسي فلاديمير بوتين في موسكو وفدا اقتصاديا. وقال فلاديمير بوتين إن "
          "\"التعاون مع إبراهيم رئيسي سيستمر\". وأعلنت المدرسة الروسية في موسكو برنامجا جديدا.")
    t3 = ("زار وزير الخارجية أحمد الصالح المدرسة الوطنية في طهران يوم الأحد. وقال أحمد الصالح إن "
          "\"المدرسة نموذج للتعليم\".")
    return [
        make_doc("a1", t1, published="2021-08-19", source="agency-a", title="اتصال هاتفي بين رئيسي وبوتين",
                 entities=[RAISI, PUTIN, TEHRAN],
                 quotes=[{"id": "q1", "text": "العلاقات مع روسيا استراتيجية", "speaker": "e1"},
                         {"id": "q2", "text": "طهران شريك مهم", "speaker": "e2", "kind": "indirect"}],
                 timexes=[{"id": "t1", "text": "مساء الأربعاء", "value": "2021-08-18TEV", "type": "TIME"}],
                 events=[{"id": "v1", "type": "CONSULT", "cameo": "041", "trigger": "اتصالا هاتفيا",
                          "actor1": "e1", "actor2": "e2", "time": "t1"}]),
        make_doc("a2", t2, published="2021-09-02", source="agency-b", title="بوتين يستقبل وفدا اقتصاديا",
                 entities=[PUTIN, {**RAISI, "id": "e9"},
                           {"id": "e4", "type": "LOC", "name": "موسكو", "surfaces": ["موسكو"], "kb_id": "Q649"}],
                 quotes=[{"id": "q1", "text": "التعاون مع إبراهيم رئيسي سيستمر", "speaker": "e2"}],
                 events=[{"id": "v1", "type": "CONSULT", "cameo": "040", "trigger": "استقبل", "actor1": "e2",
                          "location": "e4"}]),
        make_doc("a3", t3, published="2021-09-05", source="agency-a", title="وزير الخارجية يزور مدرسة",
                 entities=[{"id": "e1", "type": "PER", "name": "أحمد الصالح", "surfaces": ["أحمد الصالح"]},
                           TEHRAN],
                 quotes=[{"id": "q1", "text": "المدرسة نموذج للتعليم", "speaker": "e1"}],
                 timexes=[{"id": "t1", "text": "يوم الأحد", "value": "2021-09-05"}],
                 events=[{"id": "v1", "type": "CONSULT", "cameo": "043", "trigger": "زار", "actor1": "e1",
                          "location": "e3", "time": "t1"}]),
    ]


def speaker_docs() -> list[dict[str, Any]]:
    """Articles whose quotes the analysis gave to generic "speakers" (sentences written for
    these tests): لي (to me) as a person, التقرير (the report), الشركة (the company) and local
    sources named only by a noun phrase, quoted more often than two real named speakers."""
    docs = []
    for i in range(6):
        text = (f"في اليوم {i} قال لي صاحب المتجر إن \"الأسعار ترتفع {i}\". "
                f"وذكر التقرير أن \"المبيعات تراجعت {i}\". وأعلنت الشركة أن \"الإنتاج توقف {i}\". "
                f"وأفادت مصادر محلية أن \"السوق هادئ {i}\".")
        ents = [{"id": "e1", "type": "PER", "name": "لي", "surfaces": ["لي"], "name_en": "Li"},
                {"id": "e2", "type": "MISC", "name": "التقرير", "surfaces": ["التقرير"]},
                {"id": "e3", "type": "ORG", "name": "الشركة", "surfaces": ["الشركة"]},
                {"id": "e4", "type": "PER", "name": "مصادر محلية", "surfaces": ["مصادر محلية"]}]
        quotes = [{"id": "q1", "text": f"الأسعار ترتفع {i}", "speaker": "e1"},
                  {"id": "q2", "text": f"المبيعات تراجعت {i}", "speaker": "e2"},
                  {"id": "q3", "text": f"الإنتاج توقف {i}", "speaker": "e3"},
                  {"id": "q4", "text": f"السوق هادئ {i}", "speaker": "e4"}]
        if i < 3:  # a named person, quoted in half of them
            text += f" وقالت سلمى الحربي إن \"الدعم سيصل {i}\"."
            ents.append({"id": "e5", "type": "PER", "name": "سلمى الحربي", "surfaces": ["سلمى الحربي"],
                         "name_en": "Salma al-Harbi"})
            quotes.append({"id": "q5", "text": f"الدعم سيصل {i}", "speaker": "e5"})
        if i == 0:  # a named organisation, quoted once, named three times in one article
            text += (" وقالت رابطة الصيادين إن \"الموسم جيد\". وتأسست رابطة الصيادين قبل عشرين عاما،"
                     " وتضم رابطة الصيادين مئات الأعضاء.")
            ents.append({"id": "e6", "type": "ORG", "name": "رابطة الصيادين", "surfaces": ["رابطة الصيادين"]})
            quotes.append({"id": "q6", "text": "الموسم جيد", "speaker": "e6"})
        d = make_doc(f"s{i}", text, published=f"2024-03-0{i + 1}", source="paper", entities=ents, quotes=quotes)
        for e in d["entities"]:
            if e["name"] == "مصادر محلية":  # a noun phrase, never a name
                e["mentions"] = [{**m, "kind": "nominal"} for m in e["mentions"]]
        docs.append(d)
    return docs
