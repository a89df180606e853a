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

    .venv/bin/python benchmarks/bench_watch_dedup.py --quality [--stored 5000] [--queries 1000]

Miss and false-merge rates of the duplicate decision, the old one (MinHash of the raw text, an
estimate of 0.8 or more) against what watch does now (``khabar.monitor.dedup``: datelines and credit
lines dropped before shingling, LSH candidates confirmed on the exact 3-gram sets). STORED
distinct SaudiNewsNet articles of 20 words or more (no two the same text; many share topic and
wording) are stored; then (a) each stored article is looked up among the others: any match
merges two distinct corpus articles (a false merge, unless the corpus itself holds a republished
copy: the pairs only one method merges are printed to be judged); (b) QUERIES of them, a
quarter from each length band (20-40, 40-80, 80-150, 150+ words), republished with one of the
datelines and credit lines below (written here; some not in data/credits.json) are looked up:
a miss is a copy not matched to its original.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from khabar.analysis.text.normalize import normalize
from khabar.corpus.store import Store
from khabar.monitor.dedup import confirmed_duplicate, shingles
from khabar.monitor.watch import _MASKS, lsh_bands, minhash, near_duplicate, signature_bytes

# Written for this benchmark (not from a corpus); "?" marks forms that data/credits.json lacks.
DATELINES = ["الرياض - واس: ",  # Riyadh - SPA:
             "جدة (رويترز) - ",  # Jeddah (Reuters) -
             "دبي - أ ف ب: ",  # Dubai - AFP:
             "القاهرة - مراسلنا: ",  # Cairo - our correspondent: (?)
             "المنامة، 12 مايو (بنا) - ",  # Manama, 12 May (BNA) -
             ""]
CREDITS = [" (رويترز)",  # (Reuters)
           "\nنقلا عن وكالة الأنباء الرسمية.",  # reported from the official news agency
           "\nالمصدر: صحيفة محلية",  # source: a local newspaper
           " - واس",  # - SPA
           "\nتابعونا على حساباتنا لمزيد من الأخبار.",  # follow our accounts for more news (?)
           ""]


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


def old_minhash(text: str) -> np.ndarray:
    """The signature before khabar.monitor.dedup: 3-grams of the raw normalised words (the baseline)."""
    import hashlib

    words = normalize(text).text.split()
    shs = {" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))}
    hashes = np.fromiter((int.from_bytes(hashlib.blake2b(sh.encode("utf-8"), digest_size=8).digest(), "big")
                          for sh in shs), dtype=np.uint64)
    return (hashes[None, :] ^ _MASKS[:, None]).min(axis=1)


def quality(args: argparse.Namespace) -> None:
    import random

    texts, seen = [], set()
    for f in sorted((args.shared / "data" / "news" / "saudinewsnet").glob("*.json")):
        for rec in json.loads(f.read_text(encoding="utf-8")):
            text = (rec.get("content") or "").strip()
            key = " ".join(text.split())
            if len(text.split()) >= 20 and key not in seen:
                seen.add(key)
                texts.append(text)
        if len(texts) >= args.stored:
            break
    texts = texts[:args.stored]
    by_id = dict(enumerate(texts))
    methods = {"old": old_minhash, "new": minhash}
    stores = {m: Store(":memory:") for m in methods}
    sigs: dict[str, list[np.ndarray]] = {m: [] for m in methods}
    for m, fn in methods.items():
        with stores[m].transaction():
            for i, t in by_id.items():
                sig = fn(t)
                sigs[m].append(sig)
                stores[m].add_minhash(str(i), signature_bytes(sig), lsh_bands(sig))

    def lookup(m: str, text: str, sig: np.ndarray, exclude: str | None = None) -> str | None:
        cands = [c for c in stores[m].minhash_candidates(lsh_bands(sig)) if c[0] != exclude]
        if m == "old":
            return near_duplicate(sig, cands)
        return confirmed_duplicate(text, sig, cands, lambda aid: by_id[int(aid)])

    merged: dict[str, dict[int, int]] = {}
    for m in methods:
        t = time.perf_counter()
        merged[m] = {i: int(hit) for i in by_id if (hit := lookup(m, by_id[i], sigs[m][i], str(i))) is not None}
        print(f"{m}: distinct articles merged with another: {len(merged[m])} of {len(texts)} "
              f"({time.perf_counter() - t:.1f} s)")
    by_rule = {"jaccard": 0, "contained": 0}
    for i, j in merged["new"].items():
        sa, sb = shingles(by_id[i]), shingles(by_id[j])
        by_rule["jaccard" if len(sa & sb) / len(sa | sb) >= 0.8 else "contained"] += 1
    print(f"new: merges by exact Jaccard >= 0.8: {by_rule['jaccard']}, by containment only: {by_rule['contained']}")
    for a, b in (("new", "old"), ("old", "new")):
        extra = sorted(set(merged[a]) - set(merged[b]))
        print(f"merged by {a} only: {len(extra)}")
        for i in extra[:args.show]:
            j = merged[a][i]
            sa, sb = shingles(by_id[i]), shingles(by_id[j])
            print(f"  {i} ({len(by_id[i].split())} words) ~ {j} ({len(by_id[j].split())} words): exact Jaccard "
                  f"{len(sa & sb) / len(sa | sb):.2f}, {len(sa & sb)}/{min(len(sa), len(sb))} of the shorter's 3-grams\n"
                  f"    {' '.join(by_id[i].split())[:150]}\n    {' '.join(by_id[j].split())[:150]}")

    rng = random.Random(16)
    bands = [(20, 40), (40, 80), (80, 150), (150, 10**9)]
    picks: list[int] = []
    for lo, hi in bands:
        pool = [i for i, t in by_id.items() if lo <= len(t.split()) < hi]
        picks += rng.sample(pool, min(len(pool), args.queries // len(bands)))
    copies = []
    for i in picks:
        d, c = rng.choice(DATELINES), rng.choice(CREDITS)
        if not d and not c:
            d = DATELINES[0]
        copies.append((i, d + by_id[i] + c, next(b for b in bands if b[0] <= len(by_id[i].split()) < b[1])))
    for m, fn in methods.items():
        misses: dict[tuple[int, int], list[int]] = {b: [0, 0] for b in bands}
        wrong = 0
        for i, copy, band in copies:
            hit = lookup(m, copy, fn(copy))
            misses[band][1] += 1
            if hit is None or int(hit) != i:
                misses[band][0] += 1
                if hit is not None:
                    wrong += 1
                    sa, sb = shingles(by_id[i]), shingles(by_id[int(hit)])
                    print(f"  {m}: copy of {i} matched {hit}, whose text has exact Jaccard "
                          f"{len(sa & sb) / len(sa | sb):.2f} with the original")
        total = sum(v[0] for v in misses.values())
        print(f"{m}: copies missed {total} of {len(copies)} (matched to another article: {wrong}); by length: "
              + ", ".join(f"{lo}-{hi if hi < 10**9 else ''} words {v[0]}/{v[1]}" for (lo, hi), v in misses.items()))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stored", type=int, default=20000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--quality", action="store_true", help="miss and false-merge rates, old vs new decision")
    ap.add_argument("--show", type=int, default=10, help="with --quality: pairs printed per difference")
    args = ap.parse_args()
    if args.quality:
        quality(args)
        return

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
