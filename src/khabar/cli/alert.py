"""``khabar alert``: saved queries checked against every article ``khabar watch`` stores
(matching in :mod:`khabar.monitor.alerts`, storage in :mod:`khabar.corpus.store`). Registered lazily in
``khabar.cli.LAZY_COMMANDS``."""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import TYPE_CHECKING

import click

from khabar.cli import fail
from khabar.cli.corpus import db_option, open_store
from khabar.errors import NotFound, QueryError, WatchError

if TYPE_CHECKING:
    from ..corpus.store import Store


@click.group("alert")
def alert_group() -> None:
    """Saved queries: each article that 'khabar watch' stores is checked against them; matches
    are recorded, printed (watch --alerts-jsonl), POSTed to a webhook and served as an Atom feed
    (GET /v1/alerts/NAME.atom)."""


@alert_group.command("add")
@click.argument("name")
@click.option("--query", help="Every word must appear in the title or text (Arabic-normalised).")
@click.option("--entity", metavar="NAME_OR_ID", help="An entity named so (Arabic or English name, KB id, "
              "or an entity id of this store).")
@click.option("--speaker", metavar="NAME_OR_ID", help="A quote whose speaker is this entity.")
@click.option("--source", metavar="NAME", help="The article's source (as named by the watcher).")
@click.option("--webhook", metavar="URL", help="POST each match as JSON to this http(s) URL (5 s timeout).")
@db_option
def add_cmd(name: str, query: str | None, entity: str | None, speaker: str | None, source: str | None,
            webhook: str | None, db: str) -> None:
    """Save an alert NAME; an article matches when it meets every condition given."""
    from ..corpus.store import Alert, index_words

    name = name.strip()
    if not name:
        fail("an alert needs a name")
    query, entity, speaker, source = (v.strip() if v and v.strip() else None for v in (query, entity, speaker, source))
    if not (query or entity or speaker or source):
        fail("an alert needs at least one of --query, --entity, --speaker, --source")
    if query and not index_words(query):  # punctuation only: it could never match
        fail(f"--query: {query!r} has no words", error=QueryError)
    if webhook is not None:
        parts = urllib.parse.urlsplit(webhook)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            fail(f"--webhook: {webhook!r} is not an http(s) URL", error=WatchError)
    with open_store(db, create=True) as store:
        if entity and entity.isdigit():
            entity = _entity_name(store, entity, "--entity")
        if speaker and speaker.isdigit():
            speaker = _entity_name(store, speaker, "--speaker")
        store.add_alert(Alert(name, query, entity, speaker, source, webhook, time.time()))
    click.echo(f"alert {name!r} saved")


def _entity_name(store: Store, entity_id: str, option: str) -> str:
    """A store entity id becomes what every article can be matched on: its KB id, else its name."""
    record = store.get_entity(int(entity_id))
    if record is None:
        fail(f"{option}: no entity with id {entity_id} in the store", error=NotFound)
        raise AssertionError("unreachable")  # fail() exits
    return record.kb_id or record.name


@alert_group.command("list")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
def list_cmd(db: str, fmt: str) -> None:
    """The saved alerts, by name."""
    from ..monitor.alerts import delivery_status

    with open_store(db, write=False) as store:
        alerts = store.alerts()
    for a in alerts:
        if fmt == "jsonl":
            click.echo(json.dumps(a.to_dict(), ensure_ascii=False))
            continue
        conds = [f"{k}={getattr(a, k)!r}" for k in ("query", "entity", "speaker", "source") if getattr(a, k)]
        click.echo(f"{a.name}: {' '.join(conds)}" + (f" -> {a.webhook} ({delivery_status(a)})" if a.webhook else ""))
    if not alerts and fmt == "text":
        click.echo("no alerts (add one with 'khabar alert add')", err=True)


@alert_group.command("remove")
@click.argument("name")
@db_option
def remove_cmd(name: str, db: str) -> None:
    """Delete alert NAME and its recorded matches."""
    with open_store(db) as store:
        if not store.remove_alert(name):
            fail(f"no alert named {name!r}", error=NotFound)
    click.echo(f"alert {name!r} removed")


@alert_group.command("retry")
@click.argument("name")
@db_option
def retry_cmd(name: str, db: str) -> None:
    """Queue the dead webhook deliveries of alert NAME again (given up after a 4xx, too many
    attempts or too long): the next 'khabar watch' sends them."""
    with open_store(db) as store:
        if store.get_alert(name) is None:
            fail(f"no alert named {name!r}", error=NotFound)
        n = store.retry_deliveries(name, time.time())
    click.echo(f"alert {name!r}: {n} dead deliver{'y' if n == 1 else 'ies'} queued again"
               + (" (the next 'khabar watch' sends them)" if n else ""))


@alert_group.command("show")
@click.argument("name")
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
def show_cmd(name: str, db: str, limit: int, fmt: str) -> None:
    """The articles that matched alert NAME, newest first."""
    with open_store(db, write=False) as store:
        if store.get_alert(name) is None:
            fail(f"no alert named {name!r}", error=NotFound)
        found = store.alert_matches(name, limit)
    for m in found:
        if fmt == "jsonl":
            click.echo(json.dumps(m.to_dict(), ensure_ascii=False))
        else:
            when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(m.at))
            click.echo(f"{when}  {m.article_id}  {m.source or '-'}  {m.title or '(no title)'}  {m.url or ''}".rstrip())
