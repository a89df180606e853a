#!/usr/bin/env python3
"""Mine speech verbs from a news corpus: the verbs that open a report frame.

    .venv/bin/python scripts/mine_speech_acts.py [--corpus ../shared/data/news/saudinewsnet]

Writes ``src/khabar/data/speech_acts.json`` (word forms with counts; no article text). The dev
gold articles (../shared/gold/dev) are left out by URL, so nothing is tuned on them.

* verbs: a word W that opens a report frame "W <human subject> ... إن/أن/:/«" (the subject's
  first word a title or a source noun from the packaged lexicons, the complementizer, colon or
  opening mark within 8 words, no sentence end between) at least ``--min-frames`` times and in at
  least ``--min-ratio`` of its occurrences, and carrying و/ف in ``--min-conj`` of them (verbs
  open clauses, nouns seldom do). The preposition most often right before the complementizer is
  kept as the verb's object (خلص إلى أن). The quotes stage takes them as strict cues: they
  report only with a complementizer, colon or quotation close by.

* masdars: verbal nouns of stance that a speech verb takes as its reported object (أعلن رفضه
  'announced his rejection', أبدى استعداده 'showed his readiness'). Taken right after the anchors
  whose object is nearly always such a noun: أعرب/عبر/أفصح عن 'expressed' and أبدى 'showed', the
  noun carrying a possessive pronoun (قلقه 'his concern'); a stem seen at least
  ``--min-masdar`` times is kept (honorifics such as سموه 'His Highness', نفسه 'himself' and
  elatives such as أبرزهم 'the most prominent of them' left out). جدد 'renewed' as an anchor brought
  عقده 'his contract'; any suffixed word after any speech verb gave mostly names and body nouns.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "khabar" / "data"
_TOKEN = re.compile(r"[\u0621-\u064a\u0660-\u0669\w]+|[:«»\"“”،,.؛;!?؟]")
_DIAC = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640]")
_PREPS = {"الى", "على", "عن", "من"}  # 'to', 'on', 'about', 'from' (خلص إلى أن، نبه إلى أن)
_SENT_END = {".", "؛", ";", "!", "?", "؟"}
_OPENERS = {":", "«", "\"", "“"}
_COMPS = {"ان", "بان", "انه", "انها", "بانه", "بانها", "انهم", "بانهم"}  # 'that' (+ 'he/she/they')
_CONJ = ("و", "ف")  # 'and', 'so'
# anchors of a masdar object: أعرب/عبر/أفصح عن 'expressed (about)', أبدى 'showed'
_MASDAR_ANCHORS_AN = {"اعرب", "اعربت", "اعربوا", "معربا", "معربة", "معربين", "عبر", "عبرت", "عبروا", "معبرا",
                      "معبرة", "معبرين", "افصح", "افصحت", "مفصحا"}
_MASDAR_ANCHORS = {"ابدى", "ابدت", "ابدوا", "مبديا", "مبدية", "مبدين"}
_AN = "عن"  # 'about'
_POSSESSIVE = ("هما", "هم", "ها", "ه")  # 'their (two)', 'their', 'her/its', 'his/its'
# words that open the frame without being speech: particles, copulas, prepositions ('after',
# 'before', 'since', 'until', 'despite', 'that is', 'must', 'can', 'was', 'soon'...); a closed class
_NOT_VERBS = {"بعد", "قبل", "منذ", "حتى", "رغم", "الا", "الى", "على", "من", "في", "عن", "مع", "كما",
              "حيث", "اذ", "لو", "ما", "لا", "لم", "لن", "قد", "يجب", "يمكن", "ينبغي", "كان", "كانت",
              "يكون", "تكون", "ليس", "سرعان", "ان", "او", "ام", "ثم", "لكن", "بل", "اي", "اما", "هل", "غير",
              "عند", "حين", "لدى", "ضد", "بين", "خلال", "عبر", "نحو", "حول", "دون", "سوى", "مثل"}


# a perfect verb with an object pronoun (نقلتها 'she carried it'): a relative clause (تصريحات
# نقلتها وكالة ...), not a verb that opens a report
_OBJECT_SUFFIXED = ("ته", "تها", "تهم", "وه", "وها")


def light(w: str) -> str:
    return _DIAC.sub("", w).translate(str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"}))


def strip_conj(w: str) -> str:
    return w[1:] if w[:1] in _CONJ and len(w) > 3 else w


def human_heads() -> set[str]:
    cues = json.loads((DATA / "cues.json").read_text(encoding="utf-8"))
    titles = json.loads((DATA / "titles.json").read_text(encoding="utf-8"))
    words = set(cues["nominal_heads"]) | set(cues["anonymous_heads"]["forms"]) | set(cues["source_nouns"])
    words |= set(titles["honorifics"])
    for t in titles["titles"]:
        words |= set(t["ar"])
    heads = {light(w.split()[0]) for w in words if w.strip()}
    return heads | {h[2:] for h in heads if h.startswith("ال")} | {"ال" + h for h in heads if not h.startswith("ال")}


def known_verbs() -> set[str]:
    """Light forms of the packaged cues (speech verbs, nominal and impersonal cues, narration)."""
    cues = json.loads((DATA / "cues.json").read_text(encoding="utf-8"))
    forms: set[str] = set()
    for v in cues["verbs"]:
        p = light(v["perfect"])
        forms |= {light(f) for f in v.get("forms", [])} | {p, p + "ت", p + "وا"}
        if v.get("imperfect"):
            i = light(v["imperfect"])
            forms |= {i, "ت" + i[1:]}
    for group in ("nominal", "impersonal", "narration", "verbal_nouns"):
        forms |= {light(f) for f in cues[group]["forms"]}
    return forms


def masdar_stem(w: str) -> str | None:
    """The noun without its possessive pronoun (قلقه -> قلق, سعادته -> سعادة), or None."""
    for suf in _POSSESSIVE:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            stem = w[: -len(suf)]
            if stem.endswith("ت") and not stem.endswith("ات"):
                stem = stem[:-1] + "ة"  # the taa marbuta before a suffix
            if len(stem) == 4 and stem[0] == "ا":
                return None  # an elative (أبرزهم 'the most prominent of them'), not a masdar
            return stem
    return None


def honorifics() -> set[str]:
    """Pronoun-like words (سموه 'His Highness', لديه 'he has') that are never a masdar."""
    gw = json.loads((DATA / "generic_words.json").read_text(encoding="utf-8"))
    cues = json.loads((DATA / "cues.json").read_text(encoding="utf-8"))
    return {light(w) for w in gw["pronouns"]["forms"] + cues["same_source"]}


def dev_urls(shared: Path) -> set[str]:
    return {json.loads(p.read_text(encoding="utf-8")).get("url") for p in (shared / "gold" / "dev" / "articles").glob("*.json")}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "data" / "news" / "saudinewsnet")
    ap.add_argument("--min-frames", type=int, default=15)
    ap.add_argument("--min-ratio", type=float, default=0.1)
    ap.add_argument("--min-conj", type=float, default=0.15)
    ap.add_argument("--min-prep", type=float, default=0.3,
                    help="share of frames with one preposition before the complementizer to record it")
    ap.add_argument("--min-masdar", type=int, default=3)
    ap.add_argument("--out", type=Path, default=DATA / "speech_acts.json")
    args = ap.parse_args(argv)
    heads = human_heads()
    known = known_verbs()
    skip = dev_urls(args.corpus.parent.parent.parent)
    total, frames, conj = Counter(), Counter(), Counter()
    preps: dict[str, Counter] = defaultdict(Counter)
    masdars: Counter = Counter()
    not_masdar = honorifics()
    articles = 0
    for path in sorted(args.corpus.glob("*.json")):
        for art in json.loads(path.read_text(encoding="utf-8")):
            if art.get("url") in skip:
                continue
            articles += 1
            toks = [light(t) for t in _TOKEN.findall(art.get("content") or "")]
            for x, w in enumerate(toks):
                if not w[:1].isalpha():
                    continue
                v = strip_conj(w)
                total[v] += 1
                conj[v] += v != w
                nxt = toks[x + 1] if x + 1 < len(toks) else ""
                obj = toks[x + 2] if nxt == _AN and v in _MASDAR_ANCHORS_AN and x + 2 < len(toks) else \
                    nxt if v in _MASDAR_ANCHORS else ""
                stem = masdar_stem(obj) if obj not in not_masdar else None
                if stem:
                    masdars[stem] += 1
                if nxt not in heads:
                    continue
                for y in range(x + 2, min(x + 10, len(toks))):
                    t = toks[y]
                    if t in _SENT_END:
                        break
                    if t in _COMPS or t in _OPENERS:
                        frames[v] += 1
                        if toks[y - 1] in _PREPS:
                            preps[v][toks[y - 1]] += 1
                        break
    verbs = []
    for v, n in frames.most_common():
        if n < args.min_frames:
            break
        ratio = n / total[v]
        if ratio < args.min_ratio or v in known or v in _NOT_VERBS or v in heads or len(v) < 3:
            continue
        if v.startswith(("ال", "لل", "بال")) or v.endswith(_OBJECT_SUFFIXED) or conj[v] / total[v] < args.min_conj:
            continue  # a noun: verbs that open a report mostly carry و/ف (وقال), nouns and relatives seldom
        entry = {"form": v, "frames": n, "occurrences": total[v], "ratio": round(ratio, 3),
                 "with_conjunction": round(conj[v] / total[v], 3)}
        prep = preps[v].most_common(1)
        if prep and prep[0][1] >= args.min_prep * n:
            entry["obj"] = prep[0][0]  # خلص إلى أن 'concluded that': the complementizer follows إلى
        verbs.append(entry)
    out = {
        "_about": f"Mined by scripts/mine_speech_acts.py from {args.corpus.name} ({articles} articles, the dev "
                  "gold articles left out): word forms (light normalisation: no diacritics, bare alef) and "
                  "counts only. verbs: strict speech cues (a complementizer, colon or quotation close by); a form "
                  "ending in the feminine ت stands for its verb (خلصت -> خلص).",
        "min_frames": args.min_frames, "min_ratio": args.min_ratio, "min_conj": args.min_conj,
        "verbs": verbs,
        "masdars_about": "stems of verbal nouns that a speech verb takes as its reported object (أعلن رفضه), "
                         "with their counts after أعرب/عبر/أفصح عن, أبدى and جدد (a possessive pronoun on them)",
        "masdars": {m: n for m, n in sorted(masdars.items(), key=lambda kv: (-kv[1], kv[0]))
                    if n >= args.min_masdar},
    }
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{articles} articles: {len(verbs)} verbs, {len(out['masdars'])} masdars -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
