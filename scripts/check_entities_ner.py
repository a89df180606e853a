"""Score the entities stage's name mentions on labelled NER corpora it was not built from.

ANERcorp test split (tokens with their clitics) and the last fifth of NewsFANE (held out by
scripts/build_name_lexicons.py; its split clitics are joined back to their words, its fine classes
mapped to PER/ORG/LOC/MISC as there). Sentences are analysed 20 at a time as one article by
segment + entities; each `name` mention is mapped to the tokens it touches and compared with the
gold spans: exact span and type. Printed: all mentions, and multi-word ORG spans alone.

    python scripts/check_entities_ner.py [--shared ../shared] [--kb-only]
"""

from __future__ import annotations

import argparse
import bisect
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_name_lexicons import HELD_OUT, read_conll, spans

from khabar.analysis.entities import EntityStage
from khabar.analysis.pipeline import Pipeline
from khabar.model import Document

ROOT = Path(__file__).resolve().parent.parent
_PROCLITICS = {"و", "ف", "ب", "ل", "ك"}  # and, so, with, for, like: written joined to the next word
_SUFFIXES = {"ه", "ها", "هم", "هما", "هن", "ك", "كم", "كما", "نا", "ي"}  # pronouns joined to the word before
GROUP = 20


def raw_sentences(path: Path, fane: bool, keep) -> list[list[tuple[str, str]]]:
    """Sentences as (word as written, tag); NewsFANE's split clitics joined back to their words."""
    sents = list(read_conll(path, fane, raw=True))
    out = []
    for k, sent in enumerate(sents):
        if not keep(k, len(sents)):
            continue
        words: list[list[str]] = []
        prefix = ""
        for w, tag in sent:
            if fane and w in _PROCLITICS:
                prefix += w
                continue
            if fane and w in _SUFFIXES and words and not prefix:
                words[-1][0] += w
                continue
            words.append([prefix + w, tag])
            prefix = ""
        out.append([(w, t) for w, t in words])
    return out


def score(sentences: list[list[tuple[str, str]]], pipe) -> dict[str, list[int]]:
    tot = {"all": [0, 0, 0], "org2": [0, 0, 0]}  # tp, pred, gold
    for g in range(0, len(sentences), GROUP):
        group = sentences[g:g + GROUP]
        words, gold, base = [], set(), 0
        for sent in group:
            words.extend(w for w, _t in sent)
            gold.update((base + i, base + j, typ) for i, j, typ in spans(sent))
            base += len(sent)
        starts, pos = [], 0
        for w in words:
            starts.append(pos)
            pos += len(w) + 1
        text = " ".join(words)  # one line: the segmenter finds the sentences by their punctuation
        doc = pipe(Document(id=str(g), text=text))
        pred = set()
        for e in doc.entities:
            for m in e.mentions:
                if m.kind != "name":
                    continue
                i = bisect.bisect_right(starts, m.start) - 1
                j = bisect.bisect_right(starts, m.end - 1)
                pred.add((i, j, e.type))
        for name, keep in (("all", lambda s: True), ("org2", lambda s: s[2] == "ORG" and s[1] - s[0] > 1)):
            p, q = {s for s in pred if keep(s)}, {s for s in gold if keep(s)}
            tot[name][0] += len(p & q)
            tot[name][1] += len(p)
            tot[name][2] += len(q)
    return tot


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--kb-only", action="store_true", help="EntityStage(tagger=None)")
    args = ap.parse_args()
    ner = Path(args.shared) / "data" / "ner"
    pipe = Pipeline.build(["segment", EntityStage(tagger=None) if args.kb_only else "entities"])
    sets = {
        "ANERcorp test": raw_sentences(ner / "anercorp" / "test.txt", False, lambda k, n: True),
        "NewsFANE last fifth": raw_sentences(ner / "newsfane" / "NewsFANE_Gold_2014_170K.txt", True,
                                             lambda k, n: k >= int(n * HELD_OUT)),
    }
    for name, sents in sets.items():
        tot = score(sents, pipe)
        for part, (tp, npred, ngold) in tot.items():
            p, r = tp / npred if npred else 0.0, tp / ngold if ngold else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            label = "mentions" if part == "all" else "multi-word ORG"
            print(f"{name:20} {label:15} P {p:.3f} R {r:.3f} F1 {f:.3f} (gold {ngold}, predicted {npred})")


if __name__ == "__main__":
    main()
