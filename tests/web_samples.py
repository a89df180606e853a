"""Hand-annotated articles (sentences written for these tests) for the API and browser tests.

They carry entities, quotes, timexes and events whatever analysis stages exist yet, so that
the web UI can be tested on full annotations; one of them is hostile (XSS payloads).
"""

from __future__ import annotations

from khabar.model import Document, Entity, Event, Mention, Quote, Sentence, Span, Timex, Topic


def _at(text: str, sub: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    return start, start + len(sub)


def _span(text: str, sub: str, nth: int = 0) -> Span:
    return Span(*_at(text, sub, nth), sub)


def _mention(text: str, sub: str, nth: int = 0, kind: str = "name") -> Mention:
    return Mention(*_at(text, sub, nth), sub, kind)


def _sentences(text: str) -> tuple[Sentence, ...]:
    out, start = [], 0
    for line in text.split("\n"):
        out.append(Sentence(start, start + len(line)))
        start += len(line) + 1
    return tuple(out)


# A meeting between two foreign ministers (invented for the tests).
MEETING_TEXT = (
    "التقى وزير الخارجية العماني بدر البوسعيدي نظيره الإيراني عباس عراقجي في مسقط يوم الاثنين.\n"
    'وقال البوسعيدي: "نحن ندعم الحوار بين جميع الأطراف".\n'
    "وأكد عراقجي أن طهران مستعدة لمواصلة المحادثات الشهر المقبل."
)


def meeting() -> Document:
    t = MEETING_TEXT
    ents = (
        Entity("e1", "PER", "بدر البوسعيدي", (_mention(t, "بدر البوسعيدي"), _mention(t, "البوسعيدي", 1)),
               name_en="Badr Albusaidi"),
        Entity("e2", "PER", "عباس عراقجي", (_mention(t, "عباس عراقجي"), _mention(t, "عراقجي", 1)),
               name_en="Abbas Araghchi"),
        Entity("e3", "LOC", "مسقط", (_mention(t, "مسقط"),), name_en="Muscat"),
        Entity("e4", "LOC", "طهران", (_mention(t, "طهران"),), name_en="Tehran"),
    )
    q1 = "نحن ندعم الحوار بين جميع الأطراف"
    q2 = "طهران مستعدة لمواصلة المحادثات الشهر المقبل"
    quotes = (
        Quote("q1", *_at(t, q1), q1, "direct", "e1", _span(t, "البوسعيدي", 1), _span(t, "قال")),
        Quote("q2", *_at(t, q2), q2, "indirect", "e2", _span(t, "عراقجي", 1), _span(t, "أكد")),
    )
    timexes = (
        Timex("t1", *_at(t, "يوم الاثنين"), "يوم الاثنين", "DATE", "2025-03-10"),
        Timex("t2", *_at(t, "الشهر المقبل"), "الشهر المقبل", "DATE", "2025-04"),
    )
    events = (Event("v1", "CONSULT", _span(t, "التقى"), 0, cameo="040", actor1="e1", actor2="e2",
                    time="t1", location="e3"),)
    return Document(id="meeting-2025", text=t, title="وزير الخارجية العماني يلتقي نظيره الإيراني في مسقط",
                    published="2025-03-11", source="khabar-tests", sentences=_sentences(t), entities=ents,
                    quotes=quotes, timexes=timexes, events=events,
                    topics=(Topic("دبلوماسية", 0.8),), summary=(0,))


FOLLOWUP_TEXT = (
    "أعلن وزير الخارجية العماني بدر البوسعيدي أن الجولة الجديدة من المحادثات ستعقد في مسقط.\n"
    'وقال البوسعيدي: "الأبواب مفتوحة أمام الجميع".'
)


def followup() -> Document:
    t = FOLLOWUP_TEXT
    ents = (
        Entity("e1", "PER", "بدر البوسعيدي", (_mention(t, "بدر البوسعيدي"), _mention(t, "البوسعيدي", 1)),
               name_en="Badr Albusaidi"),
        Entity("e2", "LOC", "مسقط", (_mention(t, "مسقط"),), name_en="Muscat"),
    )
    q1 = "الأبواب مفتوحة أمام الجميع"
    q0 = "الجولة الجديدة من المحادثات ستعقد في مسقط"
    quotes = (
        Quote("q1", *_at(t, q0), q0, "indirect", "e1", _span(t, "بدر البوسعيدي"), _span(t, "أعلن")),
        Quote("q2", *_at(t, q1), q1, "direct", "e1", _span(t, "البوسعيدي", 1), _span(t, "قال")),
    )
    return Document(id="followup-2025", text=t, title="البوسعيدي: جولة جديدة من المحادثات في مسقط",
                    published="2025-04-02", source="khabar-tests", sentences=_sentences(t), entities=ents,
                    quotes=quotes, topics=(Topic("دبلوماسية", 0.7),), summary=(0,))


# Hostile content: every payload must be shown as text and never run.
XSS_SCRIPT = "<script>window.__xss = 1; document.title = 'pwned';</script>"
XSS_IMG = '<img src=x onerror="window.__xss = 2">'
XSS_LINK = '<a href="javascript:window.__xss = 3" id="evil">اضغط هنا</a>'
XSS_TEXT = (
    f"قال المتحدث الخبيث {XSS_IMG} إن الهجوم فشل.\n"
    f'وأضاف: "{XSS_SCRIPT} لن نتراجع" ثم نشر رابطا {XSS_LINK} على الموقع.'
)


def hostile() -> Document:
    t = XSS_TEXT
    ents = (Entity("e1", "PER", XSS_IMG, (_mention(t, "المتحدث الخبيث"),), name_en='"><script>window.__xss=4</script>'),
            Entity("e2", "ORG", "<b>منظمة</b>", (_mention(t, XSS_LINK),)))
    qtext = f"{XSS_SCRIPT} لن نتراجع"
    quotes = (Quote("q1", *_at(t, qtext), qtext, "direct", "e1", _span(t, "المتحدث الخبيث"), _span(t, "أضاف")),)
    return Document(id="hostile-1", text=t, title=f"عنوان {XSS_SCRIPT}", published="2025-05-01",
                    source=XSS_IMG, url="javascript:window.__xss=5", sentences=_sentences(t),
                    entities=ents, quotes=quotes, topics=(Topic(XSS_IMG, 0.5),), summary=(1,))


def all_samples() -> list[Document]:
    return [meeting(), followup(), hostile()]
