"""`khabar watch --once` end to end over simulated feeds served on 127.0.0.1.

    .venv/bin/python benchmarks/bench_watch.py [--feeds 200] [--items 20] [--dup-share 0.3] [--workers 1]
                                               [--stages STAGE,...] [--profile] [--no-analysis]
                                               [--shared ../shared]

FEEDS x ITEMS articles, a DUP-SHARE of them republished copies of others under another URL in
another feed: half the very same page, half with a dateline, a credit line or both added (near
duplicates). Pages and RSS feeds are built at run time from SaudiNewsNet articles in SHARED (never
written to the repository) and served by a local threaded HTTP server (127.0.0.1 only, at most
16 requests at a time, stopped at the end). The originals are articles of 80 words or more that
are neither the same text nor near duplicates of one another, so that the right answer is known.

The watcher runs in a child process (this script with ``--child``): the watch module's entry
point, ``khabar.monitor.watch.watch(..., once=True, workers=WORKERS)``, with the CLI's defaults (8 fetch
threads, 2 requests at a time per host) but the politeness delay set to 0, over a fresh store
file. With ``--workers 1`` the child times each call of the analysis
(``khabar.corpus.ingest.analyze_record``, CPU time of the calling thread) against the process's CPU
time; with more, the analysis is the CPU of the worker processes (RUSAGE_CHILDREN, reaped when the
pool closes) and everything else the watcher's own. It reports its peak RSS and the largest
worker's (forked: they share the models' pages with the watcher, so the sum overstates). ``--profile`` runs it under cProfile (main thread:
analysis, dedup and writes) and the fetch threads (feeds, pages, extraction: each thread its own profiler,
merged) and prints the top functions of each.
``--no-analysis`` stubs the analysis out (the record becomes a document with no annotations, as
``analyze_record`` would store it, without running the pipeline), so that the CPU left is what
the watcher spends outside the analysis: fetching, feed parsing, extraction, de-duplication,
storing, indexing and alerts. The real pipeline stays the default.

Then the store is checked: as many articles as originals, every URL of a group (an original and
its copies) linked to one article, distinct groups to distinct articles, nothing failed.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

MIN_ORIGINAL_WORDS = 80  # shorter articles: a dateline weighs too much for the 0.8 MinHash threshold
# Added to near-duplicate copies; written here, not taken from a corpus.
DATELINE = "الرياض (خاص) - "  # "Riyadh (special) - "
CREDIT = "\nنقلا عن وكالة الأنباء الرسمية."  # "Reported from the official news agency."


# ------------------------------------------------------------------ the simulated web

def load_originals(shared: Path, n: int) -> list[dict[str, str]]:
    """N SaudiNewsNet articles (title, text) of MIN_ORIGINAL_WORDS or more, no two of them the
    same text or near duplicates (as the watcher judges: MinHash + LSH, confirmed by khabar.monitor.dedup),
    nor with an estimated similarity of 0.5 or more to an earlier one."""
    import numpy as np

    from khabar.monitor.dedup import confirmed_duplicate
    from khabar.monitor.watch import lsh_bands, minhash, signature_bytes, similarity

    out: list[dict[str, str]] = []
    bands: dict[int, list[tuple[str, bytes]]] = {}
    seen_texts: set[str] = set()
    for f in sorted((shared / "data" / "news" / "saudinewsnet").glob("*.json")):
        for rec in json.loads(f.read_text(encoding="utf-8")):
            text = " ".join((rec.get("content") or "").split())
            if len(text.split()) < MIN_ORIGINAL_WORDS or text in seen_texts:
                continue
            sig = minhash(text)
            keys = lsh_bands(sig)
            cands = {c for k in keys for c in bands.get(k, [])}
            # clearly distinct: not the same article, and not even close (a copy of a borderline
            # pair would make the expected answer a matter of taste)
            if confirmed_duplicate(text, sig, cands, lambda i: out[int(i)]["text"]) is not None or any(
                    similarity(sig, np.frombuffer(blob, dtype=">u8").astype(np.uint64)) >= 0.5 for _, blob in cands):
                continue
            seen_texts.add(text)
            for k in keys:
                bands.setdefault(k, []).append((str(len(out)), signature_bytes(sig)))
            out.append({"title": " ".join((rec.get("title") or "").split()) or "خبر",  # "news item"
                        "text": rec.get("content") or text})
            if len(out) >= n:
                return out
    raise SystemExit(f"bench_watch: only {len(out)} usable articles in {shared}, {n} needed")


def page_html(title: str, text: str) -> bytes:
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
    t = html.escape(title)
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{t}</title>'
            f'<meta name="date" content="2026-11-30"></head><body><nav><a href="/">Home</a></nav>'
            f"<article><h1>{t}</h1>{paras}</article><footer>(c) outlet</footer></body></html>").encode()


def rss_xml(base: str, items: list[tuple[str, str]]) -> bytes:
    body = "".join(f"<item><title>{html.escape(t)}</title><link>{base}{path}</link>"
                   f"<pubDate>Mon, 30 Nov 2026 08:00:00 GMT</pubDate></item>" for t, path in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>feed</title>'
            f"<link>{base}/</link><description>bench</description>{body}</channel></rss>").encode()


def build_site(originals: list[dict[str, str]], feeds: int, items: int, dup_share: float, seed: int = 16
               ) -> tuple[dict[str, tuple[str, str]], list[list[str]]]:
    """Pages {path: (title, text)} and the groups of paths that hold one article (its original
    first or not: the order is shuffled); feed f lists slots f*items .. (f+1)*items - 1."""
    total = feeds * items
    n_dup = round(total * dup_share)
    n_orig = total - n_dup
    rng = random.Random(seed)
    # Each entry: (original index, variant); variant 0 is the original page itself.
    entries = [(i, 0) for i in range(n_orig)] + [(rng.randrange(n_orig), 1 + k % 4) for k in range(n_dup)]
    rng.shuffle(entries)
    pages: dict[str, tuple[str, str]] = {}
    groups: list[list[str]] = [[] for _ in range(n_orig)]
    for slot, (i, variant) in enumerate(entries):
        feed = slot // items
        path = f"/o{feed:03d}/a{slot:05d}.html"
        title, text = originals[i]["title"], originals[i]["text"]
        # 1: the same page; 2: a dateline; 3: a credit line; 4: both
        if variant in (2, 4):
            text = DATELINE + text
        if variant in (3, 4):
            text = text + CREDIT
        pages[path] = (title, text)
        groups[i].append(path)
    return pages, groups


class _BoundedServer(ThreadingHTTPServer):
    """A thread per request, at most ``limit`` at a time (the rest wait in the listen queue)."""

    daemon_threads = True
    limit = 16

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._slots = threading.BoundedSemaphore(self.limit)

    def process_request(self, request: Any, client_address: Any) -> None:
        self._slots.acquire()
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def start_server(bodies: dict[str, bytes]) -> _BoundedServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            body = bodies.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            ctype = "application/rss+xml" if self.path.endswith(".xml") else "text/html; charset=utf-8"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = _BoundedServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, name="bench-http", daemon=True).start()
    return server


# ------------------------------------------------------------------ the watcher (child process)

def child(args: argparse.Namespace) -> None:
    import cProfile
    import pstats

    import khabar.corpus.ingest
    from khabar.corpus.store import Store
    from khabar.monitor.watch import Fetcher, Waiting, load_sources, watch

    analysis = {"cpu": 0.0, "wall": 0.0, "calls": 0}
    real = khabar.corpus.ingest.analyze_record
    if args.no_analysis:  # what analyze_record stores, without the pipeline
        from khabar.corpus.ingest_workers import record_document, stored_form

        def real(cid: str, rec: dict[str, Any], stages: Any = None) -> Any:
            return stored_form(record_document(cid, rec))

    def timed(*a: Any, **kw: Any) -> Any:  # store_poll looks it up in khabar.corpus.ingest at each call
        c, w = time.thread_time(), time.perf_counter()
        try:
            return real(*a, **kw)
        finally:
            analysis["cpu"] += time.thread_time() - c
            analysis["wall"] += time.perf_counter() - w
            analysis["calls"] += 1

    khabar.corpus.ingest.analyze_record = timed
    thread_profiles: list[cProfile.Profile] = []
    if args.profile:  # the fetch threads too, each under its own profiler (merged at the end)
        import khabar.monitor.watch as watch_module

        local = threading.local()

        def profiled(fn: Any) -> Any:
            def run(*a: Any, **kw: Any) -> Any:
                if not hasattr(local, "prof"):
                    local.prof = cProfile.Profile()
                    thread_profiles.append(local.prof)
                local.prof.enable()
                try:
                    return fn(*a, **kw)
                finally:
                    local.prof.disable()
            return run

        watch_module.fetch_feed = profiled(watch_module.fetch_feed)
        watch_module.fetch_pages = profiled(watch_module.fetch_pages)
    sources = load_sources(Path(args.child[0]).read_text(encoding="utf-8"), args.child[0])
    stages = tuple(args.stages.split(",")) if args.stages else None
    store = Store(args.child[1], create=True)
    fetcher = Fetcher(delay=0.0, timeout=60)
    prof = cProfile.Profile() if args.profile else None
    khabar.corpus.ingest.pipeline_version(stages)  # the pipeline is built (models loaded) before the clock
    c0, w0, t0 = time.process_time(), time.perf_counter(), time.thread_time()
    if prof:
        prof.enable()
    waiting = Waiting()
    reports = watch(store, sources, fetcher, once=True, stages=stages, max_items=args.items, workers=args.workers,
                    waiting=waiting)
    if prof:
        prof.disable()
    wall, cpu, main_cpu = time.perf_counter() - w0, time.process_time() - c0, time.thread_time() - t0
    store.close()
    if prof:
        st = pstats.Stats(prof, stream=sys.stderr).strip_dirs()
        st.sort_stats("tottime").print_stats(25)
        st.sort_stats("cumulative").print_stats(40)
        if thread_profiles:
            print(f"fetch threads ({len(thread_profiles)}), merged:", file=sys.stderr)
            ft = pstats.Stats(*thread_profiles, stream=sys.stderr).strip_dirs()
            ft.sort_stats("tottime").print_stats(25)
            ft.sort_stats("cumulative").print_stats(30)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    if args.workers > 1:  # analysed in the workers: their CPU is the analysis, ours the rest
        analysis = {"cpu": kids.ru_utime + kids.ru_stime, "wall": 0.0, "calls": sum(r.added for r in reports)}
        cpu += analysis["cpu"]
    print(json.dumps({
        "wall": wall, "cpu": cpu, "main_cpu": main_cpu, "analysis": analysis, "maxrss_kb": ru.ru_maxrss,
        "worker_maxrss_kb": kids.ru_maxrss if args.workers > 1 else 0, "peak_waiting": waiting.peak,
        "max_waiting": waiting.limit,
        "added": sum(r.added for r in reports), "linked": sum(r.linked for r in reports),
        "failed": sum(r.failed for r in reports), "errors": [e for r in reports for e in r.errors][:10]}))


# ------------------------------------------------------------------ the run

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--dup-share", type=float, default=0.3)
    ap.add_argument("--stages", default=None, help="comma-separated pipeline stages (default: all)")
    ap.add_argument("--workers", type=int, default=1, help="analysis processes (watch(workers=...))")
    ap.add_argument("--profile", action="store_true", help="run the watcher under cProfile")
    ap.add_argument("--no-analysis", action="store_true",
                    help="stub the analysis out: measure the watcher's CPU outside the analysis")
    ap.add_argument("--blas-threads", type=int, default=None,
                    help="OPENBLAS_NUM_THREADS and OMP_NUM_THREADS of the watcher (default: numpy's, all cores)")
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--child", nargs=2, metavar=("SOURCES", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    if args.feeds < 1 or args.items < 1 or not 0 <= args.dup_share < 1:
        ap.error("--feeds and --items must be at least 1, --dup-share in [0, 1)")

    total = args.feeds * args.items
    t = time.perf_counter()
    n_orig = total - round(total * args.dup_share)
    originals = load_originals(args.shared, n_orig)
    pages, groups = build_site(originals, args.feeds, args.items, args.dup_share)
    bodies = {p: page_html(title, text) for p, (title, text) in pages.items()}
    server = start_server(bodies)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    paths = sorted(pages)
    for f in range(args.feeds):
        mine = paths[f * args.items:(f + 1) * args.items]
        bodies[f"/o{f:03d}/feed.xml"] = rss_xml(base, [(pages[p][0], p) for p in mine])
    print(f"site: {args.feeds} feeds x {args.items} items = {total} pages, {n_orig} originals, "
          f"{total - n_orig} copies ({sum(len(g) > 1 for g in groups)} articles republished), "
          f"built in {time.perf_counter() - t:.1f} s")

    try:
        with tempfile.TemporaryDirectory(prefix="bench-watch-") as tmp:
            sources = Path(tmp) / "sources.toml"
            sources.write_text("".join(f'[[source]]\nname = "outlet{f:03d}"\nurl = "{base}/o{f:03d}/feed.xml"\n\n'
                                       for f in range(args.feeds)), encoding="utf-8")
            db = Path(tmp) / "watch.db"
            cmd = [sys.executable, __file__, "--child", str(sources), str(db), "--items", str(args.items),
                   "--workers", str(args.workers)]
            cmd += ["--stages", args.stages] if args.stages else []
            cmd += ["--profile"] if args.profile else []
            cmd += ["--no-analysis"] if args.no_analysis else []
            t = time.perf_counter()
            env = {**os.environ, "PYTHONHASHSEED": "0"}
            if args.blas_threads:
                env.update(OPENBLAS_NUM_THREADS=str(args.blas_threads), OMP_NUM_THREADS=str(args.blas_threads))
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
            outer = time.perf_counter() - t
            if proc.returncode != 0:
                sys.stderr.write(proc.stderr[-4000:])
                raise SystemExit(f"bench_watch: the watcher exited with {proc.returncode}")
            if args.profile:
                sys.stdout.write(proc.stderr)
            res = json.loads(proc.stdout.strip().splitlines()[-1])
            problems = check_store(db, groups, base)
    finally:
        server.shutdown()
        server.server_close()

    a = res["analysis"]
    n_dup = total - n_orig
    print(f"watcher: wall {res['wall']:.1f} s (process {outer:.1f} s with start-up), "
          f"{res['added']} new articles stored = {res['added'] / res['wall']:.1f} new/s, "
          f"{res['linked']} duplicates linked (expected {n_dup}), {res['failed']} failed")
    if args.workers > 1:
        w = res["worker_maxrss_kb"] / 1024
        print(f"peak RSS of the watcher: {res['maxrss_kb'] / 1024:.0f} MiB, of the largest of {args.workers} "
              f"workers {w:.0f} MiB (at most {res['maxrss_kb'] / 1024 + args.workers * w:.0f} MiB in all; "
              f"less, as they share pages)")
        print(f"new articles waiting to be stored: at most {res['peak_waiting']} (limit {res['max_waiting']})")
    else:
        print(f"peak RSS of the watcher: {res['maxrss_kb'] / 1024:.0f} MiB")
    added = max(1, res["added"])
    print(f"CPU: {res['cpu']:.1f} s in all, analysis ({a['calls']} articles) {a['cpu']:.1f} s CPU"
          + (f" / {a['wall']:.1f} s wall" if args.workers <= 1 else " in the workers")
          + f"; outside analysis {res['cpu'] - a['cpu']:.1f} s = {(res['cpu'] - a['cpu']) / res['cpu']:.0%} of CPU; "
          f"per new article {a['cpu'] / added * 1000:.0f} ms analysis + {(res['cpu'] - a['cpu']) / added * 1000:.0f} ms "
          "outside")
    if args.workers <= 1:  # the watcher's thread: de-duplication, store, alerts (and the analysis)
        main_out = res["main_cpu"] - a["cpu"]
        print(f"outside analysis per new article: {main_out / added * 1000:.1f} ms in the watcher's thread "
              f"(de-duplication, store, alerts), {(res['cpu'] - res['main_cpu']) / added * 1000:.1f} ms in the "
              "fetch threads (HTTP, feed parsing, extraction)")
    for e in res["errors"]:
        print(f"  error: {e}")
    print(f"stages: {'none (--no-analysis)' if args.no_analysis else args.stages or 'all'}; {args.workers} analysis workers, 8 fetch threads, 2 per host, delay 0; "
          f"BLAS threads "
          f"{args.blas_threads or 'default'}; {os.cpu_count()} CPUs (shared machine)")
    if problems or res["linked"] != n_dup or res["failed"]:
        for p in problems[:10]:
            print(f"  CHECK FAILED: {p}")
        raise SystemExit(f"bench_watch: store check failed ({len(problems)} problems)")
    print("store check: every original stored once, every copy linked to it, nothing lost")


def check_store(db: Path, groups: list[list[str]], base: str) -> list[str]:
    """What is wrong in the store: articles stored twice, copies not linked, pages lost."""
    from khabar.corpus.store import Store
    from khabar.monitor.watch import normalize_url

    problems = []
    store = Store(db, readonly=True)
    try:
        if (n := store.count_articles()) != len(groups):
            problems.append(f"{n} articles stored, {len(groups)} expected")
        owner: dict[str, int] = {}
        for g, paths in enumerate(groups):
            ids = {store.seen_article(normalize_url(base + p)) for p in paths}
            if None in ids:
                problems.append(f"group {g}: a page not stored nor linked ({sorted(paths)})")
            ids.discard(None)
            if len(ids) > 1:
                problems.append(f"group {g}: stored {len(ids)} times")
            for aid in ids:
                if aid in owner:
                    problems.append(f"groups {owner[aid]} and {g}: linked to one article {aid}")
                owner[aid] = g
                linked = {url for _, url in store.article_sources(aid)}
                if len(linked) != len(paths):
                    problems.append(f"group {g}: {len(linked)} source links for {len(paths)} pages")
    finally:
        store.close()
    return problems


if __name__ == "__main__":
    main()
