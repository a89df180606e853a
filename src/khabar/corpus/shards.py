"""Dask and Parquet shards: the analysis of an ingest on a Dask cluster, written as Parquet shards
(one per batch) that are loaded into the store as they arrive or kept as a dataset
(``khabar ingest --dask [--no-load]``), and the loading of such shards later.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..io import DEFAULT_MAX_CHARS, BadArticle, InputError
from .ingest_inputs import input_bytes, new_jobs
from .ingest_report import IngestReport, Job, Progress
from .ingest_workers import analyze_record, pipeline_version
from .store import FtsFields, Store

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
                report.fail(path, cid, row["error"] or "no analysis", store)
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
            report.fail(row["path"] or "", row["content_id"], row["error"])
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


def _shard_dir(store: Store, shards: str | Path | None, version: str) -> Path:
    """The folder for an ingest's shards (default: ``<db>-shards/`` next to the database), marked."""
    out = Path(shards) if shards else store.path.parent / f"{store.path.stem}-shards"
    out.mkdir(parents=True, exist_ok=True)
    (out / SHARD_MARKER).write_text(f"khabar Parquet shards, pipeline {version}\n", encoding="utf-8")
    return out


@dataclass
class _ShardWriter:
    """Where the shards a cluster sends back go: a file each, then the store (or only counted)."""

    store: Store
    report: IngestReport
    out: Path
    load: bool
    progress: Progress | None
    run: str = field(default_factory=lambda: time.strftime("%Y%m%dT%H%M%S"))
    shards: int = 0
    bytes_done: int = 0

    def take(self, fut: Any, jobs: list[Job]) -> None:
        """Keep the shard of one finished task; a failed task's articles become failures."""
        try:
            data = fut.result()
        except Exception as exc:  # noqa: BLE001 - a lost worker: report its articles, a rerun retries them
            for cid, _rec, path in jobs:
                self.report.fail(path, cid, f"dask task failed: {type(exc).__name__}: {exc}", self.store)
            return
        self.shards += 1
        (self.out / f"part-{self.run}-{self.shards:05d}.parquet").write_bytes(data)
        if self.load:
            load_shard(self.store, data, self.report, count_seen=False)
        else:
            _count_shard(data, self.report)
        self.bytes_done += sum(len(rec["text"].encode("utf-8")) for _cid, rec, _p in jobs)
        if self.progress:
            self.progress.update(self.report, self.bytes_done)


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
    known = store.known_ids()
    prog = progress if isinstance(progress, Progress) else (
        Progress(input_bytes(paths), log=log, label="ingest (dask)") if progress else None)
    writer = _ShardWriter(store, report, _shard_dir(store, shards, version), load, prog)
    start = time.monotonic()
    client = address if isinstance(address, Client) else Client(address)
    own_client = client is not address
    try:
        ac = as_completed()
        inflight = 0
        limit = max(4, 2 * sum(client.nthreads().values()))

        def collect(fut: Any) -> None:
            nonlocal inflight
            inflight -= 1
            writer.take(fut, fut_jobs.pop(fut.key))

        fut_jobs: dict[str, list[Job]] = {}
        chunk: list[Job] = []

        def submit(b: list[Job]) -> None:
            nonlocal inflight
            fut = client.submit(analyze_shard, b, stages, version, pure=False)
            fut_jobs[fut.key] = b
            ac.add(fut)
            inflight += 1

        for job in new_jobs(paths, known, report, max_chars=max_chars):
            if isinstance(job, BadArticle):
                report.fail(job.path, job.id, job.reason, store)
                continue
            chunk.append(job)
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
