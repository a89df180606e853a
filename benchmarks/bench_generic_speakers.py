"""How many quotations credit a common word (لي 'to me', التقرير 'the report') or a date as speaker.

    .venv/bin/python benchmarks/bench_generic_speakers.py [--articles 500] [--shared ../shared]
        [--lexicon src/khabar/data/generic_words.json] [--top 30]

Analyses an even sample of SaudiNewsNet articles (every k-th of ../shared/data/news/saudinewsnet,
in file order) with the default pipeline and counts, over all quotations:

* speaker entities whose name is one word of the lexicon of common words (``--lexicon``; the
  packaged ``generic_words.json`` by default, so the same list can score an older checkout:
  ``PYTHONPATH=<old>/src .venv/bin/python benchmarks/... --lexicon src/khabar/data/generic_words.json``);
* speaker entities whose words lie inside a time expression;
* entities of any kind named by one lexicon word;
* quotations without a speaker entity that keep the generic words as ``speaker_mention``.

It is a quality measure, not a timing (the pipeline runs once).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from khabar.analysis.pipeline import Pipeline
from khabar.analysis.text.normalize import normalize
from khabar.model import Document


def sample(shared: Path, n: int) -> tuple[list[Document], int]:
    recs = []
    for f in sorted((shared / "data" / "news" / "saudinewsnet").glob("*.json")):
        for i, rec in enumerate(json.loads(f.read_text(encoding="utf-8"))):
            if (rec.get("content") or "").strip():
                recs.append((f"{f.stem}-{i}", rec))
    step = max(1, len(recs) // n)
    docs = [Document(id=rid, text=rec["content"], published=(rec.get("date_extracted") or "")[:10] or None)
            for rid, rec in recs[::step][:n]]
    return docs, step


def load_words(path: Path) -> frozenset[str]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(normalize(w).text for key, group in raw.items() if not key.startswith("_")
                     for w in group["forms"])


def generic(name: str, words: frozenset[str]) -> bool:
    parts = normalize(name).text.split()
    if len(parts) != 1:
        return False
    w = parts[0]
    return w in words or (w[:1] in "وف" and w[1:] in words)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=500)
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    data = Path(__file__).resolve().parents[1] / "src" / "khabar" / "data"
    ap.add_argument("--lexicon", type=Path, default=data / "generic_words.json")
    ap.add_argument("--top", type=int, default=20, help="list the most frequent speakers of each kind")
    args = ap.parse_args()
    words = load_words(args.lexicon)
    pipe = Pipeline.build()
    docs, step = sample(args.shared, args.articles)
    quotes = with_speaker = generic_q = timex_q = anon_kept = linked = 0
    links: Counter[str] = Counter()
    generic_ents = 0
    by_generic: Counter[str] = Counter()
    by_timex: Counter[str] = Counter()
    speakers: Counter[str] = Counter()
    for d in docs:
        doc = pipe(d)
        times = [(t.start, t.end) for t in doc.timexes]
        generic_ents += sum(generic(e.name, words) for e in doc.entities)
        for q in doc.quotes:
            quotes += 1
            e = doc.entity(q.speaker) if q.speaker else None
            if e is None:
                if q.speaker_mention is not None and generic(q.speaker_mention.text, words):
                    anon_kept += 1
                continue
            with_speaker += 1
            speakers[f"{e.type} {e.name}"] += 1
            if q.speaker_mention is not None and generic(q.speaker_mention.text, words) \
                    and not generic(e.name, words):
                linked += 1
                links[f"{q.speaker_mention.text} -> {e.name}"] += 1
            if generic(e.name, words):
                generic_q += 1
                by_generic[f"{e.type} {e.name}"] += 1
            if all(any(s <= m.start and m.end <= t for s, t in times) for m in e.mentions):
                timex_q += 1
                by_timex[f"{e.type} {e.name}"] += 1
    print(f"{len(docs)} articles (one in {step} of saudinewsnet), {quotes} quotations, "
          f"{with_speaker} with a speaker entity")
    print(f"speaker is a common word (lexicon {args.lexicon.name}): {generic_q} quotations")
    print(f"speaker is a time expression:                    {timex_q} quotations")
    print(f"entities named by one common word:               {generic_ents}")
    print(f"no speaker entity, common word kept as speaker_mention: {anon_kept} quotations")
    print(f"common word as speaker_mention, linked to an earlier entity: {linked} quotations")
    for title, counter in (("common-word speakers", by_generic), ("time-expression speakers", by_timex),
                           ("common words linked", links),
                           ("all speakers", speakers)):
        if counter and args.top:
            print(f"top {title}: " + ", ".join(f"{k} ({v})" for k, v in counter.most_common(args.top)))


if __name__ == "__main__":
    main()
