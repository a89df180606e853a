"""Parsing CoNLL-style token files (one token per line, blank line between sentences).

Rules (shared by ``khabar tag`` and ``khabar eval ner``):
- the first whitespace-separated column is the token; for gold files the last column is the tag;
- one blank line ends a sentence; two consecutive blank lines are accepted (kept in the output,
  so line alignment is preserved); three or more are an error, as is a line holding only
  spaces or tabs (an empty token);
- ``-DOCSTART-`` lines are document markers: they end a sentence and are echoed with tag O;
- left-to-right/right-to-left marks are ignored around a column (tokens are written back as given).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ...errors import ConllError  # defined in khabar.errors (stable codes)

MAX_BLANK_RUN = 2
_BIDI = "\u200e\u200f"
_VALID_PREFIX = ("B-", "I-")


@dataclass
class Block:
    """A sentence (tokens with their input lines) or a run of pass-through lines."""

    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # gold tags, when read with tags
    passthrough: list[str] = field(default_factory=list)  # blank lines / -DOCSTART- lines


def normalize_tag(tag: str, line_no: int) -> str:
    """Validate a BIO tag and map ANERcorp's PERS to PER."""
    if tag == "O":
        return tag
    if not tag.startswith(_VALID_PREFIX) or len(tag) < 3:
        raise ConllError(f"line {line_no}: {tag!r} is not a BIO tag (O, B-TYPE or I-TYPE)")
    return tag[:2] + ("PER" if tag[2:] == "PERS" else tag[2:])


def parse_lines(lines: Iterable[str], *, with_tags: bool = False) -> list[Block]:
    """Blocks of a CoNLL file, in order. Raises ConllError with the line number on bad input."""
    blocks: list[Block] = []
    current = Block()
    blank_run = 0
    for line_no, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        if line == "":
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:
                raise ConllError(f"line {line_no}: more than {MAX_BLANK_RUN} consecutive blank lines "
                                 "(one blank line separates sentences)")
            if current.tokens:
                blocks.append(current)
                current = Block()
            blocks.append(Block(passthrough=[""]))
            continue
        blank_run = 0
        parts = [p.strip(_BIDI) for p in line.split()]
        parts = [p for p in parts if p]
        if not parts:
            raise ConllError(f"line {line_no}: empty token (the line holds only spaces or tabs)")
        if parts[0] == "-DOCSTART-":
            if current.tokens:
                blocks.append(current)
                current = Block()
            blocks.append(Block(passthrough=[parts[0]]))
            continue
        token = line.split()[0]  # written back exactly as given
        current.tokens.append(token)
        if with_tags:
            if len(parts) < 2:
                raise ConllError(f"line {line_no}: no tag column (expected 'token ... TAG')")
            current.tags.append(normalize_tag(parts[-1], line_no))
    if current.tokens:
        blocks.append(current)
    return blocks


def decode_lines(data: bytes, where: str) -> list[str]:
    """UTF-8 lines of ``data`` (BOM dropped); a decoding error names the line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_no = data.count(b"\n", 0, exc.start) + 1
        raise ConllError(f"{where}: line {line_no}: not valid UTF-8") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline does not start another line
    return lines
