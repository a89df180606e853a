"""Build src/khabar/data/topic_df.tsv.gz: document frequencies of word keys in Arabic news.

Reads the SaudiNewsNet corpus from ../shared (third-party text stays there; only the counts,
a statistic, go into the package). Words are keyed as khabar.analysis.summary.key does (normalised,
clitics removed); words seen in fewer than --min-df articles are left out to keep the file small.

    python scripts/build_topic_df.py [--shared ../shared] [--min-df 3]
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from pathlib import Path

from khabar.analysis.summary import key
from khabar.analysis.text.tokenize import tokenize

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "khabar" / "data" / "topic_df.tsv.gz"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--min-df", type=int, default=3)
    args = ap.parse_args()
    folder = Path(args.shared) / "data" / "news" / "saudinewsnet"
    df: Counter[str] = Counter()
    n_docs = 0
    for f in sorted(folder.glob("*.json")):
        for rec in json.loads(f.read_text(encoding="utf-8")):
            text = rec.get("content") or ""
            if not text.strip():
                continue
            n_docs += 1
            df.update({key(t.text, t.norm) for t in tokenize(text) if t.norm[:1].isalpha()})
    rows = sorted(((w, c) for w, c in df.items() if c >= args.min_df), key=lambda wc: (-wc[1], wc[0]))
    body = f"#docs\t{n_docs}\n" + "".join(f"{w}\t{c}\n" for w, c in rows)
    OUT.write_bytes(gzip.compress(body.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{OUT}: {len(rows)} words from {n_docs} articles, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
