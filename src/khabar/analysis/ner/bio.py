"""BIO tag sequences decoded into entity spans, with conlleval semantics.

An entity is a maximal run B-X I-X ... (an I-X that does not continue an X starts a new
entity, as in conlleval); it ends at the end of the sequence. The tagger's label-consistency
pass uses this at inference, and ``khabar.evaluation.ner`` scores with it.
"""

from __future__ import annotations

from collections.abc import Sequence


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
