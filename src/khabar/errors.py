"""khabar's errors, one class per kind of failure, each with a stable code (docs/errors.md).

The code is printed in the CLI's one-line error (``khabar: error E101: ...``) and returned as
``code`` in the API's JSON error body, so scripts and clients can act on the kind of failure
without matching message text. Codes never change meaning and are never reused: a new kind of
failure gets a new code (tests/test_errors.py pins the table). The modules that raise these
errors re-export them under their old names (``khabar.io.InputError``, ...).

Ranges: E0xx the request or command line, E1xx input, E2xx analysis, E3xx the corpus,
E4xx feeds, E5xx the web server, E9xx internal.
"""

from __future__ import annotations


class KhabarError(Exception):
    """Base of khabar's errors; ``code`` is stable, the message is one line for the user."""

    code = "E100"


class UsageError(KhabarError, ValueError):
    """A command line or request that cannot be understood (unknown option, conflicting options)."""

    code = "E001"


class InputError(KhabarError, ValueError):
    """An input that cannot be read at all; the message is one line for the user."""

    code = "E101"


class SchemaError(KhabarError, ValueError):
    """A dict does not follow schema khabar.article/1."""

    code = "E102"


class ConllError(KhabarError, ValueError):
    """Malformed CoNLL-style token input; the message names the line."""

    code = "E103"


class WatchError(InputError):
    """A sources file or option that cannot be used; the message says why."""

    code = "E104"


class PipelineError(KhabarError, ValueError):
    """The pipeline cannot be built (unknown stage, unmet requirement)."""

    code = "E201"


class AnalysisError(KhabarError, RuntimeError):
    """Analysis failed on one text (a defect: the details go to the log, not to the client)."""

    code = "E202"


class StoreError(KhabarError, RuntimeError):
    """The store cannot be opened or used (missing file, newer schema, ...); one-line message.

    ``kind`` says what callers may act on: ``read_only`` (a write on a store that cannot be
    written), ``full`` (no space left), ``corrupt`` (a damaged file), ``busy`` (locked or out of
    connections), ``io`` (the disk failed), ``outdated`` (a read-only open of a store that needs
    a migration) or ``error`` (anything else).
    """

    code = "E301"

    def __init__(self, message: str, kind: str = "error") -> None:
        super().__init__(message)
        self.kind = kind


class QueryError(KhabarError, ValueError):
    """A search query or filter the store cannot run; the message says why, for the user."""

    code = "E302"


class NotFound(KhabarError, LookupError):
    """No entity, article or alert matches what the user asked for; one-line message."""

    code = "E303"


class ExportError(KhabarError, ValueError):
    """Unknown table or format, or a missing optional dependency; one-line message."""

    code = "E304"


class AlreadyExists(KhabarError, ValueError):
    """A name that is taken already (``khabar alert add`` with the name of a saved alert)."""

    code = "E305"


class FetchError(KhabarError):
    """A request that failed; ``transient`` when a later poll may succeed (5xx, timeout)."""

    code = "E401"

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class FeedError(KhabarError, ValueError):
    """A feed body that yields no entries."""

    code = "E402"


class AuthError(KhabarError, PermissionError):
    """A write refused by the web server: no token, a wrong token, or writes disabled."""

    code = "E501"


class BusyError(KhabarError, RuntimeError):
    """The web server runs as many analyses as it may; try again shortly."""

    code = "E502"


class ListenError(KhabarError, OSError):
    """The web server cannot listen on its host:port (taken, no permission, not an address here)."""

    code = "E503"


class InternalError(KhabarError, RuntimeError):
    """An unexpected failure (a defect); the details are in the log, never shown to a client."""

    code = "E900"


def all_errors() -> list[type[KhabarError]]:
    """Every error class of this module, the base first (for the docs table and its test)."""
    return [KhabarError, *[c for c in globals().values()
                           if isinstance(c, type) and issubclass(c, KhabarError) and c is not KhabarError]]


def code_of(exc: BaseException) -> str | None:
    """The stable code of a khabar error, None for any other exception."""
    return exc.code if isinstance(exc, KhabarError) else None
