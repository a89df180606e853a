#!/usr/bin/env python3
"""Rebuild everything the NER tagger ships, from ../shared, reproducibly (fixed seeds).

Steps (each writes under src/khabar/data/):
  clusters   word clusters from unlabelled news (saudinewsnet): positional co-occurrence
             counts -> PPMI -> randomised SVD -> k-means at three granularities
             -> ner_clusters.tsv.gz (key, corpus count, cluster ids)
  lexicon    name lexicons mined from saudinewsnet: how often a word fills a name slot (after a
             person title or speech verb, after a known first name, around bin/ibn; after an
             organisation / place / event head word) against its corpus count -> ner_mined.tsv
  gazetteer  place names from CLDR (Arabic territory names and exemplar cities, as shipped
             in the babel package) -> ner_gazetteer.tsv
  tune       trains on 90% of ANERcorp train.txt, scores the other 10% (--fold, default the last
             tenth); test.txt is never read
  train      trains on all of train.txt with the chosen settings -> ner.crfsuite

Usage:
  python scripts/train_ner.py all            # clusters + gazetteer + train (defaults below)
  python scripts/train_ner.py tune --c1 0.05 --c2 0.01 [--no-gazetteer] [--no-clusters]
  python scripts/train_ner.py tune --fold 4 --no-lexicon --no-kb   # ablation: without the lexicons
  (environment for experiments: LEX_CLASSES=PFN,PTR  MINED_TYPES=PER, see train_model)

Needs numpy, scipy and babel for the clusters/gazetteer steps: pip install -e ".[train]".
"""

from __future__ import annotations

import argparse
import glob
import gzip
import io
import json
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from khabar.analysis.ner.features import word_key  # noqa: E402

DATA = ROOT / "src" / "khabar" / "data"
DEFAULT_SHARED = ROOT.parent / "shared"
SEED = 13
CLUSTER_SIZES = (64, 256, 1024)

IDENTITY_FEATURES = ("w=", "raw=", "st=", "bare=", "bg-=", "bg+=")
DEFAULT_C1, DEFAULT_C2 = 0.01, 0.01
MAX_ITER = 150

_TOKEN_RE = re.compile(r"\w+|[^\w\s]")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- clusters
def news_keys(shared: Path):
    """The word keys (khabar.analysis.ner.features.word_key) of each saudinewsnet article, title first."""
    cache: dict[str, str] = {}
    for f in sorted(glob.glob(str(shared / "data/news/saudinewsnet/*.json"))):
        for art in json.loads(Path(f).read_text(encoding="utf-8")):
            text = (art.get("title") or "") + "\n" + (art.get("content") or "")
            keys = []
            for tok in _TOKEN_RE.findall(text):
                k = cache.get(tok)
                if k is None:
                    k = cache[tok] = word_key(tok)
                keys.append(k)
            yield keys


def corpus_ids(shared: Path, vocab_min: int, vocab_max: int):
    import numpy as np

    docs: list[list[str]] = []
    counts: Counter[str] = Counter()
    for keys in news_keys(shared):
        counts.update(keys)
        docs.append(keys)
    log(f"corpus: {len(docs)} articles, {sum(counts.values())} tokens, {len(counts)} types")
    vocab = [w for w, c in counts.most_common(vocab_max) if c >= vocab_min]
    index = {w: i for i, w in enumerate(vocab)}
    unk = len(vocab)
    parts = []
    for keys in docs:
        parts.append(np.fromiter((index.get(k, unk) for k in keys), dtype=np.int32, count=len(keys)))
        parts.append(np.array([unk + 1], dtype=np.int32))  # document boundary
    return np.concatenate(parts), vocab, counts


def cooccurrence_embeddings(ids, V: int, C: int, dims: int, rng):
    """Unit-length word vectors (V, dims): positional co-occurrence counts (offsets -2, -1, +1, +2
    against the C most frequent words), PPMI, randomised SVD. ``ids`` is the corpus as word ids
    (ids >= V are unknown words or breaks); ``rng`` is used, so the caller's next draws follow it.
    Shared by the CRF's clusters and the neural tagger's embeddings."""
    import numpy as np
    import scipy.sparse as sp

    offsets = (-2, -1, 1, 2)
    mat = None
    for b, d in enumerate(offsets):
        if d > 0:
            w, c = ids[:-d], ids[d:]
        else:
            w, c = ids[-d:], ids[:d]
        m = (w < V) & (c < C)
        part = sp.coo_matrix((np.ones(int(m.sum()), dtype=np.float32), (w[m], c[m] + b * C)),
                             shape=(V, C * len(offsets))).tocsr()
        mat = part if mat is None else mat + part
    mat.sum_duplicates()
    log(f"co-occurrence: {V} words x {C * len(offsets)} contexts, {mat.nnz} non-zero")
    # PPMI with context-distribution smoothing (alpha 0.75).
    total = mat.sum()
    row = np.asarray(mat.sum(axis=1)).ravel()
    col = np.asarray(mat.sum(axis=0)).ravel() ** 0.75
    col /= col.sum()
    coo = mat.tocoo()
    pmi = np.log(coo.data / total) - np.log(row[coo.row] / total) - np.log(col[coo.col])
    keep = pmi > 0
    ppmi = sp.csr_matrix((pmi[keep].astype(np.float32), (coo.row[keep], coo.col[keep])), shape=mat.shape)
    # Randomised SVD (Halko et al.), two power iterations.
    q = ppmi @ rng.standard_normal((ppmi.shape[1], dims + 20)).astype(np.float32)
    for _ in range(2):
        q, _r = np.linalg.qr(q)
        q = ppmi @ (ppmi.T @ q)
    q, _r = np.linalg.qr(q)
    u_hat, s, _vt = np.linalg.svd((ppmi.T @ q).T, full_matrices=False)
    emb = (q @ u_hat[:, :dims]) * np.sqrt(s[:dims])
    emb /= np.linalg.norm(emb, axis=1, keepdims=True) + 1e-8
    return emb


def build_clusters(shared: Path, out: Path, dims: int = 128, contexts: int = 4000,
                   vocab_min: int = 5, vocab_max: int = 150_000) -> None:
    import numpy as np

    ids, vocab, counts = corpus_ids(shared, vocab_min, vocab_max)
    rng = np.random.default_rng(SEED)
    emb = cooccurrence_embeddings(ids, len(vocab), contexts, dims, rng)
    log(f"SVD done: {emb.shape}")
    labels = [kmeans(emb.astype(np.float32), k, rng) for k in CLUSTER_SIZES]
    with gzip.GzipFile(out, "wb", compresslevel=9, mtime=0) as gz, io.TextIOWrapper(gz, encoding="utf-8") as fh:
        fh.write("# key\tcount\t" + "\t".join(f"k{k}" for k in CLUSTER_SIZES) + "\n")
        for i, w in enumerate(vocab):
            if "\t" in w or "\n" in w:
                continue
            fh.write(f"{w}\t{counts[w]}\t" + "\t".join(str(int(lab[i])) for lab in labels) + "\n")
    log(f"wrote {out} ({out.stat().st_size // 1024} KiB)")


def kmeans(x, k: int, rng, iters: int = 20):
    """Spherical k-means (cosine), initialised from frequent words (rows are by frequency)."""
    import numpy as np

    pool = min(len(x), max(4 * k, 20_000))
    centers = x[rng.choice(pool, size=k, replace=False)].copy()
    labels = np.zeros(len(x), dtype=np.int32)
    for _it in range(iters):
        for s in range(0, len(x), 20_000):
            labels[s:s + 20_000] = np.argmax(x[s:s + 20_000] @ centers.T, axis=1)
        sums = np.zeros_like(centers)
        np.add.at(sums, labels, x)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        empty = norms.ravel() == 0
        sums[~empty] /= norms[~empty]
        sums[empty] = x[rng.choice(len(x), size=int(empty.sum()), replace=False)]
        centers = sums
    log(f"k-means k={k}: {len(np.unique(labels))} non-empty clusters")
    return labels


# --------------------------------------------------------------------------- mined lexicon
def read_lexicon() -> dict[str, set[str]]:
    """The hand-written cue lexicon (src/khabar/data/ner_lexicon.tsv) as class -> word keys."""
    out: dict[str, set[str]] = {}
    for line in (DATA / "ner_lexicon.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, cls = line.split("\t")
            out.setdefault(cls, set()).add(word_key(word))
    return out


MINE_BANDS = ((0.5, "3"), (0.2, "2"), (0.05, "1"))
MINE_MIN_HITS = 3


def build_mined(shared: Path, out: Path) -> None:
    """Per word: the share of its corpus occurrences that sit in a name slot, per type.

    Slots (all on normalised words, an Arabic word that is not a function word):
      PER  the first word without the article after a person title (skipping up to two
           article words: "the US president Barack"), the word after a speech verb, the word
           after a listed first name or a mined name slot, the words around bin/ibn;
      ORG/LOC/MISC  the word after an organisation / place / event head word.
    A word gets a band per type from (slot hits / corpus count) when it has enough hits.
    """
    lex = read_lexicon()
    stop = {word_key(w) for w in (DATA / "stopwords_ar.txt").read_text(encoding="utf-8").split()
            if not w.startswith("#")}
    titles, verbs, first = lex["PTR"], lex["SPK"], lex["PFN"] - stop
    particles = {word_key(w) for w in ("بن", "ابن", "بنت")}  # bin, ibn, bint
    heads = {"ORG": lex["OHD"], "LOC": lex["LHD"], "MISC": lex["MHD"]}
    blocked = stop | titles | verbs | particles | lex["OHD"] | lex["LHD"] | lex["MHD"] | lex["NAT"]
    arabic = re.compile(r"^[\u0621-\u064a]{2,}$")
    counts: Counter[str] = Counter()
    hits = {t: Counter() for t in ("PER", "ORG", "LOC", "MISC")}

    def ok(k: str) -> bool:
        return bool(arabic.match(k)) and k not in blocked

    for keys in news_keys(shared):
        counts.update(keys)
        n = len(keys)
        per = hits["PER"]
        for i, k in enumerate(keys):
            if k in titles:
                j = i + 1
                while j < n and j <= i + 2 and keys[j].startswith("ال") and ok(keys[j]):
                    j += 1
                if j < n and ok(keys[j]) and not keys[j].startswith("ال"):
                    per[keys[j]] += 1
                    if j + 1 < n and ok(keys[j + 1]):
                        per[keys[j + 1]] += 1
            elif k in verbs:
                if i + 1 < n and ok(keys[i + 1]) and not keys[i + 1].startswith("ال"):
                    per[keys[i + 1]] += 1
            elif k in first:
                if i + 1 < n and ok(keys[i + 1]):
                    per[keys[i + 1]] += 1
            elif k in particles:
                if i > 0 and ok(keys[i - 1]):
                    per[keys[i - 1]] += 1
                if i + 1 < n and ok(keys[i + 1]):
                    per[keys[i + 1]] += 1
            else:
                for t, hs in heads.items():
                    if k in hs and i + 1 < n and ok(keys[i + 1]):
                        hits[t][keys[i + 1]] += 1
    rows: dict[str, list[str]] = {}
    for t, hs in hits.items():
        for w, h in hs.items():
            if h < MINE_MIN_HITS:
                continue
            r = h / counts[w]
            band = next((b for lim, b in MINE_BANDS if r >= lim), None)
            if band:
                rows.setdefault(w, []).append(f"{t}{band}")
    header = "# Name-slot bands mined from saudinewsnet (scripts/train_ner.py lexicon): key<TAB>bands\n"
    body = "".join(f"{w}\t{' '.join(v)}\n" for w, v in sorted(rows.items()) if "\t" not in w)
    out.write_text(header + body, encoding="utf-8")
    per_type = {t: sum(1 for v in rows.values() for x in v if x.startswith(t)) for t in hits}
    log(f"wrote {out}: {len(rows)} words {per_type}")


# --------------------------------------------------------------------------- gazetteer
def build_gazetteer(out: Path) -> None:
    """Arabic place names from CLDR (territories and exemplar cities), type LOC."""
    from babel import Locale

    loc = Locale("ar")
    names: set[str] = set()
    for code, name in loc.territories.items():
        if code.isalpha():  # countries, not numeric regions
            names.add(name)
    for _tz, data in loc.time_zones.items():
        city = data.get("city") if hasattr(data, "get") else None
        if city:
            names.add(city)
    rows = set()
    for name in names:
        name = re.sub(r"\s*\(.*?\)\s*", " ", name).strip()
        key = " ".join(word_key(t) for t in _TOKEN_RE.findall(name))
        if key:
            rows.add(key)
    out.write_text("# CLDR Arabic place names (babel), normalised; built by scripts/train_ner.py\n"
                   + "".join(f"{r}\tLOC\n" for r in sorted(rows)), encoding="utf-8")
    log(f"wrote {out}: {len(rows)} names")


# --------------------------------------------------------------------------- CRF
def read_conll(path: Path) -> list[tuple[list[str], list[str]]]:
    sents, toks, tags = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            if toks:
                sents.append((toks, tags))
            toks, tags = [], []
            continue
        toks.append(parts[0])
        tag = parts[-1] if len(parts) > 1 else "O"
        tags.append(tag.replace("PERS", "PER"))
    if toks:
        sents.append((toks, tags))
    return sents


def train_model(sents, model_path: Path, c1: float, c2: float, use_gaz: bool, use_clusters: bool,
                max_iter: int = MAX_ITER, min_freq: int = 1, algorithm: str = "lbfgs", drop: float = 0.0,
                lexicon: bool = True, kb: bool = True):
    import pycrfsuite

    from khabar.analysis.ner.features import FeatureExtractor
    from khabar.analysis.ner.tagger import load_resources

    res = load_resources(gazetteer=use_gaz, clusters=use_clusters,
                         lexicon=lexicon, mined=lexicon, kb=kb)
    # Experiments: keep only some lexicon classes / mined types (comma lists in the environment,
    # e.g. LEX_CLASSES=PFN,PTR MINED_TYPES=PER).
    if os.environ.get("LEX_CLASSES"):
        keep = set(os.environ["LEX_CLASSES"].split(","))
        res.lexicon = {k: "|".join(c for c in v.split("|") if c in keep) for k, v in res.lexicon.items()}
        res.lexicon = {k: v for k, v in res.lexicon.items() if v}
    if os.environ.get("MINED_TYPES"):
        keep = tuple(os.environ["MINED_TYPES"].split(","))
        res.mined = {k: " ".join(b for b in v.split() if b.startswith(keep)) for k, v in res.mined.items()}
        res.mined = {k: v for k, v in res.mined.items() if v}
    fx = FeatureExtractor(res)
    trainer = pycrfsuite.Trainer(algorithm=algorithm, verbose=False)
    rng = random.Random(SEED)
    for toks, tags in sents:
        items = fx.sentence(toks)
        if drop:
            # Identity dropout: hide a token's own word-identity features now and then, so that
            # the model also learns to recognise names from context, clusters and affixes
            # (what it has for names it never saw).
            for item in items:
                if rng.random() < drop:
                    item[:] = [f for f in item if not f.startswith(IDENTITY_FEATURES)]
        trainer.append(items, tags)
    params = {"max_iterations": max_iter, "feature.minfreq": min_freq, "feature.possible_transitions": True}
    if algorithm == "lbfgs":
        params.update({"c1": c1, "c2": c2})
    trainer.set_params(params)
    t = time.time()
    trainer.train(str(model_path))
    log(f"trained {model_path.name} in {time.time() - t:.0f}s (c1={c1} c2={c2} gaz={use_gaz} "
        f"clusters={use_clusters} minfreq={min_freq} lexicon={lexicon} kb={kb})")
    return fx


def evaluate(sents, model_path: Path, fx) -> dict:
    import pycrfsuite

    from khabar.evaluation.ner import score

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model_path))
    gold, pred = [], []
    for toks, tags in sents:
        gold.append(tags)
        pred.append(tagger.tag(fx.sentence(toks)))
    return score(gold, pred)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["clusters", "lexicon", "gazetteer", "tune", "train", "all"])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--c1", type=float, default=DEFAULT_C1)
    ap.add_argument("--c2", type=float, default=DEFAULT_C2)
    ap.add_argument("--max-iter", type=int, default=MAX_ITER)
    ap.add_argument("--min-freq", type=int, default=1)
    ap.add_argument("--algorithm", default="lbfgs", choices=["lbfgs", "ap", "pa", "l2sgd"])
    ap.add_argument("--drop", type=float, default=0.0, help="identity-feature dropout rate in training")
    ap.add_argument("--fold", type=int, default=9, choices=range(10), help="tune: which tenth is dev")
    ap.add_argument("--no-gazetteer", action="store_true")
    ap.add_argument("--no-clusters", action="store_true")
    ap.add_argument("--no-lexicon", dest="lexicon", action="store_false",
                    help="without the ner_lexicon.tsv cue classes and ner_mined.tsv bands (the tagger must "
                         "match: khabar.analysis.ner.tagger.USE_LEXICON)")
    ap.add_argument("--no-kb", dest="kb", action="store_false",
                    help="without the KB names as gazetteer entries (tagger: khabar.analysis.ner.tagger.USE_KB)")
    ap.add_argument("--out", type=Path, default=DATA / "ner.crfsuite")
    args = ap.parse_args()
    gaz, clus = not args.no_gazetteer, not args.no_clusters
    if args.step in ("clusters", "all"):
        build_clusters(args.shared, DATA / "ner_clusters.tsv.gz")
    if args.step in ("lexicon", "all"):
        build_mined(args.shared, DATA / "ner_mined.tsv")
    if args.step in ("gazetteer", "all"):
        build_gazetteer(DATA / "ner_gazetteer.tsv")
    train = read_conll(args.shared / "data/ner/anercorp/train.txt")
    if args.step == "tune":
        # Dev = one tenth of train.txt (default the last; --fold picks another contiguous tenth).
        a, b = int(len(train) * args.fold / 10), int(len(train) * (args.fold + 1) / 10)
        fit, dev = train[:a] + train[b:], train[a:b]
        tag = os.environ.get("TAG", "") + f"f{args.fold}_"
        model = Path(f"/tmp/ner_tune_{tag}{args.c1}_{args.c2}_{int(gaz)}{int(clus)}_{args.min_freq}.crfsuite")
        fx = train_model(fit, model, args.c1, args.c2, gaz, clus, args.max_iter, args.min_freq,
                         args.algorithm, args.drop, args.lexicon, args.kb)
        result = evaluate(dev, model, fx)
        print(json.dumps({"fold": args.fold, "algorithm": args.algorithm, "c1": args.c1, "c2": args.c2,
                          "gazetteer": gaz, "clusters": clus, "min_freq": args.min_freq, "drop": args.drop,
                          "lexicon": args.lexicon, "kb": args.kb,
                          "max_iter": args.max_iter, "overall": result["overall"],
                          "per_type": {t: r["f1"] for t, r in result["types"].items()}}), flush=True)
    if args.step in ("train", "all"):
        train_model(train, args.out, args.c1, args.c2, gaz, clus, args.max_iter, args.min_freq,
                    args.algorithm, args.drop, args.lexicon, args.kb)
        log(f"model size {args.out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
