"""`khabar analyze`: input kinds, formats and every bad input gives one line and a non-zero exit."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from click.testing import CliRunner

from khabar.cli import main
from khabar.model import Document

ARTICLE = "قال وزير الخارجية إن المحادثات ستستمر. وأضاف أن الوفد سيعود الأسبوع المقبل."


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def parse_lines(output):
    docs = [json.loads(line) for line in output.splitlines() if line.strip()]
    for d in docs:
        Document.from_dict(d).to_dict()  # the span invariant is checked on every output
    return docs


def one_line_error(result, *fragments):
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert "\n" not in err and re.match(r"khabar: error E\d{3}: ", err) and "Traceback" not in err
    for f in fragments:
        assert f in err, err


def test_txt_file_gives_schema_output(tmp_path):
    p = tmp_path / "story.txt"
    p.write_text("\ufeff" + ARTICLE, encoding="utf-8")
    (doc,) = parse_lines(run("analyze", str(p), "--published", "2021-08-19").stdout)
    assert doc["schema"] == "khabar.article/1" and doc["id"] == "story"
    assert doc["text"] == ARTICLE and doc["published"] == "2021-08-19"
    assert len(doc["sentences"]) == 2
    for field in ("entities", "quotes", "timexes", "events", "topics", "summary"):
        assert isinstance(doc[field], list)


def test_stdin_and_id():
    (doc,) = parse_lines(run("analyze", "-", "--id", "x1", input=ARTICLE).stdout)
    assert doc["id"] == "x1" and doc["text"] == ARTICLE


def test_json_array_with_saudinewsnet_fields(tmp_path):
    p = tmp_path / "day.json"
    p.write_text(json.dumps([
        {"source": "s", "url": "http://x", "date_extracted": "2015-07-21 02:51:32", "title": "t", "content": ARTICLE},
        {"id": "b", "text": "نص آخر", "published": "2015-07-22"},
    ], ensure_ascii=False), encoding="utf-8")
    a, b = parse_lines(run("analyze", str(p)).stdout)
    assert a["published"] == "2015-07-21" and a["source"] == "s" and a["title"] == "t"
    assert b["id"] == "b" and b["published"] == "2015-07-22"


def test_bad_article_in_batch_is_reported_and_rest_come_out(tmp_path):
    p = tmp_path / "many.jsonl"
    p.write_text("\n".join([
        json.dumps({"id": "good1", "content": ARTICLE}, ensure_ascii=False),
        json.dumps({"id": "bad", "title": "no text"}),
        "{truncated",
        json.dumps({"id": "good2", "content": "نص"}, ensure_ascii=False),
    ]), encoding="utf-8")
    r = run("analyze", str(p))
    assert r.exit_code == 1
    assert [d["id"] for d in parse_lines(r.stdout)] == ["good1", "good2"]
    assert "[bad]" in r.stderr and "no text field" in r.stderr and "invalid JSON" in r.stderr


def test_directory_recursive_with_gz_and_bad_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "sub" / "b.json.gz").write_bytes(gzip.compress(json.dumps({"content": "نص"}).encode()))
    (tmp_path / "sub" / "c.txt").write_bytes(b"\xff\xfe bad")
    (tmp_path / "ignored.bin").write_bytes(b"\x00\x01")
    r = run("analyze", str(tmp_path))
    assert r.exit_code == 1
    assert len(parse_lines(r.stdout)) == 2
    assert "c.txt" in r.stderr and "not valid UTF-8 at byte 0" in r.stderr


def test_non_arabic_text_is_valid(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("Hello world, no Arabic here.", encoding="utf-8")
    r = run("analyze", str(p))
    assert r.exit_code == 0
    (doc,) = parse_lines(r.stdout)
    assert doc["entities"] == [] and doc["quotes"] == []


def test_empty_article_is_skipped_with_a_count(tmp_path):
    for content in ("", " \n\u200b\u200f "):  # nothing, or only spaces and invisible characters
        p = tmp_path / "x.txt"
        p.write_text(content, encoding="utf-8")
        r = run("analyze", str(p))
        assert r.exit_code == 0 and r.stdout == ""
        assert r.stderr.strip() == "khabar: skipped 1 empty article"


def test_missing_path():
    one_line_error(run("analyze", "/no/such/file.txt"), "no such file")


def test_invalid_utf8_says_where(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes("سطر أول\n".encode() + b"\xc3\x28 broken")
    one_line_error(run("analyze", str(p)), "not valid UTF-8", "line 2")


def test_binary_file(tmp_path):
    p = tmp_path / "img.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    one_line_error(run("analyze", str(p)), "binary data")


def test_json_without_text_field(tmp_path):
    p = tmp_path / "a.json"
    p.write_text('{"title": "x"}', encoding="utf-8")
    r = run("analyze", str(p))
    assert r.exit_code == 1 and "no text field" in r.stderr and "Traceback" not in r.stderr


def test_invalid_json(tmp_path):
    p = tmp_path / "a.json"
    p.write_text('{"content": ', encoding="utf-8")
    one_line_error(run("analyze", str(p)), "invalid JSON", "line 1")


def test_unknown_format(tmp_path):
    one_line_error(run("analyze", "-", "--format", "xml", input="x"), "--format", "xml")


@pytest.mark.parametrize("bad", ["2021-13-01", "19/08/2021", "yesterday", "2021-08-19T10:00"])
def test_invalid_published(bad):
    one_line_error(run("analyze", "-", "--published", bad, input="x"), "--published")


def test_oversized_input_is_refused(tmp_path):
    one_line_error(run("analyze", "-", "--max-chars", "10", input="ا" * 11), "exceeds the limit of 10")


def test_unknown_stage():
    one_line_error(run("analyze", "-", "--stages", "segment,nope", input="x"), "unknown stage 'nope'")


def test_pretty_report(tmp_path):
    p = tmp_path / "s.txt"
    p.write_text(ARTICLE, encoding="utf-8")
    r = run("analyze", str(p), "--format", "pretty", "--published", "2021-08-19")
    assert r.exit_code == 0 and "published 2021-08-19" in r.stdout and "2 sentences" in r.stdout


def test_help_lists_commands():
    r = run("--help")
    assert r.exit_code == 0 and "analyze" in r.stdout


def test_reference_article_gives_valid_schema(shared):
    path = shared / "samples" / "000_177dc29227984ed5.txt"
    (doc,) = parse_lines(run("analyze", str(path), "--published", "2021-08-19").stdout)
    assert doc["schema"] == "khabar.article/1" and len(doc["sentences"]) >= 10


def test_python_dash_m_runs_the_cli():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "khabar", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and "khabar" in r.stdout


def test_every_command_is_documented_in_the_readme():
    from pathlib import Path

    from khabar.cli import LAZY_COMMANDS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    commands = set(main.commands) | set(LAZY_COMMANDS)
    missing = sorted(c for c in commands if f"khabar {c}" not in readme)
    assert not missing, f"commands without a usage example in README.md: {missing}"
