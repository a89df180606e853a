"""Throughput of the text layer (normalise + segment + tokenise) and CLI start-up time.

    .venv/bin/python benchmarks/bench_text.py [--mb 5] [--shared ../shared]

Reads Arabic news text from ../shared/data/news/saudinewsnet (at least --mb megabytes, UTF-8)
and prints MB/s on one core for each step and all together; then times `khabar --help` and
`python -c pass` (the interpreter baseline) in the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from khabar.analysis.text import normalize, segment_sentences, tokenize


def load_text(shared: Path, mb: float) -> str:
    parts: list[str] = []
    size = 0
    for f in sorted((shared / "data" / "news" / "saudinewsnet").glob("*.json")):
        for rec in json.loads(f.read_text(encoding="utf-8")):
            parts.append(rec.get("content") or "")
            size += len(parts[-1].encode("utf-8"))
        if size >= mb * 1e6:
            break
    return "\n".join(parts)


def rate(fn, text: str, repeat: int = 3) -> float:
    best = min(_time(fn, text) for _ in range(repeat))
    return len(text.encode("utf-8")) / 1e6 / best


def _time(fn, text: str) -> float:
    t0 = time.perf_counter()
    fn(text)
    return time.perf_counter() - t0


def all_steps(text: str) -> None:
    normalize(text)
    for s, e in segment_sentences(text):
        tokenize(text, s, e)


def startup(cmd: list[str], n: int = 7) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=5.0)
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    args = ap.parse_args()
    text = load_text(args.shared, args.mb)
    mb = len(text.encode("utf-8")) / 1e6
    print(f"text: {mb:.1f} MB of Arabic news")
    print(f"normalise           {rate(normalize, text):6.2f} MB/s")
    print(f"segment sentences   {rate(segment_sentences, text):6.2f} MB/s")
    print(f"tokenise            {rate(tokenize, text):6.2f} MB/s")
    print(f"all three           {rate(all_steps, text):6.2f} MB/s   (target >= 2 MB/s)")
    khabar = str(Path(sys.executable).parent / "khabar")
    base = startup([sys.executable, "-c", "pass"])
    helps = startup([khabar, "--help"])
    print(f"python -c pass      {base * 1000:6.0f} ms (baseline)")
    print(f"khabar --help       {helps * 1000:6.0f} ms   (target < 500 ms)")


if __name__ == "__main__":
    main()
