#!/usr/bin/env python3
"""Check the own dev set: article and gold JSON shape, and that every exact string is in the content.

Usage: python3 gold/own/check.py [GOLD_OWN_DIR]   (default: the folder of this script)
Prints one line per finding and exits 1 if there is any, so it can guard a commit.
"""
import json
import re
import sys
from collections import Counter
from pathlib import Path

ARTICLE_KEYS = {"id", "source", "url", "published", "title", "content"}
GOLD_KEYS = {"id", "published", "entities", "quotes", "timexes"}
ENTITY_KEYS = {"name", "name_en", "type", "anonymous", "surfaces"}
QUOTE_KEYS = {"text", "kind", "speaker", "cue"}
TIMEX_KEYS = {"text", "type", "value"}
ENTITY_TYPES = {"PER", "ORG", "LOC", "MISC"}
QUOTE_KINDS = {"direct", "indirect", "mixed"}
TIMEX_TYPES = {"DATE", "TIME", "DURATION", "SET"}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Accepted timex values: dates (year, month, day, week, half, season, decade), times of day,
# clock times, Hijri forms, ISO durations and the vague classes of GUIDELINES.md.
VALUE_RE = re.compile(
    r"^(?:"
    r"(?:\d{4}|XXXX|\d{3}X)(?:-(?:\d{2}|XX)(?:-(?:\d{2}|XX))?)?(?:T(?:MO|AF|EV|NI|\d{2}:\d{2}))?"
    r"|\d{4}-(?:W\d{2}|H[12]|Q[1-4]|SP|SU|FA|WI)"
    r"|XXXX-(?:SP|SU|FA|WI)"
    r"|\d{2,3}"  # a century or a decade (TIMEX3: 19 = the 1900s, 197 = the 1970s)
    r"|XXXX-WXX-[1-7]"  # a weekday every week (a SET)
    r"|H\d{4}(?:-\d{2}(?:-\d{2})?)?"
    r"|P(?:\d+|X)[YMWD]|PT\d+[HMS]"
    r"|PRESENT_REF|PAST_REF|FUTURE_REF"
    r")$"
)


def check_pair(article, gold, where):
    """Return the findings for one article and its gold annotation."""
    out = []
    if set(article) != ARTICLE_KEYS:
        out.append(f"{where}: article keys {sorted(article)}")
    if set(gold) != GOLD_KEYS:
        out.append(f"{where}: gold keys {sorted(gold)}")
    content = article.get("content", "")
    if not isinstance(content, str) or not content:
        return out + [f"{where}: empty content"]
    for key in ("id", "published"):
        if article.get(key) != gold.get(key):
            out.append(f"{where}: {key} differs between article and gold")
    if not DATE_RE.match(str(article.get("published"))):
        out.append(f"{where}: published is not YYYY-MM-DD")

    names = set()
    for e in gold.get("entities", []):
        if set(e) != ENTITY_KEYS:
            out.append(f"{where}: entity keys {sorted(e)}")
            continue
        if e["type"] not in ENTITY_TYPES:
            out.append(f"{where}: entity {e['name']!r} type {e['type']!r}")
        if not isinstance(e["anonymous"], bool):
            out.append(f"{where}: entity {e['name']!r} anonymous is not a bool")
        if e["name"] in names:
            out.append(f"{where}: entity name {e['name']!r} twice")
        names.add(e["name"])
        if e["name"] not in e["surfaces"]:
            out.append(f"{where}: entity name {e['name']!r} is not one of its surfaces")
        if len(set(e["surfaces"])) != len(e["surfaces"]):
            out.append(f"{where}: entity {e['name']!r} repeats a surface")
        for s in e["surfaces"]:
            if s not in content:
                out.append(f"{where}: surface {s!r} not in content")

    for q in gold.get("quotes", []):
        if not QUOTE_KEYS <= set(q) <= QUOTE_KEYS | {"speaker_also"}:
            out.append(f"{where}: quote keys {sorted(q)}")
            continue
        if q["kind"] not in QUOTE_KINDS:
            out.append(f"{where}: quote kind {q['kind']!r}")
        for key in ("text", "cue"):
            if q[key] not in content:
                out.append(f"{where}: quote {key} not in content: {q[key][:50]!r}")
        for sp in [q["speaker"]] + q.get("speaker_also", []):
            if sp is not None and sp not in names:
                out.append(f"{where}: speaker {sp!r} is not an entity name")

    for t in gold.get("timexes", []):
        if set(t) != TIMEX_KEYS:
            out.append(f"{where}: timex keys {sorted(t)}")
            continue
        if t["text"] not in content:
            out.append(f"{where}: timex not in content: {t['text']!r}")
        if t["type"] not in TIMEX_TYPES:
            out.append(f"{where}: timex type {t['type']!r}")
        if not VALUE_RE.match(t["value"]):
            out.append(f"{where}: timex value {t['value']!r} has an unknown form")
    # The scorer locates each gold text in the content: more entries than occurrences cannot match.
    counts = Counter(t["text"] for t in gold.get("timexes", []) if isinstance(t, dict) and "text" in t)
    for s, n in counts.items():
        if s in content and content.count(s) < n:
            out.append(f"{where}: timex {s!r} annotated {n} times, occurs {content.count(s)}")
    return out


def main(argv):
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    findings = []
    articles = sorted((root / "articles").glob("*.json"))
    golds = {p.name for p in (root / "gold").glob("*.json")}
    for path in articles:
        gpath = root / "gold" / path.name
        if path.name not in golds:
            findings.append(f"{path.name}: no gold file")
            continue
        golds.discard(path.name)
        try:
            article = json.loads(path.read_text(encoding="utf-8"))
            gold = json.loads(gpath.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            findings.append(f"{path.name}: cannot read: {exc}")
            continue
        if article.get("id") != path.stem:
            findings.append(f"{path.name}: id does not match the file name")
        findings += check_pair(article, gold, path.name)
    findings += [f"{name}: gold without article" for name in sorted(golds)]
    for line in findings:
        print(line)
    print(f"{len(articles)} articles, {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
