"""Entity-level precision/recall/F1 of the NER tagger, with conlleval semantics.

Entities are decoded from BIO tags by ``khabar.analysis.ner.bio.entity_spans`` (an I-X that does
not continue an X starts a new entity; an entity ends at a sentence boundary). Only exact
span-and-type matches count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..analysis.ner.bio import entity_spans
from ..analysis.ner.conll import Block


def score(gold: Iterable[Sequence[str]], pred: Iterable[Sequence[str]]) -> dict:
    """Scores per type and overall: {"types": {T: {...}}, "overall": {...}}.

    Each entry has precision, recall, f1 (0..1), gold and pred counts.
    """
    g_all: set[tuple[int, int, int, str]] = set()
    p_all: set[tuple[int, int, int, str]] = set()
    for n, (g, p) in enumerate(zip(gold, pred, strict=True)):
        if len(g) != len(p):
            raise ValueError(f"sentence {n + 1}: {len(g)} gold tags but {len(p)} predicted")
        g_all.update((n, *s) for s in entity_spans(g))
        p_all.update((n, *s) for s in entity_spans(p))

    def prf(gs: set, ps: set) -> dict:
        tp = len(gs & ps)
        pr = tp / len(ps) if ps else 0.0
        rc = tp / len(gs) if gs else 0.0
        f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        return {"precision": pr, "recall": rc, "f1": f1, "gold": len(gs), "pred": len(ps)}

    types = sorted({s[3] for s in g_all | p_all})
    return {
        "types": {t: prf({s for s in g_all if s[3] == t}, {s for s in p_all if s[3] == t}) for t in types},
        "overall": prf(g_all, p_all),
    }


def format_table(result: dict) -> str:
    """A plain-text table (percentages) of a ``score`` result."""
    lines = [f"{'type':8} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6} {'pred':>6}"]
    rows = list(result["types"].items()) + [("overall", result["overall"])]
    for name, r in rows:
        lines.append(f"{name:8} {100 * r['precision']:6.2f} {100 * r['recall']:6.2f} {100 * r['f1']:6.2f} "
                     f"{r['gold']:6d} {r['pred']:6d}")
    return "\n".join(lines)


def evaluate_tagger(tagger: Any, blocks: Sequence[Block]) -> dict:
    """Tag the gold blocks' tokens (their tokenisation kept) and ``score`` against their tags."""
    return score([b.tags for b in blocks], tagger.tag_sents([b.tokens for b in blocks]))
