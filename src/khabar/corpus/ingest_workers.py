"""The analysis side of an ingest: what the analysis is (:func:`pipeline_version`), the analysis
of one article record (:func:`analyze_record`, pure) and the pool of worker processes that runs it.

Workers ignore Ctrl-C and SIGTERM (the ingest decides), finish the article in hand when the
ingest stops, and exit on their own when the ingest process is gone, even after ``kill -9``.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import inspect
import multiprocessing
import sys
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from ..model import Document
from ..service import _exit_with_parent
from .ingest_report import Job, Result
from .store import FtsFields, fts_fields

# --------------------------------------------------------------------------- pipeline version

def pipeline_version(stages: tuple[str, ...] | None = None) -> str:
    """A short fingerprint of the analysis: khabar's version, the stage names, each stage's
    ``version`` attribute (or its module's source), the packaged data files, and the sources of
    the text layer and the document model. Articles analysed
    under another fingerprint are what ``khabar reindex`` re-analyses."""
    from .. import __version__
    from ..service import get_pipeline

    h = hashlib.sha1(__version__.encode())
    for comp in get_pipeline(stages).components:
        h.update(f"|{comp.name}:".encode())
        version = getattr(comp, "version", None)
        if version is not None:
            h.update(str(version).encode())
        else:
            try:
                src = inspect.getsourcefile(type(comp))
                h.update(Path(src).read_bytes() if src else b"")
            except (TypeError, OSError):
                h.update(type(comp).__qualname__.encode())
    h.update(_data_digest())
    # Every stage builds on the text layer and the model: their sources count too.
    pkg = Path(__file__).resolve().parents[1]  # src/khabar: the same files as before the move
    for src in [pkg / "model.py", *sorted((pkg / "analysis" / "text").glob("*.py"))]:
        h.update(src.read_bytes())
    return h.hexdigest()[:12]


def _data_digest() -> bytes:
    h = hashlib.sha1()
    root = resources.files("khabar.data")
    stack = [root]
    files = []
    while stack:
        node = stack.pop()
        for child in node.iterdir():
            if child.is_dir():
                if child.name != "__pycache__":
                    stack.append(child)
            elif not child.name.endswith((".pyc", ".py")):
                files.append(child)
    for f in sorted(files, key=lambda f: str(f)):
        h.update(str(f).encode())
        h.update(f.read_bytes())
    return h.digest()


# --------------------------------------------------------------------------- the worker side

_STAGES: tuple[str, ...] | None = None
_STOP: Any = None  # set by the ingest when it stops: a worker returns what it has analysed


def _init_worker(stages: tuple[str, ...] | None, child: bool = False, parent_alive: Any = None,
                 stop: Any = None) -> None:
    global _STAGES, _STOP
    _STAGES = stages
    _STOP = stop
    if child:  # Ctrl-C or a stop reaches the whole process group: the parent decides, workers carry on
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _exit_with_parent(parent_alive)
    from ..service import get_pipeline

    get_pipeline(stages)  # build once per process, before the first article


def analyze_record(cid: str, rec: dict[str, Any], stages: tuple[str, ...] | None = None
                   ) -> tuple[dict[str, Any], FtsFields]:
    """The analysis of one article record (pure): its ``khabar.article/1`` dict and index fields."""
    from ..service import analyze

    doc = Document(id=rec.get("id") or cid, text=rec["text"], title=rec.get("title"),
                   published=rec.get("published"), source=rec.get("source"), url=rec.get("url"))
    out = analyze(doc, stages).to_dict()
    return out, fts_fields(out.get("title"), out["text"])


def _analyze_jobs(jobs: list[Job]) -> list[Result]:
    results: list[Result] = []
    for cid, rec, path in jobs:
        if _STOP is not None and _STOP.is_set():  # stopping: send back what is done, a rerun does the rest
            break
        try:
            d, f = analyze_record(cid, rec, _STAGES)
            results.append((cid, path, d, f, None))
        except Exception as exc:  # noqa: BLE001 - one bad article never stops a batch
            results.append((cid, path, None, None, f"analysis failed: {type(exc).__name__}: {exc}"))
    return results


# --------------------------------------------------------------------------- the pool

def analyse_all(batches: Iterable[list[Job]], take: Callable[[list[Result]], None], pending: list[Result], *,
                 workers: int, stages: tuple[str, ...] | None) -> None:
    """Run the batches (in worker processes when ``workers > 1``), handing results to ``take``.
    Interrupted, queued batches are dropped, the workers finish the article in hand and exit,
    and every finished result goes to ``pending``."""
    if workers <= 1:
        _init_worker(stages)
        for batch in batches:
            take(_analyze_jobs(batch))
        return
    ctx = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
    # Workers watch the read end and exit when it reads end-of-file: when this process dies
    # (even by kill -9) and no one is left to take their results.
    alive_r, alive_w = ctx.Pipe(duplex=False)
    stop = ctx.Event()
    try:
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                    initargs=(stages, True, alive_r, stop)) as pool:
            inflight: set[cf.Future[list[Result]]] = set()
            sent: dict[cf.Future[list[Result]], list[Job]] = {}

            def submit(b: list[Job]) -> None:
                fut = pool.submit(_analyze_jobs, b)
                sent[fut] = b
                inflight.add(fut)

            def collect(fut: cf.Future[list[Result]]) -> None:
                take(_future_results(fut, sent.pop(fut)))

            try:
                for batch in batches:
                    submit(batch)
                    while len(inflight) >= workers * 3:
                        done, _ = cf.wait(inflight, return_when=cf.FIRST_COMPLETED)
                        for fut in done:
                            inflight.discard(fut)
                            collect(fut)
                for fut in cf.as_completed(list(inflight)):
                    inflight.discard(fut)
                    collect(fut)
            except BaseException:
                stop.set()
                for fut in inflight:
                    fut.cancel()
                # The workers finish the article in hand, send back their batch so far and exit
                # (killing one while it sends a result would leave the pool's result pipe
                # half-written: a hang at exit).
                pool.shutdown(wait=True, cancel_futures=True)
                # Keep what finished: it is analysed, store it.
                for fut in inflight:
                    if fut.done() and not fut.cancelled() and fut.exception() is None:
                        pending.extend(fut.result())
                raise
    finally:
        alive_w.close()
        alive_r.close()


def _future_results(fut: cf.Future[list[Result]], jobs: list[Job]) -> list[Result]:
    try:
        return fut.result()
    except Exception as exc:  # noqa: BLE001 - a worker died (e.g. out of memory): its articles are reported
        reason = f"worker failed: {type(exc).__name__}: {exc}"
        return [(cid, path, None, None, reason) for cid, _rec, path in jobs]
