"""The one service layer the CLI, API and web UI call: build the pipeline once, analyse."""

from __future__ import annotations

from functools import lru_cache

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
    """Analyse raw text (the id defaults to a hash of the normalised text)."""
    from .io import article_id

    return analyze(Document(id=doc_id or article_id(text), text=text, title=title, published=published))
