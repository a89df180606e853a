"""``khabar tag``: BIO named-entity tags for CoNLL-style token files."""

from __future__ import annotations

import sys

import click


def read_blocks(path: str, *, with_tags: bool):
    """Blocks of a CoNLL file or stdin ('-'); errors become one-line CLI failures."""
    from khabar.cli import fail

    from ..analysis.ner.conll import decode_lines, parse_lines
    from ..errors import ConllError, InputError

    where = "stdin" if path == "-" else path
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as fh:
                data = fh.read()
    except OSError as exc:
        fail(f"cannot read {where}: {exc.strerror or exc}", error=InputError)
    try:
        return parse_lines(decode_lines(data, where), with_tags=with_tags)
    except ConllError as exc:
        msg = str(exc)
        fail(msg if msg.startswith(where) else f"{where}: {msg}", error=ConllError)


@click.command("tag")
@click.argument("path", metavar="[FILE|-]", default="-")
def tag(path: str) -> None:
    """Tag named entities (PER, ORG, LOC, MISC) in a CoNLL-style token file.

    Reads one token per line (the first column; other columns are ignored) with a blank
    line between sentences, keeps the given tokenisation and writes 'token<TAB>TAG'
    (BIO tags) with the same blank lines, so conlleval-style scorers can align the output.
    Up to two consecutive blank lines are kept; more, a line of only spaces/tabs, or
    non-UTF-8 input is an error naming the line. '-DOCSTART-' lines are echoed with tag O.
    FILE defaults to stdin ('-').
    """
    from ..analysis.ner import load_tagger

    blocks = read_blocks(path, with_tags=False)
    tagger = load_tagger()
    out = sys.stdout
    # The sentences of the file together, in order: batched for speed, and tagged exactly as
    # `khabar eval ner` tags them (label consistency looks at neighbouring sentences).
    tagged = iter(tagger.tag_sents([block.tokens for block in blocks if block.tokens]))
    for block in blocks:
        if block.tokens:
            tags = next(tagged)
            out.write("".join(f"{t}\t{g}\n" for t, g in zip(block.tokens, tags)))
        for line in block.passthrough:
            out.write(f"{line}\tO\n" if line else "\n")
    out.flush()
