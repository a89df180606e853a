"""Quotation kinds common outside the outlets the rules were first written for (issue 14): stance
nouns as the reported object, object-complement cues, participles after a clause, spans that stop at
the closing mark, direct speech without marks. Every sentence here was written for these tests."""

from __future__ import annotations

from khabar.analysis.pipeline import Pipeline
from khabar.analysis.quotes import QuoteStage
from khabar.model import Document

SEGMENT = Pipeline.build(["segment"])
STAGE = QuoteStage()


def analyse(text: str) -> Document:
    doc = STAGE(SEGMENT(Document(id="t", text=text)))
    doc.to_dict()  # span invariant
    return doc


def only(doc: Document):
    assert len(doc.quotes) == 1, [q.text for q in doc.quotes]
    return doc.quotes[0]


def mention(q) -> str | None:
    return q.speaker_mention.text if q.speaker_mention else None


def test_stance_noun_after_the_subject_is_the_reported_object():
    q = only(analyse("وأبدى رئيس الوزراء التونسي استعداده للحوار مع النقابات حول الزيادة في الأجور."))
    assert q.text == "استعداده للحوار مع النقابات حول الزيادة في الأجور"
    assert mention(q) == "رئيس الوزراء التونسي"
    q = only(analyse("وجدد الرئيس اللبناني تأكيده على ضرورة تشكيل حكومة جديدة في أقرب وقت ممكن."))
    assert q.cue.text == "وجدد" and q.text.startswith("تأكيده على ضرورة تشكيل حكومة")
    assert mention(q) == "الرئيس اللبناني"
    q = only(analyse("وكرر وزير الخارجية المصري رفضه القاطع لأي تدخل أجنبي في الشؤون الليبية."))
    assert q.text.startswith("رفضه القاطع") and mention(q) == "وزير الخارجية المصري"
    q = only(analyse("وأكدت الوزيرة دعمها الكامل لمبادرة تمكين المرأة في المناطق الريفية."))
    assert q.text.startswith("دعمها الكامل") and mention(q) == "الوزيرة"


def test_renewing_a_contract_is_not_a_report():
    assert analyse("وجدد النادي عقده مع المدرب لموسمين إضافيين بعد نهاية البطولة.").quotes == ()


def test_object_complement_cues_report_their_object():
    q = only(analyse("التمست النيابة العامة تشديد العقوبة في حق المتهمين الثلاثة."))
    assert q.text == "تشديد العقوبة في حق المتهمين الثلاثة" and mention(q) == "النيابة العامة"
    q = only(analyse("وانتقد النائب المستقل أداء الحكومة في ملف الكهرباء خلال جلسة البرلمان."))
    assert q.text.startswith("أداء الحكومة في ملف الكهرباء") and mention(q) == "النائب المستقل"
    q = only(analyse("ورحب الاتحاد الأوروبي بقرار الحكومة الإفراج عن عدد من المعتقلين."))
    assert q.text == "قرار الحكومة الإفراج عن عدد من المعتقلين" and mention(q) == "الاتحاد الأوروبي"
    q = only(analyse("ونددت الحركة بأشد العبارات بالهجوم على مقر الصحيفة في العاصمة."))
    assert q.text == "الهجوم على مقر الصحيفة في العاصمة" and mention(q) == "الحركة"


def test_welcoming_people_is_not_a_report():
    assert analyse("وفي بداية اللقاء رحب المدير بالضيوف القادمين من السنغال.").quotes == ()
    assert analyse("ورحب محافظ المدينة بالحضور في حفل الافتتاح.").quotes == ()


def test_feminine_participle_after_a_clause_takes_the_clause_subject():
    q = only(analyse("وأصدرت وزارة الصحة بيانا حول الوضع الوبائي، مبرزة أن عدد الإصابات تراجع خلال الأسبوع الماضي."))
    assert q.cue.text == "مبرزة" and q.text == "عدد الإصابات تراجع خلال الأسبوع الماضي"
    assert mention(q) == "وزارة الصحة"
    doc = analyse("وقال الوزير خالد العمري إن المعبر سيفتح غدا أمام المسافرين. "
                  "وألقت الوزيرة نادية العبيدي كلمة في الافتتاح، مشيرة إلى أن التمويل سيرتفع العام المقبل.")
    second = [q for q in doc.quotes if q.cue.text == "مشيرة"]
    assert second and second[0].text == "التمويل سيرتفع العام المقبل"
    assert (mention(second[0]) or "").startswith("الوزيرة")  # the woman who spoke, not the minister before
    assert second[0].speaker != doc.quotes[0].speaker


def test_participles_without_a_comma_before_the_complementizer():
    doc = analyse("واعتبرت الهيئة أن الانتخابات جرت في ظروف جيدة مؤكدة أن نسبة المشاركة فاقت التوقعات.")
    assert [q.text for q in doc.quotes] == ["الانتخابات جرت في ظروف جيدة", "نسبة المشاركة فاقت التوقعات"]
    doc = analyse("وقال المسؤولون إن الطريق سيفتح قريبا مؤكدين أن الأشغال ستنتهي في الموعد المحدد.")
    assert [q.text for q in doc.quotes] == ["الطريق سيفتح قريبا", "الأشغال ستنتهي في الموعد المحدد"]
    assert doc.quotes[0].speaker == doc.quotes[1].speaker is not None
    # a verbal noun after a noun is no cue (متابعة 'follow-up' and the like stay out)
    assert analyse("وتتواصل متابعة الملف من قبل اللجنة المختصة في المحافظة.").quotes == ()


def test_quotation_ends_at_its_closing_mark_before_an_attribution():
    q = only(analyse('وقال الوزير إن "الحكومة لن تتراجع عن الإصلاحات مهما كانت الضغوط" '
                     "وفق ما نقلته وكالة الأنباء الرسمية."))
    assert q.text == "الحكومة لن تتراجع عن الإصلاحات مهما كانت الضغوط" and q.cue.text == "وقال"
    q = only(analyse('وقال المتحدث إن "الوضع تحت السيطرة تماما في المنطقة" في مقابلة مع قناة محلية.'))
    assert q.text == "الوضع تحت السيطرة تماما في المنطقة"
    q = only(analyse("وقال القائد إنه «حدث جزئي عارض»، وإن تلك «التطورات يعتبرها الآخرون مكسبا»، "
                     "وهو ما فسره مراقبون بأنه اعتراف بالهزيمة."))
    assert q.text.endswith("مكسبا»") and "فسره" not in q.text
    doc = analyse('وقالت الناطقة إن "المفاوضات ستستأنف الأسبوع المقبل في جنيف" مؤكدة أن الوفد جاهز للسفر.')
    assert [q.text.strip('"') for q in doc.quotes] == ["المفاوضات ستستأنف الأسبوع المقبل في جنيف", "الوفد جاهز للسفر"]


def test_direct_speech_without_marks_or_colon_opens_in_the_first_person():
    q = only(analyse("وقال الوزير نحن لن نقبل بأي حل لا يضمن حقوق الشعب كاملة."))
    assert q.kind == "direct" and q.text == "نحن لن نقبل بأي حل لا يضمن حقوق الشعب كاملة"
    assert mention(q) == "الوزير"
    q = only(analyse("وقال رئيس البلدية\nنحن نعمل ليلا ونهارا من أجل إعادة الكهرباء إلى كل الأحياء."))
    assert q.kind == "direct" and q.text.startswith("نحن نعمل ليلا ونهارا")
    assert mention(q) == "رئيس البلدية"
    assert analyse("وقال رئيس البلدية\nوتتواصل الأشغال في الحي منذ أسبوع دون توقف.").quotes == ()


def test_condemning_reports_its_object_but_a_court_convicting_does_not():
    q = only(analyse("وأدانت جامعة الدول العربية بشدة التفجير الإرهابي الذي استهدف سوقا شعبية في بغداد."))
    assert q.text.startswith("التفجير الإرهابي") and mention(q) == "جامعة الدول العربية"
    assert analyse("وكانت المحكمة الابتدائية قد أدانت المتهم بتهمة الاحتيال على عدد من المواطنين.").quotes == ()
    assert analyse("ورحبت السفارة بالمواطنين الراغبين في العودة إلى البلاد.").quotes == ()


def test_speech_in_the_paragraph_after_its_cue():
    q = only(analyse("وقال الوزير:\nنحن لن نقبل بأي حل لا يضمن حقوق الشعب كاملة."))
    assert q.kind == "direct" and q.text == "نحن لن نقبل بأي حل لا يضمن حقوق الشعب كاملة"
    q = only(analyse("وقال الناطق باسم الحكومة\nإن القرار سيدخل حيز التنفيذ الأسبوع المقبل."))
    assert q.kind == "indirect" and q.text == "القرار سيدخل حيز التنفيذ الأسبوع المقبل"
    assert mention(q) == "الناطق باسم الحكومة"
    q = only(analyse("وقال رئيس الجمهورية في خطاب متلفز مساء الأحد نحن لن نتراجع عن مسار الإصلاح مهما كانت الضغوط."))
    assert q.kind == "direct" and q.text.startswith("نحن لن نتراجع") and mention(q) == "رئيس الجمهورية"


def test_participles_used_as_adjectives_and_passives_with_a_date_are_no_reports():
    assert analyse("وسجلت السلطات الصحية 250 حالة مؤكدة على الأقل في المنطقة الشرقية.").quotes == ()
    assert analyse("وعرض الفنان لوحات معبرة عن الحياة اليومية في القرية القديمة.").quotes == ()
    assert analyse("وإن صدقنا هذا التفسير، فمرحبا بالشاعر الذي يهبنا مثل هذه الصور الجميلة.").quotes == ()
    doc = Pipeline.build(["segment", "timexes"])(Document(id="t", text="وناقش البرلمان الاتفاق الذي أعلن الثلاثاء الماضي."))
    assert STAGE(doc).quotes == ()
