"""Speaker errors seen on the tuning set (issue 14): reports relayed by a medium, compound military
ranks before a name, attributions with وفق/حسب/بحسب/طبقا ل before or after the content, and a
named person after a title and a comma. Every sentence here was written for these tests."""

from __future__ import annotations

from test_quotes_outlets import analyse, mention, only  # the quotes stage alone, and its helpers

from khabar.analysis.pipeline import Pipeline
from khabar.model import Document

FULL = Pipeline.build(None)


def analyse_full(text: str) -> Document:
    doc = FULL(Document(id="t", text=text))
    doc.to_dict()
    return doc


def speaker_name(doc: Document, q) -> str | None:
    return next((e.name for e in doc.entities if e.id == q.speaker), None)


def test_relayed_report_is_the_source_s_not_the_medium_s():
    q = only(analyse("ونقلت وكالة تاس عن وزارة الدفاع الروسية قولها إن قواتها أسقطت ثلاث طائرات مسيرة."))
    assert mention(q) == "وزارة الدفاع الروسية" and q.text == "قواتها أسقطت ثلاث طائرات مسيرة"
    q = only(analyse("وذكرت صحيفة هآرتس نقلا عن متحدث باسم الشرطة أن التحقيق في الحادث ما زال جاريا."))
    assert mention(q) == "متحدث باسم الشرطة"
    q = only(analyse("ونقلت وكالة رويترز عن مسؤول في الوزارة قوله إن المفاوضات ستستأنف الأسبوع المقبل."))
    assert mention(q) == "مسؤول"
    # the imperfect and a plural source: 'farmers relay from traders their saying that ...'
    q = only(analyse("وينقل مزارعون عن تجار في السوق قولهم إن الأسعار ستواصل الارتفاع حتى نهاية الموسم."))
    assert mention(q) == "تجار في السوق" and q.text.startswith("الأسعار ستواصل")
    doc = analyse_full("ونقلت صحيفة الغارديان عن الوزير أحمد سالم قوله إن الحكومة لن تتراجع عن قرارها.")
    assert speaker_name(doc, only(doc)) == "أحمد سالم"


def test_relay_after_the_content_is_the_source_s():
    q = only(analyse("ارتفعت أسعار الطحين في الأسواق المحلية بنسبة كبيرة، وفق ما نقلته وكالة الأناضول عن تاجر في السوق."))
    assert mention(q) == "تاجر في السوق"
    assert q.text == "ارتفعت أسعار الطحين في الأسواق المحلية بنسبة كبيرة"


def test_a_plain_report_by_a_medium_keeps_the_medium():
    q = only(analyse("وذكرت صحيفة الأهرام أن الحكومة تدرس رفع أسعار الوقود خلال الشهر المقبل."))
    assert mention(q) == "صحيفة الأهرام"


def test_compound_rank_belongs_to_the_title_not_the_name():
    doc = analyse_full("أكد اللواء أركان حرب طارق عبدالمنعم شلبي، نائب رئيس الهيئة، أن الملاحة في القناة "
                       "تسير بصورة طبيعية.")
    assert speaker_name(doc, only(doc)) == "طارق عبدالمنعم شلبي"
    assert all("أركان" not in e.name for e in doc.entities)
    doc = analyse_full("وقال العميد الركن سامر حسين الخطيب إن القوات استعادت السيطرة على الطريق الدولي.")
    assert speaker_name(doc, only(doc)) == "سامر حسين الخطيب"


def test_according_to_before_the_content():
    q = only(analyse("وحسب معطيات وزارة الصحة، ارتفع عدد الإصابات بالحمى إلى 340 حالة خلال الأسبوع الماضي."))
    assert q.cue.text == "وحسب" and mention(q) == "معطيات وزارة الصحة"
    assert q.text == "ارتفع عدد الإصابات بالحمى إلى 340 حالة خلال الأسبوع الماضي"
    doc = analyse_full("وحسب معطيات وزارة الصحة، ارتفع عدد الإصابات بالحمى إلى 340 حالة خلال الأسبوع الماضي.")
    assert speaker_name(doc, only(doc)) == "وزارة الصحة"


def test_according_to_after_the_content():
    q = only(analyse("وتراجعت صادرات الحمضيات بنسبة 12 في المئة خلال الموسم الماضي، وفق ما أفاد به مصدر أمني."))
    assert mention(q) == "مصدر أمني" and q.text.startswith("وتراجعت صادرات الحمضيات")
    q = only(analyse("وقتل في الاشتباكات أكثر من 40 شخصا (وفق معطيات الأمم المتحدة)."))
    assert q.cue.text == "وفق" and mention(q) == "معطيات الأمم المتحدة"
    assert q.text.startswith("وقتل في الاشتباكات أكثر من 40 شخصا")
    # the narrator's يذكر أن ('it is worth noting that') is no part of the reported clause
    q = only(analyse("ويذكر أن الدورة الماضية للمعرض استقطبت أكثر من مئة ألف زائر، بحسب إحصاءات اللجنة المنظمة."))
    assert q.text == "الدورة الماضية للمعرض استقطبت أكثر من مئة ألف زائر"


def test_named_person_after_a_title_and_a_comma_speaks():
    q = only(analyse("وقال عالم المناخ في جامعة ريدينغ، البروفيسور ريتشارد آلان، إن موجات الحر ستصبح أكثر تكرارا."))
    assert mention(q) == "البروفيسور ريتشارد آلان"
    doc = analyse_full("وقالت المسؤولة في منظمة الصحة العالمية، الدكتورة كاثرين أوبراين، إن اللقاحات متاحة للجميع.")
    q = only(doc)
    assert mention(q) == "الدكتورة كاثرين أوبراين" and speaker_name(doc, q) == "كاثرين أوبراين"
    # a comma after the title and no name: the title still speaks
    q = only(analyse("وقال المتحدث باسم الوزارة، في مؤتمر صحفي، إن الاجتماع سيعقد غدا."))
    assert mention(q) == "المتحدث باسم الوزارة"
