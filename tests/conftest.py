"""Shared fixtures: the ../shared data folder, and the span invariant on every serialised output."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from khabar.model import Document, span_errors

ROOT = Path(__file__).resolve().parent.parent
FLOORS_FILE = Path(__file__).parent / "eval_floors.toml"


def _shared_path() -> Path:
    return Path(os.environ.get("KHABAR_SHARED", ROOT.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def shared() -> Path:
    """The read-only ../shared folder (corpora, gold); skips the test when it is absent."""
    path = _shared_path()
    if not (path / "DESIGN.md").exists():
        pytest.skip(f"../shared data not found at {path} (set KHABAR_SHARED to its location)")
    return path


@pytest.fixture(scope="session")
def floors() -> dict:
    """Pinned eval-gate floors (raise them as results improve; never lower them silently)."""
    return tomllib.loads(FLOORS_FILE.read_text(encoding="utf-8"))


_original_to_dict = Document.to_dict


def _checked_to_dict(self: Document) -> dict:
    d = _original_to_dict(self)
    errors = span_errors(d)
    assert not errors, f"span invariant broken in {self.id}: {errors[:5]}"
    return d


@pytest.fixture(autouse=True)
def _span_invariant(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every document any test serialises satisfies text[start:end] == span.text."""
    monkeypatch.setattr(Document, "to_dict", _checked_to_dict)


@pytest.fixture()
def corpus():
    """An in-memory web corpus holding the hand-annotated samples (API and serve tests)."""
    import web_samples

    from khabar.web.corpus import WebCorpus

    c = WebCorpus(":memory:")
    for doc in web_samples.all_samples():
        c.add(doc)
    yield c
    c.close()
