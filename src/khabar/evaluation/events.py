"""Event coding measured on hand-coded sentences (the scorer behind ``khabar eval events``).

The gold format is UniversalPetrarch's Arabic gold standard as JSON lines: ``text``, ``date``
(YYYYMMDD), ``codings[].plover`` (the event type) and ``events[].sourcetext`` /
``targettext`` (the actors as written, words in any order). Each line is analysed as one
document with the default pipeline. Measures:

- type recall: the sentence yields an event of the gold type;
- source-actor match: among gold events that name a source, an event of the gold type whose
  actor1 mention shares a word with the gold source (compared after normalisation and clitic
  stripping); target-actor match likewise for actor2;
- other-type rate: events per sentence of a type other than the gold one (a precision hint:
  the sentences were chosen for one type, though some truly hold others).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..dates import from_compact
from ..model import Document


def _words(text: str) -> set[str]:
    from ..analysis.clitics import variants
    from ..analysis.text import normalize

    out: set[str] = set()
    for w in normalize(text).text.replace("«", " ").replace("»", " ").split():
        w = "".join(ch for ch in w if ch.isalnum())
        if len(w) >= 2:
            out |= {v for v in variants(w) if len(v) >= 3}
    return out


def _overlaps(mention: str | None, gold: str) -> bool:
    return bool(mention) and bool(_words(mention or "") & _words(gold))


def read_gold(path: str | Path) -> list[dict[str, Any]]:
    """Gold rows of a JSON-lines file (a clear ValueError on a malformed line)."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                row["text"], row["codings"][0]["plover"]
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: not a gold event line ({exc})") from None
            rows.append(row)
    return rows


def score_events(rows: Iterable[dict[str, Any]], analyse: Callable[[Document], Document]) -> dict[str, Any]:
    """Type recall, source/target actor match and per-type figures over gold rows."""
    n = hit = src_n = src_hit = tgt_n = tgt_hit = other = 0
    per_type: dict[str, list[int]] = {}
    errors: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        published = from_compact(row.get("date"))
        doc = analyse(Document(id=str(row.get("id", i)), text=row["text"], published=published))
        gold_type = row["codings"][0]["plover"]
        gold_ev = (row.get("events") or [{}])[0]
        mine = [v for v in doc.events if v.type == gold_type]
        other += sum(1 for v in doc.events if v.type != gold_type)
        n += 1
        stats = per_type.setdefault(gold_type, [0, 0])
        stats[0] += 1
        if mine:
            hit += 1
            stats[1] += 1
        src_ok = tgt_ok = None
        if gold_ev.get("sourcetext"):
            src_n += 1
            src_ok = any(_overlaps(v.actor1_mention.text if v.actor1_mention else None, gold_ev["sourcetext"])
                         for v in mine)
            src_hit += src_ok
        if gold_ev.get("targettext"):
            tgt_n += 1
            tgt_ok = any(_overlaps(v.actor2_mention.text if v.actor2_mention else None, gold_ev["targettext"])
                         for v in mine)
            tgt_hit += tgt_ok
        if not mine or src_ok is False:
            errors.append({"id": doc.id, "gold": gold_type, "source": gold_ev.get("sourcetext"),
                           "found": [(v.type, v.trigger.text, v.actor1_mention.text if v.actor1_mention else None)
                                     for v in doc.events], "text": row["text"]})
    ratio = lambda a, b: a / b if b else 0.0  # noqa: E731
    return {
        "sentences": n, "type_recall": ratio(hit, n),
        "source_actor_match": ratio(src_hit, src_n), "source_total": src_n,
        "target_actor_match": ratio(tgt_hit, tgt_n), "target_total": tgt_n,
        "other_type_per_sentence": ratio(other, n),
        "per_type": {t: {"sentences": s[0], "recall": ratio(s[1], s[0])} for t, s in sorted(per_type.items())},
        "errors": errors,
    }
