"""Command-line interface (argument parsing only; work happens in the service layer).

Heavy modules are imported inside commands so that ``khabar --help`` starts fast.
Exit codes: 0 success, 1 some articles failed, 2 bad usage or unreadable input.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import TYPE_CHECKING, Any, NoReturn

import click

from .. import __version__
from ..dates import parse_date
from ..errors import KhabarError, UsageError, code_of
from ..io import DEFAULT_MAX_CHARS, InputError

if TYPE_CHECKING:
    from ..model import Document

# The neural tagger multiplies small matrices: BLAS threads only contend (about 10x slower on a
# busy 2-core machine), and ingest already parallelises over processes. Set before numpy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def fail(message: str | BaseException, code: int = 2, *, error: type[KhabarError] = UsageError) -> NoReturn:
    """Print a one-line error with its stable code (docs/errors.md) and exit with ``code``.

    A khabar error carries its own code; a plain message or other exception gets ``error``'s.
    """
    click.echo(f"khabar: error {code_of(message) or error.code}: {message}", err=True)
    sys.exit(code)


def _date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return parse_date(value, exact=True)
    except InputError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


published_option = click.option(
    "--published", callback=_date_option, metavar="YYYY-MM-DD",
    help="Publication date, used to resolve relative dates (overrides the input's date field).",
)
max_chars_option = click.option(
    "--max-chars", type=click.IntRange(min=1), default=DEFAULT_MAX_CHARS, show_default=True,
    help="Refuse articles longer than this many characters.",
)


# Commands defined in other modules: name -> "module:attribute", imported only when used.
# Those modules keep their own heavy imports inside the command functions.
LAZY_COMMANDS: dict[str, str] = {
    "quotes": "khabar.cli.quotes:quotes_command",
    # corpus (issue 6)
    "ingest": "khabar.cli.corpus:ingest_cmd",
    "reindex": "khabar.cli.corpus:reindex_cmd",
    "search": "khabar.cli.corpus:search_cmd",
    "entity": "khabar.cli.corpus:entity_cmd",
    "who-said": "khabar.cli.corpus:who_said_cmd",
    "quotes-about": "khabar.cli.corpus:quotes_about_cmd",
    "timeline": "khabar.cli.corpus:timeline_cmd",
    "stories": "khabar.cli.corpus:stories_cmd",
    "export": "khabar.cli.corpus:export_cmd",
    "stats": "khabar.cli.corpus:stats_cmd",
    "events": "khabar.cli.events:events_cmd",
    "serve": "khabar.cli.web:serve",
    "tag": "khabar.cli.ner:tag",
    "eval": "khabar.cli.eval:eval_group",
    "watch": "khabar.cli.watch:watch_cmd",  # issue 16
    "alert": "khabar.cli.alert:alert_group",  # issue 16
}


class KhabarGroup(click.Group):
    """A group with lazily imported subcommands whose usage errors are one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            import importlib

            module, _, attr = LAZY_COMMANDS[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attr), cmd_name)
        return super().get_command(ctx, cmd_name)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
            sys.exit(2)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            fail(exc.format_message().replace("\n", " ") + hint, error=_usage_error_class(exc))
        except click.Abort:
            fail("aborted", 130)
        except click.ClickException as exc:
            fail(exc.format_message().replace("\n", " "), exc.exit_code or 1)
        except KhabarError as exc:  # input, store, query, ... errors not caught by the command
            fail(exc)
        except BrokenPipeError:
            sys.exit(0)
        except Exception as exc:
            store = sys.modules.get("khabar.corpus.store")  # loaded by any command that opened a store
            if store is not None and isinstance(exc, store.DatabaseError):  # a damaged, full or read-only store
                fail(store.db_error(exc))
            raise
        sys.exit(rv if isinstance(rv, int) else 0)


def _usage_error_class(exc: click.UsageError) -> type[KhabarError]:
    """The error class of a click usage message. A value that a command cannot use is bad input,
    not a command line that cannot be understood, when the command says so: a command with a
    ``bad_value_error`` class gets it for a bad option value, and InputError for a path that
    cannot be read; anything else (unknown or missing options) is a UsageError."""
    declared = getattr(exc.ctx.command, "bad_value_error", None) if exc.ctx else None
    if declared is None or not isinstance(exc, click.BadParameter) or isinstance(exc, click.MissingParameter):
        return UsageError
    return InputError if isinstance(getattr(exc.param, "type", None), click.Path) else declared


@click.group(cls=KhabarGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="khabar")
def main() -> None:
    """khabar: structured knowledge from Arabic news, offline.

    Entities linked with English names, who said what, events and dates, for one article
    or a corpus. Every command has --help.
    """


@main.command()
@click.argument("path", metavar="PATH|-")
@published_option
@click.option("--id", "doc_id", help="Article id (default: file name, or a hash of the text).")
@click.option("--format", "fmt", type=click.Choice(["json", "pretty"]), default="json", show_default=True,
              help="json: schema khabar.article/1, one object per line; pretty: a report for people.")
@max_chars_option
@click.option("--stages", help="Comma-separated pipeline stages (default: the packaged pipeline).")
@click.option("--workers", type=click.IntRange(min=1),
              help="Worker processes for a batch (default: the CPUs this process may use; inputs of up to 8 "
                   "articles run in this process). Output keeps the input order.")
@click.option("--progress/--no-progress", default=None,
              help="Progress on stderr (default: only when stderr is a terminal).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to FILE instead of stdout; it appears complete or not at all.")
def analyze(path: str, published: str | None, doc_id: str | None, fmt: str, max_chars: int,
            stages: str | None, workers: int | None, progress: bool | None, output: str | None) -> int:
    """Analyse Arabic news articles from a file, a directory or stdin (-).

    PATH may be .txt (one article), .json (an object or an array of objects with
    'content' or 'text'), .jsonl (one object per line), .html, .gz of these, or a directory.
    Empty articles are skipped and counted; a PATH with no article at all is an error.
    """
    from ..service import _stop_signal_interrupts, default_workers

    analysis = Analysis(path, stages=tuple(s.strip() for s in stages.split(",")) if stages else None,
                        max_chars=max_chars, published=published, doc_id=doc_id,
                        workers=workers or default_workers(),
                        progress=sys.stderr.isatty() if progress is None else progress)
    # SIGTERM stops like Ctrl-C: the workers stop, a partial --output file is removed, exit 130.
    with _stop_signal_interrupts():
        if output is None:
            _write_all(analysis, fmt, None)
        else:
            from ..io import atomic_output

            with atomic_output(output) as out:
                _write_all(analysis, fmt, out)
    return analysis.exit_code


def _write_all(analysis: Analysis, fmt: str, out: Any) -> None:
    render = _renderer(fmt, out)
    with closing(iter(analysis)) as docs:  # stopped mid-way: the worker pool shuts down now
        for doc in docs:
            render(doc)


def _renderer(fmt: str, out: Any = None) -> Callable[[Any], None]:
    if fmt == "json":
        return lambda doc: click.echo(json.dumps(doc.to_dict(), ensure_ascii=False), file=out)
    from .report import print_report

    if out is None:
        return print_report
    from rich.console import Console

    console = Console(file=out, width=100, no_color=True)
    return lambda doc: print_report(doc, console)


class Analysis:
    """Analyse every article at PATH (or stdin: ``-``) and report what was skipped.

    Iterating yields analysed Documents in input order; a bad article or a failed analysis is
    reported on stderr with its id and counted in ``failed``, never stopping the batch; empty
    articles are skipped and counted in ``empty``. A PATH that yields no article at all exits 2.
    """

    def __init__(self, path: str, *, stages: tuple[str, ...] | None = None, max_chars: int = DEFAULT_MAX_CHARS,
                 published: str | None = None, doc_id: str | None = None, workers: int = 1,
                 progress: bool = False) -> None:
        from ..analysis.pipeline import PipelineError
        from ..service import get_pipeline

        try:
            self.pipeline = get_pipeline(stages)
        except PipelineError as exc:
            fail(exc)
        self.path, self.max_chars, self.published, self.doc_id = path, max_chars, published, doc_id
        self.stages, self.workers, self.progress = stages, workers, progress
        self.failed = self.empty = self.done = 0

    def _inputs(self) -> Any:
        from ..io import decode, iter_path, read_text_input

        if self.path == "-":
            text = decode(sys.stdin.buffer.read(), "stdin")
            return [read_text_input(text, where="stdin", max_chars=self.max_chars, doc_id=self.doc_id,
                                    published=self.published)]
        return iter_path(self.path, max_chars=self.max_chars, doc_id=self.doc_id, published=self.published)

    def _documents(self) -> Iterator[Document]:
        """The readable, non-empty documents; bad ones are reported as they are read."""
        from ..io import BadArticle, is_empty

        for item in self._inputs():
            if isinstance(item, BadArticle):
                self._skip(str(item))
            elif is_empty(item.text):
                self.empty += 1
            else:
                yield item

    def _skip(self, what: str) -> None:
        self.failed += 1
        click.echo(f"khabar: skipped {what}", err=True)

    def __iter__(self) -> Iterator[Document]:
        from ..service import pipe

        ticker = _Ticker(self) if self.progress else None
        try:
            with closing(pipe(self._documents(), stages=self.stages, workers=self.workers,
                              errors="yield")) as results:
                for doc, error in results:
                    if error is not None:
                        self._skip(f"{doc.meta.get('path', '?')} [{doc.id}]: {error}")
                    else:
                        self.done += 1
                        yield doc
                    if ticker:
                        ticker.tick()
        finally:
            if ticker:
                ticker.close()
        if self.empty:
            click.echo(f"khabar: skipped {self.empty} empty article{'s' * (self.empty != 1)}", err=True)
        if not (self.done or self.failed or self.empty):
            fail(f"{self.path}: no articles found")

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


class _Ticker:
    """Progress of an analysis on stderr: a line every few seconds (articles, rate)."""

    def __init__(self, analysis: Analysis, every: float = 2.0) -> None:
        import time

        self.analysis, self.every, self.clock = analysis, every, time.monotonic
        self.start = self.last = self.clock()
        self.tty = sys.stderr.isatty()

    def _line(self) -> str:
        a = self.analysis
        elapsed = max(self.clock() - self.start, 1e-9)
        return (f"analyze: {a.done} articles ({a.failed} failed, {a.empty} empty), "
                f"{a.done / elapsed:.1f} articles/s")

    def tick(self) -> None:
        if self.clock() - self.last >= self.every:
            self.last = self.clock()
            click.echo(("\r" if self.tty else "") + self._line(), err=True, nl=not self.tty)

    def close(self) -> None:
        click.echo(("\r" if self.tty else "") + self._line(), err=True)
