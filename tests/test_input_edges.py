"""Input edges: how paths are found, empty and odd articles, entities, invisible characters,
dates at the ends of the calendar, batch workers and atomic output files."""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from khabar.analysis.text.normalize import normalize
from khabar.cli import main
from khabar.corpus.ingest import ingest
from khabar.corpus.store import Store
from khabar.io import InputError, iter_path
from khabar.model import Document
from khabar.service import analyze_text

ARTICLE = "قال وزير الخارجية إن المحادثات ستستمر في القاهرة."


def article(i: int) -> str:
    return f"قال المتحدث في الخبر رقم {i} إن الوفد سيصل إلى القاهرة."


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def docs_of(output: str) -> list[dict]:
    out = [json.loads(line) for line in output.splitlines() if line.strip()]
    for d in out:
        Document.from_dict(d).to_dict()  # the span invariant
    return out


def one_line_error(result, *fragments):
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert "\n" not in err and re.match(r"khabar: error E\d{3}: ", err) and "Traceback" not in err, err
    for f in fragments:
        assert f in err, err


# --- item 2: one file finder; the user's path never counts as hidden ------------------------------

def test_analyze_dotdot_directory_reads_its_articles(tmp_path, monkeypatch):
    news = tmp_path / "news"
    (news / "sub").mkdir(parents=True)
    (news / "a.txt").write_text(article(1), encoding="utf-8")
    (news / "sub" / "b.txt").write_text(article(2), encoding="utf-8")
    (news / ".hidden.txt").write_text(article(3), encoding="utf-8")  # hidden inside: skipped
    (news / ".cache").mkdir()
    (news / ".cache" / "c.txt").write_text(article(4), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    r = run("analyze", "../news", "--stages", "segment")
    assert r.exit_code == 0, r.output
    assert [d["id"] for d in docs_of(r.stdout)] == ["a", "b"]


def test_directory_under_a_dot_directory_is_read(tmp_path):
    news = tmp_path / ".local" / "news"
    news.mkdir(parents=True)
    (news / "a.txt").write_text(article(1), encoding="utf-8")
    assert [d.id for d in iter_path(news)] == ["a"]
    r = run("analyze", str(news), "--stages", "segment")
    assert r.exit_code == 0 and len(docs_of(r.stdout)) == 1


def test_ingest_dotdot_directory(tmp_path, monkeypatch):
    news = tmp_path / "news"
    news.mkdir()
    for i in (1, 2):
        (news / f"{i}.txt").write_text(article(i), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    with Store(tmp_path / "k.db") as s:
        rep = ingest(["../news"], s, workers=1, stages=("segment",))
        assert (rep.added, rep.failed) == (2, 0)


def test_one_file_finder():
    import khabar.corpus.ingest

    assert not hasattr(khabar.corpus.ingest, "list_files")  # the finder lives in khabar.io only


@pytest.mark.parametrize("setup, fragment", [
    (lambda d: None, "no article files"),  # an empty directory
    (lambda d: (d / "notes.md").write_text("x"), "no article files"),  # nothing of a known kind
    (lambda d: (d / "a.json").write_text("[]"), "no articles found"),
    (lambda d: (d / "a.jsonl").write_text("\n\n"), "no articles found"),
])
def test_a_path_without_articles_is_an_error(tmp_path, setup, fragment):
    d = tmp_path / "in"
    d.mkdir()
    setup(d)
    one_line_error(run("analyze", str(d)), fragment)


# --- item 14: empty articles are skipped with a count, by analyze and ingest alike ----------------

def test_analyze_skips_empty_articles_with_a_count(tmp_path):
    p = tmp_path / "a.jsonl"
    lines = [{"id": "x1", "content": article(1)}, {"id": "e1", "content": ""},
             {"id": "e2", "content": " \n\u200f "}, {"id": "x2", "content": article(2)}]
    p.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    r = run("analyze", str(p), "--stages", "segment")
    assert r.exit_code == 0
    assert [d["id"] for d in docs_of(r.stdout)] == ["x1", "x2"]
    assert r.stderr.strip() == "khabar: skipped 2 empty articles"


def test_ingest_skips_empty_articles_and_a_rerun_exits_0(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(article(1), encoding="utf-8")
    (d / "empty.txt").write_text("", encoding="utf-8")
    (d / "blank.txt").write_text(" \n\u200b\n", encoding="utf-8")
    db = str(tmp_path / "k.db")
    for _ in range(2):
        r = CliRunner().invoke(main, ["ingest", str(d), "--db", db, "--workers", "1", "--stages", "segment"])
        assert r.exit_code == 0, r.output
        assert "0 failed, skipped 2 empty" in r.output
    with Store(db) as s:
        assert s.count_articles() == 1 and s.failures() == []


# --- item 8a: deeply nested JSON is one bad article, the rest is read ------------------------------

DEEP = "[" * 100_000 + "]" * 100_000


def _deep_jsonl(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text("\n".join([json.dumps({"id": "g1", "content": article(1)}, ensure_ascii=False), DEEP,
                            '{"id": ' + DEEP + ', "content": "نص"}',
                            json.dumps({"id": "g2", "content": article(2)}, ensure_ascii=False)]),
                 encoding="utf-8")
    return p


def test_analyze_deep_jsonl_line_is_reported_and_the_rest_analysed(tmp_path):
    r = run("analyze", str(_deep_jsonl(tmp_path)), "--stages", "segment")
    assert r.exit_code == 1
    assert [d["id"] for d in docs_of(r.stdout)] == ["g1", "g2"]
    assert r.stderr.count("nested too deeply") == 2 and "Traceback" not in r.stderr


def test_ingest_keeps_the_lines_after_a_deep_one(tmp_path):
    with Store(tmp_path / "k.db") as s:
        rep = ingest([_deep_jsonl(tmp_path)], s, workers=1, stages=("segment",))
        assert (rep.added, rep.failed) == (2, 2)
        assert {a["ext_id"] for a in s.iter_articles()} == {"g1", "g2"}
        assert all("nested too deeply" in f.reason for f in s.failures())


def test_deep_json_file_is_a_one_line_error(tmp_path):
    p = tmp_path / "a.json"
    p.write_text(DEEP, encoding="utf-8")
    one_line_error(run("analyze", str(p)), "nested too deeply")


# --- item 8b: relative dates at the ends of the calendar -------------------------------------------

RELATIVE = "وصل الوزير أمس، ويغادر غدا، ويعود الأسبوع المقبل، ثم الشهر المقبل والعام المقبل، وبعد غد الأحد."
_VALUE = re.compile(r"(\d{4}|X{4})(-(\d{2}|XX|W\d{2}|WXX)(-(\d{2}|XX|\d))?)?(T\w+)?"  # dates, times
                    r"|[A-Z_]+REF|P\w+|\d{3}|\d{2}|XXX?")  # refs, durations, decades, centuries


@pytest.mark.parametrize("published", ["0001-01-01", "9999-12-31"])
def test_relative_dates_at_the_calendar_ends_are_unknown_not_a_crash(published):
    doc = analyze_text(RELATIVE, published=published)
    values = {t.text: t.value for t in doc.timexes}
    assert {"أمس", "غدا", "الأسبوع المقبل"} <= set(values)
    for v in values.values():
        assert _VALUE.fullmatch(v), values
    if published == "9999-12-31":  # nothing after the calendar's end is invented
        assert values["غدا"] == "XXXX-XX-XX" and values["الأسبوع المقبل"] == "XXXX-WXX"
        assert values["العام المقبل"] == "XXXX" and values["الشهر المقبل"] == "XXXX-XX"
    else:
        assert values["أمس"].startswith("XXXX") or values["أمس"] == "PAST_REF"
        assert values["غدا"] == "0001-01-02"


@pytest.mark.parametrize("published", ["0001-01-01", "9999-12-31"])
def test_relative_dates_at_the_calendar_ends_through_the_cli(tmp_path, published):
    p = tmp_path / "a.txt"
    p.write_text(RELATIVE, encoding="utf-8")
    r = run("analyze", str(p), "--published", published)
    assert r.exit_code == 0, r.output
    (d,) = docs_of(r.stdout)
    assert len(d["timexes"]) >= 3


# --- item 12a: HTML entities ----------------------------------------------------------------------

def test_json_titles_metadata_and_text_are_unescaped(tmp_path):
    rec = {"id": "x", "title": "وزير: &quot;المحادثات مستمرة&quot; &#8211; تقرير", "source": "A &amp; B",
           "url": "http://e.com/?a=1&amp;b=2", "content": "قال الوزير إن &#39;المحادثات&#39; مستمرة."}
    for name, data in (("a.json", json.dumps(rec, ensure_ascii=False)),
                       ("a.jsonl", json.dumps(rec, ensure_ascii=False) + "\n")):
        p = tmp_path / name
        p.write_text(data, encoding="utf-8")
        (d,) = docs_of(run("analyze", str(p), "--stages", "segment").stdout)
        assert d["title"] == "وزير: \"المحادثات مستمرة\" – تقرير"
        assert d["source"] == "A & B" and d["url"] == "http://e.com/?a=1&b=2"
        assert d["text"] == "قال الوزير إن 'المحادثات' مستمرة."


def test_txt_text_stays_exactly_as_read(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("قال &quot;الوزير&quot; إن AT&amp;T ستعود.", encoding="utf-8")
    (d,) = docs_of(run("analyze", str(p), "--stages", "segment").stdout)
    assert d["text"] == "قال &quot;الوزير&quot; إن AT&amp;T ستعود."


def test_a_bare_ampersand_word_is_not_an_entity(tmp_path):
    p = tmp_path / "a.json"
    p.write_text(json.dumps({"title": "R&D &copy 2015", "content": "نص"}), encoding="utf-8")
    (d,) = docs_of(run("analyze", str(p), "--stages", "segment").stdout)
    assert d["title"] == "R&D &copy 2015"


def test_saudinewsnet_titles_have_no_entities(shared):
    """In the real data, 178 sabq titles carry &quot; (a scraper artefact)."""
    from khabar.io import iter_file

    folder = shared / "data" / "news" / "saudinewsnet"
    docs = [d for f in sorted(folder.glob("*.json"))[:3] for d in iter_file(f)]
    assert len(docs) > 1000
    assert not [d.title for d in docs if d.title and re.search(r"&(#\d+|quot|amp|nbsp);", d.title)]
    assert any('"' in (d.title or "") for d in docs if d.source == "sabq")


# --- item 16: invisible format characters ---------------------------------------------------------

BASE = "قال الرئيس الروسي فلاديمير بوتين في موسكو إن المحادثات مع إيران ستستمر."
INVISIBLE = {"ZWSP": "\u200b", "ZWNJ": "\u200c", "ZWJ": "\u200d", "WJ": "\u2060", "RLM": "\u200f",
             "LRM": "\u200e", "RLO": "\u202e", "LRO": "\u202d", "PDF": "\u202c", "RLI": "\u2067",
             "PDI": "\u2069", "ALM": "\u061c", "SHY": "\u00ad", "BOM": "\ufeff"}


def _entities(text: str) -> list[tuple[str, str | None]]:
    doc = analyze_text(text, published="2021-08-19")
    doc.to_dict()  # the span invariant: every mention indexes the original text
    return sorted((e.type, e.name_en) for e in doc.entities), doc


@pytest.mark.parametrize("name", sorted(INVISIBLE))
def test_invisible_characters_inside_words_change_no_entity(name):
    ch = INVISIBLE[name]
    expected, _ = _entities(BASE)
    assert ("PER", "Vladimir Putin") in expected and ("LOC", "Moscow") in expected
    text = BASE.replace("بوتين", f"بو{ch}تين").replace("موسكو", f"مو{ch}سكو").replace("إيران", f"إي{ch}ران")
    got, doc = _entities(text)
    assert got == expected
    putin = next(e for e in doc.entities if e.name_en == "Vladimir Putin")
    assert putin.name == "فلاديمير بوتين"  # the canonical name carries no invisible character
    assert any(m.text == f"فلاديمير بو{ch}تين" for m in putin.mentions)  # the span is the original text


def test_normalize_drops_invisible_characters_and_maps_offsets_back():
    text = "مو\u2060سكو\u00ad و\u202eبو\u200bتين"
    nz = normalize(text)
    assert nz.text == "موسكو وبوتين"
    s, e = nz.span(nz.text.index("بوتين"), len(nz.text))
    assert text[s:e] == "بو\u200bتين"


def test_lone_surrogate_is_a_clear_error():
    with pytest.raises(InputError, match="lone surrogate U\\+D800 at character 4"):
        analyze_text("قال \ud800 إن")
    assert normalize("a\ud800b").text == "a\ufffdb"  # the internal copy never holds one


def test_lone_surrogate_in_json_input_is_one_bad_article(tmp_path):
    p = tmp_path / "a.jsonl"
    good = json.dumps({"id": "g", "content": article(1)})
    p.write_text('{"id": "s", "content": "\\ud800 نص"}\n' + good + "\n", encoding="utf-8")
    r = run("analyze", str(p), "--stages", "segment")
    assert r.exit_code == 1 and [d["id"] for d in docs_of(r.stdout)] == ["g"]
    assert "lone surrogate U+D800" in r.stderr and "Traceback" not in r.stderr


# --- item 18: workers, progress, atomic output ----------------------------------------------------

def _batch(tmp_path, n: int = 20):
    p = tmp_path / "batch.jsonl"
    p.write_text("\n".join(json.dumps({"id": f"a{i:02d}", "content": article(i)}, ensure_ascii=False)
                           for i in range(n)), encoding="utf-8")
    return p


def test_workers_keep_the_input_order_and_the_output(tmp_path):
    p = _batch(tmp_path)
    one = run("analyze", str(p), "--workers", "1")
    two = run("analyze", str(p), "--workers", "2")
    assert one.exit_code == two.exit_code == 0
    assert [d["id"] for d in docs_of(two.stdout)] == [f"a{i:02d}" for i in range(20)]
    assert two.stdout == one.stdout


def test_progress_only_when_asked_or_on_a_terminal(tmp_path):
    p = _batch(tmp_path, 3)
    quiet = run("analyze", str(p), "--stages", "segment")
    assert quiet.stderr == ""  # the test runner's stderr is no terminal
    loud = run("analyze", str(p), "--stages", "segment", "--progress")
    assert loud.stdout == quiet.stdout
    assert "analyze: 3 articles (0 failed, 0 empty)" in loud.stderr


def test_output_file_is_written_whole(tmp_path):
    p = _batch(tmp_path, 3)
    out = tmp_path / "out.jsonl"
    r = run("analyze", str(p), "--stages", "segment", "-o", str(out))
    assert r.exit_code == 0 and r.stdout == ""
    assert [d["id"] for d in docs_of(out.read_text(encoding="utf-8"))] == ["a00", "a01", "a02"]
    assert sorted(os.listdir(tmp_path)) == ["batch.jsonl", "out.jsonl"]  # no temporary file left


def test_an_error_leaves_no_half_output_file(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.json").write_text("[]", encoding="utf-8")
    one_line_error(run("analyze", str(d), "-o", str(out)), "no articles found")
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(os.listdir(tmp_path)) == ["in", "out.jsonl"]


def test_an_interrupted_batch_leaves_no_output_file(tmp_path, monkeypatch):
    import khabar.service

    real = khabar.service._analyze_chunk
    calls = []

    def interrupted(docs, stages):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(docs, stages)

    monkeypatch.setattr(khabar.service, "_analyze_chunk", interrupted)
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(main, ["analyze", str(_batch(tmp_path, 5)), "--stages", "segment",
                                  "--workers", "1", "-o", str(out)])
    assert r.exit_code == 130
    assert sorted(os.listdir(tmp_path)) == ["batch.jsonl"]


def test_output_into_a_missing_folder_is_a_one_line_error(tmp_path):
    p = _batch(tmp_path, 1)
    one_line_error(run("analyze", str(p), "-o", str(tmp_path / "no" / "out.jsonl")), "cannot write")


def test_pretty_output_to_a_file(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "report.txt"
    r = run("analyze", str(p), "--format", "pretty", "-o", str(out))
    assert r.exit_code == 0 and "\x1b[" not in out.read_text(encoding="utf-8")
    assert "a" in out.read_text(encoding="utf-8")


def test_gz_batch_with_workers(tmp_path):
    p = tmp_path / "b.jsonl.gz"
    p.write_bytes(gzip.compress(_batch(tmp_path, 12).read_bytes()))
    r = run("analyze", str(p), "--workers", "2", "--stages", "segment")
    assert r.exit_code == 0 and len(docs_of(r.stdout)) == 12


def test_api_unescapes_like_json_input_and_refuses_lone_surrogates(monkeypatch):
    pytest.importorskip("fastapi")
    import warnings

    with warnings.catch_warnings():  # starlette's TestClient deprecation, as in test_api.py
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from khabar.web.api import create_app
    from khabar.web.corpus import WebCorpus

    monkeypatch.delenv("KHABAR_API_TOKEN", raising=False)
    corpus = WebCorpus(":memory:")
    client = TestClient(create_app(corpus=corpus), raise_server_exceptions=False)
    r = client.post("/v1/analyze", json={"text": "قال الوزير إن &quot;المحادثات&quot; مستمرة.",
                                         "title": "عنوان &quot;مقتبس&quot;"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["title"] == 'عنوان "مقتبس"' and d["text"] == 'قال الوزير إن "المحادثات" مستمرة.'
    r = client.post("/v1/articles", json={"text": article(1), "source": "A &amp; B", "title": "&#39;x&#39;"})
    assert r.status_code == 201, r.text
    stored = client.get(f"/v1/articles/{r.json()['id']}").json()
    assert stored["source"] == "A & B" and stored["title"] == "'x'"
    r = client.post("/v1/analyze", content='{"text": "\\ud800 نص"}'.encode(),
                    headers={"content-type": "application/json"})
    assert r.status_code == 422 and "body.text" in r.text  # pydantic refuses it before our check
    corpus.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forked workers inherit the patched function")
def test_a_dying_worker_fails_its_articles_not_the_batch(tmp_path, monkeypatch):
    import khabar.service

    real, parent = khabar.service._analyze_chunk, os.getpid()

    def dying(docs, stages):
        if os.getpid() != parent and any(d.id == "a05" for d in docs):
            os._exit(1)  # a worker killed mid-batch (out of memory, kill -9)
        return real(docs, stages)

    dying.__module__, dying.__qualname__ = "khabar.service", "_analyze_chunk"  # pickled by name
    monkeypatch.setattr(khabar.service, "_analyze_chunk", dying)
    r = run("analyze", str(_batch(tmp_path, 80)), "--stages", "segment", "--workers", "2")
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    failed = re.findall(r"\[(a\d\d)\]: worker failed", r.stderr)
    done = [d["id"] for d in docs_of(r.stdout)]
    assert sorted(failed + done) == [f"a{i:02d}" for i in range(80)]
    # The pool broke with several batches in flight: only the article that kills a worker fails.
    assert failed == ["a05"], failed


# --- analyze --workers: stopped, killed, default count; atomic output and the umask -------------

def _children(pid: int) -> dict[int, str]:
    """Every process below ``pid`` -> its start time (from /proc: a reused pid does not match)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        try:
            raw = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        if raw:
            fields = raw[raw.rindex(")") + 2:].split()  # after "pid (command) "
            stats[int(entry.name)] = (int(fields[1]), fields[19])
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, (ppid, start) in stats.items():
            if ppid == parent and child not in found:
                found[child] = start
                frontier.append(child)
    return found


def _alive(procs: dict[int, str]) -> list[int]:
    out = []
    for pid, start in procs.items():
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()
        if fields[0] != "Z" and fields[19] == start:
            out.append(pid)
    return out


def _gone_within(procs: dict[int, str], seconds: float) -> list[int]:
    """Those still running after ``seconds`` (then killed: nothing outlives the test)."""
    deadline = time.monotonic() + seconds
    while (left := _alive(procs)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


def _start_analyze(tmp_path) -> tuple[subprocess.Popen, dict[int, str], Path]:
    """A 2-worker ``analyze -o`` in a subprocess, returned once its workers run and the
    temporary output file exists."""
    src = tmp_path / "many.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for i in range(3000):
            f.write(json.dumps({"id": f"n{i}", "content": article(i) * 3}, ensure_ascii=False) + "\n")
    cmd = [sys.executable, "-m", "khabar", "analyze", str(src), "--workers", "2", "--stages",
           "segment,summary", "-o", str(tmp_path / "out.jsonl")]
    with (tmp_path / "err.txt").open("w") as err:  # a file, not a pipe: survivors would hold it open
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 120
    children: dict[int, str] = {}
    while proc.poll() is None and time.monotonic() < deadline:
        children = _children(proc.pid)
        if len(children) >= 2 and list(tmp_path.glob(".out.jsonl.*.tmp")):
            break
        time.sleep(0.05)
    return proc, children, tmp_path / "err.txt"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")
def test_sigterm_stops_analyze_workers_and_leaves_no_partial_output(tmp_path):
    proc, children = None, {}
    try:
        proc, children, err = _start_analyze(tmp_path)
        assert proc.poll() is None and len(children) >= 2, "analyze should be running with its workers"
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        assert _gone_within(children, 10) == [], "worker processes outlived the stopped analyze"
        assert proc.returncode == 130 and "Traceback" not in err.read_text()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["err.txt", "many.jsonl"]  # no output, no temp
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        _gone_within(children, 0)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")
def test_analyze_workers_exit_soon_after_analyze_is_killed(tmp_path):
    proc, children = None, {}
    try:
        proc, children, _err = _start_analyze(tmp_path)
        assert proc.poll() is None and len(children) >= 2, "analyze should be running with its workers"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert _gone_within(children, 15) == [], "worker processes outlived the killed analyze"
        assert not (tmp_path / "out.jsonl").exists()  # the temp file may stay after kill -9
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        _gone_within(children, 0)


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity on this platform")
def test_analyze_default_workers_follow_the_cpu_affinity(tmp_path, monkeypatch):
    import khabar.service

    seen, real = [], khabar.service.pipe

    def spy(docs, **kw):
        seen.append(kw["workers"])
        return real(docs, **kw)

    monkeypatch.setattr(khabar.service, "pipe", spy)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)  # the machine has many, this process may use one
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    r = run("analyze", str(_batch(tmp_path, 3)), "--stages", "segment")
    assert r.exit_code == 0 and seen == [1]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the umask from /proc (Linux)")
def test_atomic_output_reads_the_umask_without_changing_it(tmp_path, monkeypatch):
    from khabar.io import atomic_output

    calls, real = [], os.umask

    def watched(mask):
        calls.append(mask)
        return real(mask)

    old = real(0o027)
    try:
        monkeypatch.setattr(os, "umask", watched)  # while it is 0, another thread makes 0666 files
        with atomic_output(tmp_path / "out.txt") as out:
            out.write("x\n")
    finally:
        real(old)
    assert calls == [] and (tmp_path / "out.txt").stat().st_mode & 0o777 == 0o640
