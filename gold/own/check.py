#!/usr/bin/env python3
"""Check the own gold set: JSON shape, exact substrings, speakers and names.

Usage: python3 gold/own/check.py [GOLD_OWN_DIR]   (default: this file's folder)

Exits 1 and prints one line per finding when anything is wrong; the annotation
format is ../shared/gold/GUIDELINES.md.
"""
import json
import sys
from pathlib import Path

ARTICLE_KEYS = {"id", "source", "url", "published", "title", "content"}
GOLD_KEYS = {"id", "published", "entities", "quotes", "timexes"}
ENTITY_TYPES = {"PER", "ORG", "LOC", "MISC"}
QUOTE_KINDS = {"direct", "indirect", "mixed"}
TIMEX_TYPES = {"DATE", "TIME", "DURATION", "SET"}


def check_pair(article, gold, where):
    """Yield one message per problem in one article/gold pair."""
    if set(article) != ARTICLE_KEYS:
        yield f"{where}: article keys {sorted(article)}"
        return
    if set(gold) != GOLD_KEYS:
        yield f"{where}: gold keys {sorted(gold)}"
        return
    text = article["content"]
    if gold["id"] != article["id"] or gold["published"] != article["published"]:
        yield f"{where}: id/published differ between article and gold"
    names = set()
    for e in gold["entities"]:
        if set(e) != {"name", "name_en", "type", "anonymous", "surfaces"}:
            yield f"{where}: entity keys {sorted(e)}"
            continue
        if e["type"] not in ENTITY_TYPES or not isinstance(e["anonymous"], bool):
            yield f"{where}: entity {e['name']!r} type/anonymous invalid"
        if e["name"] in names:
            yield f"{where}: entity {e['name']!r} listed twice"
        names.add(e["name"])
        if e["name"] not in e["surfaces"]:
            yield f"{where}: entity name {e['name']!r} is not one of its surfaces"
        if len(set(e["surfaces"])) != len(e["surfaces"]):
            yield f"{where}: entity {e['name']!r} repeats a surface"
        for s in e["surfaces"]:
            if s not in text:
                yield f"{where}: surface {s!r} not in content"
    for q in gold["quotes"]:
        if not {"text", "kind", "speaker", "cue"} <= set(q) <= {"text", "kind", "speaker", "cue", "speaker_also"}:
            yield f"{where}: quote keys {sorted(q)}"
            continue
        if q["kind"] not in QUOTE_KINDS:
            yield f"{where}: quote kind {q['kind']!r}"
        for key in ("text", "cue"):
            if q[key] not in text:
                yield f"{where}: quote {key} {q[key][:40]!r} not in content"
        for s in [q["speaker"]] + q.get("speaker_also", []):
            if s is not None and s not in names:
                yield f"{where}: speaker {s!r} is not an entity name"
    counts = {}
    for t in gold["timexes"]:
        if set(t) != {"text", "type", "value"} or t["type"] not in TIMEX_TYPES:
            yield f"{where}: timex {t!r} shape/type invalid"
            continue
        counts[t["text"]] = counts.get(t["text"], 0) + 1
        if t["text"] not in text:
            yield f"{where}: timex {t['text']!r} not in content"
        if not t["value"]:
            yield f"{where}: timex {t['text']!r} has no value"
    for s, n in counts.items():
        if s in text and text.count(s) < n:
            yield f"{where}: timex {s!r} annotated {n} times, occurs {text.count(s)}"


def main(argv):
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    problems, n = [], 0
    for apath in sorted((root / "articles").glob("*.json")):
        gpath = root / "gold" / apath.name
        if not gpath.exists():
            problems.append(f"{apath.name}: no gold file")
            continue
        n += 1
        article = json.loads(apath.read_text(encoding="utf-8"))
        gold = json.loads(gpath.read_text(encoding="utf-8"))
        problems.extend(check_pair(article, gold, apath.stem))
    for gpath in sorted((root / "gold").glob("*.json")):
        if not (root / "articles" / gpath.name).exists():
            problems.append(f"{gpath.name}: gold without article")
    for p in problems:
        print(p)
    print(f"checked {n} articles, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
