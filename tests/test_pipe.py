"""The batch API ``khabar.pipe`` (issue 13 item 6): order, workers, bad items, and its users."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

import khabar
import khabar.corpus.ingest as ingest_module
import khabar.service as service
from khabar.analysis.pipeline import PipelineError
from khabar.cli import main
from khabar.corpus.store import Store
from khabar.model import Document
from khabar.service import AnalysisError, analyze_text

# Sentences written for these tests: "The minister of <place> said on Tuesday that the talks in
# Vienna will resume next week." with a different place in each.
PLACES = ["مصر", "الأردن", "تونس", "لبنان", "العراق", "المغرب", "الكويت", "قطر", "عمان", "اليمن", "ليبيا",
          "السودان"]
TEXTS = [f"قال وزير خارجية {p} يوم الثلاثاء إن المحادثات في فيينا ستستأنف الأسبوع المقبل. وأضاف أن الاتفاق قريب."
         for p in PLACES]
LONE_SURROGATE = "نص فيه \ud800 حرف"  # "a text with a ... character": not valid Unicode


def test_pipe_is_exported_lazily():
    code = ("import sys, khabar; assert 'khabar.service' not in sys.modules; "
            "f = khabar.pipe; assert 'khabar.service' in sys.modules; print(f.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "khabar.service"


def test_texts_and_documents_come_back_in_input_order():
    items = [TEXTS[0], Document(id="doc-b", text=TEXTS[1], published="2021-08-19"), TEXTS[2]]
    docs = list(khabar.pipe(items))
    assert [d.text for d in docs] == TEXTS[:3]
    assert docs[0] == analyze_text(TEXTS[0]) and docs[1].id == "doc-b"
    assert docs[1].timexes[0].value.startswith("2021-08-")  # resolved against its date


def test_two_workers_give_what_one_gives():
    # more articles than one batch: the pool really starts
    one = [d.to_dict() for d in khabar.pipe(TEXTS, workers=1, batch_size=2)]
    two = [d.to_dict() for d in khabar.pipe(iter(TEXTS), workers=2, batch_size=2)]
    assert one == two and [d["text"] for d in two] == TEXTS


@pytest.mark.parametrize("workers", [1, 2])
def test_a_bad_item_yields_its_error_and_the_batch_goes_on(workers):
    items = [*TEXTS[:5], LONE_SURROGATE, 42, *TEXTS[5:]]
    out = list(khabar.pipe(items, workers=workers, batch_size=2, errors="yield"))
    assert len(out) == len(items)
    errors = [(i, err) for i, (_doc, err) in enumerate(out) if err is not None]
    assert [i for i, _ in errors] == [5, 6]
    assert "lone surrogate" in errors[0][1] and "TypeError" in errors[1][1]
    assert out[5][0].text == LONE_SURROGATE  # the input, as a Document
    assert [d.text for d, err in out if err is None] == TEXTS


def test_errors_raise_stops_at_the_bad_item_after_yielding_those_before():
    got = []
    with pytest.raises(AnalysisError, match="lone surrogate") as err:
        for doc in khabar.pipe([TEXTS[0], TEXTS[1], LONE_SURROGATE, TEXTS[2]]):
            got.append(doc.text)
    assert got == TEXTS[:2] and err.value.doc.text == LONE_SURROGATE


def test_a_bad_stage_list_and_a_bad_errors_mode_are_refused():
    with pytest.raises(PipelineError, match="stage 'quotes' reads entities"):
        list(khabar.pipe(TEXTS[:1], stages=["segment", "quotes", "entities"]))
    with pytest.raises(ValueError, match="errors must be"):
        list(khabar.pipe(TEXTS[:1], errors="skip"))


def _spy(monkeypatch, owner):
    calls = []
    real = service.pipe

    def spy(items, **kw):
        calls.append(kw)
        return real(items, **kw)

    monkeypatch.setattr(owner, "pipe", spy)
    return calls


def test_analyze_uses_pipe(monkeypatch, tmp_path):
    calls = _spy(monkeypatch, service)
    src = tmp_path / "in.jsonl"
    src.write_text("".join(f'{{"id": "a{i}", "text": "{t}"}}\n' for i, t in enumerate(TEXTS[:3])), encoding="utf-8")
    r = CliRunner().invoke(main, ["analyze", str(src), "--stages", "segment", "--workers", "3"])
    assert r.exit_code == 0, r.output
    assert calls == [{"stages": ("segment",), "workers": 3, "errors": "yield"}]


def test_ingest_uses_pipe(monkeypatch, tmp_path):
    calls = _spy(monkeypatch, service)  # the ingest's analysis side looks pipe up in the service
    for i, t in enumerate(TEXTS[:3]):
        (tmp_path / f"{i}.txt").write_text(t, encoding="utf-8")
    with Store(tmp_path / "k.db") as s:
        rep = ingest_module.ingest([tmp_path], s, workers=1, stages=("segment",), chunk=4)
        assert rep.added == 3 and s.count_articles() == 3
    assert calls == [{"stages": ("segment",), "workers": 1, "batch_size": 4, "errors": "yield"}]


def test_the_api_batch_route_uses_pipe_and_keeps_the_order(monkeypatch):
    from fastapi.testclient import TestClient

    from khabar.web.api import create_app
    from khabar.web.corpus import WebCorpus

    monkeypatch.delenv("KHABAR_API_TOKEN", raising=False)
    calls = _spy(monkeypatch, service)
    real = service.analyze

    def failing_on_the_second(doc, stages=None):  # an analysis that raises on one article
        if PLACES[1] in doc.text:
            raise RuntimeError("boom")
        return real(doc, stages)

    monkeypatch.setattr(service, "analyze", failing_on_the_second)
    corpus = WebCorpus(":memory:")
    try:
        client = TestClient(create_app(corpus=corpus), raise_server_exceptions=False)
        body = {"articles": [{"text": t, "published": "2021-08-19"} for t in TEXTS[:3]]}
        r = client.post("/v1/analyze/batch", json=body)
        assert r.status_code == 200, r.text
        results = r.json()["results"]
        assert [x.get("text") for x in results] == [TEXTS[0], None, TEXTS[2]]
        assert results[0]["schema"] == "khabar.article/1" and results[0]["timexes"]
        assert "analysis failed" in results[1]["error"] and "boom" not in results[1]["error"]
        assert calls == [{"errors": "yield"}]
        too_many = {"articles": [{"text": "نص"}] * 51}
        assert client.post("/v1/analyze/batch", json=too_many).status_code == 422
        too_long = {"articles": [{"text": "كلمة " * 6_000}] * 2}  # each under the limit, together over it
        r = client.post("/v1/analyze/batch", json=too_long)
        assert r.status_code == 413 and "60,000 characters" in r.text
    finally:
        corpus.close()
