#!/usr/bin/env python3
"""Train the neural NER tagger (BiLSTM-CRF) with PyTorch on CPU and export it for numpy inference.

Steps:
  embed   word embeddings from unlabelled news (saudinewsnet, ../shared): positional
          co-occurrence (offsets -2,-1,+1,+2 against the 4,000 most frequent words) -> PPMI ->
          randomised SVD (128 dims) for the 60,000 most frequent normalised words
          -> build/ner_nn_emb.npz (a cache, not shipped by itself)
  tune    trains on 9/10 of ANERcorp train.txt and scores the held-out tenth (--fold) after
          each epoch; prints the best epoch and its F1 (test.txt is never read)
  train   trains on all of train.txt for --epochs epochs (--seed) -> --out (default
          src/khabar/data/ner_nn.npz, a single network)
  combine several trained networks (same data, different seeds) -> one ensemble file; the
          shipped model is `combine` of seeds 13, 29 and 47, each trained with the defaults
          (30 epochs, SWA over 16-30, lexicon inputs, BIOES, language-model task 0.1; docs/ner.md)
  all     embed + train

PyTorch is needed only here (pip install -e ".[train-nn]"); the packaged tagger
(khabar.analysis.ner.neural) runs on numpy. Seeded, one thread: re-running gives the same model.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import wikifane  # noqa: E402  (scripts/, beside this file)
from train_ner import cooccurrence_embeddings, news_keys, read_conll  # noqa: E402  (scripts/, beside this file)

from khabar.analysis.clitics import PROCLITICS  # noqa: E402
from khabar.analysis.ner.bio import entity_spans  # noqa: E402
from khabar.analysis.ner.features import word_key  # noqa: E402
from khabar.analysis.ner.neural import (  # noqa: E402
    CUE_FEATURES,
    LEX_FEATURES,
    MAX_CHARS,
    Featurizer,
    NeuralTagger,
    load_lexicons,
    shape_of,
)
from khabar.evaluation.ner import score  # noqa: E402

DATA = ROOT / "src" / "khabar" / "data"
BUILD = ROOT / "build"
DEFAULT_SHARED = ROOT.parent / "shared"
SEED = 13
TAGS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
VOCAB_MAX, DIMS, CONTEXTS = 60_000, 128, 4000
CLUSTER_SIZES, CLUSTER_DIM = (128, 512), 16  # word clusters (k-means of the embeddings), learnt vectors
TWORD_DIM = 64  # learnt word embedding (training vocabulary)
CHUNK = 60  # training sentences are cut into pieces of at most this many tokens
BIOES_TAGS = ["O"] + [f"{p}-{t}" for t in ("PER", "ORG", "LOC", "MISC") for p in "BIES"]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- embeddings
def build_embeddings(shared: Path, out: Path) -> None:
    docs, counts = [], Counter()
    for keys in news_keys(shared):
        counts.update(keys)
        docs.append(keys)
    vocab = [w for w, c in counts.most_common(VOCAB_MAX) if c >= 3 and "\n" not in w]
    index = {w: i for i, w in enumerate(vocab)}
    V, C, unk = len(vocab), CONTEXTS, len(vocab)
    ids = np.concatenate([x for keys in docs for x in (
        np.fromiter((index.get(k, unk) for k in keys), dtype=np.int32, count=len(keys)),
        np.array([unk + 1], dtype=np.int32))])
    log(f"corpus: {len(docs)} articles, {len(ids)} tokens, vocabulary {V}")
    emb = cooccurrence_embeddings(ids, V, C, DIMS, np.random.default_rng(SEED))
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, emb=emb.astype(np.float32), vocab=np.frombuffer("\n".join(vocab).encode(), dtype=np.uint8),
             counts=np.array([counts[w] for w in vocab], dtype=np.int64))
    log(f"wrote {out}: {emb.shape}")


def kmeans(x: np.ndarray, k: int, iters: int = 12) -> np.ndarray:
    """Spherical k-means (cosine), seeded, initialised from frequent words (rows are by frequency)."""
    rng = np.random.default_rng(SEED + k)
    centers = x[rng.choice(min(len(x), 4 * k), size=k, replace=False)].copy()
    labels = np.zeros(len(x), dtype=np.int64)
    for _ in range(iters):
        for s in range(0, len(x), 10_000):
            labels[s:s + 10_000] = np.argmax(x[s:s + 10_000] @ centers.T, axis=1)
        sums = np.zeros_like(centers)
        np.add.at(sums, labels, x)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        empty = norms.ravel() == 0
        sums[~empty] /= norms[~empty]
        sums[empty] = x[rng.choice(len(x), size=int(empty.sum()), replace=False)]
        centers = sums
    return labels


def load_embeddings(path: Path):
    z = dict(np.load(path))
    if "clusters" not in z:  # word clusters from the embeddings, cached with them
        z["clusters"] = np.stack([kmeans(z["emb"], k) for k in CLUSTER_SIZES], axis=1)
        np.savez(path, **z)
        log(f"clusters {CLUSTER_SIZES} added to {path}")
    return z["emb"], bytes(z["vocab"]).decode("utf-8").split("\n"), z["counts"], z["clusters"]


# --------------------------------------------------------------------------- data
def chunks(sents):
    """Cut long training sentences (ANERcorp has 'sentences' of 1,000+ tokens) at O tokens."""
    out = []
    for toks, tags in sents:
        i = 0
        while len(toks) - i > CHUNK:
            j = i + CHUNK
            while j > i + CHUNK // 2 and tags[j] != "O":
                j -= 1
            out.append((toks[i:j], tags[i:j]))
            i = j
        out.append((toks[i:], tags[i:]))
    return out


def to_bioes(tags: list[str]) -> list[str]:
    """BIO tags as BIOES: single-token entities S-X, the last token of longer ones E-X."""
    out = list(tags)
    for i, j, typ in entity_spans(tags):
        out[i:j] = [f"S-{typ}"] if j - i == 1 else [f"B-{typ}"] + [f"I-{typ}"] * (j - i - 2) + [f"E-{typ}"]
    return out


def make_featurizer(vocab, counts, train_sents, lexicon: bool = False, names: bool = False) -> tuple[Featurizer, dict]:
    keys = [word_key(t) for toks, _ in train_sents for t in toks]
    char_counts = Counter(ch for k in keys for ch in k[:MAX_CHARS])
    char_counts.update(ch for w in vocab[:20000] for ch in w[:MAX_CHARS])
    chars = "".join(sorted(c for c, n in char_counts.items() if n >= 5 and c != "\n"))
    shapes = sorted({shape_of(k) for k in keys})
    key_counts = Counter(keys)
    train_vocab = sorted(k for k, n in key_counts.items() if n >= 2 and "\n" not in k)
    proclitics = sorted(PROCLITICS, key=lambda p: (-len(p), p))  # longest first, in a fixed order
    meta = {"proclitics": proclitics, "chars": chars, "shapes": shapes, "train_vocab": train_vocab,
            "lex_features": list(LEX_FEATURES if names else CUE_FEATURES) if lexicon else []}
    return Featurizer(vocab, counts, meta["proclitics"], chars, shapes, train_vocab,
                      lexicons=load_lexicons(meta["lex_features"]) if lexicon else None), meta


# --------------------------------------------------------------------------- model
def build_model(torch, emb: np.ndarray, clusters: np.ndarray, n_chars: int, n_pre: int, n_shapes: int, n_train: int, hidden: int,
                word_drop: float, n_lex: int = 0, lm: bool = False):
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            table = np.zeros((emb.shape[0] + 2, emb.shape[1]), dtype=np.float32)
            table[2:] = emb
            self.emb = nn.Embedding.from_pretrained(torch.from_numpy(table), freeze=True)
            self.char_emb = nn.Embedding(n_chars + 2, 24)
            self.char_conv = nn.Conv1d(24, 64, 3, padding=1)
            self.pre_emb = nn.Embedding(n_pre + 1, 8)
            self.shape_emb = nn.Embedding(n_shapes + 1, 8)
            self.freq_emb = nn.Embedding(6, 4)
            self.tword_emb = nn.Embedding(n_train + 2, TWORD_DIM)
            # cluster ids of each embedding row (rows 0/1 = pad/unknown get their own id k)
            cl = np.zeros((emb.shape[0] + 2, len(CLUSTER_SIZES)), dtype=np.int64)
            cl[:2] = CLUSTER_SIZES
            cl[2:] = clusters
            self.register_buffer("cluster_ids", torch.from_numpy(cl))
            self.cluster_embs = nn.ModuleList([nn.Embedding(k + 1, CLUSTER_DIM) for k in CLUSTER_SIZES])
            dim = 2 * emb.shape[1] + 64 + 8 + 8 + 4 + TWORD_DIM + 2 * len(CLUSTER_SIZES) * CLUSTER_DIM + n_lex
            self.drop = nn.Dropout(0.5)
            self.lstm = nn.LSTM(dim, hidden, batch_first=True, bidirectional=True)
            self.out = nn.Linear(2 * hidden, len(TAGS))
            self.crf_trans = nn.Parameter(torch.zeros(len(TAGS), len(TAGS)))
            self.crf_start = nn.Parameter(torch.zeros(len(TAGS)))
            self.crf_end = nn.Parameter(torch.zeros(len(TAGS)))
            if lm:  # language-model heads, training only (not exported): see lm_loss
                self.lm_fw = nn.Linear(hidden, CLUSTER_SIZES[-1] + 1)
                self.lm_bw = nn.Linear(hidden, CLUSTER_SIZES[-1] + 1)

        def forward(self, f):
            B, T, C = f["chars"].shape
            ch = self.char_emb(f["chars"].view(B * T, C)).transpose(1, 2)
            charvec = torch.relu(self.char_conv(ch)).max(dim=2).values.view(B, T, -1)
            tword = f["tword"]
            if self.training and word_drop:  # word dropout: forget the learnt word now and then
                tword = torch.where(torch.rand(tword.shape) < word_drop, torch.ones_like(tword), tword)
            x = torch.cat([self.emb(f["word"]), self.emb(f["stem"]), charvec, self.pre_emb(f["pre"]),
                           self.shape_emb(f["shape"]), self.freq_emb(f["freq"]), self.tword_emb(tword)]
                          + [e(self.cluster_ids[f[key]][..., j]) for key in ("word", "stem")
                             for j, e in enumerate(self.cluster_embs)] + ([f["lex"]] if n_lex else []), dim=-1)
            x = self.drop(x)
            packed = nn.utils.rnn.pack_padded_sequence(x, f["lengths"], batch_first=True, enforce_sorted=False)
            h, _ = self.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=T)
            return self.out(self.drop(h)), h

        def lm_loss(self, h, f):
            """Language modelling as a second task (Rei, 2017): the forward states predict the
            cluster of the next word, the backward states that of the previous word. It makes the
            LSTM learn what the context says about a word, which helps with unseen names."""
            H = h.shape[-1] // 2
            cl = self.cluster_ids[f["word"]][..., -1]  # the finest clusters (unknown words: their own)
            T = cl.shape[1]
            pair = torch.arange(1, T)[None, :] < f["lengths"][:, None]  # positions t with a word t + 1
            ce = nn.functional.cross_entropy
            return (ce(self.lm_fw(self.drop(h[:, :-1, :H]))[pair], cl[:, 1:][pair], reduction="sum")
                    + ce(self.lm_bw(self.drop(h[:, 1:, H:]))[pair], cl[:, :-1][pair], reduction="sum"))

        def nll(self, em, tags, lengths):
            B, T, _K = em.shape
            mask = torch.arange(T)[None, :] < lengths[:, None]
            ar = torch.arange(B)
            sc = self.crf_start[tags[:, 0]] + em[ar, 0, tags[:, 0]]
            alpha = self.crf_start[None] + em[:, 0]
            for t in range(1, T):
                m = mask[:, t]
                sc = sc + (self.crf_trans[tags[:, t - 1], tags[:, t]] + em[ar, t, tags[:, t]]) * m
                nxt = torch.logsumexp(alpha[:, :, None] + self.crf_trans[None] + em[:, t, None, :], dim=1)
                alpha = torch.where(m[:, None], nxt, alpha)
            last = tags[ar, lengths - 1]
            sc = sc + self.crf_end[last]
            return (torch.logsumexp(alpha + self.crf_end[None], dim=1) - sc).sum()

    return Net()


def to_tensors(torch, fz: Featurizer, batch):
    f = fz.batch([toks for toks, _ in batch])
    out = {k: torch.from_numpy(v) for k, v in f.items()}
    tag_ix = {t: i for i, t in enumerate(TAGS)}
    bioes = "S-PER" in tag_ix
    tags = np.zeros(f["word"].shape, dtype=np.int64)
    for b, (_, tg) in enumerate(batch):
        tags[b, :len(tg)] = [tag_ix.get(t, 0) for t in (to_bioes(tg) if bioes else tg)]
    return out, torch.from_numpy(tags)


def export(model, fz_meta: dict, vocab, counts, path: Path) -> None:
    sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    H = model.lstm.hidden_size
    arrays = {
        "emb": sd["emb.weight"], "char_emb": sd["char_emb.weight"],
        "char_conv_w": sd["char_conv.weight"], "char_conv_b": sd["char_conv.bias"],
        "pre_emb": sd["pre_emb.weight"], "shape_emb": sd["shape_emb.weight"], "freq_emb": sd["freq_emb.weight"],
        "tword_emb": sd["tword_emb.weight"],
        "cluster_ids": sd["cluster_ids"].astype(np.int16),
        **{f"cluster_emb{j}": sd[f"cluster_embs.{j}.weight"] for j in range(len(CLUSTER_SIZES))},
        "fw_ih": sd["lstm.weight_ih_l0"], "fw_hh": sd["lstm.weight_hh_l0"],
        "fw_b": sd["lstm.bias_ih_l0"] + sd["lstm.bias_hh_l0"],
        "bw_ih": sd["lstm.weight_ih_l0_reverse"], "bw_hh": sd["lstm.weight_hh_l0_reverse"],
        "bw_b": sd["lstm.bias_ih_l0_reverse"] + sd["lstm.bias_hh_l0_reverse"],
        "out_w": sd["out.weight"], "out_b": sd["out.bias"],
        "crf_trans": sd["crf_trans"], "crf_start": sd["crf_start"], "crf_end": sd["crf_end"],
    }
    assert arrays["fw_hh"].shape == (4 * H, H)
    out = {k: v if v.dtype == np.int16 else v.astype(np.float16) for k, v in arrays.items()}
    text = lambda items: np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)  # noqa: E731
    out.update(tags=text(TAGS), vocab=text(vocab), counts=np.asarray(counts, dtype=np.int32),
               proclitics=text(fz_meta["proclitics"]), chars=text(list(fz_meta["chars"])),
               shapes=text(fz_meta["shapes"]), train_vocab=text(fz_meta["train_vocab"]))
    if fz_meta["lex_features"]:
        out["lex_features"] = text(fz_meta["lex_features"])
    np.savez_compressed(path, **out)
    log(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


SHARED_KEYS = ("tags", "vocab", "counts", "proclitics", "chars", "shapes", "train_vocab", "emb", "cluster_ids",
               "lex_features")


def load_exported(model, path: Path) -> None:
    """Weights of an exported network (``export``) back into a torch model of the same shape, to
    continue its training (``--init``); the language-model heads, not exported, start afresh."""
    import torch

    z = np.load(path)
    names = {"emb.weight": "emb", "char_emb.weight": "char_emb", "char_conv.weight": "char_conv_w",
             "char_conv.bias": "char_conv_b", "pre_emb.weight": "pre_emb", "shape_emb.weight": "shape_emb",
             "freq_emb.weight": "freq_emb", "tword_emb.weight": "tword_emb", "out.weight": "out_w",
             "out.bias": "out_b", "crf_trans": "crf_trans", "crf_start": "crf_start", "crf_end": "crf_end",
             "lstm.weight_ih_l0": "fw_ih", "lstm.weight_hh_l0": "fw_hh", "lstm.bias_ih_l0": "fw_b",
             "lstm.weight_ih_l0_reverse": "bw_ih", "lstm.weight_hh_l0_reverse": "bw_hh",
             "lstm.bias_ih_l0_reverse": "bw_b",
             **{f"cluster_embs.{j}.weight": f"cluster_emb{j}" for j in range(len(CLUSTER_SIZES))}}
    sd = model.state_dict()
    for key, name in names.items():
        assert sd[key].shape == z[name].shape, f"{path}: {name} has another shape"
        sd[key] = torch.from_numpy(z[name].astype(np.float32))
    for key in ("lstm.bias_hh_l0", "lstm.bias_hh_l0_reverse"):  # exported as one sum with bias_ih
        sd[key] = torch.zeros_like(sd[key])
    model.load_state_dict(sd)


def combine(members: list[Path], out: Path) -> None:
    """Several models trained on the same data (different seeds) -> one ensemble file: shared
    inputs stored once, each member's weights under the prefix m<i>."""
    arrays: dict[str, np.ndarray] = {}
    for i, path in enumerate(members):
        z = dict(np.load(path))
        if "proclitics" in arrays and not np.array_equal(arrays["proclitics"], z["proclitics"]):
            # Older models listed same-length proclitics in set order: align the embedding rows.
            ref = bytes(arrays["proclitics"]).decode().split("\n")
            own = bytes(z["proclitics"]).decode().split("\n")
            assert sorted(ref) == sorted(own)
            z["pre_emb"] = z["pre_emb"][[0] + [1 + own.index(p) for p in ref]]
            z["proclitics"] = arrays["proclitics"]
        for k in z:
            if k in SHARED_KEYS:
                if k in arrays:
                    assert np.array_equal(arrays[k], z[k]), f"{path}: {k} differs (not the same training data?)"
                arrays[k] = z[k]
            else:
                arrays[f"m{i}.{k}"] = z[k]
    np.savez_compressed(out, **arrays)
    log(f"wrote {out} ({len(members)} members, {out.stat().st_size / 1e6:.1f} MB)")


def evaluate(tagger: NeuralTagger, sents) -> dict:
    tagger.window = 0  # the network alone (label consistency is measured apart)
    pred = tagger.tag_sents([toks for toks, _ in sents])
    return score([tags for _, tags in sents], pred)


def train(fit, dev, vocab, counts, emb, clusters, epochs: int, hidden: int, out: Path, max_minutes: float,
          word_drop: float = 0.15, snapshots: Path | None = None, seed: int = SEED,
          lexicon: bool = False, swa_from: int = 0, lm_weight: float = 0.0, names: bool = False,
          extra=(), extra_weight: float = 0.0, init: Path | None = None, first_epoch: int = 1):
    """``extra``: more labelled sentences (WikiFANE) of which a random share, ``extra_weight`` times
    as many chunks as ``fit`` has, joins each epoch (its words count for the learnt vocabulary)."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    fz, meta = make_featurizer(vocab, counts, list(fit) + list(extra), lexicon, names)
    model = build_model(torch, emb, clusters, len(meta["chars"]), len(meta["proclitics"]), len(meta["shapes"]),
                        len(meta["train_vocab"]), hidden, word_drop, len(meta["lex_features"]), lm=bool(lm_weight))
    if init:  # continue the training of an exported network (same data, same featurizer)
        load_exported(model, init)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=2e-3)
    data = chunks(fit)
    data.sort(key=lambda s: len(s[0]))
    batches = [data[i:i + 32] for i in range(0, len(data), 32)]
    tensors = [to_tensors(torch, fz, b) for b in batches]
    extra_data = chunks(extra)
    n_extra = min(len(extra_data), int(extra_weight * len(data)))
    best, history, t_start = (-1.0, 0), [], time.time()
    swa = None
    for epoch in range(first_epoch, epochs + 1):
        model.train()
        for group in opt.param_groups:  # gentle decay: lr / (1 + 0.05 epoch)
            group["lr"] = 2e-3 / (1 + 0.05 * (epoch - 1))
        epoch_tensors = list(tensors)
        if n_extra:  # a fresh sample of the extra data each epoch, batched by length like the rest
            sample = sorted(rng.sample(extra_data, n_extra), key=lambda s: len(s[0]))
            epoch_tensors += [to_tensors(torch, fz, sample[i:i + 32]) for i in range(0, len(sample), 32)]
        rng.shuffle(epoch_tensors)
        total, t0 = 0.0, time.time()
        for f, tags in epoch_tensors:
            opt.zero_grad()
            em, h = model(f)
            loss = model.nll(em, tags, f["lengths"])
            if lm_weight:
                loss = loss + lm_weight * model.lm_loss(h, f)
            (loss / len(tags)).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            total += loss.item()
        export(model, meta, vocab, counts, out)
        msg = f"epoch {epoch}: loss {total / (len(data) + n_extra):.3f} ({time.time() - t0:.0f}s)"
        if dev:
            r = evaluate(NeuralTagger(out), dev)
            f1 = r["overall"]["f1"]
            history.append(f1)
            if f1 > best[0]:
                best = (f1, epoch)
                out.with_suffix(".best.npz").write_bytes(out.read_bytes())
            msg += f" dev F1 {100 * f1:.2f} " + " ".join(f"{t} {100 * v['f1']:.1f}" for t, v in r["types"].items())
        elif snapshots:
            snapshots.mkdir(parents=True, exist_ok=True)
            (snapshots / f"ner_nn_e{epoch}.npz").write_bytes(out.read_bytes())
        log(msg)
        if swa_from and epoch >= swa_from:
            if swa is None:
                swa = torch.optim.swa_utils.AveragedModel(model)
            swa.update_parameters(model)
        if (time.time() - t_start) / 60 > max_minutes:
            log(f"time cap {max_minutes} min reached")
            break
    if swa is not None:  # the weights averaged over the last epochs are the model
        export(swa.module, meta, vocab, counts, out)
        if dev:
            f1 = evaluate(NeuralTagger(out), dev)["overall"]["f1"]
            history.append(f1)
            log(f"averaged weights of epochs {swa_from}-{epoch}: dev F1 {100 * f1:.2f}")
    return best, history


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["embed", "tune", "train", "combine", "all"])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--fold", type=int, default=9, choices=range(10))
    # defaults: the recipe of the shipped networks (docs/ner.md)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--hidden", type=int, default=100)
    ap.add_argument("--max-minutes", type=float, default=30.0)
    ap.add_argument("--word-drop", type=float, default=0.15)
    ap.add_argument("--seed", type=int, default=SEED, help="training seed (ensemble members differ by it)")
    ap.add_argument("--snapshots", type=Path, help="train: also keep the model of every epoch in this folder")
    ap.add_argument("--emb", type=Path, default=BUILD / "ner_nn_emb.npz")
    ap.add_argument("--out", type=Path, default=DATA / "ner_nn.npz")
    ap.add_argument("--lexicon", action=argparse.BooleanOptionalAction, default=True,
                    help="feed the name lexicons and gazetteers (khabar.analysis.ner.neural.LEX_FEATURES) to the network")
    ap.add_argument("--swa-from", type=int, default=16,
                    help="average the weights of the epochs from this one to the last (0: off)")
    ap.add_argument("--bioes", action=argparse.BooleanOptionalAction, default=True,
                    help="train on BIOES tags (the tagger still outputs BIO)")
    ap.add_argument("--lm-weight", type=float, default=0.1,
                    help="weight of the language-modelling task trained alongside (0: off)")
    ap.add_argument("--names", action=argparse.BooleanOptionalAction, default=False,
                    help="with --lexicon: also the name-list inputs (nm=..., scripts/build_ner_names.py; "
                         "off in the shipped third-round networks)")
    ap.add_argument("--wikifane", type=float, default=0.0,
                    help="WikiFANE chunks per epoch, as a share of the ANERcorp chunks (0: off; its "
                         "held-out blocks are never trained on)")
    ap.add_argument("--init", type=Path, help="continue the training of this exported network (with --first-epoch)")
    ap.add_argument("--first-epoch", type=int, default=1,
                    help="number of the first epoch run (learning-rate schedule and SWA count from it)")
    ap.add_argument("--name", default="", help="tune: suffix of the output file (parallel experiments)")
    ap.add_argument("--members", type=Path, nargs="+", help="combine: the member models")
    args = ap.parse_args()
    if args.bioes:
        TAGS[:] = BIOES_TAGS
    if args.step == "combine":
        combine(args.members, args.out)
        return
    if args.step in ("embed", "all") or not args.emb.is_file():
        build_embeddings(args.shared, args.emb)
    if args.step == "embed":
        return
    emb, vocab, counts, clusters = load_embeddings(args.emb)
    train_sents = read_conll(args.shared / "data/ner/anercorp/train.txt")
    extra = wikifane.split(wikifane.read(args.shared))[0] if args.wikifane else []
    more = {"names": args.names, "extra": extra, "extra_weight": args.wikifane}
    if args.step == "tune":
        a, b = int(len(train_sents) * args.fold / 10), int(len(train_sents) * (args.fold + 1) / 10)
        fit, dev = train_sents[:a] + train_sents[b:], train_sents[a:b]
        out = BUILD / f"ner_nn_tune_f{args.fold}_s{args.seed}{args.name}.npz"
        best, history = train(fit, dev, vocab, counts, emb, clusters,
                              args.epochs, args.hidden, out, args.max_minutes, args.word_drop,
                              seed=args.seed, lexicon=args.lexicon, swa_from=args.swa_from,
                              lm_weight=args.lm_weight, init=args.init, first_epoch=args.first_epoch, **more)
        print(json.dumps({"fold": args.fold, "best_f1": round(100 * best[0], 2), "best_epoch": best[1],
                          "hidden": args.hidden, "word_drop": args.word_drop,
                          "history": [round(100 * h, 2) for h in history]}), flush=True)
    else:
        train(train_sents, [], vocab, counts, emb, clusters, args.epochs, args.hidden, args.out, args.max_minutes,
              args.word_drop, args.snapshots, args.seed, lexicon=args.lexicon, swa_from=args.swa_from,
              lm_weight=args.lm_weight, init=args.init, first_epoch=args.first_epoch, **more)


if __name__ == "__main__":
    main()
