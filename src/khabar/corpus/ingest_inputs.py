"""The inputs of an ingest: documents from files, directories and stdin, every problem as a
:class:`khabar.io.BadArticle`, and the jobs for the articles not stored yet."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..io import DEFAULT_MAX_CHARS, BadArticle, InputError, article_id, input_files, is_empty, iter_files
from ..model import Document
from .ingest_report import IngestReport, Job

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


def record_of(doc: Document) -> dict[str, Any]:
    return {"id": doc.id, "text": doc.text, "title": doc.title, "published": doc.published,
            "source": doc.source, "url": doc.url}


def new_jobs(paths: Sequence[str | Path], known: set[str], report: IngestReport, *,
             max_chars: int = DEFAULT_MAX_CHARS, skipped_bytes: list[int] | None = None
             ) -> Iterator[Job | BadArticle]:
    """Jobs for the articles under ``paths`` that are neither stored (``known`` content ids) nor
    queued already; bad inputs come out as they are. Counts in ``report`` what it reads (seen,
    empty, skipped) and in ``skipped_bytes[0]`` the text already stored (for the progress bar)."""
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
            if skipped_bytes is not None:
                skipped_bytes[0] += len(item.text.encode("utf-8"))
            continue
        queued.add(cid)
        yield cid, record_of(item), path
