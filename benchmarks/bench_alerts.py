"""Alert matching cost per stored article, next to the analysis it follows.

    .venv/bin/python benchmarks/bench_alerts.py [--articles 30] [--alerts 20] [--repeat 5] [--shared ../shared]

The first N non-empty SaudiNewsNet articles are analysed once (timed: the cost already paid for
each article the watcher stores); then ``khabar.monitor.alerts.matching`` runs every alert (a mix of
--query, --entity, --speaker and --source, built from words and names of these articles) over
every analysis, ``--repeat`` rounds interleaved with re-timing one analysis, medians reported.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from bench_ingest import load_articles  # the same article sample (sys.path[0] is benchmarks/)

from khabar.corpus.store import Alert, index_words
from khabar.model import Document
from khabar.monitor.alerts import matching
from khabar.service import analyze


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=30)
    ap.add_argument("--alerts", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    args = ap.parse_args()
    recs = load_articles(args.shared, args.articles)
    docs = [Document(id=str(i), text=r["content"], title=r.get("title"), source=r.get("source"))
            for i, r in enumerate(recs)]
    analyze(docs[0])  # models loaded outside the timing
    t0 = time.perf_counter()
    analysed = [analyze(d).to_dict() for d in docs]
    analysis_ms = (time.perf_counter() - t0) * 1000 / len(docs)

    rng = random.Random(16)
    words = [w for d in analysed for w in index_words(d["title"] or "") if len(w) > 3]
    ents = [e for d in analysed for e in d["entities"]]
    alerts = []
    for i in range(args.alerts):
        kind = i % 4
        if kind == 0:
            alerts.append(Alert(f"a{i}", query=" ".join(rng.sample(words, 2))))
        elif kind == 1:
            alerts.append(Alert(f"a{i}", entity=rng.choice(ents)["name"]))
        elif kind == 2:
            alerts.append(Alert(f"a{i}", speaker=rng.choice(ents).get("kb_id") or rng.choice(ents)["name"]))
        else:
            alerts.append(Alert(f"a{i}", source=rng.choice(docs).source or "x", query=rng.choice(words)))

    match_ms, analysis_again = [], []
    hits = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        hits = sum(len(matching(alerts, d)) for d in analysed)
        match_ms.append((time.perf_counter() - t0) * 1000 / len(analysed))
        t0 = time.perf_counter()
        analyze(docs[rng.randrange(len(docs))])
        analysis_again.append((time.perf_counter() - t0) * 1000)
        print(f"round: matching {match_ms[-1]:.3f} ms/article, one analysis {analysis_again[-1]:.1f} ms")
    med = statistics.median(match_ms)
    print(f"{len(docs)} articles, {len(alerts)} alerts, {hits} matches per round")
    print(f"median matching: {med:.3f} ms per article (all alerts); analysis: {analysis_ms:.1f} ms per article "
          f"(first pass), median re-analysis {statistics.median(analysis_again):.1f} ms; "
          f"matching = {100 * med / analysis_ms:.2f}% of analysis")


if __name__ == "__main__":
    main()
