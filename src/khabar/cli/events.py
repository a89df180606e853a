"""``khabar events PATH``: the events of articles as a GDELT-like table.

One row per event: date (the linked time expression's value, else the publication date
marked with ~), actor1, PLOVER type/CAMEO code, actor2, location, and the sentence.
"""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

import click

from khabar.cli import Analysis, fail, max_chars_option, published_option

from ..model import Document, Event

COLUMNS = ("article", "date", "actor1", "event", "actor2", "location", "trigger", "sentence")


def _actor(doc: Document, entity_id: str | None, mention: Any) -> str:
    e = doc.entity(entity_id)
    if e is not None:
        return f"{e.name} ({e.name_en})" if e.name_en and e.name_en != e.name else e.name
    return mention.text if mention is not None else ""


def event_rows(doc: Document) -> list[dict[str, str]]:
    """Table rows (all strings) for the events of one analysed document."""
    timex = {x.id: x for x in doc.timexes}
    rows = []
    for v in doc.events:
        date = timex[v.time].value if v.time in timex else (f"~{doc.published}" if doc.published else "")
        s = doc.sentences[v.sentence] if 0 <= v.sentence < len(doc.sentences) else None
        loc = doc.entity(v.location)
        rows.append({
            "article": doc.id, "date": date,
            "actor1": _actor(doc, v.actor1, v.actor1_mention),
            "event": f"{v.type}/{v.cameo}" if v.cameo else v.type,
            "actor2": _actor(doc, v.actor2, v.actor2_mention),
            "location": (loc.name_en or loc.name) if loc else "",
            "trigger": v.trigger.text,
            "sentence": " ".join(doc.text[s.start:s.end].split()) if s else "",
        })
    return rows


def _event_json(doc: Document, v: Event, row: dict[str, str]) -> dict[str, Any]:
    return {**v.to_dict(), "article": doc.id, "date": row["date"], "actor1_name": row["actor1"] or None,
            "actor2_name": row["actor2"] or None, "location_name": row["location"] or None}


@click.command("events")
@click.argument("path", metavar="PATH|-")
@published_option
@max_chars_option
@click.option("--format", "fmt", type=click.Choice(["table", "tsv", "jsonl"]), default="table",
              show_default=True, help="table: for people; tsv: one event a line with a header; "
              "jsonl: one event object a line.")
@click.option("--type", "types", help="Only these PLOVER types, comma-separated (e.g. CONSULT,ASSAULT).")
@click.option("--width", type=click.IntRange(min=20), default=70, show_default=True,
              help="Clip the sentence column of the table to this many characters.")
def events_cmd(path: str, published: str | None, max_chars: int, fmt: str, types: str | None,
               width: int) -> int:
    """List who did what to whom, when and where, in articles at PATH (or stdin: -).

    Events are coded in PLOVER types with CAMEO codes, one row per event. The date is the
    time expression the event is linked to, else the publication date marked '~'.
    """
    from ..model import PLOVER_TYPES

    wanted = None
    if types:
        wanted = {t.strip().upper() for t in types.split(",") if t.strip()}
        unknown = wanted - set(PLOVER_TYPES)
        if unknown:
            fail(f"unknown event type(s) {', '.join(sorted(unknown))}; known: {', '.join(PLOVER_TYPES)}")
    analysis = Analysis(path, max_chars=max_chars, published=published)
    if "events" not in analysis.pipeline.names:
        fail("the default pipeline has no 'events' stage")
    table_rows: list[dict[str, str]] = []
    writer = None
    if fmt == "tsv":
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
    for doc in analysis:
        for v, row in zip(doc.events, event_rows(doc)):
            if wanted and v.type not in wanted:
                continue
            if fmt == "jsonl":
                click.echo(json.dumps(_event_json(doc, v, row), ensure_ascii=False))
            elif writer is not None:
                writer.writerow(row)
            else:
                table_rows.append(row)
    if fmt == "table":
        _print_table(table_rows, width)
    return analysis.exit_code


def _print_table(rows: list[dict[str, str]], width: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=False)
    if not rows:
        console.print("(no events found)")
        return
    t = Table(title="Events", title_justify="left")
    for col in ("date", "actor1", "event", "actor2", "location", "sentence"):
        t.add_column(col)
    for r in rows:
        sent = r["sentence"] if len(r["sentence"]) <= width else r["sentence"][: width - 1] + "…"
        t.add_row(r["date"], r["actor1"], r["event"], r["actor2"], r["location"], sent)
    console.print(t)
