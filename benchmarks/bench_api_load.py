"""Load test of ``khabar serve`` on loopback: N concurrent clients for D seconds mixing search
and article pages (HTML and JSON). Prints throughput, status counts and latency percentiles;
exits 1 if any response was a 5xx (or a request failed).

    python benchmarks/bench_api_load.py                    # temp store of 2,000 shared articles
    python benchmarks/bench_api_load.py --db khabar.db     # an existing store
    python benchmarks/bench_api_load.py --clients 50 --duration 30 --articles 2000
    # before/after on one machine: an old commit's tree as the baseline, runs interleaved
    git worktree add /tmp/base <commit>
    python benchmarks/bench_api_load.py --db khabar.db --baseline /tmp/base --clients 10,50 \
        --workers 1,2 --rounds 3

Without --db it builds a temporary store from ../shared/data/news/saudinewsnet (read there,
never copied) with the current pipeline, or from examples/ when ../shared is absent.

Each configuration (the baseline tree, then this tree with each --workers value) gets a fresh
server per round and runs every --clients value; rounds alternate the configurations so that a
machine whose load changes affects them alike. With several runs, a table of medians over the
rounds closes the output. The baseline runs ``khabar serve`` from ``BASELINE/src`` as it is
(one process when it predates --workers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_NEWS = Path(os.environ.get("KHABAR_SHARED", ROOT.parent / "shared")) / "data" / "news" / "saudinewsnet"

# Share of each request kind in the mix.
MIX = (("search_html", 0.35), ("search_json", 0.20), ("article_html", 0.30), ("article_json", 0.15))


def build_store(db: Path, n: int) -> None:
    from khabar.io import BadArticle, iter_path
    from khabar.service import analyze
    from khabar.web.corpus import WebCorpus

    corpus = WebCorpus(db)
    source = sorted(SHARED_NEWS.glob("*.json")) if SHARED_NEWS.is_dir() else []
    paths = source or [ROOT / "examples"]
    added = 0
    t0 = time.perf_counter()
    for path in paths:
        for item in iter_path(path):
            if isinstance(item, BadArticle):
                continue
            corpus.add(analyze(item))
            added += 1
            if added >= n:
                break
        if added >= n:
            break
    corpus.close()
    where = SHARED_NEWS if source else ROOT / "examples"
    print(f"store: {added} articles from {where} in {time.perf_counter() - t0:.1f}s -> {db}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, workers: int | None = None, tree: Path | None = None) -> subprocess.Popen:
    """``khabar serve`` from this tree, or from ``tree/src`` (a baseline checkout)."""
    env = dict(os.environ)
    env.pop("KHABAR_API_TOKEN", None)
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tree / "src"), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "khabar", "serve", "--db", str(db), "--port", str(port)]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}") from None
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start within 60 s")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children, from /proc (0.0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
        for p in pids:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    except OSError:
        return 0.0
    return total


def sample_targets(base: str) -> tuple[list[str], list[str]]:
    """Article ids and query words taken from the store through the API itself."""
    ids, words = [], Counter()
    for page in range(1, 6):
        with urllib.request.urlopen(f"{base}/v1/articles?per_page=100&page={page}", timeout=30) as r:
            data = json.load(r)
        for hit in data["results"]:
            ids.append(hit["id"])
            for w in re.findall(r"[\u0621-\u064a]{4,}", hit.get("title") or hit["snippet"]["text"]):
                words[w] += 1
        if not data["has_more"]:
            break
    queries = [w for w, _ in words.most_common(200)] or ["الخارجية"]
    return ids, queries


async def run_load(base: str, ids: list[str], queries: list[str], clients: int, duration: float,
                   seed: int = 13) -> dict:
    import httpx

    rng = random.Random(seed)
    kinds, weights = zip(*MIX)
    lat: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    stop = time.perf_counter() + duration

    def url() -> tuple[str, str]:
        kind = rng.choices(kinds, weights)[0]
        if kind == "search_html":
            return kind, f"/search?q={' '.join(rng.sample(queries, k=min(len(queries), rng.choice((1, 1, 2)))))}"
        if kind == "search_json":
            return kind, f"/v1/articles?q={rng.choice(queries)}&page={rng.choice((1, 1, 1, 2))}"
        if kind == "article_html":
            return kind, f"/articles/{rng.choice(ids)}"
        return kind, f"/v1/articles/{rng.choice(ids)}"

    async def client() -> None:
        # One keep-alive connection per client, in a client of its own: a shared pool of 50
        # connections cost httpx ~7.5 ms of CPU per request (2.4 ms at 10), more than the server.
        async with httpx.AsyncClient(base_url=base, limits=httpx.Limits(max_connections=1), timeout=60) as c:
            await run(c)

    async def run(c: httpx.AsyncClient) -> None:
        while time.perf_counter() < stop:
            kind, path = url()
            t0 = time.perf_counter()
            try:
                r = await c.get(path)
                await r.aread()
                statuses[r.status_code] += 1
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] += 1
                continue
            lat[kind].append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - t0
    return {"lat": lat, "statuses": statuses, "errors": errors, "elapsed": elapsed}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))] * 1000


def summary(res: dict) -> dict:
    everything = [x for v in res["lat"].values() for x in v]
    total = sum(res["statuses"].values())
    return {"requests": total, "rps": total / res["elapsed"], "p50": pct(everything, 50),
            "p95": pct(everything, 95), "p99": pct(everything, 99),
            "5xx": sum(n for s, n in res["statuses"].items() if s >= 500), "failed": sum(res["errors"].values())}


def report(res: dict) -> None:
    everything = [x for v in res["lat"].values() for x in v]
    total = sum(res["statuses"].values())
    print(f"requests: {total} in {res['elapsed']:.1f}s = {total / res['elapsed']:.1f} req/s; "
          f"statuses {dict(sorted(res['statuses'].items()))}; failed requests {dict(res['errors'])}")
    print(f"{'kind':<14}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'mean ms':>9}")
    for kind, _ in MIX:
        v = res["lat"].get(kind, [])
        print(f"{kind:<14}{len(v):>7}{pct(v, 50):>9.1f}{pct(v, 95):>9.1f}{pct(v, 99):>9.1f}"
              f"{(statistics.fmean(v) * 1000 if v else float('nan')):>9.1f}")
    print(f"{'all':<14}{len(everything):>7}{pct(everything, 50):>9.1f}{pct(everything, 95):>9.1f}"
          f"{pct(everything, 99):>9.1f}{statistics.fmean(everything) * 1000:>9.1f}", flush=True)


def _ints(value: str) -> list[int]:
    return [int(v) for v in value.split(",") if v.strip()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, help="existing store to serve (default: build a temporary one)")
    ap.add_argument("--articles", type=int, default=2000, help="articles in the temporary store")
    ap.add_argument("--clients", type=_ints, default=[50], help="concurrent clients, e.g. 10,50")
    ap.add_argument("--workers", type=_ints, default=None,
                    help="server worker processes, e.g. 1,2 (default: serve's default)")
    ap.add_argument("--baseline", type=Path, metavar="TREE",
                    help="also run the server of this source tree (e.g. a git worktree of an old commit)")
    ap.add_argument("--rounds", type=int, default=1, help="repeat every configuration, interleaved")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds of load per run")
    args = ap.parse_args()

    configs: list[tuple[str, Path | None, int | None]] = []
    if args.baseline:
        configs.append(("baseline", args.baseline.resolve(), None))
    for w in args.workers or [None]:
        configs.append((f"new, {w} worker{'s' if w != 1 else ''}" if w else "new", None, w))
    results: dict[tuple[str, int], list[dict]] = defaultdict(list)
    bad = False
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "bench.db"
            build_store(db, args.articles)
        for rnd in range(1, args.rounds + 1):
            for name, tree, workers in configs:
                port = free_port()
                proc = start_server(db, port, workers, tree)
                base = f"http://127.0.0.1:{port}"
                try:
                    ids, queries = sample_targets(base)
                    for clients in args.clients:
                        print(f"\n[{name}] round {rnd}: {clients} clients for {args.duration:.0f}s on {base} "
                              f"({len(ids)} article ids, {len(queries)} query words; load average "
                              f"{os.getloadavg()[0]:.1f})", flush=True)
                        cpu0, own0 = cpu_seconds(proc.pid), time.process_time()
                        res = asyncio.run(run_load(base, ids, queries, clients, args.duration))
                        cpu, own = cpu_seconds(proc.pid) - cpu0, time.process_time() - own0
                        report(res)
                        row = summary(res)
                        row["cpu_ms"] = cpu * 1000 / max(1, row["requests"])
                        print(f"server CPU: {cpu:.1f}s = {row['cpu_ms']:.1f} ms per request; load generator "
                              f"(this process) CPU: {own * 1000 / max(1, row['requests']):.1f} ms per request",
                              flush=True)
                        results[(name, clients)].append(row)
                        bad |= bool(row["5xx"] or row["failed"])
                    alive = urllib.request.urlopen(f"{base}/healthz", timeout=5).status == 200
                    print(f"server alive after the load: {alive}")
                    bad |= not alive
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
    if len(results) > 1 or args.rounds > 1:
        print(f"\nmedians over {args.rounds} round(s), {args.duration:.0f}s each:")
        print(f"{'server':<20}{'clients':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'CPU ms/req':>11}"
              f"{'5xx':>6}{'failed':>8}  p95 of each round")
        for (name, clients), rows in results.items():
            med = {k: statistics.median(r[k] for r in rows) for k in ("rps", "p50", "p95", "p99", "cpu_ms")}
            each = ", ".join(f"{r['p95']:.0f}" for r in rows)
            print(f"{name:<20}{clients:>8}{med['rps']:>8.1f}{med['p50']:>9.0f}{med['p95']:>9.0f}{med['p99']:>9.0f}"
                  f"{med['cpu_ms']:>11.1f}"
                  f"{sum(r['5xx'] for r in rows):>6}{sum(r['failed'] for r in rows):>8}  "
                  f"{each}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
