"""Typed document model and the only (de)serialisation of schema ``khabar.article/1``.

Every annotation is a frozen, slotted dataclass. Annotations refer to each other by id
(``Quote.speaker == "e1"``), never by object, so a document round-trips through JSON
unchanged. Offsets are Python ``str`` indices into ``Document.text``, half-open.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

# Clitic segmentation behind Token.segments (khabar.analysis.clitics imports no khabar module).
from .analysis.clitics import clitic_pieces
from .errors import SchemaError  # defined in khabar.errors (stable codes)

SCHEMA = "khabar.article/1"

ENTITY_TYPES = ("PER", "ORG", "LOC", "MISC")
MENTION_KINDS = ("name", "title", "nominal")
QUOTE_KINDS = ("direct", "indirect", "mixed")
TIMEX_TYPES = ("DATE", "TIME", "DURATION", "SET")
PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character span of the document text."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Span:
        return cls(int(d["start"]), int(d["end"]), str(d["text"]))

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        """The span of ``text[start:end]``."""
        return cls(start, end, text[start:end])


@dataclass(frozen=True, slots=True)
class Segment:
    """A morphological piece of a token (clitic, stem or suffix) with its own offsets."""

    start: int
    end: int
    text: str
    kind: str  # "prefix" | "stem" | "suffix"


@dataclass(frozen=True, slots=True)
class Token:
    """A word, number or punctuation mark; ``segments`` exposes its clitics."""

    start: int
    end: int
    text: str
    norm: str  # normalised form used for matching

    @property
    def segments(self) -> tuple[Segment, ...]:
        """Candidate clitic segments (prefixes, stem, suffix); empty when the word is unsplit.

        Computed on demand from a per-word cache, so tokenising stays fast.
        """
        return tuple(Segment(self.start + a, self.start + b, self.text[a:b], kind)
                     for a, b, kind in clitic_pieces(self.text, self.norm))

    @property
    def stem(self) -> Segment:
        """The segment left when clitics are removed (the whole token if none)."""
        for seg in self.segments:
            if seg.kind == "stem":
                return seg
        return Segment(self.start, self.end, self.text, "stem")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    tokens: tuple[Token, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    text: str
    kind: str = "name"  # name | title | nominal

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "kind": self.kind}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Mention:
        return cls(int(d["start"]), int(d["end"]), str(d["text"]), str(d.get("kind", "name")))


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    type: str
    name: str
    mentions: tuple[Mention, ...] = ()
    name_en: str | None = None
    kb_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "type": self.type, "name": self.name,
            "name_en": self.name_en, "kb_id": self.kb_id,
            "mentions": [m.to_dict() for m in self.mentions],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Entity:
        return cls(
            id=str(d["id"]), type=str(d["type"]), name=str(d["name"]),
            mentions=tuple(Mention.from_dict(m) for m in d.get("mentions", [])),
            name_en=d.get("name_en"), kb_id=d.get("kb_id"),
        )


@dataclass(frozen=True, slots=True)
class Quote:
    id: str
    start: int
    end: int
    text: str
    kind: str  # direct | indirect | mixed
    speaker: str | None = None  # entity id
    speaker_mention: Span | None = None
    cue: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "start": self.start, "end": self.end, "text": self.text,
            "kind": self.kind, "speaker": self.speaker,
            "speaker_mention": self.speaker_mention.to_dict() if self.speaker_mention else None,
            "cue": self.cue.to_dict() if self.cue else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Quote:
        sm, cue = d.get("speaker_mention"), d.get("cue")
        return cls(
            id=str(d["id"]), start=int(d["start"]), end=int(d["end"]), text=str(d["text"]),
            kind=str(d["kind"]), speaker=d.get("speaker"),
            speaker_mention=Span.from_dict(sm) if sm else None,
            cue=Span.from_dict(cue) if cue else None,
        )


@dataclass(frozen=True, slots=True)
class Timex:
    id: str
    start: int
    end: int
    text: str
    type: str  # DATE | TIME | DURATION | SET
    value: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "start": self.start, "end": self.end, "text": self.text,
                "type": self.type, "value": self.value}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Timex:
        return cls(str(d["id"]), int(d["start"]), int(d["end"]), str(d["text"]),
                   str(d["type"]), str(d["value"]))


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    type: str  # PLOVER
    trigger: Span
    sentence: int
    cameo: str | None = None
    actor1: str | None = None  # entity id
    actor2: str | None = None
    time: str | None = None  # timex id
    location: str | None = None  # entity id
    # Where each actor is named in the sentence (also set for unnamed actors such as
    # "المتظاهرون", protesters, which are no entity): an added field of the schema.
    actor1_mention: Span | None = None
    actor2_mention: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "type": self.type, "cameo": self.cameo,
            "actor1": self.actor1, "actor2": self.actor2, "trigger": self.trigger.to_dict(),
            "time": self.time, "location": self.location, "sentence": self.sentence,
            "actor1_mention": self.actor1_mention.to_dict() if self.actor1_mention else None,
            "actor2_mention": self.actor2_mention.to_dict() if self.actor2_mention else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        return cls(
            id=str(d["id"]), type=str(d["type"]), trigger=Span.from_dict(d["trigger"]),
            sentence=int(d["sentence"]), cameo=d.get("cameo"), actor1=d.get("actor1"),
            actor2=d.get("actor2"), time=d.get("time"), location=d.get("location"),
            actor1_mention=Span.from_dict(d["actor1_mention"]) if d.get("actor1_mention") else None,
            actor2_mention=Span.from_dict(d["actor2_mention"]) if d.get("actor2_mention") else None,
        )


@dataclass(frozen=True, slots=True)
class Topic:
    label: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "score": round(float(self.score), 4)}


@dataclass(frozen=True, slots=True)
class Document:
    """One article and everything the pipeline found in it.

    ``meta`` carries fields beyond the schema (e.g. the input path) that are never serialised.
    """

    id: str
    text: str
    title: str | None = None
    published: str | None = None  # YYYY-MM-DD
    source: str | None = None
    url: str | None = None
    sentences: tuple[Sentence, ...] = ()
    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    timexes: tuple[Timex, ...] = ()
    events: tuple[Event, ...] = ()
    topics: tuple[Topic, ...] = ()
    summary: tuple[int, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def with_(self, **changes: Any) -> Document:
        """A copy with some fields replaced (documents are immutable)."""
        return replace(self, **changes)

    @property
    def tokens(self) -> tuple[Token, ...]:
        return tuple(t for s in self.sentences for t in s.tokens)

    def entity(self, entity_id: str | None) -> Entity | None:
        for e in self.entities:
            if e.id == entity_id:
                return e
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "id": self.id, "title": self.title, "published": self.published,
            "source": self.source, "url": self.url, "text": self.text,
            "sentences": [s.to_dict() for s in self.sentences],
            "entities": [e.to_dict() for e in self.entities],
            "quotes": [q.to_dict() for q in self.quotes],
            "timexes": [t.to_dict() for t in self.timexes],
            "events": [v.to_dict() for v in self.events],
            "topics": [t.to_dict() for t in self.topics],
            "summary": list(self.summary),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        """Rebuild a document from schema khabar.article/1 (tokens are not serialised)."""
        if d.get("schema") != SCHEMA:
            raise SchemaError(f"expected schema {SCHEMA!r}, got {d.get('schema')!r}")
        try:
            return cls(
                id=str(d["id"]), text=str(d["text"]), title=d.get("title"),
                published=d.get("published"), source=d.get("source"), url=d.get("url"),
                sentences=tuple(Sentence(int(s["start"]), int(s["end"])) for s in d.get("sentences", [])),
                entities=tuple(Entity.from_dict(e) for e in d.get("entities", [])),
                quotes=tuple(Quote.from_dict(q) for q in d.get("quotes", [])),
                timexes=tuple(Timex.from_dict(t) for t in d.get("timexes", [])),
                events=tuple(Event.from_dict(v) for v in d.get("events", [])),
                topics=tuple(Topic(str(t["label"]), float(t["score"])) for t in d.get("topics", [])),
                summary=tuple(int(i) for i in d.get("summary", [])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SchemaError(f"malformed {SCHEMA} document: {exc}") from exc


def span_errors(d: dict[str, Any]) -> list[str]:
    """Every span of a serialised document whose ``text`` differs from ``text[start:end]``."""
    text = d["text"]
    errors = []

    def check(span: dict[str, Any] | None, where: str) -> None:
        if span is None:
            return
        s, e = span["start"], span["end"]
        if not (0 <= s <= e <= len(text)):
            errors.append(f"{where}: [{s}, {e}) out of range")
        elif "text" in span and text[s:e] != span["text"]:
            errors.append(f"{where}: {text[s:e]!r} != {span['text']!r}")

    for i, s in enumerate(d.get("sentences", [])):
        check(s, f"sentence {i}")
    for e in d.get("entities", []):
        for m in e["mentions"]:
            check(m, f"mention of {e['id']}")
    for q in d.get("quotes", []):
        check(q, f"quote {q['id']}")
        check(q.get("cue"), f"cue of {q['id']}")
        check(q.get("speaker_mention"), f"speaker mention of {q['id']}")
    for t in d.get("timexes", []):
        check(t, f"timex {t['id']}")
    for v in d.get("events", []):
        check(v["trigger"], f"trigger of {v['id']}")
        check(v.get("actor1_mention"), f"actor1 mention of {v['id']}")
        check(v.get("actor2_mention"), f"actor2 mention of {v['id']}")
    return errors
