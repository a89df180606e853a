"""Speed of the entities stage (apart from the tagger): articles/s and tokens/s on the dev articles.

Usage: python benchmarks/bench_entities.py [ARTICLES_DIR] (default ../shared/gold/dev/articles)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from khabar.analysis.entities import EntityStage
from khabar.analysis.kb import load_kb
from khabar.analysis.text.stage import Segmenter
from khabar.io import iter_path


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/gold/dev/articles"
    t0 = time.perf_counter()
    load_kb()
    stage = EntityStage(tagger=None)
    t1 = time.perf_counter()
    seg = Segmenter()
    docs = [seg(d) for d in iter_path(src)] * 5
    ntok = sum(len(d.tokens) for d in docs)
    t2 = time.perf_counter()
    for d in docs:
        stage(d)
    t3 = time.perf_counter()
    print(f"KB + lexicon load: {t1 - t0:.3f} s")
    print(f"entities stage (KB + rules, no tagger): {len(docs) / (t3 - t2):.0f} articles/s, "
          f"{ntok / (t3 - t2):,.0f} tokens/s ({len(docs)} articles, {ntok:,} tokens)")
    t4 = time.perf_counter()
    full = EntityStage()
    t5 = time.perf_counter()
    if full.tagger is None:
        print("khabar.analysis.ner tagger not available: no figure with the tagger")
        return
    for d in docs:
        full(d)
    t6 = time.perf_counter()
    print(f"tagger load: {t5 - t4:.3f} s; entities stage with the tagger: {len(docs) / (t6 - t5):.0f} articles/s, "
          f"{ntok / (t6 - t5):,.0f} tokens/s")


if __name__ == "__main__":
    main()
