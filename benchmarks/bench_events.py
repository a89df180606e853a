"""Time of the events stage against the stages before it, on saudinewsnet articles.

    .venv/bin/python benchmarks/bench_events.py [--articles 500] [--shared ../shared]

Runs the default pipeline's stages one by one over the articles and prints seconds per
stage, tokens/s of the events stage, and its cost as a share of the stages before it
(issue 5: timexes and events together add at most 30% to the pipeline before them).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from khabar.analysis.pipeline import Pipeline, default_stages
from khabar.model import Document


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=500)
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    args = ap.parse_args()
    arts: list[str] = []
    for f in sorted((args.shared / "data" / "news" / "saudinewsnet").glob("*.json")):
        arts += [r.get("content") or "" for r in json.loads(f.read_text(encoding="utf-8"))]
        if len(arts) >= args.articles:
            break
    docs = [Document(id=str(i), text=t) for i, t in enumerate(arts[: args.articles])]
    pipeline = Pipeline.build(default_stages())
    spent = {c.name: 0.0 for c in pipeline.components}
    tokens = 0
    for doc in docs:
        for c in pipeline.components:
            t0 = time.perf_counter()
            doc = c(doc)
            spent[c.name] += time.perf_counter() - t0
        tokens += len(doc.tokens)
    names = list(spent)
    for name in names:
        print(f"{name:<10} {spent[name]:8.3f} s")
    if "events" in spent:
        before = sum(spent[n] for n in names[: names.index("events")] if n != "timexes")
        ours = spent["events"] + spent.get("timexes", 0.0)
        print(f"events     {tokens / spent['events']:,.0f} tokens/s over {len(docs)} articles, {tokens:,} tokens")
        print(f"timexes+events add {100 * ours / before:.1f}% to the stages before them")


if __name__ == "__main__":
    main()
