"""Time of each pipeline stage per article, one process.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_pipeline.py [--articles 300] [--day 2015-07-25] [--json]

Reads saudinewsnet articles of one day from ../shared, warms the pipeline on 20 of them, then
prints milliseconds per article for every stage of the default pipeline, wall clock and CPU time
of this thread (on a machine shared with other jobs, wall time also measures the queue), articles/s
overall, and the NER tagger's share of the entities stage (its ``tag_sents`` calls, timed from
outside, so the same script times an older checkout: ``PYTHONPATH=OLD/src``) with its tokens/s.
``--json`` prints one JSON object instead (what benchmarks/bench_speed_compare.py reads).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from khabar.analysis.pipeline import Pipeline
from khabar.io import document_from_record

TAGGER = "ner-tagger"  # the tagger's row: a part of the entities stage, not a stage of its own


def timed_tagger(pipeline: Pipeline, spent: dict[str, list[float]], tokens: list[int]) -> None:
    """Wrap the entities stage's tagger so that its calls are timed (wall, CPU) and tokens counted."""
    stage = next((c for c in pipeline.components if c.name == "entities"), None)
    tagger = getattr(stage, "tagger", None)
    if tagger is None or not hasattr(tagger, "tag_sents"):
        return
    inner = tagger.tag_sents

    def tag_sents(sentences, *args, **kwargs):
        t, c = time.perf_counter(), time.thread_time()
        out = inner(sentences, *args, **kwargs)
        spent[TAGGER][0] += time.perf_counter() - t
        spent[TAGGER][1] += time.thread_time() - c
        tokens[0] += sum(len(s) for s in sentences)
        return out

    tagger.tag_sents = tag_sents  # an instance attribute: shadows the method for this tagger only


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--day", default="2015-07-25")
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    path = args.shared / "data" / "news" / "saudinewsnet" / f"{args.day}.json"
    records = json.loads(path.read_text(encoding="utf-8"))[: args.articles]
    docs = [document_from_record(r, where=str(path), max_chars=10**7) for r in records]
    t0, c0 = time.perf_counter(), time.process_time()
    pipeline = Pipeline.build()
    load = (time.perf_counter() - t0, time.process_time() - c0)
    for d in docs[:20]:
        pipeline(d)
    spent = {c.name: [0.0, 0.0] for c in pipeline.components}  # name -> [wall s, CPU s]
    spent[TAGGER] = [0.0, 0.0]
    tokens = [0]
    timed_tagger(pipeline, spent, tokens)
    t0, c0 = time.perf_counter(), time.thread_time()
    for d in docs:
        for c in pipeline.components:
            t, cpu = time.perf_counter(), time.thread_time()
            d = c(d)
            spent[c.name][0] += time.perf_counter() - t
            spent[c.name][1] += time.thread_time() - cpu
    elapsed, cpu_total = time.perf_counter() - t0, time.thread_time() - c0
    n = len(docs)
    chars = sum(len(d.text) for d in docs) / n
    result = {
        "articles": n, "day": args.day, "chars": chars, "load_s": load[0], "load_cpu_s": load[1],
        "articles_per_s": n / elapsed, "cpu_ms_per_article": cpu_total / n * 1000,
        "stages": {name: {"wall_ms": w / n * 1000, "cpu_ms": c / n * 1000} for name, (w, c) in spent.items()},
        "tagger_tokens": tokens[0],
        "tagger_tokens_per_cpu_s": tokens[0] / spent[TAGGER][1] if spent[TAGGER][1] else None,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{n} articles of {args.day}, {chars:,.0f} characters on average: "
          f"{result['articles_per_s']:.1f} articles/s in one process, "
          f"{result['cpu_ms_per_article']:.1f} ms CPU per article (pipeline built in {load[0]:.2f} s)")
    print(f"  {'stage':12s} {'wall ms':>8s} {'CPU ms':>8s}  per article")
    for name, row in result["stages"].items():
        label = f"({name})" if name == TAGGER else name
        print(f"  {label:12s} {row['wall_ms']:8.2f} {row['cpu_ms']:8.2f}")
    if result["tagger_tokens_per_cpu_s"]:
        print(f"  NER tagger: {tokens[0]:,} tokens, {result['tagger_tokens_per_cpu_s']:,.0f} tokens per CPU-second "
              "(tag_sents, warm word cache)")


if __name__ == "__main__":
    main()
