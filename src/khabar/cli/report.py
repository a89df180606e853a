"""Readable terminal report of one analysed article (``--format pretty``)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..model import Document

_console: Console | None = None


def _get_console() -> Console:
    global _console
    if _console is None:
        _console = Console(soft_wrap=False)
    return _console


def _clip(s: str, n: int = 90) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def print_report(doc: Document, console: Console | None = None) -> None:
    """Print entities, quotes with speakers, dates and events, as far as the stages found them."""
    c = console or _get_console()
    head = Text()
    head.append(f"{doc.title or doc.id}\n", style="bold")
    head.append(f"id {doc.id}  ·  published {doc.published or 'unknown'}  ·  "
                f"{len(doc.text):,} characters, {len(doc.sentences)} sentences")
    if doc.source:
        head.append(f"  ·  {doc.source}")
    c.rule()
    c.print(head)

    if doc.summary:
        c.print("\n[bold]Summary[/bold]")
        for i in doc.summary:
            if 0 <= i < len(doc.sentences):
                s = doc.sentences[i]
                c.print(f"  • {_clip(doc.text[s.start:s.end], 160)}")

    if doc.entities:
        t = Table(title="Entities", title_justify="left", show_lines=False)
        for col in ("type", "name", "English", "KB", "mentions"):
            t.add_column(col)
        for e in sorted(doc.entities, key=lambda e: (-len(e.mentions), e.type)):
            t.add_row(e.type, e.name, e.name_en or "", e.kb_id or "", str(len(e.mentions)))
        c.print(t)

    if doc.quotes:
        t = Table(title="Quotes (who said what)", title_justify="left", show_lines=True)
        for col in ("speaker", "kind", "cue", "quote"):
            t.add_column(col)
        for q in doc.quotes:
            e = doc.entity(q.speaker)
            who = (f"{e.name} ({e.name_en})" if e.name_en else e.name) if e else (
                q.speaker_mention.text if q.speaker_mention else "?")
            t.add_row(who, q.kind, q.cue.text if q.cue else "", _clip(q.text, 120))
        c.print(t)

    if doc.timexes:
        t = Table(title="Time expressions", title_justify="left")
        for col in ("text", "type", "value"):
            t.add_column(col)
        for x in doc.timexes:
            t.add_row(x.text, x.type, x.value)
        c.print(t)

    if doc.events:
        timex = {x.id: x for x in doc.timexes}
        t = Table(title="Events (timeline)", title_justify="left")
        for col in ("date", "actor1", "event", "actor2", "where", "trigger"):
            t.add_column(col)

        def name(eid: str | None) -> str:
            e = doc.entity(eid)
            return (e.name_en or e.name) if e else ""

        def when(v: object) -> str:
            return timex[v.time].value if getattr(v, "time", None) in timex else ""

        for v in sorted(doc.events, key=lambda v: (when(v) or "9999", v.sentence)):
            label = f"{v.type} {v.cameo}" if v.cameo else v.type
            t.add_row(when(v), name(v.actor1), label, name(v.actor2), name(v.location), v.trigger.text)
        c.print(t)

    if doc.topics:
        c.print("\n[bold]Topics[/bold]: " + ", ".join(t.label for t in doc.topics))
    if not any((doc.entities, doc.quotes, doc.timexes, doc.events)):
        c.print("\n(no entities, quotes, dates or events found)")
