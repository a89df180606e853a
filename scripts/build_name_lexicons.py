"""Build src/khabar/data/name_lexicons.json: organisation head nouns and never-a-name-alone words.

Counts come (but for ``waw_words``) from the labelled NER corpora in ../shared/data/ner (ANERcorp train split, WikiFANE,
NewsFANE without its last fifth, which stays held out for scripts/check_name_lexicons.py); only
statistics and single normalised words go into the package, no corpus text.

- ``org_heads``: words that start multi-word organisation names ("مجلس", "هيئة", "جامعة"...),
  with how often they do and what share of their occurrences that is; the entities stage reads
  "head + complements" phrases on them (khabar.analysis.name_lexicons).
- ``name_closers``: definite words that follow names but never continue one ("السابق" 'former').
- ``waw_words``: words whose first letter و is not the conjunction 'and' ("واشنطن", "وليد"), from
  word counts of SaudiNewsNet.
- ``place_starts``: first words of place names ("سيدي", "عين", "وادي"): a person span a tagger
  opens with one is a place.
- ``never_alone``: frequent words that, as a one-word span, are almost never an entity ("الأمم"
  only occurs inside "الأمم المتحدة"; "الرئيس" precedes names); a one-word tagger or rule
  candidate made of one of them is dropped.

    python scripts/build_name_lexicons.py [--shared ../shared] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from khabar.analysis.kb import load_kb
from khabar.analysis.text.normalize import fold

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "khabar" / "data" / "name_lexicons.json"

# Fine-grained FANE classes (ACE-like) -> ANERcorp types; "Group" (nationalities, groups of
# people) and vehicles/weapons are no names in the ANERcorp sense and count as outside.
_FANE_TYPES = {
    **dict.fromkeys(("Politician", "Athlete", "Artist", "Other_PER", "Religious_PER", "Scientist",
                     "Businessperson", "Lawyer", "Engineer", "Police"), "PER"),
    **dict.fromkeys(("Government", "Non-Governmental", "Commercial", "Educational", "Media",
                     "Religious_ORG", "Sports", "Entertainment", "Medical-Science"), "ORG"),
    **dict.fromkeys(("Nation", "Population-Center", "State-or-Province", "County-or-District",
                     "Continent", "GPE-Cluster", "Water-Body", "Land-Region-Natural", "Celestial",
                     "Building-Grounds", "Airport", "Path", "Subarea-Facility"), "LOC"),
    **dict.fromkeys(("Book", "Movie", "Software", "Hardware", "Sound", "Food", "Drug"), "MISC"),
}
_ARABIC = re.compile("[\u0621-\u064a]{3,}")
_WORD = re.compile("[\u0621-\u064a]+")
HELD_OUT = 0.8  # NewsFANE: sentences after this share are held out for the check script


def norm(word: str) -> str:
    return fold(word).strip()


def read_conll(path: Path, fane: bool, raw: bool = False) -> Iterator[list[tuple[str, str]]]:
    """Sentences as [(normalised word, or with ``raw`` as written, BIO tag over PER/ORG/LOC/MISC)]."""
    sent: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        parts = line.split("\t") if fane else line.split(" ")
        word = norm(parts[0]) if parts else ""
        if word and raw:
            word = parts[0].replace("\u200e", "").strip()
        if not word:
            if sent:
                yield sent
            sent = []
            continue
        tag = parts[-1].strip() if len(parts) > 1 else "O"
        if fane and tag != "O":
            typ = _FANE_TYPES.get(tag[2:])
            tag = f"{tag[:2]}{typ}" if typ and tag[:2] in ("B-", "I-") else "O"
        elif tag.endswith("-PERS"):  # ANERcorp's name for PER
            tag = tag[:-1]
        sent.append((word, tag))
    if sent:
        yield sent


def bare(word: str, vocab: Counter[str]) -> str:
    """The noun without proclitics and article ("للهيئة" -> "هيئة"), when that form is a word of the
    corpora (so "بنك" keeps its ب)."""
    w = word
    if w[:1] in "وف" and len(w) > 3 and vocab[w[1:]] > vocab[w]:
        w = w[1:]
    if w.startswith("لل") and len(w) > 4 and vocab["ا" + w[1:]] > vocab[w]:
        w = "ا" + w[1:]
    elif w[:1] in "بلك" and len(w) > 3 and vocab[w[1:]] > 5 * vocab[w]:
        w = w[1:]
    return w[2:] if w.startswith("ال") and len(w) > 4 else w


def spans(sent: list[tuple[str, str]]) -> list[tuple[int, int, str]]:
    out, cur = [], None
    for k, (_w, tag) in enumerate([*sent, ("", "O")]):
        if cur and (tag == "O" or tag.startswith("B-") or tag[2:] != cur[2]):
            out.append((cur[0], k, cur[2]))
            cur = None
        if tag != "O" and cur is None:
            cur = [k, k + 1, tag[2:]]
    return out


def corpora(shared: Path) -> Iterator[list[tuple[str, str]]]:
    ner = shared / "data" / "ner"
    yield from read_conll(ner / "anercorp" / "train.txt", fane=False)
    yield from read_conll(ner / "wikifane" / "WikiFANE_Gold_2014_500K.txt", fane=True)
    news = list(read_conll(ner / "newsfane" / "NewsFANE_Gold_2014_170K.txt", fane=True))
    yield from news[:int(len(news) * HELD_OUT)]


def waw_words(folder: Path, min_count: int) -> list[str]:
    """Words whose first letter و is their own, not the conjunction 'and': in SaudiNewsNet they
    are at least twice as frequent as the word without it ("واشنطن", "وليد", "وزارة"; not
    "وأضاف" 'and he added')."""
    tf: Counter[str] = Counter()
    for f in sorted(folder.glob("*.json")):
        for rec in json.loads(f.read_text(encoding="utf-8")):
            tf.update(_WORD.findall(fold(rec.get("content") or "")))
    return sorted(w for w, c in tf.items() if w[0] == "و" and len(w) >= 4 and c >= min_count and c >= 2 * tf[w[1:]])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--min-head", type=int, default=5, help="least multi-word ORG spans a head starts")
    ap.add_argument("--min-next", type=int, default=3, help="least distinct words after a head in them")
    ap.add_argument("--head-share", type=float, default=0.05, help="least share of a head's occurrences")
    ap.add_argument("--min-count", type=int, default=30, help="least occurrences of a never-alone word")
    ap.add_argument("--alone-share", type=float, default=0.01, help="most share as a one-word entity")
    ap.add_argument("--min-closer", type=int, default=3, help="least times a closer follows a name")
    ap.add_argument("--min-waw", type=int, default=5, help="least SaudiNewsNet count of a waw word")
    args = ap.parse_args()
    total: Counter[str] = Counter()
    org_start: Counter[str] = Counter()
    alone: Counter[str] = Counter()
    in_per: Counter[str] = Counter()
    after: dict[str, set[str]] = {}
    sents = list(corpora(Path(args.shared)))
    for sent in sents:
        total.update(w for w, _t in sent)
    bare_total: Counter[str] = Counter()
    for w, c in total.items():
        bare_total[bare(w, total)] += c
    in_entity: Counter[str] = Counter()  # by bare form
    within: Counter[str] = Counter()  # inside a name after its first word
    after_name: Counter[str] = Counter()  # right after a name
    first_types: dict[str, Counter[str]] = {}  # types of the multi-word names a word starts
    for sent in sents:
        for i, j, typ in spans(sent):
            if j - i > 1:
                first_types.setdefault(sent[i][0], Counter())[typ] += 1
            in_entity.update(bare(w, total) for w, _t in sent[i:j])
            within.update(w for w, _t in sent[i + 1:j])
            if j < len(sent):
                after_name[sent[j][0]] += 1
            if typ == "PER":
                in_per.update(w for w, _t in sent[i:j])
            if j - i == 1:
                alone[sent[i][0]] += 1
            elif typ == "ORG":
                head = bare(sent[i][0], total)
                org_start[head] += 1
                after.setdefault(head, set()).add(sent[i + 1][0])
    # how often "head + definite word" starts an organisation name, by the head's definiteness:
    # "جامعة الملك" nearly always, "الحكومة الحالية" (the current government) seldom
    phrases: Counter[tuple[str, bool]] = Counter()
    org_phrases: Counter[tuple[str, bool]] = Counter()
    for sent in sents:
        org_at = {i for i, j, typ in spans(sent) if typ == "ORG" and j - i > 1}
        for i in range(len(sent) - 1):
            w, nxt = sent[i][0], sent[i + 1][0]
            if not (nxt.startswith("ال") and len(nxt) > 3):
                continue
            head = bare(w, total)
            key = (head, head != w and "ال" in w[:3])
            phrases[key] += 1
            org_phrases[key] += i in org_at

    def share(head: str, definite: bool) -> float | None:
        n = phrases[(head, definite)]
        return round(org_phrases[(head, definite)] / n, 3) if n >= args.min_head else None

    heads = {w: [c, round(c / bare_total[w], 3), share(w, True), share(w, False)] for w, c in org_start.items()
             if c >= args.min_head and len(after[w]) >= args.min_next and c / bare_total[w] >= args.head_share
             and bare_total[w] - in_entity[w] >= 0.25 * bare_total[w]  # a common noun, not "مصر" in "مصر للطيران"
             and _ARABIC.fullmatch(w)}
    # a word that is often part of a person's name ("جمال", "فؤاد") may stand for that person alone
    never = sorted(w for w, c in total.items()
                   if c >= args.min_count and w.isalpha() and len(w) > 1 and alone[w] <= args.alone_share * c
                   and in_per[w] < 0.1 * c and bare(w, total) not in heads)
    # definite words that follow names but never continue one: "التابعة" (affiliated), "السابق"
    # (former), "المعروف" (known as); an organisation name read on a head noun ends before them
    # (nationality adjectives excepted: "المنتخب العماني" was not labelled, "الاتحاد العماني ..." may be)
    kb = load_kb()
    closers = sorted(w for w, c in after_name.items() if w.startswith("ال") and len(w) > 3 and not within[w]
                     and c >= args.min_closer and c >= 0.1 * total[w] and kb.country_of_adjective(w) is None)
    # first words of place names that a tagger may read as a person's: "سيدي بوزيد" (Sidi Bouzid),
    # "عين الناقة", "بني ملال"; not "أبو" (mostly a person's kunya)
    place_starts = sorted(w for w, c in first_types.items() if _ARABIC.fullmatch(w) and w not in heads
                          and sum(c.values()) >= args.min_head and c["LOC"] >= 0.6 * sum(c.values())
                          and c["PER"] <= 0.2 * sum(c.values()) and in_per[w] <= 0.25 * sum(c.values()))  # "نجم" also names people
    waw = waw_words(Path(args.shared) / "data" / "news" / "saudinewsnet", args.min_waw)
    out = {
        "_about": ("Built by scripts/build_name_lexicons.py from ANERcorp (train), WikiFANE and NewsFANE "
                   "(first four fifths) label counts; normalised words (khabar.analysis.text.normalize). "
                   f"org_heads: noun without article -> [multi-word ORG spans it starts, share of its occurrences, "
                   "share of its occurrences with the article before a definite word that start an ORG name, "
                   "the same without the article (null: under --min-head)] "
                   f"(at least {args.min_head} spans with {args.min_next} different second words, and "
                   f"{args.head_share:.0%}); never_alone: words seen "
                   f"at least {args.min_count} times and at most {args.alone_share:.0%} of them as a "
                   "one-word entity and under 10% inside person names; name_closers: definite words seen at least "
                   f"{args.min_closer} times (and 10% of their occurrences) right after a name, never inside one "
                   "after its first word; waw_words: words beginning with و seen at least "
                   f"{args.min_waw} times in SaudiNewsNet and twice as often as without it (the و is theirs); place_starts: first words of at least "
                   f"{args.min_head} multi-word names, 60% of them places and at most 20% persons."),
        "org_heads": dict(sorted(heads.items(), key=lambda kv: (-kv[1][0], kv[0]))),
        "never_alone": never,
        "name_closers": closers,
        "waw_words": waw,
        "place_starts": place_starts,
    }
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(heads)} organisation heads, {len(never)} never-alone words, {len(closers)} closers, "
          f"{len(waw)} waw words, {len(place_starts)} place starts")


if __name__ == "__main__":
    main()
