"""The analysis side of an ingest: what the analysis is (:func:`pipeline_version`), the analysis
of one article record (:func:`analyze_record`, pure), and the analysis of a stream of jobs through
:func:`khabar.service.pipe` (:func:`analyse_jobs`; worker processes when ``workers > 1``, with
the pool's dead-worker isolation, stop on Ctrl-C/SIGTERM and exit with the ingest).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import closing
from typing import Any

from ..model import Document
from .ingest_report import Job, Result
from .store import FtsFields, fts_fields


def pipeline_version(stages: tuple[str, ...] | None = None) -> str:
    """The identity of the analysis these stages produce (see
    :func:`khabar.analysis.pipeline.pipeline_version`). Articles stored under another one are
    what ``khabar reindex`` re-analyses; a store from before explicit versions is re-analysed
    once, since its identities hashed source files and install paths."""
    from ..analysis.pipeline import pipeline_version as version_of
    from ..service import get_pipeline

    return version_of(get_pipeline(stages).names)


def record_document(cid: str, rec: dict[str, Any], path: str = "") -> Document:
    """The Document to analyse for an article record; ``meta`` carries its content id and path."""
    return Document(id=rec.get("id") or cid, text=rec["text"], title=rec.get("title"),
                    published=rec.get("published"), source=rec.get("source"), url=rec.get("url"),
                    meta={"content_id": cid, "path": path})


def stored_form(doc: Document) -> tuple[dict[str, Any], FtsFields]:
    """An analysed document as the store takes it: its ``khabar.article/1`` dict and index fields."""
    out = doc.to_dict()
    return out, fts_fields(out.get("title"), out["text"])


def analyze_record(cid: str, rec: dict[str, Any], stages: tuple[str, ...] | None = None
                   ) -> tuple[dict[str, Any], FtsFields]:
    """The analysis of one article record (pure): its ``khabar.article/1`` dict and index fields."""
    from ..service import analyze

    return stored_form(analyze(record_document(cid, rec), stages))


def _result(doc: Document, error: str | None) -> Result:
    cid, path = doc.meta["content_id"], doc.meta["path"]
    if error is None:
        try:
            return (cid, path, *stored_form(doc), None)
        except Exception as exc:  # noqa: BLE001 - one bad article never stops a batch
            error = f"analysis failed: {type(exc).__name__}: {exc}"
    return cid, path, None, None, error


def analyse_jobs(jobs: Iterable[Job], *, workers: int, stages: tuple[str, ...] | None,
                 chunk: int) -> Iterator[Result]:
    """Each job's result in input order (a failed analysis is a result with its error). Closing
    the iterator stops the workers after the article in hand."""
    from ..service import pipe

    docs = (record_document(*job) for job in jobs)
    with closing(pipe(docs, stages=stages, workers=workers, batch_size=chunk, errors="yield")) as results:
        for doc, error in results:
            yield _result(doc, error)
