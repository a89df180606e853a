"""``khabar eval events --gold FILE``: event coding measured on hand-coded sentences.

A thin wrapper: the gold format and the measures are described in ``khabar.evaluation.events``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..evaluation.events import read_gold, score_events


@click.command("events")
@click.option("--gold", "gold", required=True, type=click.Path(dir_okay=False),
              help="Gold JSON lines (UniversalPetrarch Arabic format: text, date, codings, events).")
@click.option("--stages", help="Comma-separated pipeline stages (default: the packaged pipeline).")
@click.option("--show-errors", is_flag=True, help="List the sentences missed or with a wrong source actor.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def events_eval(gold: str, stages: str | None, show_errors: bool, as_json: bool) -> None:
    """Measure event coding on hand-coded sentences: type recall and actor match."""
    from khabar.cli import fail

    from ..errors import InputError, PipelineError
    from ..service import get_pipeline

    if not Path(gold).is_file():
        fail(f"gold file not found: {gold}", error=InputError)
    try:
        rows = read_gold(gold)
        pipeline = get_pipeline(tuple(s.strip() for s in stages.split(",")) if stages else None)
    except PipelineError as exc:
        fail(exc)
    except (ValueError, OSError) as exc:
        fail(exc, error=InputError)
    if "events" not in pipeline.names:
        fail("the pipeline has no 'events' stage")
    result = score_events(rows, pipeline)
    if as_json:
        out = {k: v for k, v in result.items() if k != "errors"}
        click.echo(json.dumps(out, ensure_ascii=False))
    else:
        click.echo(f"sentences            {result['sentences']}")
        click.echo(f"type recall          {result['type_recall']:.3f}")
        click.echo(f"source-actor match   {result['source_actor_match']:.3f}  (of {result['source_total']} with a source)")
        click.echo(f"target-actor match   {result['target_actor_match']:.3f}  (of {result['target_total']} with a target)")
        click.echo(f"other-type events    {result['other_type_per_sentence']:.2f} per sentence")
        for t, s in result["per_type"].items():
            click.echo(f"  {t:<10} recall {s['recall']:.3f}  ({s['sentences']} sentences)")
    if show_errors:
        for e in result["errors"]:
            click.echo(json.dumps(e, ensure_ascii=False), err=not as_json)
