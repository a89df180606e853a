"""Pipeline of components ``Document -> Document`` checked for requires/provides at build time.

A component is any callable with ``name``, ``requires`` and ``provides`` attributes. Stages are
registered by name with a lazy ``"module:factory"`` path so that ``khabar --help`` imports nothing
heavy; the stage order comes from ``data/pipeline.toml`` (or the caller), never from import order.
"""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Protocol, runtime_checkable

from ..errors import PipelineError  # defined in khabar.errors (stable codes)
from ..model import Document

# What the input reader provides before any stage runs.
INPUT_PROVIDES = frozenset({"text", "meta"})

# name -> "module:factory"; the factory takes no arguments and returns a component.
REGISTRY: dict[str, str] = {
    "segment": "khabar.analysis.text.stage:Segmenter",
    "entities": "khabar.analysis.entities:EntityStage",
    "quotes": "khabar.analysis.quotes:QuoteStage",
    "timexes": "khabar.analysis.timexes:TimexStage",
    "events": "khabar.analysis.events:EventStage",
    "summary": "khabar.analysis.summary:SummaryStage",
}


@runtime_checkable
class Component(Protocol):
    name: str
    requires: frozenset[str]
    provides: frozenset[str]

    def __call__(self, doc: Document) -> Document: ...


def default_stages() -> list[str]:
    """Stage names in the order given by the packaged config."""
    raw = resources.files("khabar.data").joinpath("pipeline.toml").read_text(encoding="utf-8")
    return list(tomllib.loads(raw)["pipeline"]["stages"])


def load_component(name: str) -> Component:
    try:
        target = REGISTRY[name]
    except KeyError:
        raise PipelineError(
            f"unknown stage {name!r}; known stages: {', '.join(sorted(REGISTRY))}"
        ) from None
    module_name, _, attr = target.partition(":")
    factory: Callable[[], Component] = getattr(importlib.import_module(module_name), attr)
    return factory()


@dataclass(frozen=True)
class Pipeline:
    components: tuple[Component, ...]

    @classmethod
    def build(cls, stages: Iterable[str | Component] | None = None) -> Pipeline:
        """Build and check a pipeline; a requirement no earlier stage provides is an error."""
        names = default_stages() if stages is None else list(stages)
        components = tuple(load_component(s) if isinstance(s, str) else s for s in names)
        check(components)
        return cls(components)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.components]

    def __call__(self, doc: Document) -> Document:
        for component in self.components:
            doc = component(doc)
        return doc


def check(components: Sequence[Component]) -> None:
    available = set(INPUT_PROVIDES)
    for c in components:
        missing = set(c.requires) - available
        if missing:
            providers = ", ".join(sorted(missing))
            raise PipelineError(
                f"stage {c.name!r} requires {providers}, which no earlier stage provides "
                f"(stages before it: {', '.join(x.name for x in components[:components.index(c)]) or 'none'})"
            )
        available |= set(c.provides)
