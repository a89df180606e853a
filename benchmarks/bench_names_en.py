"""Cost of the English name table: file size, load time, and transliterations per second.

    python benchmarks/bench_names_en.py [--repeat 5]
    PYTHONPATH=/tmp/base/src python benchmarks/bench_names_en.py   # an older checkout (no table)

Load time is measured in fresh interpreters (the table is cached per process), median of
--repeat runs. Throughput: the Arabic names of the PER/LOC/ORG entities of the dev gold
(../shared/gold/dev/gold), each transliterated with its type, after the table is loaded; and
the entities stage without the tagger on the dev articles once warm (table loaded).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import khabar
from khabar.analysis.translit import transliterate

ROOT = Path(__file__).resolve().parents[1]
LOAD = ("import time; from khabar.analysis.names_en import load_name_table; t = time.perf_counter(); "
        "load_name_table(); print(time.perf_counter() - t)")


def names(shared: Path) -> list[tuple[str, str]]:
    out = []
    for path in sorted((shared / "gold" / "dev" / "gold").glob("*.json")):
        for e in json.loads(path.read_text(encoding="utf-8"))["entities"]:
            if e["type"] in ("PER", "LOC", "ORG") and not e.get("anonymous"):
                out.append((e["name"], e["type"]))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    print(f"khabar from {Path(khabar.__file__).parent}")
    data = resources.files("khabar.data").joinpath("names_en.tsv.gz")
    if data.is_file():
        print(f"names_en.tsv.gz: {len(data.read_bytes()) / 1e6:.2f} MB")
        loads = [float(subprocess.run([sys.executable, "-c", LOAD], capture_output=True, text=True,
                                      check=True).stdout) for _ in range(args.repeat)]
        print(f"table load (fresh process): median {statistics.median(loads) * 1000:.0f} ms "
              f"(runs: {', '.join(f'{x * 1000:.0f}' for x in loads)})")
    else:
        print("no names_en.tsv.gz in this checkout")
    sample = names(args.shared)
    for name, _typ in sample:  # warm-up: loads the tables
        transliterate(name)
    rates = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        for _ in range(20):
            for name, typ in sample:
                try:
                    transliterate(name, typ)
                except TypeError:  # an older transliterate without the type
                    transliterate(name)
        rates.append(20 * len(sample) / (time.perf_counter() - t))
    print(f"transliterate: median {statistics.median(rates):,.0f} names/s ({len(sample)} dev gold names x 20)")
    # the entities stage (KB + rules, no tagger) once the table is loaded: what each article costs
    from khabar.analysis.entities import EntityStage
    from khabar.analysis.text.stage import Segmenter
    from khabar.io import iter_path

    stage, seg = EntityStage(tagger=None), Segmenter()
    docs = [seg(d) for d in iter_path(args.shared / "gold" / "dev" / "articles")]
    for d in docs:
        stage(d)
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        for d in docs * 3:
            stage(d)
        times.append(time.perf_counter() - t)
    print(f"entities stage (KB + rules, warm): median {3 * len(docs) / statistics.median(times):.0f} articles/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
