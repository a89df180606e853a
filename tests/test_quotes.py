"""The quotes stage: quotation spans, kinds, cues and speakers, on sentences written for these tests."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from khabar.analysis.pipeline import Pipeline
from khabar.analysis.quotes import QuoteStage, load_lexicon, quote_mark_spans
from khabar.cli import main
from khabar.model import Document, Entity, Mention

PIPE = Pipeline.build(["segment", "quotes"])


def analyse(text: str, entities: tuple[Entity, ...] = ()) -> Document:
    doc = Pipeline.build(["segment"])(Document(id="t", text=text))
    doc = QuoteStage()(doc.with_(entities=entities))
    doc.to_dict()  # span invariant (checked by conftest)
    return doc


def speaker_names(doc: Document, q) -> list[str]:
    e = doc.entity(q.speaker)
    return [] if e is None else [e.name] + [m.text for m in e.mentions]


def said_by(doc: Document, q, word: str) -> bool:
    return any(word in n for n in speaker_names(doc, q))


def find(doc: Document, fragment: str):
    hits = [q for q in doc.quotes if fragment in q.text]
    assert hits, f"no quotation contains {fragment!r}: {[q.text for q in doc.quotes]}"
    return hits[0]


def test_lexicon_expands_forms_and_clitics():
    lex = load_lexicon()
    for form in ("قال", "قالت", "يقول", "اضاف", "اضافت", "اكدوا", "مضيفا", "موكدا", "مشيره", "حسب"):
        assert form in lex.forms, form
    assert lex.forms["مضيفا"].kind == "participle"
    assert lex.forms["حسب"].kind == "nominal"
    assert lex.forms["يقال"].kind == "impersonal"
    assert "يذكر" not in lex.forms  # "it is worth noting", narration


def test_direct_quote_after_colon_and_pronoun_drop():
    doc = analyse("وقال الوزير خالد العمري: «سنفتح المعبر أمام المسافرين غدا». "
                  "وأضاف أن القرار نهائي ولا رجعة فيه.")
    first = find(doc, "سنفتح المعبر")
    assert first.kind == "direct" and first.text == "سنفتح المعبر أمام المسافرين غدا"
    assert first.cue.text == "وقال" and said_by(doc, first, "خالد العمري")
    assert first.speaker_mention.text == "الوزير خالد العمري"
    second = find(doc, "القرار نهائي")
    assert second.kind == "indirect" and second.text == "القرار نهائي ولا رجعة فيه"
    assert second.speaker == first.speaker and second.speaker_mention is None


def test_indirect_vso_and_participle_split_the_report():
    doc = analyse("أكد رئيس الهيئة سامي النجار أن الموسم سيبدأ مبكرا، "
                  "مشيرا إلى أن الأسعار لن ترتفع هذا العام.")
    a, b = find(doc, "الموسم سيبدأ"), find(doc, "الأسعار لن ترتفع")
    assert a.text == "الموسم سيبدأ مبكرا"  # ends before the participle that continues the speech
    assert b.cue.text == "مشيرا" and a.speaker == b.speaker and said_by(doc, a, "سامي النجار")


def test_speaker_named_after_the_quotation():
    doc = analyse("«لن نسمح بتكرار ما حدث في الميناء»، قال المتحدث باسم الشرطة.")
    q = find(doc, "لن نسمح")
    assert q.kind == "direct" and said_by(doc, q, "المتحدث باسم الشرطة")


def test_svo_subject_and_copula_subject():
    doc = analyse("المهندس فهد الزهراني أكد أن المشروع اكتمل بنسبة كبيرة.\n"
                  "وكان المحامي ماجد السالم، قد أكد أن القضية ستحال إلى المحكمة.")
    assert said_by(doc, find(doc, "المشروع اكتمل"), "فهد الزهراني")
    assert said_by(doc, find(doc, "القضية ستحال"), "ماجد السالم")


def test_anonymous_source_becomes_nominal_entity():
    doc = analyse("وقال مصدر مسؤول في الوزارة إن الاجتماع تأجل إلى الأسبوع المقبل.")
    q = find(doc, "الاجتماع تأجل")
    e = doc.entity(q.speaker)
    assert e is not None and e.name.startswith("مصدر مسؤول") and e.mentions[0].kind == "nominal"


def test_impersonal_cue_has_no_speaker_and_negated_cue_reports_nothing():
    doc = analyse("ويقال إن عشرة أشخاص غادروا القرية. ولم يعلن الجيش عن أي خسائر في صفوفه.")
    q = find(doc, "عشرة أشخاص")
    assert q.speaker is None and q.cue.text == "ويقال"
    assert not [q for q in doc.quotes if "خسائر" in q.text]


def test_nominal_cue_names_the_source():
    doc = analyse("ارتفعت أسعار النفط بنسبة كبيرة خلال الأسبوع حسب وكالة الطاقة الدولية.")
    q = find(doc, "ارتفعت أسعار النفط")
    assert q.cue.text == "حسب" and said_by(doc, q, "وكالة الطاقة")


def test_for_his_part_opener_and_title_continuation():
    doc = analyse("قال وزير المالية سعيد الحربي إن الميزانية متوازنة.\n"
                  "من جانبه وزير الاقتصاد عمر الفارس وفي ختام الاجتماع، قال إن النمو سيتسارع.\n"
                  "وأضاف وزير الاقتصاد أن البطالة تراجعت.")
    assert said_by(doc, find(doc, "الميزانية متوازنة"), "سعيد الحربي")
    growth, jobs = find(doc, "النمو سيتسارع"), find(doc, "البطالة تراجعت")
    assert said_by(doc, growth, "عمر الفارس") and jobs.speaker == growth.speaker


def test_two_speakers_take_the_first_named():
    doc = analyse("قال الرئيس المصري حسن فؤاد إن الحوار مفيد.\n"
                  "وقال الرئيس التونسي كريم بلعيد إن اللقاء كان مثمرا.\n"
                  "وأعرب الرئيسان عن أملهما في تعزيز التعاون بين البلدين.")
    q = find(doc, "تعزيز التعاون")
    assert said_by(doc, q, "حسن فؤاد")


def test_nested_report_in_relative_clause_gives_two_quotes():
    doc = analyse("وقال الوزير نبيل حداد إن: كلام الخبير الدولي، الذي أكد فيه أن السوق ستتعافى قريبا، "
                  "ما زال يشجعنا.")
    outer = find(doc, "ما زال يشجعنا")
    (inner,) = [q for q in doc.quotes if q is not outer]
    assert inner.text == "السوق ستتعافى قريبا" and inner.cue.text == "أكد"
    assert said_by(doc, outer, "نبيل حداد") and said_by(doc, inner, "الخبير")


def test_title_resolves_through_entities_of_an_earlier_stage():
    text = ("التقى الرئيس الروسي فلاديمير بوتين نظيره في موسكو.\n"
            "وقال الرئيس الروسي إن المحادثات كانت بناءة.")
    start = text.index("فلاديمير بوتين")
    putin = Entity("e1", "PER", "فلاديمير بوتين", (Mention(start, start + 14, "فلاديمير بوتين"),),
                   name_en="Vladimir Putin")
    doc = analyse(text, (putin,))
    q = find(doc, "المحادثات كانت بناءة")
    assert q.speaker == "e1"
    e = doc.entity("e1")
    assert any(m.kind == "title" and m.text == "الرئيس الروسي" for m in e.mentions)
    assert len(doc.entities) == 1  # no new entity for a title of a known person


def test_degrades_without_entities_and_merges_name_forms():
    doc = analyse("وقال الأمين العام للجمعية ناصر القحطاني إن التسجيل مفتوح. وأوضح القحطاني أن الرسوم مخفضة.")
    a, b = find(doc, "التسجيل مفتوح"), find(doc, "الرسوم مخفضة")
    assert a.speaker == b.speaker
    assert len({q.speaker for q in doc.quotes}) == 1


def test_unbalanced_quotation_runs_to_the_end_of_its_line():
    text = "قال المدرب: «سنلعب للفوز في كل مباراة\nوانتهى التدريب مساء."
    assert quote_mark_spans(text) == [(text.index("«"), text.index("\n"))]
    doc = analyse(text)
    q = find(doc, "سنلعب للفوز")
    assert q.text == "سنلعب للفوز في كل مباراة" and q.kind == "direct"


def test_mixed_quote_and_quoted_names_are_not_quotes():
    doc = analyse("وأوضح الناطق أن المتهمين اتهموا «بالمشاركة في نشاطات مجموعة إرهابية» أمس. "
                  "وزار الوفد مقر «الهلال الأحمر» في المدينة.")
    q = find(doc, "المتهمين اتهموا")
    assert q.kind == "mixed"
    assert not [q for q in doc.quotes if q.text.startswith("الهلال")]


def test_no_sentences_no_quotes():
    doc = QuoteStage()(Document(id="x", text=""))
    assert doc.quotes == () and doc.entities == ()


def test_stage_is_registered_in_the_default_pipeline():
    assert "quotes" in Pipeline.build().names


def test_quotes_command_table_tsv_jsonl(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("وقال المتحدث باسم الوزارة سالم الراشد إن الخدمة ستعود خلال ساعات.", encoding="utf-8")
    runner = CliRunner()
    table = runner.invoke(main, ["quotes", str(p)], catch_exceptions=False)
    assert table.exit_code == 0 and "Who said what" in table.stdout and "indirect" in table.stdout
    tsv = runner.invoke(main, ["quotes", str(p), "--format", "tsv"], catch_exceptions=False)
    cols = tsv.stdout.strip().split("\t")
    assert cols[0] == "a" and "سالم الراشد" in cols[1] and cols[-1] == "الخدمة ستعود خلال ساعات"
    jsonl = runner.invoke(main, ["quotes", str(p), "--format", "jsonl"]).stdout
    rows = [json.loads(x) for x in jsonl.splitlines()]
    assert rows[0]["kind"] == "indirect" and rows[0]["cue"] == "وقال"


@pytest.mark.parametrize("args, fragment", [
    (["quotes", "/no/such/file.txt"], "no such file"),
    (["quotes", "x.txt", "--stages", "nosuch"], "unknown stage"),
])
def test_quotes_command_errors_are_one_line(args, fragment):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    err = result.stderr.strip()
    assert "\n" not in err and fragment in err and "Traceback" not in err


# --- the reference article (a phone call between the Iranian and Russian presidents)

RAISI, PUTIN, LEADER = "رئيسي", "بوتين", "المرشد"
REFERENCE = [  # (a fragment of the reported statement, who said it)
    ("تطوير وتعزيز العلاقات مع روسيا", RAISI), ("وعزم طهران على زيادة", RAISI),
    ("عزم طهران على تعزيز العلاقات الودية", RAISI), ("لدينا إرادة جادة", RAISI),
    ("خطوة نحو تعزيز العلاقات الوثيقة", RAISI), ("إيران تود استقبال", RAISI),
    ("بصفتها طرفا في المعاهدات", RAISI), ("الولايات المتحدة تعتزم", RAISI),
    ("إرساء الأمن والسلام", RAISI), ("استعداده لأي تعاون", RAISI),
    ("التجربة الناجحة للتعاون", RAISI), ("يتمتع بأهمية كبيرة لدى بلاده", PUTIN),
    ("ما زال محفورا في ذاكرتي", PUTIN), ("المستوى العالي من الثقة المتبادلة", LEADER),
    ("تم إعلامي بعرض", PUTIN), ("سيتسارع اعتبارا من سبتمبر", PUTIN),
    ("رهينة لمشاكل", PUTIN), ("يلتقيا على هامش قمة", RAISI),  # "the two presidents": the first named
]


@pytest.mark.shared
def test_reference_article_statements_and_speakers(shared):
    text = (shared / "samples" / "000_177dc29227984ed5.txt").read_text(encoding="utf-8")
    doc = Pipeline.build()(Document(id="ref", text=text, published="2021-08-19"))
    doc.to_dict()
    assert 18 <= len(doc.quotes) <= 20
    wrong = []
    for fragment, who in REFERENCE:
        hits = [q for q in doc.quotes if fragment in q.text]
        if not any(said_by(doc, q, who) or (who == PUTIN and said_by(doc, q, "الرئيس الروسي")) for q in hits):
            wrong.append((fragment, [speaker_names(doc, q)[:1] for q in hits]))
    assert not wrong, wrong
    speakers = {q.speaker for q in doc.quotes}
    assert len(speakers) == 3  # Raisi, Putin, and the Supreme Leader inside Putin's statement


def test_statement_of_an_organisation_and_according_to_after_a_semicolon():
    doc = analyse("وجاء في بيان لوزارة الزراعة أن المحصول سيزيد هذا العام.\n"
                  "وتأخرت الرحلة ثلاث ساعات بسبب العاصفة؛ بحسب مسؤول في المطار.")
    q = find(doc, "المحصول سيزيد")
    e = doc.entity(q.speaker)
    assert e.name == "وزارة الزراعة" and e.type == "ORG"
    late = find(doc, "تأخرت الرحلة")
    assert late.cue.text == "بحسب" and said_by(doc, late, "مسؤول")


def test_quoted_title_after_a_newspaper_is_a_name_and_modals_report_nothing():
    doc = analyse("كما ذكرت صحيفة \"نيو لايت أوف ميانمار\" الرسمية أن الفيضانات غمرت القرى.\n"
                  "ولا يمكن وصف الفريق بأنه الأفضل في البطولة.")
    q = find(doc, "الفيضانات غمرت")
    assert q.kind == "indirect" and said_by(doc, q, "صحيفة")
    assert not [q for q in doc.quotes if "الأفضل" in q.text]


def test_former_and_latter_resolve_through_entities():
    text = "واشتد الخلاف بين النادي الأهلي والنادي الأول، حيث يؤكد الأول أنه لن يتنازل، فيما أكد الآخر أنه سيشتكي."
    a, b = text.index("النادي الأهلي"), text.index("والنادي الأول") + 1
    ents = (Entity("e1", "ORG", "النادي الأهلي", (Mention(a, a + 13, "النادي الأهلي"),)),
            Entity("e2", "ORG", "النادي الأول", (Mention(b, b + 12, "النادي الأول"),)))
    doc = analyse(text, ents)
    assert find(doc, "لن يتنازل").speaker == "e1" and find(doc, "سيشتكي").speaker == "e2"


# --- time expressions are never speakers (hardening item 11)

FULL = Pipeline.build(["segment", "entities", "timexes", "events", "quotes"])


def full(text: str, published: str | None = "2024-03-14") -> Document:
    doc = FULL(Document(id="t", text=text, published=published))
    doc.to_dict()
    return doc


@pytest.mark.parametrize("when", ["الأسبوع الماضي", "يوم الأحد", "مساء أمس", "الشهر الماضي"])
def test_a_time_expression_after_the_cue_is_not_the_speaker(when):
    # "The envoy Samir Haddad had stated <when> that the talks are going well."
    doc = full(f"وكان المبعوث الخاص سمير حداد قد صرح {when} بأن المحادثات تسير بشكل جيد.")
    q = find(doc, "المحادثات تسير")
    assert said_by(doc, q, "حداد") or said_by(doc, q, "المبعوث")
    assert q.speaker_mention is None or when not in q.speaker_mention.text
    assert not any(when in m.text for e in doc.entities for m in e.mentions)


def test_a_time_expression_is_never_an_entity_even_without_another_speaker():
    # "Last week stated that the prices will rise." (no subject at all)
    doc = full("وصرح الأسبوع الماضي بأن الأسعار سترتفع في الصيف.")
    assert not any("الأسبوع" in e.name for e in doc.entities)
    for q in doc.quotes:
        assert q.speaker_mention is None or "الأسبوع" not in q.speaker_mention.text


def test_a_date_between_speaker_and_bare_content_is_not_reported():
    # "The ministry announced yesterday evening its welcome of the agreement."
    doc = full("أعلنت وزارة الصحة مساء أمس ترحيبها بالاتفاق الجديد بين الطرفين.")
    q = find(doc, "ترحيبها")
    assert q.text.startswith("ترحيبها")
    assert said_by(doc, q, "وزارة الصحة")


# --- common words are never speakers by themselves (hardening item 13a)

@pytest.mark.parametrize("text, cue", [
    # 'The minister Karim Nasser visited the factory. He told me that the work will finish soon.'
    ("زار الوزير كريم ناصر المصنع أمس. وقال لي إن العمل سينتهي قريبا.", "العمل سينتهي"),
    # 'Prince Fahd bin Khalid opened the centre, and His Highness stressed that ...'
    ("افتتح الأمير فهد بن خالد المركز الجديد. وأكد سموه أن المركز يخدم آلاف الأسر.", "المركز يخدم"),
])
def test_a_pronoun_is_not_a_speaker_the_person_before_is(text, cue):
    doc = full(text)
    q = find(doc, cue)
    e = doc.entity(q.speaker)
    assert e is not None and e.type == "PER" and e.name not in ("لي", "سموه"), e
    assert not any(x.name in ("لي", "سموه") for x in doc.entities)


def test_a_generic_noun_refers_to_the_entity_named_with_it_before():
    # 'The Ministry of Tourism launched a campaign. The ministry said in a statement that ...'
    doc = full("أطلقت وزارة السياحة حملة جديدة. وقالت الوزارة في بيان إن الحملة تستمر شهرين.")
    q = find(doc, "الحملة تستمر")
    e = doc.entity(q.speaker)
    assert e is not None and e.name == "وزارة السياحة"
    assert {m.text: m.kind for m in e.mentions}["الوزارة"] == "nominal"
    assert not any(x.name == "الوزارة" for x in doc.entities)


@pytest.mark.parametrize("noun", ["التقرير", "المصادر", "الشركة"])
def test_a_generic_noun_without_antecedent_is_an_anonymous_source(noun):
    # '<noun> said that prices will rise in the summer.'
    doc = full(f"وقال {noun} إن الأسعار سترتفع في الصيف المقبل.")
    q = find(doc, "الأسعار سترتفع")
    assert q.speaker is None
    assert q.speaker_mention is not None and q.speaker_mention.text == noun
    assert not any(e.name == noun for e in doc.entities)



def test_a_generic_noun_does_not_refer_to_anonymous_sources_that_mention_it():
    # 'Sources from the authority said that the decision is final. The authority stressed that ...'
    doc = full("وقالت مصادر من الهيئة إن القرار نهائي. وأكدت الهيئة أن التطبيق يبدأ الشهر المقبل.")
    first, second = find(doc, "القرار نهائي"), find(doc, "التطبيق يبدأ")
    assert first.speaker is not None and second.speaker != first.speaker
    assert second.speaker_mention is not None and second.speaker_mention.text == "الهيئة"


# --- issue 14: constructions the quotes stage supports (sentences written for these tests)


def test_post_posed_attribution_after_a_comma():
    doc = analyse("الحكومة ستخفض أسعار الوقود الشهر المقبل، قال وزير المالية خالد العمري للصحفيين.")
    q = find(doc, "ستخفض أسعار الوقود")
    assert q.text == "الحكومة ستخفض أسعار الوقود الشهر المقبل" and q.kind == "indirect"
    assert q.cue.text == "قال" and said_by(doc, q, "خالد العمري")


def test_parenthetical_attribution_ends_the_report_and_names_the_speaker():
    doc = analyse("الأسعار سترتفع في الصيف المقبل (قال التاجر محمد العلي).")
    q = find(doc, "الأسعار سترتفع")
    assert q.text == "الأسعار سترتفع في الصيف المقبل" and said_by(doc, q, "محمد العلي")


def test_post_posed_needs_a_subject_and_nothing_reported_after_it():
    doc = analyse("وصل الوفد إلى المدينة مساء أمس، وقال رئيسه إن الزيارة ستستمر يومين.")
    assert [q.text for q in doc.quotes] == ["الزيارة ستستمر يومين"]


def test_mined_speech_verbs_with_their_preposition():
    doc = analyse("ونبه الطبيب فهد السبيعي إلى أن الحر الشديد يضر بكبار السن.")
    q = find(doc, "الحر الشديد")
    assert q.text == "الحر الشديد يضر بكبار السن" and q.cue.text == "ونبه" and said_by(doc, q, "فهد السبيعي")
    doc = analyse("وخلصت الدراسة إلى أن نصف الطلاب يعانون من قلة النوم.")
    assert find(doc, "نصف الطلاب").cue.text == "وخلصت"
    # the preposition alone, without إن/أن, introduces a topic, not a report
    assert analyse("ونبه الطبيب إلى مخاطر الحر الشديد على كبار السن.").quotes == ()


def test_nested_report_inside_an_indirect_report():
    doc = analyse("وذكرت صحيفة الرياض أنه في ختام الاجتماع أكد الوزير سعيد الغامدي أن المفاوضات ستستأنف "
                  "الأسبوع المقبل. وأضافت أن الوفد سيصل غدا.")
    outer = find(doc, "أكد الوزير سعيد الغامدي")
    inner = next(q for q in doc.quotes if q.text == "المفاوضات ستستأنف الأسبوع المقبل")
    assert said_by(doc, outer, "صحيفة الرياض") and said_by(doc, inner, "سعيد الغامدي")
    # the nested speaker does not take over the dropped subject of the next report
    assert find(doc, "الوفد سيصل").speaker == outer.speaker


def _entity(eid: str, etype: str, text: str, fragment: str, kind: str, nth: int = 0) -> Entity:
    """An entity as an earlier stage would give it: ``fragment``'s occurrences from the ``nth``."""
    starts, pos = [], text.find(fragment)
    while pos >= 0:
        starts.append(pos)
        pos = text.find(fragment, pos + 1)
    mentions = tuple(Mention(s, s + len(fragment), fragment, kind) for s in starts[nth:])
    return Entity(eid, etype, fragment, mentions)


def test_title_mention_resolves_to_the_named_person():
    text = ("أعلن المتحدث الرسمي للهيئة العميد سامي الحربي عن حملة جديدة. "
            "وقال المتحدث الرسمي للهيئة إن الحملة تستمر شهرا.")
    ents = (_entity("e1", "PER", text, "المتحدث الرسمي للهيئة", "title"),
            _entity("e2", "PER", text, "سامي الحربي", "name"))
    doc = analyse(text, ents)
    assert find(doc, "الحملة تستمر").speaker == "e2"


def test_generic_noun_is_never_a_person_speaker():
    text = "أعلنت شركة أرامكو نتائجها السنوية. وقالت الشركة إن الأرباح ارتفعت هذا العام."
    ents = (_entity("e1", "ORG", text, "شركة أرامكو", "name"),
            _entity("e2", "PER", text, "الشركة", "name", nth=1))  # a common word mistyped upstream
    doc = analyse(text, ents)
    assert find(doc, "الأرباح ارتفعت").speaker == "e1"
    # with nothing else to name, no speaker rather than the common word
    text = "وقالت الشركة إن الأرباح ارتفعت هذا العام."
    doc = analyse(text, (_entity("e2", "PER", text, "الشركة", "name"),))
    assert find(doc, "الأرباح ارتفعت").speaker is None


# Issue 14 (stop 19): speaking bodies are organisations; informing verbs; titles of named people.
@pytest.mark.parametrize("text,body", [
    ("أعلنت قيادة الجيش أن الوحدات انتشرت في المدينة.", "قيادة الجيش"),
    ("وقالت القيادة العامة للقوات المسلحة إن الطائرة سقطت.", "القيادة العامة للقوات المسلحة"),
    ("وأفادت خلية الإعلام الأمني بأن صاروخا سقط قرب المطار.", "خلية الإعلام الأمني"),
    ("أعلنت الحماية المدنية أن الحريق أخمد.", "الحماية المدنية"),
    ("وقال المكتب الإعلامي للرئاسة إن الزيارة ألغيت.", "المكتب الإعلامي للرئاسة"),
], ids=["army-command", "general-command", "media-cell", "civil-protection", "media-office"])
def test_a_speaking_body_is_an_organisation(text, body):
    """A speaker phrase on an organisation head noun (data-built, or a body noun of titles.json)
    names an organisation, not a person, when no earlier stage typed it."""
    doc = analyse(text)
    e = doc.entity(doc.quotes[0].speaker)
    assert e is not None and e.name == body and e.type == "ORG", e


def test_a_body_named_after_a_person_speaks_itself():
    text = "وقالت إدارة الرئيس بايدن إن الاتفاق النووي قريب."
    doc = analyse(text, (_entity("e1", "PER", text, "بايدن", "name"),))
    e = doc.entity(find(doc, "الاتفاق النووي").speaker)
    assert e is not None and e.type == "ORG" and e.name.startswith("إدارة"), e
    # not a person further on, after a verb: he is the antecedent of "الذي" (who)
    text = "وكانت المفوضية الأوروبية مذ ترأسها جان كلود يونكر الذي قال إن الخطة جاهزة."
    doc = analyse(text, (_entity("e1", "PER", text, "جان كلود يونكر", "name"),))
    assert find(doc, "الخطة جاهزة").speaker == "e1"


def test_informing_verb_takes_its_subject_not_the_addressee():
    """أبلغ/أعلم/أخبر/أفاد: the phrase after the verb is the subject, then the addressee."""
    text = "أبلغ وزير الخارجية أحمد عطاف السفير الفرنسي أن الجزائر تتمسك بموقفها."
    ents = (_entity("e1", "PER", text, "أحمد عطاف", "name"), _entity("e2", "PER", text, "السفير الفرنسي", "title"))
    assert find(analyse(text, ents), "الجزائر تتمسك").speaker == "e1"
    text = "وأبلغ ماكرون الرئيس الجزائري تبون بأن فرنسا مستعدة للحوار."
    ents = (_entity("e1", "PER", text, "ماكرون", "name"), _entity("e2", "PER", text, "تبون", "name"))
    assert find(analyse(text, ents), "فرنسا مستعدة").speaker == "e1"
    text = "أبلغت الخارجية السفير الأمريكي أن واشنطن يجب أن تعتذر."
    doc = analyse(text, (_entity("e1", "PER", text, "السفير الأمريكي", "title"),))
    q = find(doc, "واشنطن يجب")
    assert q.speaker != "e1" and doc.entity(q.speaker).name == "الخارجية"
    text = "وأعلم رئيس الجمهورية الوزير الأول بأن الحكومة ستتغير."
    q = find(analyse(text), "الحكومة ستتغير")
    assert q.speaker_mention is not None and q.speaker_mention.text == "رئيس الجمهورية"
    # a rank before the name is the subject's own ("العقيد فلان")
    text = "وأفاد العقيد ناصر الشريف المتحدث الإعلامي بالإدارة بأن الحريق أخمد."
    assert find(analyse(text, (_entity("e1", "PER", text, "ناصر الشريف", "name"),)), "الحريق").speaker == "e1"


def test_an_outlet_informed_by_a_source_is_not_the_speaker():
    """"وأفاد «سبق» مصدر مطلع": a source told the outlet (named in quotation marks first)."""
    text = "وأفاد «سبق» مصدر مطلع بأن القرار صدر أمس."
    doc = analyse(text, (_entity("e1", "ORG", text, "سبق", "name"),))
    q = find(doc, "القرار صدر")
    assert q.speaker != "e1" and q.speaker_mention is not None and q.speaker_mention.text == "مصدر مطلع"


def test_shorter_title_resolves_to_the_person_named_with_the_full_one():
    """"المتحدث باسم الوزارة" after "المتحدث باسم وزارة الخارجية فلان" is that person."""
    text = ("قال المتحدث باسم وزارة الخارجية أحمد حافظ إن القاهرة ترفض التصعيد. "
            "وأضاف المتحدث باسم الوزارة أن الاتصالات مستمرة.")
    title = _entity("e1", "PER", text, "المتحدث باسم وزارة الخارجية", "title").mentions
    name = _entity("e1", "PER", text, "أحمد حافظ", "name").mentions
    ents = (Entity("e1", "PER", "أحمد حافظ", title + name),
            _entity("e2", "PER", text, "المتحدث باسم الوزارة", "title"))
    doc = analyse(text, ents)
    assert find(doc, "القاهرة ترفض").speaker == "e1"
    assert find(doc, "الاتصالات مستمرة").speaker == "e1"


def test_title_with_the_name_in_apposition_between_commas():
    text = "وكان المتحدث باسم الحكومة، خالد الحسيني، قد أعلن أن الخطة جاهزة."
    ents = (_entity("e1", "PER", text, "المتحدث باسم الحكومة", "title"),
            _entity("e2", "PER", text, "خالد الحسيني", "name"))
    assert find(analyse(text, ents), "الخطة جاهزة").speaker == "e2"
