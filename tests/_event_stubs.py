"""Stand-ins for the entities and timexes stages in event tests: exact surfaces -> entities."""

from __future__ import annotations

import re

from khabar.model import Document, Entity, Mention, Timex


def add_entities(doc: Document, table: dict[str, tuple[str, str, str]]) -> Document:
    """``table``: surface -> (entity id, type, mention kind); every occurrence becomes a mention.

    Longer surfaces win where they overlap shorter ones ("فلاديمير بوتين" over "بوتين").
    """
    taken: list[tuple[int, int]] = []
    mentions: dict[str, list[Mention]] = {}
    types: dict[str, str] = {}
    for surface in sorted(table, key=len, reverse=True):
        eid, etype, kind = table[surface]
        types[eid] = etype
        for m in re.finditer(re.escape(surface), doc.text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            mentions.setdefault(eid, []).append(Mention(m.start(), m.end(), surface, kind))
    ents = tuple(
        Entity(eid, types[eid], sorted(ms, key=lambda m: m.start)[0].text, tuple(sorted(ms, key=lambda m: m.start)))
        for eid, ms in mentions.items()
    )
    return doc.with_(entities=ents)


def add_timexes(doc: Document, table: dict[str, tuple[str, str]]) -> Document:
    """``table``: surface -> (type, value); every occurrence becomes a timex."""
    out = []
    for surface, (ttype, value) in table.items():
        for m in re.finditer(re.escape(surface), doc.text):
            out.append(Timex(f"t{len(out) + 1}", m.start(), m.end(), surface, ttype, value))
    return doc.with_(timexes=tuple(sorted(out, key=lambda t: t.start)))
