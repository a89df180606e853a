"""Reading articles from files, directories and stdin into Documents (I/O lives here).

Input kinds: ``.txt`` (the whole file is one article), ``.json`` (an object or an array of
objects with ``content``/``text``), ``.jsonl`` (one object per line), ``.gz`` of any of these,
saved HTML pages (``.html``/``.htm``, main text extracted with trafilatura) and directories
(every such file, recursively, in sorted order; :func:`list_files` is the one file finder of
``analyze`` and ``ingest``). A file-level problem in a directory or a bad article in a
multi-article file is yielded as a :class:`BadArticle`; it never stops the batch.

HTML character references (``&quot;``, ``&#39;``) are decoded in titles and other metadata
everywhere, and in the text of JSON/JSONL records (scraped datasets escape it; the text field
is meant as plain text). A ``.txt`` file or stdin is taken exactly as read (UTF-8, BOM
removed), so there a literal ``&quot;`` stays. Offsets always index ``Document.text`` as
stored. Text with a lone surrogate (possible only through ``\\ud800``-style JSON escapes or
from Python) is refused with a clear error: it cannot be written out as UTF-8.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .analysis.text.normalize import fold, normalize
from .dates import parse_date  # input dates may be timestamps: cut to the date
from .errors import InputError  # defined in khabar.errors (stable codes)
from .model import Document
from .settings import DEFAULT_MAX_CHARS

SUFFIXES = (".txt", ".json", ".jsonl", ".html", ".htm")
_DATE_FIELDS = ("published", "date", "date_extracted")
_TEXT_FIELDS = ("content", "text")


# Well-formed character references only (with the ';'): a bare "&copy" stays as written.
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SURROGATE_RE = re.compile("[\\ud800-\\udfff]")  # regex escapes: no surrogate in the source


def unescape(value: str) -> str:
    """``value`` with HTML character references decoded (``&quot;`` -> ``"``)."""
    if "&" not in value:
        return value
    return _ENTITY_RE.sub(lambda m: html.unescape(m.group()), value)


def check_unicode(text: str, where: str) -> None:
    """Refuse a lone surrogate: it is not a character and cannot be written as UTF-8."""
    m = _SURROGATE_RE.search(text)
    if m:
        raise InputError(f"{where}: lone surrogate U+{ord(m.group()):04X} at character {m.start()}: "
                         "not valid Unicode text")


def is_empty(text: str) -> bool:
    """No visible content: only whitespace and invisible format characters (ZWSP, RLM, BOM...)."""
    return not fold(text).strip()


@dataclass(frozen=True, slots=True)
class BadArticle:
    """An article or file that could not be read; reported and skipped."""

    path: str
    id: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path} [{self.id}]" if self.id else self.path
        return f"{where}: {self.reason}"


def article_id(text: str) -> str:
    """Stable id from the normalised text: the same article read twice gets the same id."""
    key = " ".join(normalize(text).text.split())
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def decode(data: bytes, where: str) -> str:
    """UTF-8 text without BOM; binary data and invalid UTF-8 are clear errors."""
    if b"\x00" in data[:8192]:
        raise InputError(f"{where}: binary data, not UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{where}: not valid UTF-8 at byte {exc.start} (line {line})") from None
    return text.removeprefix("\ufeff")


def check_size(text: str, max_chars: int, where: str) -> None:
    if len(text) > max_chars:
        raise InputError(
            f"{where}: article of {len(text):,} characters exceeds the limit of {max_chars:,} (--max-chars)"
        )


def document_from_record(rec: Any, *, where: str, max_chars: int, published: str | None = None) -> Document:
    """A Document from one JSON object with ``content``/``text`` and optional metadata."""
    if not isinstance(rec, dict):
        raise InputError(f"{where}: expected a JSON object, got {type(rec).__name__}")
    text = next((rec[f] for f in _TEXT_FIELDS if isinstance(rec.get(f), str)), None)
    if text is None:
        raise InputError(f"{where}: JSON object has no text field ('content' or 'text')")
    text = unescape(text.removeprefix("\ufeff"))
    check_size(text, max_chars, where)
    check_unicode(text, where)
    if published is None:
        raw = next((rec[f] for f in _DATE_FIELDS if rec.get(f)), None)
        published = parse_date(raw) if raw else None
    rid = _str_or_none(rec.get("id"))
    return Document(
        id=rid or article_id(text), text=text,
        title=_str_or_none(rec.get("title")), published=published,
        source=_str_or_none(rec.get("source")), url=_str_or_none(rec.get("url")),
        meta={"path": where},
    )


def _str_or_none(v: Any) -> str | None:
    """A metadata field as a string, entities decoded (a lone surrogate becomes U+FFFD)."""
    if v in (None, "") or isinstance(v, (dict, list)):  # a nested value is not metadata
        return None
    return _SURROGATE_RE.sub("\ufffd", unescape(str(v)))


def _record_id(rec: Any) -> str | None:
    return _str_or_none(rec.get("id")) if isinstance(rec, dict) else None


def read_text_input(text: str, *, where: str, max_chars: int, doc_id: str | None = None,
                    published: str | None = None) -> Document:
    """A Document from plain text (a ``.txt`` file or stdin), exactly as read."""
    check_size(text, max_chars, where)
    check_unicode(text, where)
    return Document(id=doc_id or article_id(text), text=text, published=published, meta={"path": where})


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(f"{path}: not a valid gzip file ({exc})") from None
    return data


def _kind(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".html", ".htm")):
        return "html"
    if name.endswith(".jsonl"):
        return "jsonl"
    return "json" if name.endswith(".json") else "txt"


def iter_file(path: Path, *, max_chars: int = DEFAULT_MAX_CHARS, doc_id: str | None = None,
              published: str | None = None) -> Iterator[Document | BadArticle]:
    """Documents of one file; a bad record in a multi-article file is yielded as BadArticle.

    Raises InputError when the file as a whole cannot be read.
    """
    where = str(path)
    kind = _kind(path)
    text = decode(_read_bytes(path), where)
    if kind == "txt":
        yield read_text_input(text, where=where, max_chars=max_chars,
                              doc_id=doc_id or path.name.split(".")[0], published=published)
    elif kind == "html":
        yield html_document(text, where=where, max_chars=max_chars, doc_id=doc_id, published=published)
    elif kind == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        except RecursionError:
            raise InputError(f"{where}: {_TOO_DEEP}") from None
        records = data if isinstance(data, list) else [data]
        for i, rec in enumerate(records):
            yield from _one_record(rec, f"{where}#{i}" if isinstance(data, list) else where,
                                   max_chars, doc_id if len(records) == 1 else None, published)
    else:  # jsonl
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                yield BadArticle(f"{where}:{lineno}", None, f"invalid JSON: {exc.msg}")
                continue
            except RecursionError:  # that line only: the lines after it are still read
                yield BadArticle(f"{where}:{lineno}", None, _TOO_DEEP)
                continue
            yield from _one_record(rec, f"{where}:{lineno}", max_chars, None, published)


_TOO_DEEP = "JSON nested too deeply to read"


def _one_record(rec: Any, where: str, max_chars: int, doc_id: str | None,
                published: str | None) -> Iterator[Document | BadArticle]:
    try:
        doc = document_from_record(rec, where=where, max_chars=max_chars, published=published)
    except InputError as exc:
        yield BadArticle(where, _record_id(rec), str(exc).removeprefix(f"{where}: "))
        return
    except RecursionError:  # a deeply nested value (an id or title made of lists)
        yield BadArticle(where, None, _TOO_DEEP)
        return
    yield doc.with_(id=doc_id) if doc_id else doc


def html_document(html: str, *, where: str, max_chars: int, doc_id: str | None,
                  published: str | None) -> Document:
    """A Document from a saved or fetched HTML page: main text, title and date by trafilatura."""
    try:
        import trafilatura  # heavy: imported only for HTML input
    except ImportError:  # pragma: no cover - trafilatura is a dependency
        raise InputError(f"{where}: reading HTML needs trafilatura (pip install trafilatura)") from None
    meta = trafilatura.extract_metadata(html)
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True) or ""
    check_size(text, max_chars, where)
    pub = published
    if pub is None and meta is not None and meta.date:
        try:
            pub = parse_date(meta.date)
        except InputError:
            pub = None
    return Document(
        id=doc_id or article_id(text), text=text, title=_str_or_none(meta.title if meta else None),
        published=pub, source=_str_or_none(meta.sitename if meta else None),
        url=_str_or_none(meta.url if meta else None), meta={"path": where},
    )


def list_files(path: Path) -> list[Path]:
    """The article files under a directory, recursively, sorted: the one file finder of
    ``analyze`` and ``ingest``. Hidden files and folders *inside* ``path`` are skipped; the
    path as given (``..``, ``./.cache/news``) never counts against its files."""
    out = []
    for f in path.rglob("*"):
        rel = f.relative_to(path)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if f.name.lower().removesuffix(".gz").endswith(SUFFIXES) and f.is_file():
            out.append(f)
    return sorted(out)


def input_files(path: str | Path) -> list[Path]:
    """The files to read for a path given by the user: the file itself, or the article files
    of a directory. A missing path or a directory without article files is an InputError."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file or directory")
    if not p.is_dir():
        return [p]
    files = list_files(p)
    if not files:
        kinds = ", ".join(SUFFIXES)
        raise InputError(f"{p}: no article files in this directory (looked for {kinds} and .gz of these)")
    return files


def iter_path(path: str | Path, *, max_chars: int = DEFAULT_MAX_CHARS, doc_id: str | None = None,
              published: str | None = None) -> Iterator[Document | BadArticle]:
    """Documents under a file or directory (see :func:`input_files` for what raises
    InputError); inside a directory, files that cannot be read are yielded as BadArticle."""
    p = Path(path)
    files = input_files(p)
    if files == [p]:
        yield from iter_file(p, max_chars=max_chars, doc_id=doc_id, published=published)
        return
    yield from iter_files(files, max_chars=max_chars, published=published)


def iter_files(files: list[Path], *, max_chars: int = DEFAULT_MAX_CHARS,
               published: str | None = None) -> Iterator[Document | BadArticle]:
    """Documents from several files (one directory's, one batch's); a file that cannot be read,
    even through an unexpected error in a reader, is one BadArticle and the rest still come."""
    for f in files:
        try:
            yield from iter_file(f, max_chars=max_chars, published=published)
        except InputError as exc:
            yield BadArticle(str(f), None, str(exc).removeprefix(f"{f}: "))
        except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the batch either
            yield BadArticle(str(f), None, f"cannot read: {type(exc).__name__}: {exc}")


def _umask() -> int:
    """The process umask, read without setting it: ``os.umask`` can only read by writing, and
    the moment it is 0 other threads would create world-writable files."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0o077)  # no /proc (macOS, Windows): read by setting, briefly the strictest
    os.umask(umask)
    return umask


@contextmanager
def atomic_output(path: str | Path) -> Iterator[TextIO]:
    """A text file that appears at ``path`` complete or not at all: written to a temporary
    file next to it and renamed on success; on any error (or Ctrl-C) the temporary file is
    removed and an existing file at ``path`` is left as it was."""
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{target}: is a directory (--output needs a file name)")
    try:
        import tempfile  # only for -o: `khabar --help` does not pay for it

        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"{target}: cannot write ({exc.strerror or exc})") from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # as an ordinary new file, not mkstemp's 0600
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            yield out
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
