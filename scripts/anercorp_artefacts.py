#!/usr/bin/env python3
"""Count the gold entities of the ANERcorp test split that are artefacts of its release.

The CAMeL Lab test split replaced the first token of many sentences by a token from elsewhere
("دولار B-MISC" opening a sentence that reads on without it). NewsFANE (../shared) annotates the
original ANERcorp text, so each test sentence is looked up there by its next few words (clitics
and spaces ignored: NewsFANE splits clitics off) and its first token compared with the text
found just before. Prints the share of gold entities whose first token is such a replaced token
(docs/ner.md). Reads ../shared only; nothing is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from train_ner import read_conll  # noqa: E402

from khabar.analysis.ner.bio import entity_spans  # noqa: E402
from khabar.analysis.ner.features import word_key  # noqa: E402

CONTEXT = 5  # words after the first one used to find the sentence in NewsFANE


def main(shared: Path = ROOT.parent / "shared") -> None:
    raw = (shared / "data/ner/newsfane/NewsFANE_Gold_2014_170K.txt").read_text(encoding="utf-8-sig")
    text = "".join(word_key(line.split()[0]) for line in raw.replace("\u200e", "").splitlines() if line.split())
    test = read_conll(shared / "data/ner/anercorp/test.txt")
    found = replaced = entities = artefacts = initial = 0
    for toks, tags in test:
        spans = entity_spans(tags)
        entities += len(spans)
        initial += sum(1 for i, _, _ in spans if i == 0)
        if len(toks) <= CONTEXT:
            continue
        rest = "".join(word_key(t) for t in toks[1:1 + CONTEXT])
        at = text.find(rest)
        if at < 0 or text.find(rest, at + 1) >= 0:
            continue  # not found, or not uniquely
        found += 1
        first = word_key(toks[0])
        if not text[:at].endswith(first):
            replaced += 1
            artefacts += sum(1 for i, _, _ in spans if i == 0)
    print(f"test sentences found in NewsFANE: {found} of {len(test)}; first token replaced in {replaced}")
    print(f"gold entities starting on a replaced first token: {artefacts} of {entities} "
          f"({100 * artefacts / entities:.1f} %; in the sentences not found, not counted)")
    print(f"gold entities starting a sentence (all sentences): {initial} of {entities} "
          f"({100 * initial / entities:.1f} %)")


if __name__ == "__main__":
    main()
