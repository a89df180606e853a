"""The one service layer the CLI, API and web UI call: build the pipeline once, analyse."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import chain, islice

from .model import Document
from .pipeline import Pipeline


@lru_cache(maxsize=8)
def get_pipeline(stages: tuple[str, ...] | None = None) -> Pipeline:
    """The pipeline for these stage names (the packaged default when None), built once."""
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


def _start_worker(stages: tuple[str, ...] | None) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group: the parent decides
    get_pipeline(stages)  # build once per process, before the first article


def _analyze_chunk(docs: list[Document], stages: tuple[str, ...] | None) -> list[Document | str]:
    out: list[Document | str] = []
    for doc in docs:
        try:
            out.append(analyze(doc, stages))
        except Exception as exc:  # noqa: BLE001 - one bad article never stops a batch
            out.append(f"analysis failed: {type(exc).__name__}: {exc}")
    return out


def analyze_many(docs: Iterable[Document], *, stages: tuple[str, ...] | None = None, workers: int = 1,
                 chunk: int = 8) -> Iterator[tuple[Document, Document | str]]:
    """Analyse documents and yield ``(input, analysed document or error message)`` in input order.

    With ``workers > 1`` the analysis runs in a pool of worker processes, started only when
    there are more than ``chunk`` documents. If a worker dies (out of memory, killed), the
    articles it held are reported as failed and the rest are analysed in this process.
    """
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
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_start_worker,
                                  initargs=(stages,))
    window: deque[tuple[list[Document], cf.Future[list[Document | str]]]] = deque()

    def oldest() -> Iterator[tuple[Document, Document | str]]:
        batch, fut = window.popleft()
        try:
            results = fut.result()
        except Exception as exc:  # noqa: BLE001 - a worker died (e.g. out of memory): its articles are reported
            results = [f"worker failed: {type(exc).__name__}: {exc}"] * len(batch)
        yield from zip(batch, results, strict=True)

    try:
        rest = chain(first, it)
        while batch := list(islice(rest, chunk)):
            try:
                fut = pool.submit(_analyze_chunk, batch, stages)
            except cf.process.BrokenProcessPool:  # a worker died: carry on here
                fut = cf.Future()
                fut.set_result(_analyze_chunk(batch, stages))
            window.append((batch, fut))
            if len(window) >= 3 * workers:  # bounded read-ahead: memory stays flat on any input
                yield from oldest()
        while window:
            yield from oldest()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
