"""Corpus views (entity profile, who-said, quotes about, timeline, stories), their CLI commands,
exports, and the summary stage."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from corpus_helpers import corpus_docs, make_doc, speaker_docs

from khabar.cli import LAZY_COMMANDS, main
from khabar.corpus import views
from khabar.corpus.store import Store


@pytest.fixture
def store() -> Store:
    s = Store(":memory:")
    for d in corpus_docs():
        s.add_article(d)
    return s


@pytest.fixture
def db(tmp_path) -> str:
    path = tmp_path / "k.db"
    with Store(path) as s:
        for d in corpus_docs():
            s.add_article(d)
    return str(path)


def test_entity_profile(store):
    p = views.entity_profile(store, "بوتين")  # found by a name it is known by (alias/partial)
    assert p.entity.name_en == "Vladimir Putin" and p.articles == 2
    assert [(period, arts) for period, arts, _ in p.over_time] == [("2021-08", 1), ("2021-09", 1)]
    co = {e.name_en or e.name: n for e, n in p.cooccurring}
    assert co["Ebrahim Raisi"] == 2 and co["Tehran"] == 1
    assert [q.text for q in p.quotes] == ["التعاون مع إبراهيم رئيسي سيستمر", "طهران شريك مهم"]
    assert [v.type for v in p.events] == ["CONSULT", "CONSULT"]
    d = p.to_dict()
    json.dumps(d, ensure_ascii=False)
    assert d["over_time"][0] == {"period": "2021-08", "articles": 1, "mentions": 2}
    by_day = views.entity_profile(store, "Q7747", granularity="day")
    assert [x[0] for x in by_day.over_time] == ["2021-08-19", "2021-09-02"]


def test_article_and_entity_listing(store):
    assert views.article(store, "a1")["ext_id"] == "a1"
    with pytest.raises(views.NotFound):
        views.article(store, "nope")
    top = views.entities(store, limit=2)
    assert top[0].articles >= top[1].articles and top[0].articles == 2
    assert all(e.type == "LOC" for e in views.entities(store, type="LOC"))


def test_unknown_entity_is_not_found(store):
    with pytest.raises(views.NotFound, match="no entity"):
        views.entity_profile(store, "شخص غير موجود")


def test_who_said_and_quotes_about(store):
    res = views.who_said(store, "إبراهيم رئيسي")
    assert [q.text for q in res.quotes] == ["العلاقات مع روسيا استراتيجية"]
    assert views.who_said(store, "ابراهيم رئيسى").quotes == res.quotes  # spelling variants
    about = views.quotes_about_view(store, "Ebrahim Raisi")
    assert [(q.speaker.name_en, q.text) for q in about.quotes] == [("Vladimir Putin", "التعاون مع إبراهيم رئيسي سيستمر")]
    assert views.quotes(store, speaker="Q7747", date_from="2021-09-01").quotes[0].published == "2021-09-02"
    assert views.who_said(store, "أحمد الصالح").quotes[0].text == "المدرسة نموذج للتعليم"


def test_timeline(store):
    evs = views.timeline(store)
    assert [v.date for v in evs] == ["2021-08-18", "2021-09-02", "2021-09-05"]
    assert [v.trigger for v in views.timeline(store, entity="طهران")] == ["زار"]
    assert views.timeline(store, date_from="2021-09-01", date_to="2021-09-03")[0].trigger == "استقبل"
    assert views.events(store, type="consult", newest_first=True)[0].date == "2021-09-05"


def _story_doc(i: str, text: str, published: str, source: str, title: str) -> dict:
    return make_doc(i, text, published=published, source=source, title=title)


def test_stories_cluster_same_event_and_keep_others_apart():
    s = Store(":memory:")
    flood = ("اجتاحت السيول مدينة جدة بعد أمطار غزيرة وأغلقت الطرق الرئيسية وأعلن الدفاع المدني إجلاء السكان "
             "من الأحياء المنخفضة في جدة.")
    s.add_article(_story_doc("f1", flood, "2015-07-21", "a", "سيول جدة تغلق الطرق"))
    s.add_article(_story_doc("f2", flood + " وتستمر الأمطار غدا.", "2015-07-21", "b", "سيول جدة تغلق الطرق"))
    s.add_article(_story_doc("f3", "الدفاع المدني يواصل إجلاء السكان بعد السيول التي اجتاحت جدة وأغلقت الطرق "
                                   "إثر الأمطار الغزيرة.", "2015-07-22", "c", "إجلاء السكان بعد سيول جدة"))
    s.add_article(_story_doc("o1", "فاز النادي الأهلي على الهلال في مباراة الدوري بهدفين مقابل هدف.",
                             "2015-07-21", "a", "الأهلي يفوز على الهلال"))
    s.add_article(_story_doc("late", flood + " تقرير.", "2015-09-30", "d", "سيول جدة تغلق الطرق"))
    from khabar.analysis.summary import SummaryStage  # give the articles topics, as the pipeline would
    from khabar.analysis.text.stage import Segmenter
    from khabar.model import Document

    stage, seg = SummaryStage(), Segmenter()
    for a in list(s.iter_articles()):
        doc = stage(seg(Document(id=a["ext_id"], text=a["text"], title=a["title"], published=a["published"],
                                 source=a["source"])))
        s.add_article(doc.to_dict(), replace=True)
    sts = views.stories(s, window_days=2)
    assert len(sts) == 1
    st = sts[0]
    assert {a.id for a in st.articles} == {s.get_article(x)["id"] for x in ("f1", "f2", "f3")}
    assert "جدة" in st.title and st.sources == ("a", "b", "c") and st.date_from == "2015-07-21"
    assert st.to_dict()["size"] == 3
    assert views.stories(s, date_from="2015-09-01") == []  # one article alone is not a story


def test_stories_do_not_chain_unrelated_articles():
    # Each article shares one topic with the next (cosine 0.5), none with any other (cosine 0):
    # single link chained all seven into one story whose ends have nothing in common.
    words = ["سيول", "أمطار", "طرق", "إجلاء", "مدارس", "رياح", "كهرباء", "مطار"]  # floods, rain, roads, ...
    s = Store(":memory:")
    for i in range(7):
        d = _story_doc(f"c{i}", f"خبر رقم {i} عن {words[i]} و{words[i + 1]}.", "2015-07-21", "a", None)
        d["topics"] = [{"label": words[i], "score": 1.0}, {"label": words[i + 1], "score": 1.0}]
        s.add_article(d)
    sts = views.stories(s, window_days=2)
    assert sts and max(st.size for st in sts) == 2
    for st in sts:  # every member is similar to its story, not only to a neighbour
        assert all(a.similarity >= 0.45 for a in st.articles)
    # a pair and its common neighbour: the third joins only if it is similar to both on average
    assert views.stories(s, window_days=2, cohesion=0.2)[0].size == 3


def test_html_entities_in_titles_do_not_make_a_story():
    # Scraped titles keep &quot;: two unrelated articles (a prison, a bank machine) share only it.
    s = Store(":memory:")
    for i, (topic, title) in enumerate([("سجين", "&quot;الحميد&quot;: &quot;سجين&quot; &quot;المليون&quot;"),
                                        ("صراف", "&quot;روضة&quot;: أجهزة &quot;الصراف&quot; &quot;معطلة&quot;")]):
        d = _story_doc(f"h{i}", f"خبر رقم {i} عن {topic}.", "2015-07-21", "a", title)
        d["topics"] = [{"label": topic, "score": 1.0}]
        s.add_article(d)
    assert views.stories(s) == []


def test_summary_stage_picks_key_sentences_and_topics():
    from khabar.service import analyze_text

    text = ("أعلنت الحكومة اليوم خطة جديدة لدعم الزراعة في المناطق الريفية. "
            "وتشمل الخطة قروضا ميسرة للمزارعين وتوزيع البذور المحسنة على المزارعين. "
            "وقال وزير الزراعة إن الخطة ستزيد إنتاج القمح. "
            "وكان الطقس معتدلا في العاصمة. "
            "ويأمل المزارعون أن تصل القروض قبل موسم الزراعة.")
    doc = analyze_text(text)
    assert 1 <= len(doc.summary) <= 3 and list(doc.summary) == sorted(doc.summary)
    assert 0 in doc.summary and 3 not in doc.summary  # the lead, not the weather
    labels = [t.label for t in doc.topics]
    assert any("مزارع" in lb for lb in labels) and any("زراع" in lb for lb in labels)
    scores = [t.score for t in doc.topics]
    assert scores == sorted(scores, reverse=True) and all(0 < x <= 1 for x in scores)
    assert not any(lb in ("في", "اليوم", "قال") for lb in labels)  # function words are not topics
    d = doc.to_dict()
    assert d["summary"] == list(doc.summary) and d["topics"][0]["label"] == labels[0]


def test_summary_is_the_last_default_stage():
    from khabar.analysis.pipeline import default_stages

    assert default_stages()[-1] == "summary"


# --------------------------------------------------------------------------- CLI

def run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.output


def test_every_corpus_command_is_registered_and_documented():
    for name in ("ingest", "reindex", "search", "entity", "who-said", "quotes-about", "timeline", "stories",
                 "export", "stats"):
        assert name in LAZY_COMMANDS
        code, out = run(name, "--help")
        assert code == 0 and "--db" in out and len(out) > 200, name


def test_cli_search(db):
    code, out = run("search", "مدرسه", "--db", db)
    assert code == 0 and "2 articles match" in out
    code, out = run("search", "بوتين", "--db", db, "--format", "json", "--from", "2021-09-01")
    page = json.loads(out)
    assert code == 0 and page["total"] == 1 and page["hits"][0]["ext_id"] == "a2"
    code, out = run("search", "(((", "--db", db)
    assert code == 2 and out.startswith("khabar: error E302: ") and "Traceback" not in out
    code, out = run("search", "x", "--db", db, "--from", "2021-13-01")
    assert code == 2
    code, out = run("search", "x", "--db", db + ".missing")
    assert code == 2 and "no such database" in out


def test_cli_views(db):
    code, out = run("entity", "Vladimir Putin", "--db", db)
    assert code == 0 and "2 articles" in out and "Ebrahim Raisi" in out
    code, out = run("entity", "Q7747", "--db", db, "--format", "json")
    assert code == 0 and json.loads(out)["entity"]["kb_id"] == "Q7747"
    code, out = run("who-said", "رئيسي", "--db", db)
    assert code == 0 and "العلاقات مع روسيا استراتيجية" in out
    code, out = run("quotes-about", "طهران", "--db", db, "--format", "json")
    assert code == 0 and [q["text"] for q in json.loads(out)["quotes"]] == ["طهران شريك مهم"]
    code, same = run("quotes", "--about", "طهران", "--db", db, "--format", "jsonl")
    assert code == 0 and json.loads(same) == json.loads(out)
    code, out = run("quotes", "x.txt", "--about", "طهران", "--db", db)
    assert code == 2 and "not both" in out
    code, out = run("timeline", "--db", db, "--entity", "Q7747")
    assert code == 0 and "2 events" in out
    code, out = run("stories", "--db", db, "--format", "json")
    assert code == 0 and isinstance(json.loads(out), list)
    code, out = run("who-said", "لا أحد هنا", "--db", db)
    assert code == 2 and "no entity matches" in out


def test_cli_export_all_formats(db, tmp_path):
    import pyarrow.parquet as pq

    for fmt in ("jsonl", "csv", "parquet"):
        out_dir = tmp_path / fmt
        code, out = run("export", "--db", db, "--format", fmt, "--out", str(out_dir),
                        "--tables", "articles,entities,quotes,events,gdelt,mentions,timexes,analyses")
        assert code == 0, out
    rows = [json.loads(x) for x in (tmp_path / "jsonl" / "gdelt.jsonl").read_text(encoding="utf-8").splitlines()]
    first = rows[0]
    assert first["SQLDATE"] == 20210818 and first["EventCode"] == "041" and first["EventRootCode"] == "04"
    assert first["QuadClass"] == 1 and first["Actor1Name"] == "Ebrahim Raisi" and first["Actor2Code"] == "Q7747"
    analyses = (tmp_path / "jsonl" / "analyses.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(analyses[0])["schema"] == "khabar.article/1"
    with (tmp_path / "csv" / "quotes.csv").open(encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 4
    table = pq.read_table(tmp_path / "parquet" / "events.parquet")
    assert table.num_rows == 3 and "actor1_en" in table.column_names
    assert pq.read_table(tmp_path / "parquet" / "articles.parquet").column("id").type == "string"
    code, out = run("export", "--db", db, "--tables", "nope", "--out", str(tmp_path / "x"))
    assert code == 2 and "unknown table" in out


def test_export_of_empty_tables_keeps_the_columns(tmp_path):
    import pyarrow.parquet as pq

    from khabar.corpus.export import export

    s = Store(":memory:")
    export(s, tmp_path / "p", fmt="parquet", tables=["events", "gdelt"])
    export(s, tmp_path / "c", fmt="csv", tables=["quotes"])
    assert "actor1_en" in pq.read_table(tmp_path / "p" / "events.parquet").column_names
    assert pq.read_table(tmp_path / "p" / "gdelt.parquet").schema.field("SQLDATE").type == "int64"
    assert (tmp_path / "c" / "quotes.csv").read_text(encoding="utf-8").startswith("id,article_id")


def test_most_quoted_counts_only_named_people_and_organisations():
    s = Store(":memory:")
    for d in speaker_docs():
        s.add_article(d)
    top = views.most_quoted(s, 10)
    assert [(sc.entity.name, sc.quotes) for sc in top] == [("سلمى الحربي", 3), ("رابطة الصيادين", 1)]
    assert top[0].to_dict()["count"] == 3 and top[0].to_dict()["type"] == "PER"
    assert views.most_quoted(s, 1) == top[:1]


@pytest.mark.parametrize(("name", "generic"), [
    ("لي", True), ("التقرير", True), ("المصادر", True), ("الشركة", True), ("الوزارة", True), ("عدم", True),
    ("سلمى الحربي", False), ("لي كه تشيانغ", False), ("وزارة الصحة", False), ("رويترز", False),
])
def test_generic_names_are_told_from_real_ones(name, generic):
    assert views.is_generic_name(name) is generic
