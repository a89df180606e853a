"""``khabar eval``: score khabar against gold data. One subcommand per task.

Adding a task is one line in ``SUBCOMMANDS`` (name -> "module:attribute" of a click command).
"""

from __future__ import annotations

import json

import click

SUBCOMMANDS: dict[str, str] = {
    "ner": "khabar.cli.eval:eval_ner",
    "events": "khabar.cli.eval_events:events_eval",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(SUBCOMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in SUBCOMMANDS and cmd_name not in self.commands:
            import importlib

            module, _, attr = SUBCOMMANDS[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attr), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group("eval", cls=_LazyGroup)
def eval_group() -> None:
    """Evaluate khabar against gold data (see each subcommand's --help)."""


@click.command("ner")
@click.option("--gold", "gold_path", required=True, metavar="FILE",
              help="CoNLL-style gold file: 'token ... TAG' per line, blank line between sentences.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def eval_ner(gold_path: str, as_json: bool) -> None:
    """Entity-level precision/recall/F1 of the NER tagger on a gold file.

    Tags the gold file's tokens (its tokenisation is kept) and scores exact entity matches
    per type and overall with conlleval semantics. ANERcorp's PERS is read as PER.
    """
    from khabar.cli import fail
    from khabar.cli.ner import read_blocks

    from ..analysis.ner import load_tagger
    from ..errors import InputError
    from ..evaluation.ner import evaluate_tagger, format_table

    blocks = [b for b in read_blocks(gold_path, with_tags=True) if b.tokens]
    if not blocks:
        fail(f"{gold_path}: no tokens to score", error=InputError)
    result = evaluate_tagger(load_tagger(), blocks)
    if as_json:
        click.echo(json.dumps(result, indent=1))
    else:
        n = sum(len(b.tokens) for b in blocks)
        click.echo(f"{gold_path}: {len(blocks)} sentences, {n} tokens")
        click.echo(format_table(result))
