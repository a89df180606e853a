"""The ``segment`` pipeline stage: sentences and tokens."""

from __future__ import annotations

from ...model import Document, Sentence
from .segment import segment_sentences
from .tokenize import tokenize


class Segmenter:
    name = "segment"
    reads = frozenset({"text"})
    reads_optional: frozenset[str] = frozenset()
    writes = frozenset({"sentences", "tokens"})

    def __call__(self, doc: Document) -> Document:
        sentences = tuple(
            Sentence(s, e, tuple(tokenize(doc.text, s, e))) for s, e in segment_sentences(doc.text)
        )
        return doc.with_(sentences=sentences)
