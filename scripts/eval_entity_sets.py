#!/usr/bin/env python3
"""Entity figures on the gold sets one may tune on: dev (../shared/gold/dev) and the tuning set
(gold/tune, tune-a and tune-b apart), with the default pipeline, scored by
../shared/tools/score_gold.py. Never the blind set gold/own (its aggregate comes from
tests/test_gold_eval.py only).

Usage: python scripts/eval_entity_sets.py [--sets dev,tune-a,tune-b] [--errors DIR]
(--errors writes the scorer's per-article entity errors of each set to DIR/<set>.txt)
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from khabar.analysis.pipeline import Pipeline  # noqa: E402
from khabar.io import iter_path  # noqa: E402


def sets(shared: Path) -> dict[str, tuple[list[Path], Path]]:
    tune = ROOT / "gold" / "tune"
    return {
        "dev": (sorted((shared / "gold" / "dev" / "articles").glob("*.json")), shared / "gold" / "dev" / "gold"),
        "tune-a": (sorted((tune / "articles").glob("tune-a-*.json")), tune / "gold"),
        "tune-b": (sorted((tune / "articles").glob("tune-b-*.json")), tune / "gold"),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="dev,tune-a,tune-b")
    ap.add_argument("--errors", type=Path)
    args = ap.parse_args(argv)
    shared = ROOT.parent / "shared"
    spec = importlib.util.spec_from_file_location("score_gold", shared / "tools" / "score_gold.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    pipeline = Pipeline.build()
    for name in args.sets.split(","):
        articles, gold_dir = sets(shared)[name]
        with tempfile.TemporaryDirectory() as tmp:
            pred, gold = Path(tmp, "pred"), Path(tmp, "gold")
            pred.mkdir()
            gold.mkdir()
            for path in articles:
                (doc,) = list(iter_path(str(path)))
                (pred / path.name).write_text(json.dumps(pipeline(doc).to_dict(), ensure_ascii=False), "utf-8")
                (gold / path.name).write_bytes((gold_dir / path.name).read_bytes())
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                scorer.main([str(gold), str(pred), "--json", "--show-errors"])
        out = buf.getvalue()
        brace = out.index("\n{") + 1 if not out.startswith("{") else 0
        errors, scores = out[:brace], json.loads(out[brace:])
        e = scores["entities"]
        print(f"{name:7} ({scores['articles']:2}) entities P {e['precision']:.3f}  R typed {e['recall_typed']:.3f}"
              f"  F1 {e['f1']:.3f}  (R untyped {e['recall_untyped']:.3f})", flush=True)
        a = scores["attribution"]
        print(f"{'':13}attribution P {a['precision']:.3f}  R {a['recall']:.3f}  F1 {a['f1']:.3f}", flush=True)
        if args.errors:
            args.errors.mkdir(parents=True, exist_ok=True)
            (args.errors / f"{name}.txt").write_text(
                "".join(x + "\n" for x in errors.splitlines() if ": entity " in x), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
