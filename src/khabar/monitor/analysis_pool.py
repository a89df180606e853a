"""Article analysis in worker processes for the watcher (``khabar watch --workers N``).

The watcher fetches, de-duplicates and stores in its own process; only the analysis, most of
its CPU, goes to a pool of processes built the way ``khabar analyze --workers`` builds its
(:mod:`khabar.service`): forked on Linux from a process that has built the pipeline already,
so the models are shared, not loaded again, and each worker ignores Ctrl-C and SIGTERM (the
watcher decides) and exits when the watcher is gone. The workers are forked when the pool is
made, before the watcher starts its fetching threads: forking a process whose other threads
may hold locks is how children hang.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import sys
from typing import Any

from ..corpus.store import FtsFields

AnalysisResult = tuple[dict[str, Any], FtsFields] | str  # the analysis, or why there is none


def _analyze_in_worker(cid: str, rec: dict[str, Any], stages: tuple[str, ...] | None) -> AnalysisResult:
    from ..corpus.ingest import analyze_record

    try:
        return analyze_record(cid, rec, stages)
    except Exception as exc:  # noqa: BLE001 - one bad article never stops the others
        return f"analysis failed: {type(exc).__name__}: {exc}"


class AnalysisPool:
    """``workers`` processes analysing article records (:func:`khabar.corpus.ingest.analyze_record`);
    :meth:`submit` returns a future of the analysis or of an error message."""

    def __init__(self, workers: int, stages: tuple[str, ...] | None = None) -> None:
        from ..service import get_pipeline

        self.workers, self.stages = workers, stages
        get_pipeline(stages)  # built here once: forked workers share it
        self._ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        self._stop = self._ctx.Event()
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        from ..service import _start_worker

        pool = cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=self._ctx, initializer=_start_worker,
                                      initargs=(self.stages, self._stop, os.getpid()))
        pool.submit(os.getpid).result()  # with fork, every worker starts on the first task: now
        return pool

    def submit(self, cid: str, rec: dict[str, Any]) -> cf.Future[AnalysisResult]:
        try:
            return self._pool.submit(_analyze_in_worker, cid, rec, self.stages)
        except cf.process.BrokenProcessPool:  # a worker died (out of memory, killed): a fresh pool
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            return self._pool.submit(_analyze_in_worker, cid, rec, self.stages)

    def close(self, cancel: bool = False) -> None:
        """Stop the workers; with ``cancel``, after the article each has in hand (queued ones are
        dropped: their pages were not stored and the next poll fetches them again)."""
        if cancel:
            self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=cancel)


def result_of(fut: cf.Future[AnalysisResult]) -> AnalysisResult:
    """The future's analysis or error message; a dead worker is an error message too."""
    try:
        return fut.result()
    except Exception as exc:  # noqa: BLE001 - BrokenProcessPool, a result that could not be sent back
        return f"worker failed: {type(exc).__name__}: {exc}"
