"""Story clustering quality: purity and size distribution of ``khabar stories`` on SaudiNewsNet.

    .venv/bin/python benchmarks/bench_stories.py --db stories.db [--days 2015-07-21,...] [--shared ../shared]

The store is built once when ``--db`` does not exist: the articles of ``--days`` (one
SaudiNewsNet file per day, read from ``../shared``) ingested with the packaged pipeline, each
with the id ``<day>/<index in the file>``. Then :func:`khabar.corpus.views.stories` clusters the whole
store (every story, no limit), and the clusters are scored against
``benchmarks/data/stories_labels.tsv``: same-event labels for ~160 articles of those days (ids and
labels only, made by reading the titles). Printed: purity (of each story's labelled members, the
share in its largest event), pairwise precision and recall over labelled pairs, the share of
labelled articles placed in a story, the story size distribution, the share of story members
with similarity below 0.1 to their story's representative, and the clustering time.

To compare with an older commit on the same store: ``git worktree add /tmp/base <commit>``, then
run this script with ``PYTHONPATH=/tmp/base/src`` (it prints which khabar it imported).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import khabar
from khabar.corpus import views
from khabar.corpus.store import Store
from khabar.io import article_id

HERE = Path(__file__).resolve().parent
DAYS = "2015-07-21,2015-07-22,2015-07-23,2015-07-24"


def build_store(db: Path, news: Path, days: list[str], workers: int | None) -> None:
    from khabar.corpus.ingest import ingest

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "articles.jsonl"
        with src.open("w", encoding="utf-8") as f:
            for day in days:
                for i, a in enumerate(json.loads((news / f"{day}.json").read_text(encoding="utf-8"))):
                    f.write(json.dumps({"id": f"{day}/{i}", "title": a["title"], "content": a["content"],
                                        "source": a["source"], "published": a["date_extracted"][:10]},
                                       ensure_ascii=False) + "\n")
        with Store(db, create=True) as store:
            rep = ingest([src], store, workers=workers, progress=True)
        print(f"built {db}: {rep.added} articles in {rep.elapsed:.0f}s")


def load_labels(path: Path, news: Path) -> dict[str, str]:
    """Content id -> event label (an article stored twice under two ids counts once)."""
    files: dict[str, list[dict]] = {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith(("#", "file\t")):
            continue
        name, index, event = line.split("\t")
        if name not in files:
            files[name] = json.loads((news / name).read_text(encoding="utf-8"))
        out[article_id(files[name][int(index)]["content"])] = event
    return out


def score(stories: list[views.Story], labels: dict[str, str]) -> dict[str, float]:
    clustered: dict[str, int] = {}
    majority = labelled = 0
    for st in stories:
        events = [labels[a.id] for a in st.articles if a.id in labels]
        for a in st.articles:
            if a.id in labels:
                clustered[a.id] = st.id
        if events:
            majority += Counter(events).most_common(1)[0][1]
            labelled += len(events)
    same_event = same_story = both = 0
    for a, b in combinations(sorted(labels), 2):
        ev = labels[a] == labels[b]
        st = a in clustered and clustered.get(a) == clustered.get(b)
        same_event += ev
        same_story += st
        both += ev and st
    return {"purity": majority / labelled if labelled else 1.0,
            "pair_precision": both / same_story if same_story else 1.0,
            "pair_recall": both / same_event if same_event else 1.0,
            "labelled_in_a_story": len(clustered) / len(labels)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, type=Path, help="Store to cluster (built first when missing).")
    ap.add_argument("--days", default=DAYS, help="SaudiNewsNet days to ingest when building the store.")
    ap.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    ap.add_argument("--labels", type=Path, default=HERE / "data" / "stories_labels.tsv")
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    news = args.shared / "data" / "news" / "saudinewsnet"
    if not args.db.exists():
        build_store(args.db, news, args.days.split(","), args.workers)
    labels = load_labels(args.labels, news)
    print(f"khabar from {Path(khabar.__file__).parent}")
    with Store(args.db) as store:
        found = sum(store.get_article(cid) is not None for cid in labels)
        t0 = time.perf_counter()
        stories = views.stories(store, limit=10**9)
        took = time.perf_counter() - t0
        n = store.count_articles()
    sizes = sorted((st.size for st in stories), reverse=True)
    members = [a for st in stories for a in st.articles]
    weak = sum(a.similarity < 0.1 for a in members)
    print(f"{n} articles, {found} of {len(labels)} labelled articles ({len(set(labels.values()))} events) in the store")
    for k, v in score(stories, labels).items():
        print(f"{k}: {v:.3f}")
    if sizes:
        hist = defaultdict(int)
        for s in sizes:
            hist["2" if s == 2 else "3-5" if s <= 5 else "6-10" if s <= 10 else "11-20" if s <= 20 else
                 "21-50" if s <= 50 else ">50"] += 1
        print(f"stories: {len(sizes)}, articles in stories: {len(members)}, largest: {sizes[:5]}, "
              f"median size: {statistics.median(sizes)}, sizes: {dict(hist)}")
        print(f"members with similarity < 0.1 to the representative: {weak} ({weak / len(members):.1%})")
    print(f"clustering time: {took:.2f}s")


if __name__ == "__main__":
    main()
