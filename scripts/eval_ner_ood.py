#!/usr/bin/env python3
"""Out-of-domain NER figures (docs/ner.md): the held-out WikiFANE blocks and the Wojood sample.

  python scripts/eval_ner_ood.py [MODEL.npz ...]     (default: the packaged model)

- WikiFANE: the blocks scripts/wikifane.py holds out (never trained on), fine classes mapped to
  PER/ORG/LOC/MISC and clitics joined back as in training; scored as ANERcorp.
- Wojood sample (train, val and test together; nested, 21 types): PERS, ORG and GPE/LOC spans
  of any nesting column are read as PER, ORG and LOC (for each type, the first label of that
  type on a token), each type scored on its own and the counts added up; the tagger's MISC is
  not scored there (Wojood has no such type).
Both report F1 over PER/ORG/LOC (the issue's goal) and, for WikiFANE, over all four types.
Label consistency runs as in `khabar eval ner` (a file's sentences in order).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import wikifane  # noqa: E402

from khabar.analysis.ner.neural import NeuralTagger, model_path  # noqa: E402
from khabar.evaluation.ner import score  # noqa: E402

TYPES = ("PER", "ORG", "LOC")
WOJOOD = {"PERS": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}


def read_wojood(shared: Path):
    """Sentences of the Wojood sample: tokens and, per token, its labels from all columns."""
    sents, toks, labels = [], [], []
    for split in ("train", "val", "test"):
        for line in (shared / f"data/ner/wojood-sample/{split}.txt").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if not parts:
                if toks:
                    sents.append((toks, labels))
                toks, labels = [], []
                continue
            toks.append(parts[0])
            labels.append(parts[1:])
        if toks:
            sents.append((toks, labels))
            toks, labels = [], []
    return sents


def only(tags, typ: str) -> list[str]:
    return [t if t != "O" and t[2:] == typ else "O" for t in tags]


def counts(gold_by_type: dict, pred_by_type: dict) -> dict:
    """Entity-level P/R/F1 per type and over the types, from separately scored types."""
    out, tp_all, g_all, p_all = {}, 0, 0, 0
    for typ in gold_by_type:
        r = score(gold_by_type[typ], pred_by_type[typ])["overall"]
        tp = round(r["recall"] * r["gold"])
        tp_all, g_all, p_all = tp_all + tp, g_all + r["gold"], p_all + r["pred"]
        out[typ] = round(100 * r["f1"], 2)
    p = tp_all / p_all if p_all else 0.0
    r = tp_all / g_all if g_all else 0.0
    out["overall"] = round(100 * (2 * p * r / (p + r) if p + r else 0.0), 2)
    out["P"], out["R"] = round(100 * p, 2), round(100 * r, 2)
    return out


def evaluate(tagger: NeuralTagger, shared: Path) -> dict:
    held = wikifane.split(wikifane.read(shared))[1]
    pred = tagger.tag_sents([t for t, _ in held])
    gold = [g for _, g in held]
    wiki_all = score(gold, pred)
    wiki = counts({t: [only(g, t) for g in gold] for t in TYPES}, {t: [only(p, t) for p in pred] for t in TYPES})
    woj = read_wojood(shared)
    pred = tagger.tag_sents([t for t, _ in woj])
    gold_by_type = {}
    for typ in TYPES:
        seqs = []
        for _, labels in woj:
            seq = []
            for labs in labels:
                lab = next((lab for lab in labs if lab != "O" and WOJOOD.get(lab[2:]) == typ), "O")
                seq.append(lab[:2] + typ if lab != "O" else "O")
            seqs.append(seq)
        gold_by_type[typ] = seqs
    wojood = counts(gold_by_type, {t: [only(p, t) for p in pred] for t in TYPES})
    return {"wikifane_heldout": {"tokens": sum(len(t) for t, _ in held), "PER/ORG/LOC": wiki,
                                 "all4_f1": round(100 * wiki_all["overall"]["f1"], 2),
                                 "MISC": round(100 * wiki_all["types"].get("MISC", {}).get("f1", 0.0), 2)},
            "wojood": {"tokens": sum(len(t) for t, _ in woj), "PER/ORG/LOC": wojood}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="*", type=Path)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    for path in args.models or [Path(str(model_path()))]:
        print(json.dumps({"model": str(path), **evaluate(NeuralTagger(path), args.shared)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
