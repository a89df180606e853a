"""One shared pipeline analysing many articles from many threads gives the sequential results.

The API runs analyses in a thread pool and Dask may use threaded workers, both on one pipeline
built once (khabar.service.get_pipeline): no component may keep per-call state on itself. A tiny
switch interval makes the interpreter change threads every few bytecodes, so that a race shows.
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from khabar.analysis.pipeline import Pipeline
from khabar.model import Document

# Short articles written for these tests: titles before names, bare titles, several speakers.
WRITTEN = [
    "قال الرئيس الروسي فلاديمير بوتين إن المحادثات مع إيران كانت مفيدة. وأضاف الرئيس أن اللقاء "
    "المقبل سيكون في موسكو يوم الأحد.",
    "أكد وزير الخارجية السعودي عادل الجبير أن المملكة تدعم الحل السياسي في اليمن. وقال الجبير "
    "للصحفيين في الرياض إن الوزير الأمريكي سيزور جدة الأسبوع المقبل.",
    "وصرح المتحدث باسم وزارة الصحة بأن عدد الحالات انخفض. من جانبه، قال الأمين العام للأمم "
    "المتحدة أنطونيو غوتيريش إن الوضع ما زال صعبا.",
    "التقى الرئيس الإيراني إبراهيم رئيسي مع الرئيس الروسي في طهران مساء الأربعاء. وقال رئيسي إن "
    "البلدين سيوقعان اتفاقا للتعاون، فيما أكد بوتين أن موسكو مستعدة للمساعدة.",
    "أعلنت شركة أرامكو السعودية أن أرباحها ارتفعت في الربع الثالث. وقال رئيس الشركة أمين الناصر "
    "إن الطلب على النفط سيرتفع العام المقبل.",
    "وقال وزير الداخلية المصري إن الشرطة اعتقلت ثلاثة أشخاص في القاهرة. وأضاف الوزير أن التحقيق "
    "مستمر، مشيرا إلى أن النيابة العامة ستصدر بيانا غدا.",
]


def _run_threaded(pipeline: Pipeline, docs: list[Document], rounds: int = 2, workers: int = 8) -> list[list[dict]]:
    """Every document ``rounds`` times, all at once on ``workers`` threads, with a tiny switch
    interval; results in the order of ``docs`` for each round."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(workers) as pool:
            jobs = [pool.submit(lambda d: pipeline(d).to_dict(), d) for _ in range(rounds) for d in docs]
            results = [j.result() for j in jobs]
    finally:
        sys.setswitchinterval(old)
    return [results[r * len(docs):(r + 1) * len(docs)] for r in range(rounds)]


def _check(pipeline: Pipeline, docs: list[Document], rounds: int = 2) -> None:
    sequential = [pipeline(d).to_dict() for d in docs]
    for threaded in _run_threaded(pipeline, docs, rounds):
        for want, got in zip(sequential, threaded, strict=True):
            assert got == want, f"article {want['id']} differs when analysed concurrently"


def test_shared_pipeline_on_written_articles_matches_sequential():
    docs = [Document(id=f"w{i}", text=t, published="2021-08-19") for i, t in enumerate(WRITTEN)]
    _check(Pipeline.build(), docs)


def test_shared_pipeline_on_news_articles_matches_sequential(shared):
    """Real articles of varied length through the default pipeline, on 8 threads at once."""
    records = json.loads((shared / "data" / "news" / "saudinewsnet" / "2015-07-25.json").read_text(encoding="utf-8"))
    docs = [Document(id=f"n{i}", text=r["content"], published=r["date_extracted"][:10])
            for i, r in enumerate(records[:300:37]) if r.get("content")]
    assert len(docs) >= 8
    _check(Pipeline.build(), docs, rounds=1)


def test_entity_stage_shared_by_threads_under_stress():
    """Thousands of analyses on one EntityStage (KB and rules only: pure Python, so threads switch
    inside it all the time), long articles among short ones: the stage once kept the candidate ->
    cluster map of a call on ``self``, and another thread's call replaced it before titles were
    attached (wrong entities, KeyError). Every result must equal the sequential one."""
    from khabar.analysis.entities import EntityStage
    from khabar.analysis.text.stage import Segmenter

    n = len(WRITTEN)
    texts = ["\n".join((WRITTEN[i:] + WRITTEN[:i]) * 10) for i in range(2)]
    texts += [WRITTEN[i % n] for i in range(1000)]
    segment = Segmenter()
    docs = [segment(Document(id=f"d{i}", text=t, published="2021-08-19")) for i, t in enumerate(texts)]
    stage = EntityStage(tagger=None)
    sequential = [stage(d).to_dict() for d in docs]
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    failures = []
    try:
        with ThreadPoolExecutor(8) as pool:
            for _ in range(6):
                jobs = [pool.submit(lambda d: stage(d).to_dict(), d) for d in docs]
                for want, job in zip(sequential, jobs, strict=True):
                    try:
                        if job.result() != want:
                            failures.append(f"{want['id']}: different entities")
                    except Exception as exc:  # noqa: BLE001 - collected, reported below
                        failures.append(f"{want['id']}: {type(exc).__name__}: {exc}")
    finally:
        sys.setswitchinterval(old)
    assert not failures, f"{len(failures)} of {6 * len(docs)} concurrent analyses went wrong: {failures[:5]}"


def test_neural_tagger_survives_a_cache_cleared_under_it():
    """The tagger's per-word cache is shared by all threads and cleared by whichever finds it full.
    A call must not rely on rows it put there still being there: here the cache forgets every row
    as soon as it is stored (what another thread's clearing does at the worst moment), and the tags
    must still be those of a normal cache."""
    from importlib import resources

    from khabar.analysis.ner.neural import NeuralTagger, model_path

    if not model_path().is_file():
        pytest.skip("the neural NER model is not packaged")

    class Forgetful(dict):
        def __setitem__(self, key, value) -> None:
            super().__setitem__(key, value)
            self.clear()

    with resources.as_file(model_path()) as path:
        tagger = NeuralTagger(path)
    sents = [t.replace("،", " ").replace(".", " ").split() for t in WRITTEN]
    want = tagger.tag_sents(sents)
    tagger._cache = Forgetful()
    assert tagger.tag_sents(sents) == want
