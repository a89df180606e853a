"""Near-duplicate lookup of `khabar watch`: MinHash + LSH bands in the store vs a linear scan.

    .venv/bin/python benchmarks/bench_watch_dedup.py [--stored 20000] [--queries 300] [--repeat 3]
                                                     [--shared ../shared]

The first STORED non-empty SaudiNewsNet articles (file order) are fingerprinted into an
in-memory store (the tables of migration 2). Then QUERIES of them, republished with a dateline
and a credit line added, and QUERIES articles that come after them (not stored) are looked up:
- lsh: `khabar.monitor.watch.lsh_bands` -> `Store.minhash_candidates` -> `near_duplicate` (what watch does);
- linear: every stored signature compared (the baseline).
Rounds interleave the two so that load from other users of the machine falls on both alike.
Prints the median time per lookup, and for each method how many copies were found (recall; a
match to another stored article with the very same text counts as found) and
how many unseen articles were matched to a stored one (in a news corpus some truly are copies).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from khabar.corpus.store import Store
from khabar.monitor.watch import lsh_bands, minhash, near_duplicate, signature_bytes


def load_texts(shared: Path, n: int) -> list[str]:
    out: list[str] = []
    for f in sorted((shared / "data" / "news" / "saudinewsnet").glob("*.json")):
        for rec in json.loads(f.read_text(encoding="utf-8")):
            text = (rec.get("content") or "").strip()
            if text:
                out.append(text)
                if len(out) >= n:
                    return out
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stored", type=int, default=20000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    args = ap.parse_args()

    texts = load_texts(args.shared, args.stored + args.queries)
    stored, unseen = texts[:args.stored], texts[args.stored:]
    store = Store(":memory:")
    t0 = time.perf_counter()
    sigs: list[tuple[str, bytes]] = []
    with store.transaction():
        for i, text in enumerate(stored):
            sig = minhash(text)
            store.add_minhash(str(i), signature_bytes(sig), lsh_bands(sig))
            sigs.append((str(i), signature_bytes(sig)))
    print(f"fingerprinted {len(stored)} articles in {time.perf_counter() - t0:.1f} s "
          f"({(time.perf_counter() - t0) / len(stored) * 1000:.2f} ms each)")
    step = max(1, len(stored) // args.queries)
    copies = [(str(i), "الرياض (واس) - " + stored[i] + "\nنقلا عن وكالة الأنباء.")
              for i in range(0, len(stored), step)][:args.queries]
    # a dateline and a credit line: written here, not taken from the corpus

    def lsh(text: str) -> str | None:
        sig = minhash(text)
        return near_duplicate(sig, store.minhash_candidates(lsh_bands(sig)))

    def linear(text: str) -> str | None:
        return near_duplicate(minhash(text), sigs)

    times: dict[str, list[float]] = {"lsh": [], "linear": []}
    found: dict[str, tuple[int, int]] = {}
    for _ in range(args.repeat):
        for name, fn in (("lsh", lsh), ("linear", linear)):
            t = time.perf_counter()
            # the corpus holds some articles twice: finding the other copy of the same text is right
            hits = sum((m := fn(text)) is not None and stored[int(m)] == stored[int(i)] for i, text in copies)
            false = sum(fn(text) is not None for text in unseen)
            times[name].append((time.perf_counter() - t) / (len(copies) + len(unseen)))
            found[name] = (hits, false)
    for name in ("lsh", "linear"):
        hits, false = found[name]
        print(f"{name:6s}: median {statistics.median(times[name]) * 1000:.2f} ms per lookup "
              f"(runs: {', '.join(f'{x * 1000:.2f}' for x in times[name])}); copies found {hits}/{len(copies)}; "
              f"unseen articles matched {false}/{len(unseen)}")
    print(f"stored {len(stored)}, numpy {np.__version__}")


if __name__ == "__main__":
    main()
