"""The one service layer the CLI, API and web UI call: build the pipeline once, analyse."""

from __future__ import annotations

import os
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from functools import lru_cache
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, Literal, overload

from .model import Document
from .settings import ANALYZE_CHUNK

if TYPE_CHECKING:  # the pipeline and process pools load on first use: `khabar --help` stays quick
    from .analysis.pipeline import Pipeline


@lru_cache(maxsize=8)
def get_pipeline(stages: tuple[str, ...] | None = None) -> Pipeline:
    """The pipeline for these stage names (the packaged default when None), built once."""
    from .analysis.pipeline import Pipeline

    return Pipeline.build(stages)


def analyze(doc: Document, stages: tuple[str, ...] | None = None) -> Document:
    """Run the pipeline on one document."""
    return get_pipeline(stages)(doc)


def analyze_text(text: str, *, published: str | None = None, doc_id: str | None = None,
                 title: str | None = None) -> Document:
    """Analyse raw text (the id defaults to a hash of the normalised text). Text with a lone
    surrogate raises :class:`khabar.io.InputError` (a ValueError): it is not valid Unicode."""
    from .io import article_id, check_unicode

    check_unicode(text, "text")
    return analyze(Document(id=doc_id or article_id(text), text=text, title=title, published=published))


def default_workers() -> int:
    """Worker processes by default: the CPUs this process may run on (a container or
    ``taskset`` may allow fewer than the machine has)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no sched_getaffinity (macOS, Windows)
        return os.cpu_count() or 1


@contextmanager
def _stop_signal_interrupts() -> Iterator[None]:
    """SIGTERM (a service stop, ``kill``) ends the run the way Ctrl-C does: a KeyboardInterrupt,
    so the workers stop and what is analysed is kept. Only the main thread can set handlers."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one does not cut the wind-down short
        raise KeyboardInterrupt(f"stopped by signal {signum}")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_with_parent(parent_alive: Any, parent_pid: int | None = None) -> None:
    """End this worker as soon as the process that started it is gone, so that no worker
    outlives it (not even after ``kill -9``, when nobody could take its results).
    ``parent_alive`` is None or the read end of a pipe whose only write end the parent holds:
    it reads end-of-file once the parent has exited. The parent process id is checked too, and
    on Linux the kernel kills the worker when its parent dies. ``parent_pid``, when the parent
    passes it, closes the gap where the parent dies before this runs."""
    import threading

    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # best effort: the watch below does not depend on it
            pass
    ppid = os.getppid() if parent_pid is None else parent_pid

    def watch() -> None:
        while os.getppid() == ppid:
            try:
                if parent_alive is not None and parent_alive.poll(1.0):  # readable = end of file
                    break
            except (EOFError, OSError):
                break
            if parent_alive is None:
                time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="khabar-exit-with-parent", daemon=True).start()


_STOP: Any = None  # set by the parent when it stops: a worker returns what it has analysed


def _start_worker(stages: tuple[str, ...] | None, stop: Any = None, parent_pid: int | None = None) -> None:
    global _STOP
    import signal

    _STOP = stop
    # Ctrl-C or a stop reaches the whole process group: the parent decides, workers carry on
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _exit_with_parent(None, parent_pid)  # forked: the parent is the analysis itself
    get_pipeline(stages)  # build once per process, before the first article


def _analyze_chunk(docs: list[Document | str], stages: tuple[str, ...] | None) -> list[Document | str]:
    out: list[Document | str] = []
    for doc in docs:
        if _STOP is not None and _STOP.is_set():  # stopping: nobody waits for the rest
            break
        try:
            out.append(analyze(_as_document(doc), stages))
        except Exception as exc:  # noqa: BLE001 - one bad article never stops a batch
            out.append(f"analysis failed: {type(exc).__name__}: {exc}")
    return out


def _as_document(item: Document | str) -> Document:
    """A text becomes a Document whose id is a hash of its normalised text."""
    if isinstance(item, Document):
        return item
    if not isinstance(item, str):
        raise TypeError(f"expected a str or a Document, got {type(item).__name__}")
    from .io import article_id, check_unicode

    check_unicode(item, "text")
    return Document(id=article_id(item), text=item)


class AnalysisError(ValueError):
    """The pipeline failed on one article (``pipe(..., errors="raise")``); ``doc`` is that input."""

    def __init__(self, message: str, doc: Document) -> None:
        super().__init__(message)
        self.doc = doc


@overload
def pipe(items: Iterable[Document | str], *, stages: Sequence[str] | None = None, workers: int = 1,
         batch_size: int = ANALYZE_CHUNK, errors: Literal["raise"] = "raise") -> Iterator[Document]: ...
@overload
def pipe(items: Iterable[Document | str], *, stages: Sequence[str] | None = None, workers: int = 1,
         batch_size: int = ANALYZE_CHUNK, errors: Literal["yield"]) -> Iterator[tuple[Document, str | None]]: ...
def pipe(items: Iterable[Document | str], *, stages: Sequence[str] | None = None, workers: int = 1,
         batch_size: int = ANALYZE_CHUNK, errors: str = "raise") -> Iterator[Any]:
    """Analyse many articles (texts or Documents), yielding the results in input order.

    ``stages``: stage names (default: the packaged pipeline). ``workers > 1``: a pool of worker
    processes (forked on Linux, so they share the loaded models), started only for more than
    ``batch_size`` articles; ``batch_size`` articles go to a worker at a time. ``errors``:

    - ``"raise"``: yields analysed Documents; the first article the pipeline fails on raises
      :class:`AnalysisError` (those before it have been yielded) and stops the workers;
    - ``"yield"``: yields ``(document, error)`` for every article, never stopping the batch:
      ``(analysed, None)`` or ``(the input as a Document, "analysis failed: ...")``.

    A bad stage list raises :class:`khabar.analysis.pipeline.PipelineError` before anything runs.
    Closing the generator early stops the workers after the article in hand.
    """
    if errors not in ("raise", "yield"):
        raise ValueError(f"errors must be 'raise' or 'yield', not {errors!r}")
    names = None if stages is None else tuple(stages)
    get_pipeline(names)  # a bad stage list fails here, in the caller
    with closing(_analyze_all(items, stages=names, workers=workers, chunk=batch_size)) as results:
        for item, result in results:
            if isinstance(result, Document):
                yield result if errors == "raise" else (result, None)
                continue
            doc = item if isinstance(item, Document) else Document(id="", text=str(item))
            if errors == "raise":
                raise AnalysisError(f"{doc.id or 'article'}: {result}", doc)
            yield doc, result


# long: the pool's whole life (start, window, dead-worker retry, stop) in one place
def _analyze_all(docs: Iterable[Document | str], *, stages: tuple[str, ...] | None = None, workers: int = 1,
                 chunk: int = ANALYZE_CHUNK) -> Iterator[tuple[Document | str, Document | str]]:
    """Analyse documents and yield ``(input, analysed document or error message)`` in input order.

    With ``workers > 1`` the analysis runs in a pool of worker processes, started only when
    there are more than ``chunk`` documents. If a worker dies (out of memory, killed), the pool
    breaks and fails every batch in flight: those articles are analysed again one at a time in
    a process of their own, so only the article(s) that kill a worker are reported as failed;
    a fresh pool takes the rest. Closing the generator early (Ctrl-C, SIGTERM) stops the
    workers after the article in hand; workers also exit when this process dies.
    """
    import concurrent.futures as cf
    import multiprocessing

    it = iter(docs)
    first = list(islice(it, chunk + 1))
    if workers <= 1 or len(first) <= chunk:
        for doc in chain(first, it):
            yield doc, _analyze_chunk([doc], stages)[0]
        return
    # On Linux, forked workers inherit the pipeline this process built (no second model load);
    # elsewhere fork is unsafe or missing and each worker builds its own.
    get_pipeline(stages)
    ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    stop = ctx.Event()
    pools: list[cf.ProcessPoolExecutor] = []  # every pool started, so that all are shut down

    def new_pool(n: int) -> cf.ProcessPoolExecutor:
        pools.append(cf.ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_start_worker,
                                            initargs=(stages, stop, os.getpid())))
        return pools[-1]

    def one_by_one(batch: list[Document | str]) -> list[Document | str]:
        """The articles of a batch a dead worker took down, each alone: a death now is its own."""
        results: list[Document | str] = []
        solo = new_pool(1)
        for doc in batch:
            try:
                results.append(solo.submit(_analyze_chunk, [doc], stages).result()[0])
            except cf.process.BrokenProcessPool as exc:
                results.append(f"worker failed: {type(exc).__name__}: {exc}")
                solo.shutdown(wait=True)
                solo = new_pool(1)
        solo.shutdown(wait=True)
        return results

    pool = new_pool(workers)
    window: deque[tuple[list[Document | str], cf.Future[list[Document | str]]]] = deque()

    def oldest() -> Iterator[tuple[Document | str, Document | str]]:
        batch, fut = window[0]  # popped once back: a stop while waiting still finds it
        try:
            results = fut.result()
        except cf.process.BrokenProcessPool:  # a worker died: which article killed it is unknown
            results = one_by_one(batch)
        except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back
            results = [f"worker failed: {type(exc).__name__}: {exc}"] * len(batch)
        window.popleft()
        yield from zip(batch, results, strict=True)

    def finished() -> Iterator[tuple[Document | str, Document | str]]:
        """After a stop, the results already back, in order up to the first batch not done."""
        for batch, fut in window:
            if not fut.done() or fut.cancelled() or fut.exception() is not None:
                return
            results = fut.result()
            yield from zip(batch, results)  # a batch stopped half-way has fewer results
            if len(results) < len(batch):
                return

    try:
        rest = chain(first, it)
        while batch := list(islice(rest, chunk)):
            try:
                fut = pool.submit(_analyze_chunk, batch, stages)
            except cf.process.BrokenProcessPool:  # a worker died: a fresh pool takes the rest
                pool.shutdown(wait=True)
                pool = new_pool(workers)
                fut = pool.submit(_analyze_chunk, batch, stages)
            window.append((batch, fut))
            if len(window) >= 3 * workers:  # bounded read-ahead: memory stays flat on any input
                yield from oldest()
        while window:
            yield from oldest()
    except BaseException as exc:
        # Stopped (Ctrl-C, SIGTERM, the consumer closed us): the workers finish the article in
        # hand and exit; killing one while it sends a result would hang the pool at exit.
        stop.set()
        for p in pools:
            p.shutdown(wait=True, cancel_futures=True)
        if isinstance(exc, KeyboardInterrupt):  # while we waited: what is analysed still goes out (ingest stores it)
            yield from finished()
        raise
    for p in pools:
        p.shutdown()
