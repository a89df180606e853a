"""Analysis speed of this checkout against an older one, in the same run: benchmarks/bench_pipeline.py
run alternately with each one's ``src`` first on PYTHONPATH, ROUNDS times, medians reported.

    git worktree add /tmp/khabar-base <commit>
    .venv/bin/python benchmarks/bench_speed_compare.py --base /tmp/khabar-base [--rounds 5] [--articles 200]

Every run is a fresh process with OPENBLAS_NUM_THREADS=1 (one thread), the runs of the two
checkouts interleaved (the order swapped every round) so that a load from other jobs falls on
both alike. CPU time (this thread's) is what the table shows; on a shared machine wall time also
measures the queue.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(src: Path, args: argparse.Namespace) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src), OPENBLAS_NUM_THREADS="1", PYTHONHASHSEED="0")
    cmd = [sys.executable, str(ROOT / "benchmarks" / "bench_pipeline.py"), "--json",
           "--articles", str(args.articles), "--day", args.day, "--shared", str(args.shared)]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=Path, required=True, help="a checkout of the commit to compare with")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--day", default="2015-07-25")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    trees = {"base": args.base / "src", "this": ROOT / "src"}
    results: dict[str, list[dict]] = {name: [] for name in trees}
    for r in range(args.rounds):
        for name in (list(trees) if r % 2 == 0 else list(trees)[::-1]):
            res = run(trees[name], args)
            results[name].append(res)
            print(f"round {r + 1} {name}: {res['cpu_ms_per_article']:.1f} ms CPU per article, "
                  f"tagger {res['stages'].get('ner-tagger', {}).get('cpu_ms', 0):.1f} ms", file=sys.stderr)

    def med(name: str, get) -> float:
        return statistics.median(get(res) for res in results[name])

    first = results["this"][0]
    print(f"{first['articles']} SaudiNewsNet articles of {args.day} ({first['chars']:,.0f} characters on "
          f"average), {args.rounds} rounds interleaved, medians, one thread")
    print(f"  {'ms CPU per article':24s} {'base':>8s} {'this':>8s} {'ratio':>6s}")
    rows = [(name, lambda res, n=name: res["stages"][n]["cpu_ms"]) for name in first["stages"]]
    rows.append(("all stages", lambda res: res["cpu_ms_per_article"]))
    for label, get in rows:
        b, t = med("base", get), med("this", get)
        print(f"  {label:24s} {b:8.2f} {t:8.2f} {t / b if b else float('nan'):6.2f}")
    for label, key, fmt in (("tagger tokens/CPU-s", "tagger_tokens_per_cpu_s", "{:8,.0f}"),
                            ("articles/s (wall)", "articles_per_s", "{:8.1f}"),
                            ("pipeline build s (wall)", "load_s", "{:8.2f}")):
        b, t = med("base", lambda res, k=key: res[k] or 0), med("this", lambda res, k=key: res[k] or 0)
        print(f"  {label:24s} {fmt.format(b)} {fmt.format(t)} {t / b if b else float('nan'):6.2f}")


if __name__ == "__main__":
    main()
