"""``khabar quotes PATH``: who said what, as a table (speaker, English name, kind, quote)."""

from __future__ import annotations

import json
from typing import Any

import click

from khabar.cli import Analysis, fail, max_chars_option, published_option


@click.command("quotes")
@click.argument("path", metavar="[PATH|-]", required=False)
@click.option("--about", metavar="NAME",
              help="Instead of analysing PATH: quotes in the corpus (--db) that mention this entity.")
@click.option("--db", default="khabar.db", show_default=True, metavar="FILE",
              help="The corpus database, for --about.")
@published_option
@max_chars_option
@click.option("--format", "fmt", type=click.Choice(["table", "tsv", "jsonl"]), default="table",
              show_default=True,
              help="table: for people; tsv: one quote per line (article, speaker, English, type, kind, "
                   "cue, quote); jsonl: one JSON object per quote.")
@click.option("--stages", help="Comma-separated pipeline stages (default: the packaged pipeline; "
                               "'quotes' is added when missing).")
@click.option("--width", type=click.IntRange(min=20), default=120, show_default=True,
              help="Characters of each quote shown in the table (tsv and jsonl give them whole).")
def quotes_command(path: str | None, about: str | None, db: str, published: str | None, max_chars: int,
                   fmt: str, stages: str | None, width: int) -> int | None:
    """Who said what in Arabic news articles: every quotation and its speaker.

    PATH is a file or directory in any input kind `khabar analyze` reads, or - for stdin.
    Direct, indirect and mixed quotations are listed with the speaker's canonical name,
    English name (when the entities stage knows it) and entity type.

    With --about NAME, lists the quotes stored in the corpus (--db) that mention NAME
    (same as `khabar quotes-about NAME`).
    """
    if about is not None:
        if path is not None:
            fail("give either PATH or --about NAME, not both")
        from khabar.cli.corpus import quotes_about_cmd

        ctx = click.get_current_context()
        return ctx.invoke(quotes_about_cmd, name=about, db=db,
                          fmt="json" if fmt == "jsonl" else "text")
    if path is None:
        fail("missing PATH (or --about NAME to query the corpus); see 'khabar quotes --help'")
    from ..analysis.pipeline import default_stages
    from ..analysis.quotes import who_said_what

    names = [s.strip() for s in stages.split(",") if s.strip()] if stages else default_stages()
    if "quotes" not in names:
        names.append("quotes")
    analysis = Analysis(path, stages=tuple(names), max_chars=max_chars, published=published)
    rows: list[dict[str, Any]] = []
    for doc in analysis:
        for row in who_said_what(doc):
            rows.append({"article": doc.id, **row})
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    elif fmt == "tsv":
        for row in rows:
            click.echo("\t".join(" ".join(str(row[k] or "").split()) for k in
                                 ("article", "speaker", "name_en", "type", "kind", "cue", "quote")))
    else:
        _print_table(rows, width)
    return analysis.exit_code


def _print_table(rows: list[dict[str, Any]], width: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=False)
    if not rows:
        console.print("(no quotations found)")
        return
    many = len({r["article"] for r in rows}) > 1
    table = Table(title="Who said what", title_justify="left", show_lines=True)
    if many:
        table.add_column("article")
    for col in ("speaker", "English", "type", "kind", "quote"):
        table.add_column(col)
    for r in rows:
        quote = " ".join(r["quote"].split())
        if len(quote) > width:
            quote = quote[: width - 1] + "…"
        cells = [r["speaker"] or "?", r["name_en"] or "", r["type"] or "", r["kind"], quote]
        table.add_row(*([r["article"]] if many else []), *cells)
    console.print(table)
