"""Cost of the quotes stage relative to the pipeline before it (target: at most +20%).

    .venv/bin/python benchmarks/bench_quotes.py [--articles 400] [--repeat 5] [--shared ../shared]

Runs the packaged pipeline up to the quotes stage on SaudiNewsNet articles from
../shared/data/news/saudinewsnet, then the quotes stage alone on its outputs, best of
--repeat interleaved runs each, and prints milliseconds per article, quotations found and the ratio.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from khabar.analysis.pipeline import Pipeline, default_stages
from khabar.model import Document


def load(shared: Path, n: int) -> list[Document]:
    docs: list[Document] = []
    for f in sorted((shared / "data" / "news" / "saudinewsnet").glob("*.json")):
        for i, rec in enumerate(json.loads(f.read_text(encoding="utf-8"))):
            text = rec.get("content") or ""
            if text.strip():
                docs.append(Document(id=f"{f.stem}-{i}", text=text))
            if len(docs) >= n:
                return docs
    return docs


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    args = ap.parse_args()
    stages = default_stages()
    before = stages[: stages.index("quotes")] if "quotes" in stages else stages
    pre = Pipeline.build(before)
    quotes = Pipeline.build([*before, "quotes"]).components[-1]
    docs = load(args.shared, args.articles)
    chars = sum(len(d.text) for d in docs)
    prepared: list[Document] = []

    def run_before() -> None:
        prepared[:] = [pre(d) for d in docs]

    found = [0]

    def run_quotes() -> None:
        found[0] = sum(len(quotes(d).quotes) for d in prepared)

    # interleave the two measurements so that load from other processes hits both alike
    t_before = t_quotes = float("inf")
    for _ in range(args.repeat):
        t_before = min(t_before, best(run_before, 1))
        t_quotes = min(t_quotes, best(run_quotes, 1))
    n = len(docs)
    print(f"{n} articles, {chars / n:.0f} characters each on average; stages before quotes: {before}")
    print(f"pipeline before quotes: {1000 * t_before / n:7.2f} ms/article")
    per = found[0] / n
    print(f"quotes stage:           {1000 * t_quotes / n:7.2f} ms/article ({per:.2f} quotations/article)")
    print(f"quotes adds {100 * t_quotes / t_before:.1f}% to the pipeline before it (target <= 20%)")


if __name__ == "__main__":
    main()
