"""Time per character of every pipeline stage as the text grows (is each stage linear?).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_scaling.py [--sizes 50000,200000,800000]
        [--repeats 3] [--compare REF]

Builds one long text per size by concatenating whole saudinewsnet articles from ../shared (in
file order, a blank line between them, until the size is reached: nothing is copied into the
repository), runs the default pipeline on it stage by stage in a fresh process per size (after
a warm-up on other articles), and prints CPU microseconds per character for each stage and size
(process time: on a machine shared with other work, less noisy than wall time, which is given
in total), plus the largest over the smallest of those figures (1.0 = linear; goal: <= 1.5).
The models loaded before timing are frozen out of the garbage collector (``--no-gc-freeze``
to keep them in): see ``worker``.

``--compare REF`` also times another version side by side: REF is a source tree (a folder with
``src/khabar``) or a git commit, checked out with ``git worktree add`` into a temporary folder.
Runs of the two versions are interleaved (size by size: baseline, new, baseline, new, ...) so that load from
other processes on a shared machine falls on both; medians of ``--repeats`` runs are reported.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _articles(shared: Path, size: int, last: bool) -> list[tuple[str, str | None]]:
    """(text, date) of whole articles in file order, at least ``size`` characters in all."""
    out: list[tuple[str, str | None]] = []
    total = 0
    paths = sorted((shared / "data" / "news" / "saudinewsnet").glob("*.json"))
    for path in paths[-1:] if last else paths:
        for rec in json.loads(path.read_text(encoding="utf-8")):
            text = (rec.get("content") or rec.get("text") or "").strip()
            if text:
                out.append((text, (rec.get("date_extracted") or "")[:10] or None))
                total += len(text) + 2
                if total >= size:
                    return out
    raise SystemExit(f"not enough articles under {shared} for {size} characters")


def build_text(shared: Path, size: int, *, pool: int = 0, last: bool = False) -> tuple[str, str | None]:
    """A text of at least ``size`` characters made of whole articles, and the first one's date.

    The articles are taken evenly from the pool of the first ``pool`` characters of articles
    (every k-th one), so that every size has about the same mix of articles (short and long,
    quote-heavy or not) and only the length changes. ``last``: from the last day's file instead,
    to warm up on other articles than those timed.
    """
    arts = _articles(shared, max(size, pool), last)
    step = max(1, max(size, pool) // size)  # 800k pool: every 16th article for 50k, every 4th for 200k
    order = [a for offset in range(step) for a in arts[offset::step]]
    parts: list[str] = []
    total = 0
    for text, _date in order:
        parts.append(text)
        total += len(text) + 2
        if total >= size:
            break
    return "\n\n".join(parts), order[0][1]


def worker(shared: Path, size: int, pool: int, freeze: bool) -> None:
    """Time each stage on one size in this process (run from the tree being measured), after a
    warm-up on 20k characters of other articles (models loaded, caches primed alike).

    ``freeze``: what is loaded by then (models, lexicons, KB) is frozen out of the garbage
    collector: a full collection walks all of it, about 50 ms whatever the text, and would land
    on whichever stage happens to trigger it (measured: quotes 1.1 us/char at 50k without,
    0.45 with; 0.48 / 0.49 at 200k).
    """
    from khabar.analysis.pipeline import Pipeline
    from khabar.model import Document

    pipeline = Pipeline.build()
    warm, _ = build_text(shared, 20_000, last=True)
    pipeline(Document(id="warm", text=warm))
    if freeze:
        gc.collect()
        gc.freeze()
    text, published = build_text(shared, size, pool=pool)
    doc = Document(id=f"n{size}", text=text, published=published)
    spent, wall = {}, 0.0
    for c in pipeline.components:
        t, w = time.process_time(), time.perf_counter()
        doc = c(doc)
        spent[c.name] = time.process_time() - t
        wall += time.perf_counter() - w
    print(json.dumps({str(size): {"chars": len(text), "wall": wall, **spent}}))


def run_size(tree: Path, shared: Path, size: int, pool: int, freeze: bool) -> dict[str, dict[str, float]]:
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "OPENBLAS_NUM_THREADS": "1"}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--shared", str(shared),
           "--sizes", str(size), "--pool", str(pool)] + ([] if freeze else ["--no-gc-freeze"])
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tree)
    if res.returncode:
        raise SystemExit(f"run in {tree} failed:\n{res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def checkout(ref: str) -> tuple[Path, Path | None]:
    """A source tree for REF: the folder itself, or a temporary git worktree of the commit."""
    if (Path(ref) / "src" / "khabar").is_dir():
        return Path(ref).resolve(), None
    tmp = Path(tempfile.mkdtemp(prefix="khabar-bench-")) / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tmp), ref],
                   check=True, capture_output=True)
    return tmp, tmp


def table(label: str, runs: list[dict[str, dict[str, float]]], sizes: list[int]) -> list[str]:
    stages = [k for k in runs[0][str(sizes[0])] if k not in ("chars", "wall")]
    med = {(s, st): statistics.median(r[str(s)][st] / r[str(s)]["chars"] * 1e6 for r in runs)
           for s in sizes for st in stages}
    chars = {s: runs[0][str(s)]["chars"] for s in sizes}
    lines = [f"{label}: CPU microseconds per character (median of {len(runs)} runs)",
             f"  {'stage':10s}" + "".join(f"{chars[s]:>12,d}" for s in sizes) + f"{'max/min':>10s}"]
    for st in [*stages, "total"]:
        vals = [sum(med[(s, x)] for x in stages) if st == "total" else med[(s, st)] for s in sizes]
        lines.append(f"  {st:10s}" + "".join(f"{v:12.2f}" for v in vals) + f"{max(vals) / min(vals):10.2f}")
    for key, name in (("cpu", "CPU s"), ("wall", "wall s")):
        secs = [statistics.median(r[str(s)]["wall"] if key == "wall" else sum(r[str(s)][x] for x in stages)
                                  for r in runs) for s in sizes]
        lines.append(f"  {name:10s}" + "".join(f"{v:12.2f}" for v in secs))
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="50000,200000,800000")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--compare", metavar="REF", help="source tree or git commit to time side by side")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--pool", type=int, default=0, help="characters of articles every size samples "
                    "evenly (default: the largest size)")
    ap.add_argument("--no-gc-freeze", action="store_true", help="leave the loaded models in the "
                    "garbage collector's view (full collections then add a fixed cost to some stage)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.worker:
        worker(args.shared, sizes[0], args.pool, not args.no_gc_freeze)
        return
    pool = args.pool or max(sizes)
    trees = [("new", ROOT, None)]
    if args.compare:
        base, tmp = checkout(args.compare)
        trees.insert(0, (f"baseline {args.compare}", base, tmp))
    runs: dict[str, list] = {label: [{} for _ in range(args.repeats)] for label, _, _ in trees}
    try:
        for rep in range(args.repeats):
            for size in sizes:  # one fresh process per size: no size runs on caches a larger one filled
                for label, tree, _ in trees:  # interleaved: baseline, new, baseline, new, ...
                    runs[label][rep].update(run_size(tree, args.shared, size, pool, not args.no_gc_freeze))
                    print(f"run {rep + 1}/{args.repeats} {size} {label} done", file=sys.stderr)
    finally:
        for _, _, tmp in trees:
            if tmp is not None:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tmp)],
                               capture_output=True)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
    for label, _, _ in trees:
        print("\n".join(table(label, runs[label], sizes)))


if __name__ == "__main__":
    main()
