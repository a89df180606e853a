"""Pipeline of components ``Document -> Document`` whose contracts are checked at build time.

A component is any callable with ``name`` and three sets of Document field names: ``reads``
(required inputs), ``reads_optional`` (used when an earlier stage wrote them) and ``writes``
(every field it may change; ``"tokens"`` names the tokens inside ``sentences``). A component
may also declare ``extends``, the part of ``writes`` it only adds to, keeping what is there and
its ids (the quotes stage adds speaker entities). Stages are registered by name with a lazy
``"module:factory"`` path so that ``khabar --help`` imports nothing heavy; the stage order comes
from ``data/pipeline.toml`` (or the caller), never from import order.
"""

from __future__ import annotations

import hashlib
import importlib
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol, runtime_checkable

from ..errors import PipelineError  # defined in khabar.errors (stable codes)
from ..model import Document

# The version of the analysis. Bump it whenever a change alters what the pipeline outputs for
# some article (rules, lexicons loaded differently, a fixed bug), so that stores re-analyse
# their articles (`khabar reindex`). Moving or reformatting code does not need a bump; changed
# data files and a changed stage list are noticed on their own (see `pipeline_version`).
PIPELINE_VERSION = "4"  # 3: issue 14 entities, quotes, speakers and time expressions; 4: stop 19 (places,
# outlets, quote cues, speakers, time; the NER consistency tie no longer depends on the hash seed)

# The Document fields a contract may name; "tokens" are those inside the sentences.
FIELDS = frozenset(f.name for f in fields(Document)) | {"tokens"}
# What the input reader provides before any stage runs (a field may be None).
INPUT_PROVIDES = frozenset({"id", "text", "title", "published", "source", "url", "meta"})

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
    reads: frozenset[str]
    reads_optional: frozenset[str]
    writes: frozenset[str]

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
        """Build and check a pipeline (see :func:`check`)."""
        names = default_stages() if stages is None else list(stages)
        if "entities" in names:  # a bad setting is refused here, not taken for a broken model later
            from .ner.neural import members_setting

            members_setting()
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
    """Refuse an order in which a stage reads a field (required or optional) that a later stage
    writes: it would run on a missing or stale field, and ids it keeps (a quote's speaker) would
    point into a list replaced afterwards. A later stage that only extends a field an earlier
    stage wrote is fine. A required field that no stage writes is refused too."""
    written = set(INPUT_PROVIDES)
    for i, c in enumerate(components):
        for f in sorted(c.reads | c.reads_optional):
            later = next((d for d in components[i + 1:] if f in d.writes
                          and not (f in written and f in getattr(d, "extends", ()))), None)
            if later is not None:
                raise PipelineError(f"stage {c.name!r} reads {f}, which the later stage {later.name!r} "
                                    f"writes: put {later.name!r} before {c.name!r}")
        missing = set(c.reads) - written
        if missing:
            raise PipelineError(
                f"stage {c.name!r} requires {', '.join(sorted(missing))}, which no earlier stage provides "
                f"(stages before it: {', '.join(x.name for x in components[:i]) or 'none'})"
            )
        written |= c.writes


def pipeline_version(names: Sequence[str]) -> str:
    """The identity of the analysis that these stages produce: :data:`PIPELINE_VERSION`, the
    stage names in order and the content of the packaged data files (lexicons, models), which
    change the output without a code change. Source files are not hashed: moving or reformatting
    code changes nothing. Articles stored under another identity are what ``khabar reindex``
    re-analyses."""
    h = hashlib.sha1(f"{PIPELINE_VERSION}|{','.join(names)}|".encode())
    if "entities" in names:  # fewer NER networks (KHABAR_NER_MEMBERS, opt-in) tag otherwise
        from .ner.neural import members_setting

        if (members := members_setting()) is not None:
            h.update(f"ner-members={members}|".encode())
    h.update(_data_digest())
    return h.hexdigest()[:12]


@lru_cache(maxsize=1)
def _data_digest() -> bytes:
    """Names (relative to the data package) and contents of the packaged data files."""
    h = hashlib.sha1()
    files: list[tuple[str, Any]] = []
    stack: list[tuple[str, Any]] = [("", resources.files("khabar.data"))]
    while stack:
        prefix, node = stack.pop()
        for child in node.iterdir():
            rel = f"{prefix}{child.name}"
            if child.is_dir():
                if child.name != "__pycache__":
                    stack.append((rel + "/", child))
            elif not child.name.endswith((".pyc", ".py")):
                files.append((rel, child))
    for rel, child in sorted(files, key=lambda f: f[0]):
        data = child.read_bytes()
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    return h.digest()
