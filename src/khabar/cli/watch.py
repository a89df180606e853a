"""``khabar watch``: argument parsing and printing over :mod:`khabar.monitor.watch`.
Registered lazily in ``khabar.cli.LAZY_COMMANDS``."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from khabar.cli import fail, max_chars_option
from khabar.cli.corpus import db_option, open_store, refresh_signatures
from khabar.errors import InputError, UsageError, WatchError


@click.command("watch")
@click.argument("sources_file", metavar="[SOURCES]", required=False,
                type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--feed", "feeds", multiple=True, metavar="URL",
              help="A feed to watch (repeatable), besides or instead of SOURCES; named after its host.")
@db_option
@click.option("--once", is_flag=True, help="Poll every source once and exit (for cron and tests).")
@click.option("--interval", type=click.FloatRange(min=30), default=900, show_default=True,
              help="Seconds between polls of a --feed (SOURCES sets its own).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes analysing articles [default: the CPUs this process may use]; 1 analyses "
                   "in the watcher's own process.")
@click.option("--fetchers", type=click.IntRange(min=1), default=8, show_default=True,
              help="Feeds and pages fetched at the same time (at most 2 per host).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=15, show_default=True,
              help="Seconds to wait for a server before giving up (then retried twice).")
@click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds between two requests to the same host.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=5_000_000, show_default=True,
              help="Refuse feeds and pages larger than this.")
@click.option("--max-items", type=click.IntRange(min=1), default=50, show_default=True,
              help="At most this many new articles per source and poll.")
@max_chars_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a line per source and poll; json: one JSON object per line.")
@click.option("--alerts-jsonl", is_flag=True,
              help="Print each alert match (see 'khabar alert') as one JSON line on stdout.")
@click.option("--webhook-timeout", type=click.FloatRange(min=0.1), default=5, show_default=True,
              help="Seconds to wait for an alert's webhook.")
@click.option("--webhook-retries", type=click.IntRange(min=0), default=3, show_default=True,
              help="Retries of a webhook delivery after a 5xx, a timeout or a refused connection "
                   "(after 1 s, then twice as long each time); a 4xx is not retried.")
@click.option("--ner-members", type=click.IntRange(min=1), default=None, metavar="N",
              help="Run only the first N networks of the NER ensemble: faster, tags a little worse "
                   "(docs/watch.md); the same as KHABAR_NER_MEMBERS=N.")
@click.option("--drain", type=click.FloatRange(min=0), default=10, show_default=True,
              help="On stopping, seconds left to deliver the webhook calls still waiting.")
def watch_cmd(sources_file: str | None, feeds: tuple[str, ...], db: str, once: bool, interval: float,
              workers: int | None, fetchers: int, timeout: float, delay: float, max_bytes: int, max_items: int, max_chars: int, fmt: str,
              alerts_jsonl: bool, webhook_timeout: float, webhook_retries: int, drain: float,
              ner_members: int | None) -> int:
    """Watch news feeds (RSS, Atom, JSON Feed) and store every new article, analysed.

    SOURCES is a TOML file of [[source]] tables (name, url, country, interval in seconds).
    Each new entry's page is fetched (robots.txt obeyed, politely), its main text extracted
    and analysed; an article already stored, under another URL or from another outlet, is
    linked to the new source instead of stored twice. Polls until Ctrl-C or SIGTERM, or once
    with --once. Exit code 1 when a source or page failed (each is reported and recorded).
    """
    from ..monitor.delivery import WebhookDelivery
    from ..monitor.watch import Fetcher, load_sources, make_source, record_deliveries, watch
    from ..service import default_workers

    if ner_members is not None:
        _use_ner_members(ner_members)
    if not sources_file and not feeds:
        fail("nothing to watch: give a SOURCES file or --feed URL")
    try:
        sources = []
        if sources_file:
            try:
                text = Path(sources_file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                fail(f"{sources_file}: cannot read ({exc})", error=InputError)
            sources = load_sources(text, sources_file)
        names = {s.name for s in sources}
        for url in feeds:
            src = make_source(url, interval=interval)
            if src.name in names:
                src = make_source(url, name=url, interval=interval)
            names.add(src.name)
            sources.append(src)
    except WatchError as exc:
        fail(exc)
    fetcher = Fetcher(timeout=timeout, max_bytes=max_bytes, delay=delay)
    failed = 0

    def show(report: Any) -> None:
        nonlocal failed
        failed += report.failed
        if alerts_jsonl:
            for match in report.matches:
                click.echo(json.dumps(match, ensure_ascii=False))
        if fmt == "json":
            click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
            return
        if report.status == "backoff":
            click.echo(f"{report.source}: skipped, the feed failed {report.fail_streak} times in a row; "
                       f"next attempt {_when(report.next_poll)}")
            return
        click.echo(f"{report.source}: {report.status.replace('_', ' ')}, {report.added} new, "
                   f"{report.linked} already stored, {report.failed} failed"
                   + (f"; feed failed {report.fail_streak} times in a row, next attempt {_when(report.next_poll)}"
                      if report.fail_streak else ""))
        for err in report.errors:
            click.echo(f"  {err}", err=True)

    def delivered(result: Any) -> None:
        if result.error:  # a dead webhook is reported, never fatal
            tries = f" ({result.attempts} attempts)" if result.attempts > 1 else ""
            kept = "; kept for a later attempt" if result.kept else ""  # in the store's delivery outbox
            click.echo(f"khabar: alert {result.alert!r}: webhook {result.error}{tries}{kept}", err=True)

    stop = threading.Event()
    delivery = WebhookDelivery(timeout=webhook_timeout, retries=webhook_retries)
    with open_store(db, create=True) as store, _stop_on_signals(stop):
        refresh_signatures(store)  # before watching: with a progress bar, once
        watch(store, sources, fetcher, once=once, stop=stop, fetchers=fetchers,
              workers=workers or default_workers(), max_chars=max_chars,
              max_items=max_items, on_report=show, delivery=delivery, on_delivery=delivered)
        # the watcher's thread records the outcomes: the last ones within the drain time
        record_deliveries(store, delivery.close(drain), delivered)
    if stop.is_set() and not once:
        click.echo("khabar: watch stopped", err=True)
    return 1 if failed else 0


# A value this command cannot use (an interval under 30 s, a missing SOURCES file) is bad input
# (E104, E101), as the same value in a sources file is, not a command line that is not understood.
watch_cmd.bad_value_error = WatchError  # type: ignore[attr-defined]


def _use_ner_members(n: int) -> None:
    """Set KHABAR_NER_MEMBERS, which the analysis worker processes read too; one line if too many."""
    from ..analysis.ner.neural import MEMBERS_ENV, members_setting

    os.environ[MEMBERS_ENV] = str(n)
    try:
        members_setting()
    except UsageError as exc:
        fail(exc)


def _when(ts: float | None) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ts)) if ts else "now"


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM end the watch after the source being stored (nothing half-written)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, h in previous.items():
            signal.signal(sig, h)
