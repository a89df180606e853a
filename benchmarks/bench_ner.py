#!/usr/bin/env python3
"""NER tagger speed: model load time, tokens/s on one core, resident memory of the loaded tagger.

Usage: python benchmarks/bench_ner.py [CONLL_FILE] [--kind auto|neural|crf]
(default: ../shared/data/ner/anercorp/test.txt; any 'token ...' per line file works).
Targets (issue 3): load < 1 s, >= 20,000 tokens/s, RSS < 300 MB.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_sentences(path: Path) -> list[list[str]]:
    sents, cur = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts:
            cur.append(parts[0])
        elif cur:
            sents.append(cur)
            cur = []
    if cur:
        sents.append(cur)
    return sents


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    args = sys.argv[1:]
    kind = "auto"
    if "--kind" in args:
        i = args.index("--kind")
        kind = args[i + 1]
        del args[i:i + 2]
    path = Path(args[0]) if args else ROOT.parent / "shared/data/ner/anercorp/test.txt"
    sents = read_sentences(path)
    n_tokens = sum(map(len, sents))
    base = rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    from khabar.analysis.ner import load_tagger

    tagger = load_tagger(kind)
    load_s, load_cpu = time.perf_counter() - t0, time.process_time() - c0
    rss = rss_mb()
    t0 = time.perf_counter()
    for s in sents:
        tagger.tag(s)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    for s in sents:
        tagger.tag(s)
    warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    tagger.tag_sents(sents)
    batched = time.perf_counter() - t0
    for obj in (tagger, getattr(tagger, "featurizer", None), getattr(tagger, "_features", None)):
        if obj is not None and isinstance(getattr(obj, "_cache", None), dict):
            obj._cache.clear()  # word caches emptied: a first sight of every word again
    t0, c0 = time.perf_counter(), time.process_time()
    tagger.tag_sents(sents)
    batched_cold, cold_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"tagger: {type(tagger).__name__} ({kind})")
    print(f"input: {path} ({len(sents)} sentences, {n_tokens} tokens)")
    print(f"model load (import + load_tagger): {load_s:.2f} s")
    print(f"tagging, first pass (cold word cache): {n_tokens / cold:,.0f} tokens/s")
    print(f"tagging, second pass (warm word cache): {n_tokens / warm:,.0f} tokens/s")
    print(f"tagging, all sentences at once (tag_sents): {n_tokens / batched_cold:,.0f} tokens/s cold, "
          f"{n_tokens / batched:,.0f} tokens/s warm")
    # CPU time of this process: on a machine shared with other jobs, wall time measures the queue
    print(f"CPU time: load {load_cpu:.2f} s, tag_sents cold {n_tokens / cold_cpu:,.0f} tokens per CPU-second")
    print(f"RSS: {base:.0f} MB before import, {rss:.0f} MB with the tagger loaded, {rss_mb():.0f} MB after tagging")


if __name__ == "__main__":
    main()
