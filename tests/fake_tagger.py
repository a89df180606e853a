"""A stand-in for khabar.analysis.ner's tagger in entity tests: tags tokens from a fixed dictionary."""

from __future__ import annotations


class FakeTagger:
    """Tags each token found in ``tags`` with its type (B- or I- after one of the same type)."""

    def __init__(self, tags: dict[str, str]):
        self.tags = tags

    def tag(self, tokens: list[str]) -> list[str]:
        out, prev = [], None
        for t in tokens:
            typ = self.tags.get(t)
            out.append("O" if typ is None else ("I-" if prev == typ else "B-") + typ)
            prev = typ
        return out
