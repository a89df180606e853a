"""Entity-level precision/recall/F1 with conlleval semantics.

An entity is a maximal run B-X I-X ... (an I-X that does not continue an X starts a new
entity, as in conlleval); it ends at a sentence boundary. Only exact span-and-type matches count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def entity_spans(tags: Sequence[str]) -> set[tuple[int, int, str]]:
    """(start, end, type) of the entities in one BIO tag sequence."""
    out: set[tuple[int, int, str]] = set()
    start, typ = None, None
    for i, tag in enumerate([*tags, "O"]):
        b, _, x = tag.partition("-")
        if start is not None and not (b == "I" and x == typ):
            out.add((start, i, typ))
            start = None
        if b == "B" or (b == "I" and start is None):
            start, typ = i, x
    return out


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
