"""Cost of the place gazetteer and outlet names (issue 14/15): load time, analyser memory, speed.

One run per process (memory and load time are per process), printed as one JSON line:

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_places.py [--repeat 3]

- ``gazetteer_load_s``: loading data/place_names.tsv.gz, the place nouns and data/outlets.json
  (null on a tree without them);
- ``pipeline_build_s``: building the default pipeline (all models and lexicons loaded);
- ``entities_ms``: the entities stage per dev article (``--repeat`` passes over the 24 articles);
- ``rss_mb`` / ``peak_rss_mb``: resident memory after analysing them with the whole pipeline.

Compare trees in one session, interleaved (the tree is the one on ``PYTHONPATH`` or installed):

    for k in 1 2 3; do PYTHONPATH=/tmp/base/src python benchmarks/bench_places.py; python benchmarks/bench_places.py; done
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--articles", type=Path, default=Path(__file__).resolve().parents[2] / "shared/gold/dev/articles")
    args = ap.parse_args()
    import khabar
    from khabar.analysis.pipeline import Pipeline
    from khabar.io import iter_path

    t0 = time.perf_counter()
    try:
        from khabar.analysis.outlets import load_outlets
        from khabar.analysis.place_names import load_place_names, load_place_nouns
    except ImportError:
        gazetteer_s = None
    else:
        load_place_names(), load_place_nouns(), load_outlets()
        gazetteer_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    pipeline = Pipeline.build()
    build_s = time.perf_counter() - t1
    docs = list(iter_path(str(args.articles)))
    entities = next(c for c in pipeline.components if getattr(c, "name", "") == "entities")
    segmented = [pipeline.components[0](d) for d in docs]
    t2 = time.perf_counter()
    for _ in range(args.repeat):
        for d in segmented:
            entities(d)
    ent_ms = (time.perf_counter() - t2) * 1000 / (args.repeat * len(segmented))
    for d in docs:
        pipeline(d)
    print(json.dumps({"tree": str(Path(khabar.__file__).parents[2]), "gazetteer_load_s": gazetteer_s and round(gazetteer_s, 3),
                      "pipeline_build_s": round(build_s, 3), "entities_ms": round(ent_ms, 2),
                      "rss_mb": round(rss_mb(), 1),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


if __name__ == "__main__":
    main()
