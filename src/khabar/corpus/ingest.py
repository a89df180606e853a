"""Ingest articles into a corpus store, in parallel over local processes (or a Dask cluster).

The main process reads inputs (:mod:`khabar.io`), drops articles already stored (an article's
id is the hash of its normalised text, :func:`khabar.io.article_id`), and hands the rest to worker
processes that run the analysis pipeline, a pure function of the article. The main process
writes results to the store in batches, one transaction each, so an interrupted ingest (Ctrl-C,
kill, power loss) keeps every committed batch and a rerun analyses only what is missing.
SIGTERM stops a local ingest the way Ctrl-C does (the analyses done are stored; a Dask ingest
does not handle it yet), and workers exit on their own when the ingest is gone, even after ``kill -9``.

A bad file or article (unreadable, binary, invalid UTF-8 or JSON, too long, or an analysis
that raised) is recorded in the store's ``failures`` table with its path, id and reason, counted
in the report, and never stops the batch. An empty article (nothing but whitespace and invisible
characters) is not a failure: it is skipped and counted in ``report.empty``, as ``analyze`` does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from pathlib import Path

from ..io import DEFAULT_MAX_CHARS, BadArticle
from ..monitor.alerts import record_alert_matches
from ..service import _stop_signal_interrupts, default_workers
from ..settings import INGEST_BATCH_SIZE, INGEST_CHUNK, INGEST_COMMIT_SECONDS
from .ingest_inputs import input_bytes, iter_inputs, new_jobs
from .ingest_report import IngestReport, Job, Progress, Result
from .ingest_workers import analyse_jobs, analyze_record, pipeline_version
from .shards import SHARD_MARKER, analyze_shard, ingest_dask, is_shards, load_shard, load_shards
from .store import Store

# The public names of the ingest, wherever they live (callers import them from here).
__all__ = ["SHARD_MARKER", "IngestReport", "Progress", "analyze_record", "analyze_shard", "ingest", "ingest_dask",
           "input_bytes", "is_shards", "iter_inputs", "load_shard", "load_shards", "pipeline_version", "reindex"]

# --------------------------------------------------------------------------- the engine

def _run(store: Store, jobs: Iterable[Job | BadArticle], report: IngestReport, *, workers: int,
         stages: tuple[str, ...] | None, replace: bool, batch_size: int, chunk: int,
         progress: Progress | None, skipped_bytes: list[int] | None = None) -> None:
    """Analyse jobs (with :func:`khabar.service.pipe`, in worker processes when ``workers > 1``)
    and write results in batches."""
    pending: list[Result] = []
    last_commit = time.monotonic()
    bytes_done = 0
    alerts = store.alerts()  # saved queries (khabar alert): matches are recorded as articles are stored

    def flush() -> None:
        nonlocal last_commit
        if not pending:
            return
        # Counted once committed: an interrupt inside the transaction rolls it back and the
        # final flush writes the same batch again.
        batch = IngestReport()
        with store.transaction():
            for cid, path, d, f, err in pending:
                if err is not None or d is None:
                    batch.fail(path, cid, err or "analysis failed", store)
                    continue
                try:  # a malformed analysis is that article's failure, not the batch's
                    store.add_article(d, content_id=cid, path=path, pipeline_version=report.pipeline_version,
                                      fts=f, replace=replace)
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    batch.fail(path, cid, f"cannot store the analysis: {type(exc).__name__}: {exc}", store)
                    continue
                record_alert_matches(store, alerts, d, cid)
                batch.added += 1
        report.merge(batch)
        pending.clear()  # the same list the workers' side fills when interrupted
        last_commit = time.monotonic()

    def take(r: Result) -> None:
        nonlocal bytes_done
        pending.append(r)
        if r[2] is not None:
            bytes_done += len(r[2]["text"].encode("utf-8"))
        if len(pending) >= batch_size or time.monotonic() - last_commit > INGEST_COMMIT_SECONDS:
            flush()
        if progress:
            progress.update(report, bytes_done + (skipped_bytes[0] if skipped_bytes else 0))

    def good_jobs() -> Iterator[Job]:
        """The jobs to analyse; bad inputs are recorded on the way."""
        for job in jobs:
            if isinstance(job, BadArticle):
                report.fail(job.path, job.id, job.reason, store)
            else:
                yield job

    # Interrupted, the workers finish the article in hand and stop; what was analysed and taken
    # is stored, a rerun analyses the rest.
    try:
        with _stop_signal_interrupts(), closing(analyse_jobs(good_jobs(), workers=workers, stages=stages,
                                                             chunk=chunk)) as results:
            for r in results:
                take(r)
        flush()
    except KeyboardInterrupt:
        report.interrupted = True
        flush()


def ingest(paths: Sequence[str | Path], store: Store, *, workers: int | None = None,
           stages: tuple[str, ...] | None = None, max_chars: int = DEFAULT_MAX_CHARS, batch_size: int = INGEST_BATCH_SIZE,
           chunk: int = INGEST_CHUNK, progress: bool | Progress | None = None,
           log: Callable[[str], None] | None = None) -> IngestReport:
    """Read, analyse and store every article under ``paths``; idempotent. A path that is a
    Parquet shard (or a directory of them) from ``ingest --dask --no-load`` is loaded as it is.

    ``workers`` defaults to the number of CPUs (1 runs in this process). ``progress``: True for
    a bar/log lines on stderr, or a :class:`Progress`. Returns an :class:`IngestReport`;
    ``report.failed`` counts bad files and articles (each recorded in the store).
    """
    version = pipeline_version(stages)
    report = IngestReport(pipeline_version=version)
    start = time.monotonic()
    shard_paths = [p for p in paths if is_shards(p)]
    paths = [p for p in paths if not is_shards(p)]
    for p in shard_paths:  # analyses made elsewhere (ingest --dask --no-load): load them as they are
        report.merge(load_shards(store, p))
    known = store.known_ids()
    prog = progress if isinstance(progress, Progress) else (
        Progress(input_bytes(paths), log=log) if progress else None)

    skipped_bytes = [0]  # text already stored still counts towards the progress bar
    jobs = new_jobs(paths, known, report, max_chars=max_chars, skipped_bytes=skipped_bytes)
    try:
        _run(store, jobs, report, workers=workers or default_workers(), stages=stages, replace=False,
             batch_size=batch_size, chunk=chunk, progress=prog, skipped_bytes=skipped_bytes)
    finally:
        if prog:
            prog.close()
    report.elapsed = time.monotonic() - start
    report.outdated = store.count_outdated(version)
    report.index_stale = not store.index_is_current()
    return report


def reindex(store: Store, *, workers: int | None = None, stages: tuple[str, ...] | None = None,
            force: bool = False, batch_size: int = INGEST_BATCH_SIZE, chunk: int = INGEST_CHUNK, progress: bool | Progress | None = None,
            log: Callable[[str], None] | None = None) -> IngestReport:
    """Re-analyse stored articles whose pipeline version differs from the current one (every
    article with ``force``), and rebuild the search index first when the word rules changed.
    Interrupted, it resumes where it stopped on the next call."""
    version = pipeline_version(stages)
    report = IngestReport(pipeline_version=version)
    if not store.index_is_current():  # the word rules changed: queries must match the index again
        report.index_rebuilt = store.rebuild_index()
    outdated = None if force else version
    total = store.text_bytes(pipeline_version_not=outdated)
    prog = progress if isinstance(progress, Progress) else (
        Progress(total, log=log, label="reindex") if progress else None)
    start = time.monotonic()

    def jobs() -> Iterator[Job]:
        for cid in store.article_ids(pipeline_version_not=outdated):  # read first: rows change as we go
            d = store.get_article(cid)
            if d is None:
                continue
            report.seen += 1
            rec = {k: d.get(k) for k in ("text", "title", "published", "source", "url")}
            rec["id"] = d.get("ext_id") or cid
            yield cid, rec, d.get("path") or ""

    try:
        _run(store, jobs(), report, workers=workers or default_workers(), stages=stages, replace=True,
             batch_size=batch_size, chunk=chunk, progress=prog)
    finally:
        if prog:
            prog.close()
    report.elapsed = time.monotonic() - start
    report.outdated = store.count_outdated(version)
    return report
