"""What an ingest reports: its counts and failures (:class:`IngestReport`) and its progress to
the user (:class:`Progress`).

Every bad file or article of an ingest, a reindex or a shard load goes through
:meth:`IngestReport.fail`, which records it in the store's ``failures`` table and counts it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import FtsFields, Store

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

    def fail(self, path: str, article_id: str | None, reason: str, store: Store | None = None) -> None:
        """Count one bad file or article; with ``store``, also record it in the store's failures
        table (in a transaction of its own, or a savepoint of the one in progress)."""
        if store is not None:
            with store.transaction():
                store.record_failure(path, article_id, reason)
        self.failed += 1
        self.failures.append((path, article_id, reason))

    def merge(self, other: IngestReport) -> None:
        """Add another report's counts and failures (a batch once committed, shards loaded)."""
        for name in ("seen", "added", "skipped", "failed", "empty"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures.extend(other.failures)

    def to_dict(self) -> dict[str, Any]:
        return {"seen": self.seen, "added": self.added, "skipped": self.skipped, "failed": self.failed,
                "empty": self.empty,
                "failures": [{"path": p, "id": i, "reason": r} for p, i, r in self.failures],
                "elapsed_s": round(self.elapsed, 3), "articles_per_s": round(self.rate, 2),
                "interrupted": self.interrupted, "pipeline_version": self.pipeline_version,
                "outdated": self.outdated, "index_rebuilt": self.index_rebuilt, "index_stale": self.index_stale}


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
