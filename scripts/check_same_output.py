#!/usr/bin/env python3
"""Check that a change left the analysis output as it was: `khabar analyze` over the gold
articles with an older checkout and with this one, outputs compared byte for byte.

    git worktree add /tmp/khabar-base <commit>
    .venv/bin/python scripts/check_same_output.py --base /tmp/khabar-base [--shared ../shared]

Articles: the 32 in gold/own/articles (this repository) and the 24 in SHARED/gold/dev/articles.
Both runs use this interpreter and environment, each with its own ``src`` first on PYTHONPATH
(and so its own packaged data), one process, ``--workers 1``, and PYTHONHASHSEED=0: the NER
label-consistency pass breaks ties between the types a name got by set order, so a run under
another hash seed may differ in a few tags whatever the code. Exit 0 when every output is
identical; else 1, naming the articles that differ and their first differing field.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def analyze(src: Path, articles: Path, out: Path) -> list[str]:
    """One JSON line per article of ``articles`` (a directory), analysed with the code in ``src``."""
    env = dict(os.environ, PYTHONPATH=str(src), PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1")
    subprocess.run([sys.executable, "-m", "khabar", "analyze", str(articles), "--workers", "1",
                    "--format", "json", "--no-progress", "-o", str(out)], env=env, check=True)
    return out.read_text(encoding="utf-8").splitlines()


def first_difference(a: object, b: object, path: str = "") -> str:
    """The path of the first field where two decoded JSON values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                return first_difference(a.get(k), b.get(k), f"{path}.{k}")
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{path}[{i}]")
        if len(a) != len(b):
            return f"{path} (length {len(a)} vs {len(b)})"
    return path or "(whole)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", type=Path, required=True, help="a checkout of the commit to compare with")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    sets = [ROOT / "gold" / "own" / "articles", args.shared / "gold" / "dev" / "articles"]
    missing = [str(p) for p in sets + [args.base / "src" / "khabar"] if not p.exists()]
    if missing:
        print(f"error: not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    differ = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, articles in enumerate(sets):
            old = analyze(args.base / "src", articles, Path(tmp) / f"old{i}.jsonl")
            new = analyze(ROOT / "src", articles, Path(tmp) / f"new{i}.jsonl")
            if len(old) != len(new):
                print(f"{articles}: {len(old)} outputs before, {len(new)} now")
                differ += 1
            for a, b in zip(old, new):
                total += 1
                if a != b:
                    differ += 1
                    da, db = json.loads(a), json.loads(b)
                    print(f"{articles.name}/{da.get('id')}: differs at {first_difference(da, db)}")
            print(f"{articles}: {len(new)} articles, {sum(a == b for a, b in zip(old, new))} identical")
    print(f"{total - differ} of {total} outputs identical" + ("" if differ else " (all)"))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
