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

import concurrent.futures as cf
import hashlib
import inspect
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..io import DEFAULT_MAX_CHARS, BadArticle, InputError, article_id, input_files, is_empty, iter_files
from ..model import Document
from ..monitor.alerts import record_alert_matches
from ..service import _exit_with_parent, _stop_signal_interrupts, default_workers
from ..settings import INGEST_BATCH_SIZE, INGEST_CHUNK, INGEST_COMMIT_SECONDS
from .store import FtsFields, Store, fts_fields

# A unit of work: (content id, record fields, input path).
Job = tuple[str, dict[str, Any], str]
# What a worker returns: (content id, path, analysis dict or None, fts fields or None, error or None).
Result = tuple[str, str, "dict[str, Any] | None", "FtsFields | None", "str | None"]


@dataclass
class IngestReport:
    """What an ingest (or reindex) did. ``failures`` lists (path, article id, reason)."""

    seen: int = 0  # articles read (good ones, duplicates included)
    added: int = 0  # articles analysed and stored
    skipped: int = 0  # already stored (same normalised text)
    failed: int = 0
    empty: int = 0  # empty articles skipped (not failures: a rerun exits 0)
    failures: list[tuple[str, str | None, str]] = field(default_factory=list)
    elapsed: float = 0.0
    interrupted: bool = False
    pipeline_version: str = ""
    outdated: int = 0  # stored articles analysed by another pipeline version
    index_rebuilt: int = 0  # articles re-indexed because the word rules changed (reindex)
    index_stale: bool = False  # the search index needs a rebuild (run reindex)

    @property
    def rate(self) -> float:
        """Articles analysed and stored per second."""
        return self.added / self.elapsed if self.elapsed > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"seen": self.seen, "added": self.added, "skipped": self.skipped, "failed": self.failed,
                "empty": self.empty,
                "failures": [{"path": p, "id": i, "reason": r} for p, i, r in self.failures],
                "elapsed_s": round(self.elapsed, 3), "articles_per_s": round(self.rate, 2),
                "interrupted": self.interrupted, "pipeline_version": self.pipeline_version,
                "outdated": self.outdated, "index_rebuilt": self.index_rebuilt, "index_stale": self.index_stale}


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


# --------------------------------------------------------------------------- reading inputs

def iter_inputs(paths: Sequence[str | Path], max_chars: int = DEFAULT_MAX_CHARS
                ) -> Iterator[Document | BadArticle]:
    """Documents from files and directories; every problem (missing path, unreadable file, bad
    record, even an unexpected error in a reader) comes out as a BadArticle."""
    for p in paths:
        if str(p) == "-":  # one article from standard input, as `khabar analyze -` reads it
            from ..io import decode, read_text_input

            try:
                yield read_text_input(decode(sys.stdin.buffer.read(), "stdin"), where="stdin", max_chars=max_chars)
            except InputError as exc:
                yield BadArticle("stdin", None, str(exc).removeprefix("stdin: "))
            continue
        try:
            files = input_files(p)
        except InputError as exc:
            yield BadArticle(str(p), None, str(exc).removeprefix(f"{Path(p)}: "))
            continue
        yield from iter_files(files, max_chars=max_chars)


def input_bytes(paths: Sequence[str | Path]) -> int:
    """Total size of the input files (for the progress bar's ETA)."""
    total = 0
    for p in paths:
        try:
            files = input_files(p)
        except InputError:
            continue
        for f in files:
            try:
                total += f.stat().st_size
            except OSError:
                pass
    return total


def _record(doc: Document) -> dict[str, Any]:
    return {"id": doc.id, "text": doc.text, "title": doc.title, "published": doc.published,
            "source": doc.source, "url": doc.url}


# --------------------------------------------------------------------------- progress

class Progress:
    """Progress to the user: a rich bar (articles/s, ETA) on a terminal, log lines otherwise."""

    def __init__(self, total_bytes: int, *, tty: bool | None = None, log: Callable[[str], None] | None = None,
                 every: float = 5.0, label: str = "ingest") -> None:
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self.every, self.label = every, label
        self.start = self.last = time.monotonic()
        self.total = max(total_bytes, 1)
        self._bar: Any = None
        if self.tty:
            from rich.console import Console
            from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn(f"[bold]{label}"), BarColumn(),
                TextColumn("{task.fields[done]} articles ({task.fields[new]} new, {task.fields[failed]} failed)"),
                TextColumn("{task.fields[rate]:.1f} articles/s"), TextColumn("ETA"), TimeRemainingColumn(),
                transient=False, console=Console(stderr=True))
            self._bar.start()
            self._task = self._bar.add_task(label, total=self.total, done=0, new=0, failed=0, rate=0.0)

    def update(self, report: IngestReport, bytes_done: int) -> None:
        now = time.monotonic()
        rate = report.added / (now - self.start) if now > self.start else 0.0
        done = report.added + report.skipped + report.failed
        if self._bar is not None:
            self._bar.update(self._task, completed=min(bytes_done, self.total), done=done, new=report.added,
                             failed=report.failed, rate=rate)
        elif now - self.last >= self.every:
            self.last = now
            eta = ""
            if 0 < bytes_done < self.total:
                left = (self.total - bytes_done) * (now - self.start) / bytes_done
                eta = f", ETA {int(left // 60)}:{int(left % 60):02d}"
            self.log(f"{self.label}: {done} articles ({report.added} new, {report.skipped} already stored, "
                     f"{report.failed} failed), {rate:.1f} articles/s{eta}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=self.total)
            self._bar.stop()


# --------------------------------------------------------------------------- the engine

def _run(store: Store, jobs: Iterable[Job | BadArticle], report: IngestReport, *, workers: int,
         stages: tuple[str, ...] | None, replace: bool, batch_size: int, chunk: int,
         progress: Progress | None, skipped_bytes: list[int] | None = None) -> None:
    """Analyse jobs (in worker processes when ``workers > 1``) and write results in batches."""
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
        added, failures = 0, []
        with store.transaction():
            for cid, path, d, f, err in pending:
                if err is not None or d is None:
                    store.record_failure(path, cid, err or "analysis failed")
                    failures.append((path, cid, err or "analysis failed"))
                    continue
                try:  # a malformed analysis is that article's failure, not the batch's
                    store.add_article(d, content_id=cid, path=path, pipeline_version=report.pipeline_version,
                                      fts=f, replace=replace)
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    reason = f"cannot store the analysis: {type(exc).__name__}: {exc}"
                    store.record_failure(path, cid, reason)
                    failures.append((path, cid, reason))
                    continue
                record_alert_matches(store, alerts, d, cid)
                added += 1
        report.added += added
        report.failed += len(failures)
        report.failures.extend(failures)
        pending.clear()  # the same list the workers' side fills when interrupted
        last_commit = time.monotonic()

    def take(results: list[Result]) -> None:
        nonlocal bytes_done
        pending.extend(results)
        for r in results:
            if r[2] is not None:
                bytes_done += len(r[2]["text"].encode("utf-8"))
        if len(pending) >= batch_size or time.monotonic() - last_commit > INGEST_COMMIT_SECONDS:
            flush()
        if progress:
            progress.update(report, bytes_done + (skipped_bytes[0] if skipped_bytes else 0))

    def bad(item: BadArticle) -> None:
        with store.transaction():
            store.record_failure(item.path, item.id, item.reason)
        report.failed += 1
        report.failures.append((item.path, item.id, item.reason))

    def batches() -> Iterator[list[Job]]:
        """Jobs in chunks for the workers; bad inputs are recorded on the way."""
        batch: list[Job] = []
        for job in jobs:
            if isinstance(job, BadArticle):
                bad(job)
                continue
            batch.append(job)
            if len(batch) >= chunk:
                yield batch
                batch = []
        if batch:
            yield batch

    try:
        with _stop_signal_interrupts():
            _analyse_all(batches(), take, pending, workers=workers, stages=stages)
        flush()
    except KeyboardInterrupt:
        report.interrupted = True
        flush()


def _analyse_all(batches: Iterable[list[Job]], take: Callable[[list[Result]], None], pending: list[Result], *,
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
        loaded = load_shards(store, p)
        for k in ("seen", "added", "skipped", "failed"):
            setattr(report, k, getattr(report, k) + getattr(loaded, k))
        report.failures.extend(loaded.failures)
    known = store.known_ids()
    prog = progress if isinstance(progress, Progress) else (
        Progress(input_bytes(paths), log=log) if progress else None)

    skipped_bytes = [0]  # text already stored still counts towards the progress bar

    def jobs() -> Iterator[Job | BadArticle]:
        queued: set[str] = set()
        for item in iter_inputs(paths, max_chars=max_chars):
            if isinstance(item, BadArticle):
                yield item
                continue
            path = str(item.meta.get("path", ""))
            report.seen += 1
            if is_empty(item.text):
                report.empty += 1
                continue
            cid = article_id(item.text)
            if cid in known or cid in queued:
                report.skipped += 1
                skipped_bytes[0] += len(item.text.encode("utf-8"))
                continue
            queued.add(cid)
            yield cid, _record(item), path

    try:
        _run(store, jobs(), report, workers=workers or default_workers(), stages=stages, replace=False,
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


# --------------------------------------------------------------------------- Dask and Parquet shards

SHARD_MARKER = "KHABAR_SHARDS"  # file that marks a directory of khabar Parquet shards


def analyze_shard(jobs: list[Job], stages: tuple[str, ...] | None, version: str) -> bytes:
    """Analyse a batch of articles into one Parquet shard (returned as bytes). A pure function
    of its arguments, so it runs anywhere: a local process, a Dask worker, a retry.

    Columns: content_id, path, pipeline_version, analysis (``khabar.article/1`` JSON, text
    included), fts_title, fts_body (index words), error (null when the analysis worked).
    """
    import io as _io
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    cols: dict[str, list[Any]] = {k: [] for k in ("content_id", "path", "pipeline_version", "analysis",
                                                  "fts_title", "fts_body", "error")}
    for cid, rec, path in jobs:
        try:
            d, f = analyze_record(cid, rec, stages)
            row = [json.dumps(d, ensure_ascii=False), f.title, f.body, None]
        except Exception as exc:  # noqa: BLE001 - recorded as a failure by whoever loads the shard
            row = [None, None, None, f"analysis failed: {type(exc).__name__}: {exc}"]
        for k, v in zip(cols, [cid, path, version, *row]):
            cols[k].append(v)
    table = pa.table({k: pa.array(v, type=pa.string()) for k, v in cols.items()})
    buf = _io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def load_shard(store: Store, shard: bytes | str | Path, report: IngestReport | None = None, *,
               count_seen: bool = True) -> IngestReport:
    """Load one Parquet shard (bytes or a file) into the store, in one transaction; articles
    already stored are skipped, failed analyses are recorded."""
    import io as _io
    import json

    import pyarrow.parquet as pq

    report = report or IngestReport()
    table = pq.read_table(_io.BytesIO(shard) if isinstance(shard, bytes) else str(shard))
    with store.transaction():
        for row in table.to_pylist():
            cid, path = row["content_id"], row["path"] or ""
            report.seen += count_seen
            if row["error"] or not row["analysis"]:
                store.record_failure(path, cid, row["error"] or "no analysis")
                report.failed += 1
                report.failures.append((path, cid, row["error"] or "no analysis"))
                continue
            d = json.loads(row["analysis"])
            fts = FtsFields(row["fts_title"] or "", row["fts_body"] or "")
            if store.add_article(d, content_id=cid, path=path, pipeline_version=row["pipeline_version"] or "",
                                 fts=fts):
                report.added += 1
            else:
                report.skipped += 1
    return report


def _count_shard(data: bytes, report: IngestReport) -> None:
    """Count a shard that stays as a dataset (not loaded): analysed rows and failures."""
    import io as _io

    import pyarrow.parquet as pq

    for row in pq.read_table(_io.BytesIO(data), columns=["content_id", "path", "error"]).to_pylist():
        if row["error"]:
            report.failed += 1
            report.failures.append((row["path"] or "", row["content_id"], row["error"]))
        else:
            report.added += 1


def is_shards(path: str | Path) -> bool:
    """A Parquet shard file or a directory of shards written by ``ingest --dask``."""
    p = Path(path)
    return p.suffix == ".parquet" or (p.is_dir() and (p / SHARD_MARKER).exists())


def load_shards(store: Store, path: str | Path) -> IngestReport:
    """Load a Parquet shard file or a directory of shards (written by ``ingest --dask``)."""
    start = time.monotonic()
    p = Path(path)
    files = sorted(p.glob("*.parquet")) if p.is_dir() else [p]
    report = IngestReport()
    for f in files:
        load_shard(store, f, report)
    report.elapsed = time.monotonic() - start
    return report


def ingest_dask(paths: Sequence[str | Path], store: Store, address: Any, *, stages: tuple[str, ...] | None = None,
                max_chars: int = DEFAULT_MAX_CHARS, shards: str | Path | None = None, load: bool = True,
                batch: int = 100, progress: bool | Progress | None = None,
                log: Callable[[str], None] | None = None) -> IngestReport:
    """Ingest with the analysis running on an existing Dask cluster.

    ``address`` is a scheduler address (``tcp://host:8786``) or a ``distributed.Client``. This
    process reads the inputs and drops articles already stored; the cluster runs
    :func:`analyze_shard` on batches of ``batch`` articles; each returned shard is written to
    ``shards`` (default: ``<db>-shards/`` next to the database) and, with ``load``, loaded into the
    store as it arrives. Workers need khabar installed (the same version); they read no files.
    """
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InputError("--dask needs the 'dask' extra: pip install 'khabar[dask]'") from None

    version = pipeline_version(stages)
    report = IngestReport(pipeline_version=version)
    out = Path(shards) if shards else store.path.parent / f"{store.path.stem}-shards"
    out.mkdir(parents=True, exist_ok=True)
    (out / SHARD_MARKER).write_text(f"khabar Parquet shards, pipeline {version}\n", encoding="utf-8")
    known = store.known_ids()
    prog = progress if isinstance(progress, Progress) else (
        Progress(input_bytes(paths), log=log, label="ingest (dask)") if progress else None)
    run = time.strftime("%Y%m%dT%H%M%S")
    start = time.monotonic()
    client = address if isinstance(address, Client) else Client(address)
    own_client = client is not address
    try:
        ac = as_completed()
        inflight = 0
        n_shard = 0
        bytes_done = 0
        limit = max(4, 2 * sum(client.nthreads().values()))

        def collect(fut: Any) -> None:
            nonlocal n_shard, bytes_done, inflight
            inflight -= 1
            jobs_of = fut_jobs.pop(fut.key)
            try:
                data = fut.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker: report its articles, a rerun retries them
                for cid, _rec, path in jobs_of:
                    with store.transaction():
                        store.record_failure(path, cid, f"dask task failed: {type(exc).__name__}: {exc}")
                    report.failed += 1
                    report.failures.append((path, cid, f"dask task failed: {exc}"))
                return
            n_shard += 1
            (out / f"part-{run}-{n_shard:05d}.parquet").write_bytes(data)
            if load:
                load_shard(store, data, report, count_seen=False)
            else:
                _count_shard(data, report)
            bytes_done += sum(len(rec["text"].encode("utf-8")) for _cid, rec, _p in jobs_of)
            if prog:
                prog.update(report, bytes_done)

        fut_jobs: dict[str, list[Job]] = {}
        chunk: list[Job] = []

        def submit(b: list[Job]) -> None:
            nonlocal inflight
            fut = client.submit(analyze_shard, b, stages, version, pure=False)
            fut_jobs[fut.key] = b
            ac.add(fut)
            inflight += 1

        queued: set[str] = set()
        for item in iter_inputs(paths, max_chars=max_chars):
            if isinstance(item, BadArticle):
                with store.transaction():
                    store.record_failure(item.path, item.id, item.reason)
                report.failed += 1
                report.failures.append((item.path, item.id, item.reason))
                continue
            path = str(item.meta.get("path", ""))
            report.seen += 1
            if is_empty(item.text):
                report.empty += 1
                continue
            cid = article_id(item.text)
            if cid in known or cid in queued:
                report.skipped += 1
                continue
            queued.add(cid)
            chunk.append((cid, _record(item), path))
            if len(chunk) >= batch:
                submit(chunk)
                chunk = []
                while inflight >= limit:
                    collect(next(ac))
        if chunk:
            submit(chunk)
        while inflight:
            collect(next(ac))
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        if own_client:
            client.close()
        if prog:
            prog.close()
    report.elapsed = time.monotonic() - start
    report.outdated = store.count_outdated(version)
    return report
