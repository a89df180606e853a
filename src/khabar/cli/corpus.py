"""Corpus commands (ingest, reindex, search, entity, who-said, quotes-about, timeline, stories,
export): argument parsing and printing only, over :mod:`khabar.corpus.ingest`, :mod:`khabar.corpus.store`,
:mod:`khabar.corpus.views` and :mod:`khabar.corpus.export`. Registered lazily in ``khabar.cli.LAZY_COMMANDS``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from khabar.cli import _date_option, fail, max_chars_option

DB_HELP = "The corpus database (SQLite file)."


def db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", default="khabar.db", show_default=True, metavar="FILE", help=DB_HELP)(f)


def format_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
                        help="text: a report for people; json: one JSON object.")(f)


def range_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--to", "date_to", callback=_date_option, metavar="YYYY-MM-DD",
                     help="Only up to this date (inclusive).")(f)
    return click.option("--from", "date_from", callback=_date_option, metavar="YYYY-MM-DD",
                        help="Only from this date (inclusive).")(f)


def limit_option(default: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--limit", type=click.IntRange(min=1), default=default, show_default=True,
                        help="Show at most this many.")


@contextmanager
def open_store(db: str, *, create: bool = False, write: bool = True) -> Iterator[Any]:
    """The store, with every store/view/database error turned into a one-line message.
    ``write=False`` opens it read-only: nothing is written, so a read-only file or mount works."""
    from ..corpus.store import DatabaseError, QueryError, Store, StoreError, db_error
    from ..corpus.views import NotFound

    try:
        try:
            store = Store(db, create=create and write, readonly=not write)
        except StoreError as exc:
            if exc.kind != "outdated":
                raise
            Store(db, create=False).close()  # an older schema: migrate once, then read
            store = Store(db, readonly=True)
    except StoreError as exc:
        fail(exc)
    try:
        yield store
    except (StoreError, QueryError, NotFound) as exc:
        fail(exc)
    except DatabaseError as exc:  # after opening: a damaged page, a full disk, a read-only file
        fail(db_error(exc, db))
    finally:
        store.close()


def _console() -> Any:
    from rich.console import Console

    return Console(soft_wrap=True, highlight=False)


def _clip(s: str | None, n: int = 100) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _echo_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2))


def _ent(e: Any) -> str:
    if e is None:
        return "?"
    return f"{e.name} ({e.name_en})" if e.name_en else e.name


def _stages(stages: str | None) -> tuple[str, ...] | None:
    return tuple(s.strip() for s in stages.split(",") if s.strip()) if stages else None


# --------------------------------------------------------------------------- ingest / reindex

@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...|-")
@db_option
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: the number of CPUs).")
@click.option("--stages", help="Comma-separated pipeline stages (default: the packaged pipeline).")
@max_chars_option
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Run the analysis on an existing Dask cluster (scheduler address, e.g. tcp://host:8786).")
@click.option("--shards", type=click.Path(file_okay=False), metavar="DIR",
              help="With --dask: write the analyses as Parquet shards in DIR (default: DIR next to --db).")
@click.option("--no-load", is_flag=True, help="With --dask: keep the Parquet shards as a dataset, do not load the store.")
@click.option("--dask-timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True, metavar="SECONDS",
              help="With --dask: give up connecting to the scheduler after this long.")
@click.option("--json", "as_json", is_flag=True, help="Print the final report as JSON.")
def ingest_cmd(paths: tuple[str, ...], db: str, workers: int | None, stages: str | None, max_chars: int,
               dask_address: str | None, shards: str | None, no_load: bool, dask_timeout: float,
               as_json: bool) -> int:
    """Analyse articles and store them in a corpus database (idempotent).

    PATH may be anything 'khabar analyze' reads (.txt, .json, .jsonl, .html, .gz of these,
    directories, - for one article on stdin). An article already stored (same normalised text) is skipped; bad files and
    articles are recorded and reported, and the exit code is 1 when there were some. An
    interrupted ingest (Ctrl-C: exit code 130, or a kill) keeps what it committed: run it
    again to finish.
    """
    from ..analysis.pipeline import PipelineError
    from ..corpus.ingest import ingest

    # Connect before the store is opened (or created): an unreachable scheduler changes nothing.
    client = _dask_client(dask_address, dask_timeout) if dask_address else None
    try:
        with open_store(db, create=True) as store:
            try:
                if client is not None:
                    from ..corpus.ingest import ingest_dask

                    report = ingest_dask(paths, store, client, stages=_stages(stages), max_chars=max_chars,
                                         shards=shards, load=not no_load, progress=not as_json)
                else:
                    report = ingest(paths, store, workers=workers, stages=_stages(stages), max_chars=max_chars,
                                    progress=not as_json)
            except PipelineError as exc:
                fail(exc)
            _print_report(report, store.count_articles(), db, as_json, "ingest")
    finally:
        if client is not None:
            client.close()
    return 130 if report.interrupted else 1 if report.failed else 0


def _dask_client(address: str, timeout: float) -> Any:
    """A client of the Dask scheduler at ``address``, or a one-line error within ``timeout`` s."""
    try:
        from distributed import Client
    except ImportError:
        fail("--dask needs the 'dask' extra: pip install 'khabar[dask]'")
    try:
        return Client(address, timeout=timeout)
    except (OSError, ValueError, TypeError) as exc:  # unreachable (OSError, timeouts) or a malformed address
        fail(f"cannot connect to the Dask scheduler at {address}: {exc}")


def _print_report(report: Any, total: int, db: str, as_json: bool, what: str) -> None:
    if as_json:
        _echo_json({**report.to_dict(), "total_articles": total, "db": db})
        return
    for path, aid, reason in report.failures[:50]:
        click.echo(f"khabar: failed {path}{f' [{aid}]' if aid else ''}: {reason}", err=True)
    if len(report.failures) > 50:
        click.echo(f"khabar: ... and {len(report.failures) - 50} more failures (all recorded in {db})", err=True)
    state = "interrupted" if report.interrupted else "done"
    click.echo(f"{what} {state}: {report.added} articles analysed and stored, {report.skipped} already stored, "
               f"{report.failed} failed, skipped {report.empty} empty, in {report.elapsed:.1f}s "
               f"({report.rate:.1f} articles/s); "
               f"{total} articles in {db}")
    if report.index_rebuilt:
        click.echo(f"search index rebuilt for {report.index_rebuilt} articles (the word rules changed)")
    if report.outdated or report.index_stale:
        what = (f"{report.outdated} stored articles were analysed by another pipeline version"
                if report.outdated else "the search index was built by other word rules")
        click.echo(f"note: {what}; run 'khabar reindex --db {db}'")


@click.command("reindex")
@db_option
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: the number of CPUs).")
@click.option("--stages", help="Comma-separated pipeline stages (default: the packaged pipeline).")
@click.option("--force", is_flag=True, help="Re-analyse every article, not only those of another pipeline version.")
@click.option("--json", "as_json", is_flag=True, help="Print the final report as JSON.")
def reindex_cmd(db: str, workers: int | None, stages: str | None, force: bool, as_json: bool) -> int:
    """Re-analyse stored articles after the pipeline changed (new stages, models or khabar).

    Only articles analysed by another pipeline version are redone (all with --force); an
    interrupted reindex resumes where it stopped.
    """
    from ..analysis.pipeline import PipelineError
    from ..corpus.ingest import reindex

    with open_store(db) as store:
        try:
            report = reindex(store, workers=workers, stages=_stages(stages), force=force, progress=not as_json)
        except PipelineError as exc:
            fail(exc)
        refresh_signatures(store, quiet=as_json)
        _print_report(report, store.count_articles(), db, as_json, "reindex")
    return 130 if report.interrupted else 1 if report.failed else 0


def refresh_signatures(store: Any, *, quiet: bool = False) -> int:
    """Recompute the near-duplicate signatures that ``khabar watch`` stored under an older scheme
    (once; :func:`khabar.monitor.watch.refingerprint`), with a progress bar on stderr."""
    import sys

    from ..monitor.watch import refingerprint, signatures_current

    if signatures_current(store) or not store.count_signatures():
        return refingerprint(store)  # nothing to recompute: the scheme is recorded
    with click.progressbar(length=store.count_signatures(), label="near-duplicate signatures",
                           file=sys.stderr) as bar:
        done = [0]

        def step(n: int, _total: int) -> None:
            bar.update(n - done[0])
            done[0] = n

        n = refingerprint(store, on_batch=step)
    if not quiet:
        click.echo(f"near-duplicate signatures of {n} watched articles recomputed (the scheme changed)", err=True)
    return n


@click.command("stats")
@db_option
@click.option("--failures", "n_failures", type=click.IntRange(min=0), default=10, show_default=True,
              help="List this many of the recorded ingest failures (newest first).")
@format_option
def stats_cmd(db: str, n_failures: int, fmt: str) -> None:
    """What a corpus database holds: articles, sources, dates, entities, quotes, events,
    pipeline versions, and the files and articles that failed to ingest."""
    with open_store(db, write=False) as store:
        st = store.stats()
        fails = store.failures(limit=n_failures) if n_failures else []
        if fmt == "json":
            _echo_json({**st.to_dict(), "index_current": store.index_is_current(),
                        "recent_failures": [f.to_dict() for f in fails],
                        "watched_sources": [w.to_dict() for w in store.watch_states()],
                        "alerts": [a.to_dict() for a in store.alerts()]})
            return
        click.echo(f"{db}: {st.articles} articles ({st.date_min or '?'} to {st.date_max or '?'}), "
                   f"{st.entities} entities, {st.quotes} quotes, {st.events} events, {st.timexes} time expressions")
        if st.sources:
            click.echo("sources: " + ", ".join(f"{k or 'unknown'} {n}" for k, n in list(st.sources.items())[:15]))
        click.echo("pipeline versions: " + ", ".join(f"{k} ({n} articles)" for k, n in st.pipeline_versions.items()))
        if not store.index_is_current():
            click.echo(f"note: the search index was built by other word rules; run 'khabar reindex --db {db}'")
        _echo_watched(store.watch_states())
        _echo_alerts(store.alerts())
        click.echo(f"{st.failures} failures recorded")
        for f in fails:
            click.echo(f"  {f.path}{f' [{f.article_id}]' if f.article_id else ''}: {f.reason}")


def _echo_watched(states: list[Any]) -> None:
    """A line per source that ``khabar watch`` polls: its health at a glance."""
    import time

    if states:
        click.echo(f"watched sources: {len(states)}")
    for w in states:
        h = w.to_dict()
        ok = time.strftime("%Y-%m-%d %H:%M", time.localtime(w.last_success)) if w.last_success else "never"
        line = (f"  {w.name}: last success {ok}, {w.polls} polls, {w.articles} articles "
                f"({h['articles_per_day']}/day), {w.errors} errors")
        if w.fail_streak:  # the watcher backs off a failing feed: say when it tries again
            nxt = time.strftime("%Y-%m-%d %H:%M", time.localtime(w.next_poll)) if w.next_poll else "now"
            line += f"; feed failed {w.fail_streak} times in a row, next attempt {nxt}"
        click.echo(line + (f"; last error: {_clip(w.last_error, 120)}" if w.last_error else ""))


def _echo_alerts(alerts: list[Any]) -> None:
    """A line per alert with a webhook: its deliveries (see 'khabar alert list')."""
    from ..monitor.alerts import delivery_status

    hooked = [a for a in alerts if a.webhook]
    if hooked:
        click.echo(f"alert webhooks: {len(hooked)}")
    for a in hooked:
        click.echo(f"  {a.name}: {delivery_status(a)}")


# --------------------------------------------------------------------------- search

@click.command("search")
@click.argument("query")
@db_option
@range_options
@click.option("--source", help="Only articles from this source.")
@click.option("--entity", help="Only articles that name this entity (name, English name or KB id).")
@limit_option(10)
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many results (paging).")
@format_option
def search_cmd(query: str, db: str, date_from: str | None, date_to: str | None, source: str | None,
               entity: str | None, limit: int, offset: int, fmt: str) -> None:
    """Full-text search over the corpus, ranked, with snippets.

    Arabic spelling variants match ("احمد" finds "أحمد", "مدرسه" finds "للمدرسة"). Words must
    all match; use "a phrase", a OR b, -word to exclude, word* for a prefix.
    """
    from ..corpus import views

    with open_store(db, write=False) as store:
        page = views.search(store, query, date_from=date_from, date_to=date_to, source=source, entity=entity,
                            limit=limit, offset=offset)
        if fmt == "json":
            _echo_json(page.to_dict())
            return
        from rich.text import Text

        c = _console()
        noun = "article matches" if page.total == 1 else "articles match"
        c.print(f"[bold]{page.total}[/bold] {noun} {query!r}"
                + (f" (showing {offset + 1}-{offset + len(page.hits)})" if page.hits else ""))
        for i, h in enumerate(page.hits, offset + 1):
            c.print(f"\n[bold]{i}. {_clip(h.title) or h.ext_id or h.id}[/bold]")
            c.print(f"   {h.published or 'undated'} · {h.source or 'unknown source'} · id {h.id}"
                    + (f" · {h.url}" if h.url else ""))
            snip = Text("   " + h.snippet.text)
            for s, e in h.snippet.highlights:
                snip.stylize("bold yellow", s + 3, e + 3)
            c.print(snip)


# --------------------------------------------------------------------------- entities and quotes

@click.command("entity")
@click.argument("name")
@db_option
@click.option("--by", "granularity", type=click.Choice(["day", "month", "year"]), default="month", show_default=True,
              help="Period of the mentions-over-time table.")
@limit_option(10)
@format_option
def entity_cmd(name: str, db: str, granularity: str, limit: int, fmt: str) -> None:
    """Profile of an entity across the corpus: mentions over time, the entities it appears
    with most, its quotes, quotes about it, its events. NAME: Arabic or English name, KB id, #id."""
    from ..corpus import views

    with open_store(db, write=False) as store:
        p = views.entity_profile(store, name, granularity=granularity, top=limit, quotes_limit=limit,
                                 events_limit=limit)
        if fmt == "json":
            _echo_json(p.to_dict())
            return
        c = _console()
        e = p.entity
        c.rule()
        c.print(f"[bold]{_ent(e)}[/bold]  {e.type}" + (f"  kb {e.kb_id}" if e.kb_id else "") + f"  #{e.id}")
        c.print(f"{p.articles} articles, {p.mentions} mentions"
                + (f"; merged with {', '.join(f'#{m.id} {m.name}' for m in p.merged[1:])}" if len(p.merged) > 1 else ""))
        if p.over_time:
            c.print(f"\n[bold]Mentions by {granularity}[/bold]")
            peak = max(m for _, _, m in p.over_time) or 1
            for period, arts, ments in p.over_time[-24:]:
                c.print(f"  {period}  {'█' * max(1, round(20 * ments / peak))} {ments} ({arts} articles)")
        if p.cooccurring:
            c.print("\n[bold]Appears with[/bold]")
            for other, n in p.cooccurring:
                c.print(f"  {_ent(other)}  {other.type}  {n} articles")
        _print_quotes(c, p.quotes, "Said", speaker=False)
        _print_quotes(c, p.quotes_about, "Quotes about it")
        if p.events:
            c.print("\n[bold]Events[/bold]")
            for v in p.events:
                c.print(f"  {_event_line(v)}")


def _print_quotes(c: Any, quotes: Any, title: str, speaker: bool = True) -> None:
    if not quotes:
        return
    c.print(f"\n[bold]{title}[/bold]")
    for q in quotes:
        who = f"{_ent(q.speaker) if q.speaker else (q.speaker_text or 'unknown')}: " if speaker else ""
        c.print(f"  {q.published or 'undated'}  {who}«{_clip(q.text, 160)}»  [dim]({q.kind}; {q.source or '-'}; "
                f"{q.article_id})[/dim]")


def _event_line(v: Any) -> str:
    parts = [v.date or "undated", v.type + (f"/{v.cameo}" if v.cameo else "")]
    parts.append(f"{_ent(v.actor1) if v.actor1 else '-'} → {_ent(v.actor2) if v.actor2 else '-'}")
    if v.location:
        parts.append(f"in {_ent(v.location)}")
    parts.append(f"«{v.trigger}»")
    return "  ".join(parts) + f"  [dim]({_clip(v.article_title, 60) or v.article_id})[/dim]"


def _quote_command(name: str, about: bool) -> click.Command:
    @click.command(name)
    @click.argument("name", metavar="NAME")
    @db_option
    @range_options
    @limit_option(50)
    @click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many quotes (paging).")
    @format_option
    def cmd(name: str, db: str, date_from: str | None, date_to: str | None, limit: int, offset: int,
            fmt: str) -> None:
        from ..corpus import views

        with open_store(db, write=False) as store:
            view = views.quotes_about_view if about else views.who_said
            res = view(store, name, date_from=date_from, date_to=date_to, limit=limit, offset=offset)
            if fmt == "json":
                _echo_json(res.to_dict())
                return
            c = _console()
            names = ", ".join(_ent(e) for e in res.entities)
            c.print(f"[bold]{len(res.quotes)}[/bold] quotes {'about' if about else 'by'} {names}"
                    + (" (newest first)" if res.quotes else ""))
            _print_quotes(c, res.quotes, "Quotes", speaker=about)

    cmd.help = ("Quotes that mention an entity (said by others), newest first. NAME: Arabic or English name, "
                "KB id or #id." if about else
                "Who said what: every quote attributed to a speaker, newest first. NAME: Arabic or English name, "
                "KB id or #id.")
    return cmd


who_said_cmd = _quote_command("who-said", about=False)
quotes_about_cmd = _quote_command("quotes-about", about=True)


@click.command("timeline")
@click.option("--entity", help="Only events with this entity as an actor or the location.")
@click.option("--type", "event_type", help="Only events of this PLOVER type (e.g. CONSULT).")
@db_option
@range_options
@limit_option(100)
@format_option
def timeline_cmd(entity: str | None, event_type: str | None, db: str, date_from: str | None, date_to: str | None,
                 limit: int, fmt: str) -> None:
    """Dated events in order (the event's own date when the text gives one, else the article's)."""
    from ..corpus import views

    with open_store(db, write=False) as store:
        evs = views.timeline(store, entity=entity, date_from=date_from, date_to=date_to, type=event_type, limit=limit)
        if fmt == "json":
            _echo_json([v.to_dict() for v in evs])
            return
        c = _console()
        c.print(f"[bold]{len(evs)}[/bold] events" + (f" involving {entity}" if entity else ""))
        for v in evs:
            c.print(f"  {_event_line(v)}")


@click.command("stories")
@db_option
@range_options
@click.option("--source", help="Only articles from this source.")
@click.option("--window", type=click.IntRange(min=0), default=2, show_default=True,
              help="Articles of one story are at most this many days apart (pairwise).")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.45, show_default=True,
              help="Similarity needed to join two articles (cosine of keywords, title words and entities).")
@click.option("--min-size", type=click.IntRange(min=1), default=2, show_default=True, help="Smallest story shown.")
@limit_option(20)
@format_option
def stories_cmd(db: str, date_from: str | None, date_to: str | None, source: str | None, window: int,
                threshold: float, min_size: int, limit: int, fmt: str) -> None:
    """Stories: clusters of articles about the same event (near-duplicates and coverage across
    sources), biggest first, each with a representative title."""
    from ..corpus import views

    with open_store(db, write=False) as store:
        sts = views.stories(store, date_from, date_to, source, window_days=window, threshold=threshold,
                            min_size=min_size, limit=limit)
        if fmt == "json":
            _echo_json([s.to_dict() for s in sts])
            return
        c = _console()
        c.print(f"[bold]{len(sts)}[/bold] stories")
        for s in sts:
            span = s.date_from if s.date_from == s.date_to else f"{s.date_from} – {s.date_to}"
            c.print(f"\n[bold]{s.id}. {_clip(s.title)}[/bold]")
            c.print(f"   {s.size} articles · {span} · {', '.join(s.sources) or 'unknown sources'}"
                    + (f" · {', '.join(s.keywords)}" if s.keywords else ""))
            for a in s.articles[:8]:
                c.print(f"   - {a.published or 'undated'} {a.source or '-'}: {_clip(a.title, 80) or a.id} "
                         f"[dim]({a.similarity:.2f})[/dim]")
            if s.size > 8:
                c.print(f"   … and {s.size - 8} more")


# --------------------------------------------------------------------------- export

@click.command("export")
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "parquet", "csv"]), default="jsonl", show_default=True,
              help="File format of every table.")
@click.option("--out", "out_dir", default="khabar-export", show_default=True, type=click.Path(file_okay=False),
              help="Directory to write the tables to.")
@click.option("--tables", default="articles,entities,quotes,events,gdelt", show_default=True,
              help="Comma-separated tables: articles, entities, mentions, quotes, timexes, events, gdelt "
                   "(events in GDELT-like columns), analyses (full khabar.article/1 JSON, jsonl only).")
def export_cmd(db: str, fmt: str, out_dir: str, tables: str) -> None:
    """Export the corpus as JSONL, Parquet (for DuckDB, Spark, pandas) or CSV tables."""
    from ..corpus.export import ExportError, export

    with open_store(db, write=False) as store:
        try:
            written = export(store, out_dir, fmt=fmt, tables=[t.strip() for t in tables.split(",") if t.strip()])
        except ExportError as exc:
            fail(exc)
        for path, n in written:
            click.echo(f"{path}: {n} rows")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(ingest_cmd())
