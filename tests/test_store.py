"""The SQLite store: migrations, idempotent writes, merged entities, Arabic-aware search."""

from __future__ import annotations

import sqlite3

import pytest
from corpus_helpers import corpus_docs, make_doc
from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.analysis.text.normalize import normalize
from khabar.corpus.store import MIGRATIONS, QueryError, Store, StoreError, event_date, parse_query
from khabar.io import article_id


@pytest.fixture
def store() -> Store:
    s = Store(":memory:")
    for d in corpus_docs():
        assert s.add_article(d, pipeline_version="test")
    return s


def test_migrations_are_recorded_and_not_reapplied(tmp_path):
    path = tmp_path / "k.db"
    s = Store(path)
    rows = s.conn.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
    assert [r[0] for r in rows] == [m[0] for m in MIGRATIONS]
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    s.close()
    s = Store(path)
    assert s.migrate() == []
    s.close()


def test_newer_schema_and_missing_or_foreign_files_are_clear_errors(tmp_path):
    path = tmp_path / "k.db"
    s = Store(path)
    s.conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', 0)")
    s.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)
    with pytest.raises(StoreError, match="no such database"):
        Store(tmp_path / "missing.db", create=False)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a khabar database"):
        Store(junk)


def test_add_is_idempotent_by_content_and_keeps_the_external_id(store):
    d = corpus_docs()[0]
    assert store.count_articles() == 3
    assert not store.add_article(d)
    assert not store.add_article({**d, "id": "another-name"})  # same text, another file name
    assert store.count_articles() == 3
    cid = article_id(d["text"])
    got = store.get_article("a1")
    assert got is not None and got["id"] == cid and got["ext_id"] == "a1"
    assert store.get_article(cid)["text"] == d["text"]
    # the stored analysis is the analysis that was given
    for k in ("entities", "quotes", "timexes", "events", "title", "published", "source"):
        assert got[k] == d[k]


def test_replace_rewrites_annotations_without_duplicates(store):
    d = corpus_docs()[0]
    before = store.stats()
    assert store.add_article(d, replace=True, pipeline_version="v2")
    after = store.stats()
    assert (after.quotes, after.events, after.timexes, after.entities) == \
        (before.quotes, before.events, before.timexes, before.entities)
    assert after.pipeline_versions == {"test": 2, "v2": 1}


def test_entities_merge_by_kb_id_and_normalised_name(store):
    putin = store.resolve_entity("Vladimir Putin")
    assert len(putin) == 1 and putin[0].articles == 2 and putin[0].kb_id == "Q7747"
    raisi = store.resolve_entity("Q5932580")  # e1 in one article, e9 in another: one entity
    assert len(raisi) == 1 and raisi[0].articles == 2
    # spelling variants of the same name are one entity
    s = Store(":memory:")
    s.add_article(make_doc("x", "قال أحمد كلاما.", entities=[{"id": "e1", "type": "PER", "name": "أحمد",
                                                            "surfaces": ["أحمد"]}]))
    s.add_article(make_doc("y", "وصل احمد أمس.", entities=[{"id": "e1", "type": "PER", "name": "احمد",
                                                          "surfaces": ["احمد"]}]))
    ents = s.resolve_entity("أحمد")
    assert len(ents) == 1 and ents[0].articles == 2


@pytest.mark.parametrize("query, expected", [
    ("احمد", {"a3"}),  # bare alef finds hamza-alef
    ("أحمد", {"a3"}),
    ("مدرسه", {"a2", "a3"}),  # haa finds taa marbuta, with or without the article
    ("المدرسة", {"a2", "a3"}),
    ("للمدرسة", {"a2", "a3"}),  # clitics on the query word are dropped too
    ("بوتين", {"a1", "a2"}),
    ('"الرئيس الروسي"', {"a1", "a2"}),
    ("بوتين -موسكو", {"a1"}),
    ("موسكو OR طهران", {"a1", "a2", "a3"}),
    ("بوت*", {"a1", "a2"}),
    ("كلمةغيرموجودة", set()),
])
def test_search_is_arabic_aware(store, query, expected):
    page = store.search(query, limit=50)
    assert {h.ext_id for h in page.hits} == expected
    assert page.total == len(expected)


def test_snippets_highlight_the_matches(store):
    page = store.search("مدرسه")
    for hit in page.hits:
        assert hit.snippet.highlights
        for s, e in hit.snippet.highlights:
            assert "مدرس" in normalize(hit.snippet.text[s:e]).text


def test_search_filters(store):
    assert {h.ext_id for h in store.search("بوتين", date_from="2021-09-01").hits} == {"a2"}
    assert {h.ext_id for h in store.search("بوتين", date_to="2021-08-19").hits} == {"a1"}
    assert {h.ext_id for h in store.search("بوتين", source="agency-a").hits} == {"a1"}
    assert {h.ext_id for h in store.search("", entity="طهران").hits} == {"a1", "a3"}
    assert store.search("", limit=2).total == 3
    with pytest.raises(QueryError, match="no entity"):
        store.search("بوتين", entity="لا أحد")


@pytest.mark.parametrize("query", ['"', "(((", "AND", "NOT", "*", "-", "NEAR(", "a:b", "^x", "'", "title:x",
                                   '"unbalanced', "x OR", "OR OR", "\x00", "؟؟؟", "-بوتين"])
def test_malformed_queries_never_crash(store, query):
    try:
        page = store.search(query)
    except QueryError as exc:
        assert str(exc)
    else:
        assert page.total >= 0


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_query_is_a_result_or_a_clear_error(query):
    s = _shared_store()
    try:
        s.search(query)
    except QueryError:
        pass
    except sqlite3.Error as exc:  # pragma: no cover - the failure this test looks for
        pytest.fail(f"SQLite error for {query!r}: {exc}")


_STORE: list[Store] = []


def _shared_store() -> Store:
    if not _STORE:
        s = Store(":memory:")
        for d in corpus_docs():
            s.add_article(d)
        _STORE.append(s)
    return _STORE[0]


def test_parse_query_quotes_every_term():
    assert parse_query('بوتين "الرئيس الروسي" -موسكو').fts == '"بوتين" AND "رييس روسي" NOT "موسكو"'
    with pytest.raises(QueryError):
        parse_query("  ((  ")


def test_quotes_by_speaker_and_about_an_entity(store):
    putin = store.resolve_entity("Q7747")[0].id
    raisi = store.resolve_entity("Q5932580")[0].id
    said = store.quotes(speaker=[putin])
    assert [q.text for q in said] == ["التعاون مع إبراهيم رئيسي سيستمر", "طهران شريك مهم"]  # newest first
    about = store.quotes(about=[raisi])
    assert [q.text for q in about] == ["التعاون مع إبراهيم رئيسي سيستمر"]
    assert about[0].speaker is not None and about[0].speaker.name_en == "Vladimir Putin"


def test_events_dates_come_from_timexes(store):
    evs = store.events()
    assert [v.date for v in evs] == ["2021-08-18", "2021-09-02", "2021-09-05"]
    assert evs[0].actor1.name_en == "Ebrahim Raisi" and evs[0].actor2.name_en == "Vladimir Putin"
    moscow = store.resolve_entity("موسكو")[0].id
    assert [v.article_id for v in store.events(actor=[moscow])] == [article_id(corpus_docs()[1]["text"])]
    assert event_date("XXXX-XX-XX", "2020-01-01") == "2020-01-01"
    assert event_date("2021-09", None) == "2021-09"


def test_delete_removes_from_search_and_tables(store):
    assert store.delete_article("a2")
    assert {h.ext_id for h in store.search("بوتين").hits} == {"a1"}
    assert store.stats().articles == 2
    assert not store.delete_article("a2")


def test_failures_are_recorded_once_per_path(store):
    store.record_failure("bad.json", None, "invalid JSON")
    store.record_failure("bad.json", None, "invalid JSON again")
    store.record_failure("x.jsonl:3", "id7", "empty")
    fs = store.failures()
    assert len(fs) == 2 and {f.reason for f in fs} == {"invalid JSON again", "empty"}


def test_readonly_store_reads(tmp_path):
    path = tmp_path / "k.db"
    with Store(path) as s:
        s.add_article(corpus_docs()[0])
    with Store(path, readonly=True) as r:
        assert r.search("بوتين").total == 1
        with pytest.raises(sqlite3.OperationalError):
            r.add_article(corpus_docs()[1])


def test_export_rows(store):
    evs = list(store.rows("events"))
    assert len(evs) == 3 and evs[0]["actor1_en"] == "Ebrahim Raisi"
    mentions = list(store.rows("mentions"))
    assert all(m["text"] for m in mentions)
    with pytest.raises(StoreError):
        list(store.rows("nope"))


def test_index_rebuild_when_word_rules_change(tmp_path):
    from khabar.corpus.ingest import reindex

    path = tmp_path / "k.db"
    with Store(path) as s:
        for d in corpus_docs():
            s.add_article(d)
        assert s.index_is_current()
        s.set_meta("index_fingerprint", "older-rules")
        assert not s.index_is_current()
        with pytest.raises(StoreError, match="reindex"):
            s.delete_article("a1")
        rep = reindex(s, workers=1, stages=("segment",))
        assert rep.index_rebuilt == 3 and s.index_is_current()
        assert s.search("مدرسه").total == 2 and s.delete_article("a1") and s.search("بوتين").total == 1


def test_unlinked_name_joins_the_linked_entity_of_that_name():
    s = Store(":memory:")
    s.add_article(make_doc("x", "اتصل فلاديمير بوتين بنظيره.", entities=[{
        "id": "e1", "type": "PER", "name": "فلاديمير بوتين", "surfaces": ["فلاديمير بوتين"], "kb_id": "Q7747"}]))
    s.add_article(make_doc("y", "قال فلاديمير بوتين كلاما.", entities=[{
        "id": "e1", "type": "PER", "name": "فلاديمير بوتين", "surfaces": ["فلاديمير بوتين"]}]))
    ents = s.resolve_entity("فلاديمير بوتين")
    assert len(ents) == 1 and ents[0].articles == 2 and ents[0].kb_id == "Q7747"


def test_only_the_store_talks_sql():
    from pathlib import Path

    import khabar

    pkg = Path(khabar.__file__).parent
    # the store and the parts it is split into (schema, writes, queries)
    store_parts = {pkg / "corpus" / f"{name}.py" for name in ("store", "schema", "writes", "queries")}
    offenders = [p.name for p in pkg.rglob("*.py") if p not in store_parts
                 and ("sqlite3" in (t := p.read_text(encoding="utf-8")) or ".conn." in t)]
    assert offenders == []
