"""English names of PER and LOC entities against gold: the share whose name_en matches.

Runs the default pipeline on the articles of each gold set and pairs every named gold PER/LOC
entity with the khabar entity that shares a surface with it (the scorer's word-level match,
an exact surface preferred). Two English names count as equal when they agree after lower-casing,
dropping accents, hyphens and punctuation, and dropping the article ("al-", "Al ", "el-"), so
"Abdullah Al-Qaffas" = "Abdullah al Qaffas". Figures: found (a khabar entity was paired), and the
share with an equal English name among all gold entities and among the found ones; split by
whether khabar linked the entity to its KB (the name tables only serve the unlinked ones).

    python benchmarks/eval_names_en.py                    # dev gold and gold/own
    python benchmarks/eval_names_en.py --show dev         # also list the dev mismatches
    PYTHONPATH=/tmp/base/src python benchmarks/eval_names_en.py   # an older checkout's figures

gold/own is a blind set: measure on it, never tune on its mismatches.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import unicodedata
from pathlib import Path

import khabar
from khabar.analysis.pipeline import Pipeline
from khabar.io import iter_path

ROOT = Path(__file__).resolve().parents[1]
SETS = {"dev": ROOT.parent / "shared" / "gold" / "dev", "own": ROOT / "gold" / "own"}
TYPES = ("PER", "LOC")
_ARTICLE = {"al", "el"}


def english_key(name: str | None) -> str:
    """Comparison form of an English name: case, accents, hyphens and the article ignored."""
    if not name:
        return ""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"\b(al|el)-", " ", s)
    s = re.sub(r"[^\w\s]", " ", s)
    return " ".join(w for w in s.split() if w not in _ARTICLE)


def _scorer():
    spec = importlib.util.spec_from_file_location("score_gold", ROOT.parent / "shared" / "tools" / "score_gold.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pair(gold_ent: dict, pred: list[dict], sg) -> dict | None:
    """The predicted entity that names this gold entity: exact surface first, then word-level match."""
    surfaces = [sg.norm(s) for s in gold_ent["surfaces"]]
    best, best_rank = None, None
    for pe in pred:
        names = sg.entity_names(pe)
        if not any(sg.name_match(s, n) for s in gold_ent["surfaces"] for n in names):
            continue
        exact = any(sg.norm(n) in surfaces for n in names)
        rank = (exact, pe.get("type") == gold_ent["type"], sg.norm(pe.get("name", "")) in surfaces)
        if best_rank is None or rank > best_rank:
            best, best_rank = pe, rank
    return best


def measure(label: str, folder: Path, pipeline: Pipeline, sg, show: bool) -> dict:
    counts: dict[str, dict[str, int]] = {}
    for path in sorted((folder / "articles").glob("*.json")):
        gold_path = folder / "gold" / path.name
        if not gold_path.exists():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        (doc,) = list(iter_path(str(path)))
        pred = pipeline(doc).to_dict()["entities"]
        for ge in gold["entities"]:
            if ge.get("anonymous") or ge["type"] not in TYPES or not ge.get("name_en"):
                continue
            c = counts.setdefault(ge["type"], dict.fromkeys(
                ("gold", "found", "equal", "linked", "linked_equal", "unlinked", "unlinked_equal"), 0))
            c["gold"] += 1
            pe = pair(ge, pred, sg)
            if pe is None:
                continue
            c["found"] += 1
            ok = english_key(pe.get("name_en")) == english_key(ge["name_en"])
            c["equal"] += ok
            kind = "linked" if pe.get("kb_id") else "unlinked"
            c[kind] += 1
            c[kind + "_equal"] += ok
            if show and not ok:
                print(f"  {path.stem} {ge['type']} {ge['name']}: gold {ge['name_en']!r} khabar {pe.get('name_en')!r}"
                      f"{' (KB)' if pe.get('kb_id') else ''}")
    print(f"{label}: {folder}")
    for typ, c in counts.items():
        print(f"  {typ}: gold {c['gold']}, found {c['found']}, equal {c['equal']} = "
              f"{c['equal'] / c['gold']:.3f} of gold, {c['equal'] / max(c['found'], 1):.3f} of found; "
              f"unlinked {c['unlinked_equal']}/{c['unlinked']}, KB-linked {c['linked_equal']}/{c['linked']}")
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sets", nargs="*", default=list(SETS), help="gold sets: dev, own, or a folder with articles/ and gold/")
    ap.add_argument("--show", action="append", default=[], help="list the mismatches of this set (never of a blind set)")
    ap.add_argument("--json", help="also write the counts to this file")
    args = ap.parse_args(argv)
    print(f"khabar from {Path(khabar.__file__).parent}")
    pipeline, sg = Pipeline.build(), _scorer()
    out = {}
    for name in args.sets:
        folder = SETS.get(name, Path(name))
        if not (folder / "gold").is_dir():
            print(f"error: no gold set at {folder}", file=sys.stderr)
            return 2
        out[name] = measure(name, folder, pipeline, sg, name in args.show)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
