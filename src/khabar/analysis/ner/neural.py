"""Neural NER tagger (BiLSTM-CRF) with inference in pure numpy.

Trained with PyTorch by ``scripts/train_ner_nn.py`` and exported to ``ner_nn.npz`` (float16
weights); at run time only numpy is needed. Per token the network sees:

- a word embedding pretrained on unlabelled news (SVD of positional PPMI over saudinewsnet),
  looked up for the normalised word, falling back to its clitic-stripped stem;
- the embedding of the clitic-stripped stem (proclitics are stripped only when the stem is
  more frequent in the news corpus than the whole word, as in the CRF features);
- a character CNN over the normalised word (what it has for names never seen anywhere);
- a word embedding learnt on the labelled data (words seen at least twice in training), which
  remembers the names seen there (dropped out in training so the rest is learnt too);
- learnt vectors of the word's and the stem's clusters (k-means of the news embeddings at two
  granularities), shared by all words of a cluster, so names never seen in training borrow them;
- small embeddings of the stripped proclitics, a word shape and a corpus-frequency band;
- 0/1 lexicon inputs (models trained with them): the CRF's cue classes, mined name-slot bands
  and gazetteer types of the word, and the classes of the name lists built from PyPI packages
  with a general word-frequency band (``LEX_FEATURES``, ``ner_names.tsv.gz``).

A BiLSTM reads these, a linear layer scores the tags (BIO or BIOES, as trained) and a
linear-chain CRF (Viterbi, with the tag-scheme constraints enforced) decodes; callers get BIO.
``tag_sents`` then makes the tags consistent across nearby sentences (``consistency``).
Everything that depends on one word only is computed once per distinct word and cached; the
LSTM is vectorised across the sentences of a batch.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Sequence
from importlib import resources

import numpy as np

from ...errors import UsageError
from ..clitics import strip_proclitics
from .consistency import WINDOW, propagate
from .features import _shape as shape_of  # one word-shape definition for both taggers
from .features import word_key
from .resources import load_resources  # the CRF's lookups, shared

MODEL_FILE = "ner_nn.npz"
MAX_CHARS = 16
# a word seen this often in the 10 M-token news corpus ("الأول", "الله", "محمد") is not taken for a
# surname standing alone by the label-consistency pass
COMMON_WORD = 5000
CACHE_BYTES = 96 << 20  # per-word cache of the network's input pre-activations (10k words for 3 networks)
PAD, UNK = 0, 1
# The fewest rows a product of new words' inputs is computed with: OpenBLAS rounds a product of one
# or two rows differently from one of three or more (measured: every row differed), so without
# this a word's cached row, and so an article's tags, would depend on how many other new words
# happened to miss the cache with it, i.e. on what the process had analysed before.
MIN_ROWS = 3
HALF_TABLES = frozenset({"emb", "tword_emb"})  # the large embedding tables, kept in float16
# Opt-in, for speed: run only the first N networks of the packaged ensemble (docs/ner.md)
MEMBERS_ENV = "KHABAR_NER_MEMBERS"


LEX_CLASSES = ("PFN", "PPT", "PTR", "SPK", "OHD", "MHD", "LHD", "NAT")
LEX_TYPES = ("PER", "ORG", "LOC", "MISC")
# Names of the lexicon inputs, in order: cue classes, mined name-slot bands, single-word
# gazetteer/KB types, and "a word of a multi-word KB/gazetteer name" by type.
CUE_FEATURES = (tuple(f"lx={c}" for c in LEX_CLASSES)
                + tuple(f"mn={t}{b}" for t in LEX_TYPES for b in (1, 2, 3))
                + tuple(f"g={t}" for t in LEX_TYPES) + tuple(f"gp={t}" for t in LEX_TYPES))
# Classes of the name lists built from PyPI packages (scripts/build_ner_names.py): given name,
# surname, word of a person name, place/organisation name or word of one, wordfreq band.
NAMES_FILE = "ner_names.tsv.gz"
NAME_CLASSES = ("GIV", "SUR", "PER", "LOC", "LOCp", "ORG", "ORGp", "wf1", "wf2", "wf3", "wf4")
# All lexicon inputs this version knows; a model file lists the ones it was trained with (the
# models before the name lists have CUE_FEATURES only) and gets those, in its order.
LEX_FEATURES = CUE_FEATURES + tuple(f"nm={c}" for c in NAME_CLASSES)


class Lexicons:
    """Per-word lexicon inputs (multi-hot over LEX_FEATURES) from the CRF's name lexicons:
    the hand-written cue classes, the mined name-slot bands and the gazetteers (CLDR places and
    the KB's names). They carry over to names never seen in the labelled data."""

    def __init__(self, res, features: Sequence[str] = LEX_FEATURES, names: dict[str, str] | None = None) -> None:
        self.features = tuple(features)
        pos = {name: i for i, name in enumerate(self.features)}

        def positions(names) -> tuple[int, ...]:
            return tuple(pos[n] for n in names if n in pos)

        phrase_words: dict[str, set[str]] = {}
        for words, typ in res.phrases.items():
            for w in words:
                phrase_words.setdefault(w, set()).add(typ)
        # one table per lookup: word form -> the input positions it switches on, so that a word
        # costs a few dict lookups (the first form found in a table wins, as in the CRF)
        self.tables = [
            {w: positions(f"lx={c}" for c in v.split("|")) for w, v in res.lexicon.items()},
            {w: positions(f"mn={m}" for m in v.split()) for w, v in res.mined.items()},
            {w: positions(f"g={t}" for t in v.split("|")) for w, v in res.gazetteer.items()},
            {w: positions(f"gp={t}" for t in v) for w, v in phrase_words.items()},
        ]
        if names and any(f.startswith("nm=") for f in self.features):
            by_classes: dict[str, tuple[int, ...]] = {}  # one tuple per distinct class set
            self.tables.append({w: by_classes.get(v) or by_classes.setdefault(v, positions(
                f"nm={c}" for c in v.split())) for w, v in names.items()})

    def positions(self, forms: Sequence[str]) -> tuple[int, ...]:
        """The inputs a word switches on, given its forms (key, stem, bare stem), first hit wins."""
        on: list[int] = []
        for table in self.tables:
            for f in forms:
                hit = table.get(f)
                if hit is not None:
                    on.extend(hit)
                    break
        return tuple(on)

    def vector(self, forms: Sequence[str]) -> np.ndarray:
        """The multi-hot vector of a word given its forms (see ``positions``)."""
        vec = np.zeros(len(self.features), dtype=np.float32)
        vec[list(self.positions(forms))] = 1.0
        return vec


def load_names() -> dict[str, str]:
    """The name lists' lexicon (normalised word -> space-separated NAME_CLASSES); {} if absent."""
    import gzip

    data = resources.files("khabar.data").joinpath(NAMES_FILE)
    if not data.is_file():
        return {}
    raw = gzip.decompress(data.read_bytes()).decode("utf-8")
    return dict(line.split("\t", 1) for line in raw.splitlines() if line and line[0] != "#")


def load_lexicons(features: Sequence[str] = LEX_FEATURES) -> Lexicons:
    """The lookups behind ``features`` (by default all that this version knows)."""
    unknown = [f for f in features if f not in LEX_FEATURES]
    if unknown:
        raise ValueError(f"unknown lexicon inputs: {', '.join(unknown)}")
    names = load_names() if any(f.startswith("nm=") for f in features) else None
    return Lexicons(load_resources(gazetteer=True, clusters=False, lexicon=True, mined=True, kb=True),
                    features, names)


def freq_band(count: int) -> int:
    return 0 if count == 0 else 1 if count < 10 else 2 if count < 100 else 3 if count < 1000 else 4 if count < 10000 else 5


class Featurizer:
    """Maps a token to integer inputs of the network (cached per distinct token).

    ``vocab`` lists the embedding vocabulary (normalised word keys, by corpus frequency) and
    ``counts`` their corpus counts; ``proclitics`` the strippable proclitic sequences (longest
    first), ``chars`` the character vocabulary and ``shapes`` the shape classes.
    """

    def __init__(self, vocab: Sequence[str], counts: Sequence[int], proclitics: Sequence[str],
                 chars: str, shapes: Sequence[str], train_vocab: Sequence[str] = (),
                 cache_size: int = 50_000, lexicons: Lexicons | None = None) -> None:
        self.lexicons = lexicons
        self.index = {w: i + 2 for i, w in enumerate(vocab)}  # 0 pad, 1 unknown
        self.train_index = {w: i + 2 for i, w in enumerate(train_vocab)}
        self.counts = dict(zip(vocab, (int(c) for c in counts)))
        self.proclitics = tuple(proclitics)
        self.pre_index = {p: i + 1 for i, p in enumerate(self.proclitics)}  # 0 = none
        self._pre_lengths = sorted({len(p) for p in self.proclitics if p}, reverse=True)
        self.char_index = {c: i + 2 for i, c in enumerate(chars)}
        self.shape_index = {s: i + 1 for i, s in enumerate(shapes)}  # 0 = other
        self._cache: dict[str, tuple] = {}
        self._cache_size = cache_size

    def stem(self, key: str) -> tuple[str, str]:
        """(proclitics, stem): strip the proclitics whose stem is most frequent in the corpus."""
        counts = self.counts
        # only the few proclitics the word starts with are tried, in the order of the list (which
        # settles ties), rather than every one of them
        order = self.pre_index
        starts = sorted((p for n in self._pre_lengths if (p := key[:n]) in order and len(p) == n), key=order.get)
        return strip_proclitics(key, starts, lambda w: counts.get(w, 0))

    def token(self, token: str) -> tuple:
        """(word id, stem id, proclitic id, shape id, frequency band, learnt-word id, char ids,
        lexicon input positions or None)."""
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        key = word_key(token)
        pre, stem = self.stem(key)
        bare = stem[2:] if stem.startswith("ال") and len(stem) > 3 else stem  # without the article
        idx = self.index.get
        sid = idx(stem) or idx(bare) or UNK
        wid = idx(key) or sid
        chars = [self.char_index.get(c, UNK) for c in key[:MAX_CHARS]]
        chars += [PAD] * (MAX_CHARS - len(chars))
        out = (wid, sid, self.pre_index.get(pre, 0), self.shape_index.get(shape_of(key), 0),
               freq_band(self.counts.get(key, 0)),
               self.train_index.get(key) or self.train_index.get(stem) or UNK, chars,
               self.lexicons.positions((key, stem, bare)) if self.lexicons else None)
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[token] = out
        return out

    def batch(self, sentences: Sequence[Sequence[str]]) -> dict[str, np.ndarray]:
        """Padded integer arrays (B, T[, MAX_CHARS]) and lengths for a list of sentences."""
        lengths = np.array([len(s) for s in sentences], dtype=np.int64)
        B, T = len(sentences), int(lengths.max()) if len(sentences) else 0
        ints = np.zeros((B, T, 6), dtype=np.int64)
        chars = np.zeros((B, T, MAX_CHARS), dtype=np.int64)
        lex = np.zeros((B, T, len(self.lexicons.features) if self.lexicons else 0), dtype=np.float32)
        feats = [self.token(tok) for sent in sentences for tok in sent]
        if feats:  # filled in a few whole-array assignments, not token by token
            rows = np.repeat(np.arange(B), lengths)
            cols = np.arange(len(feats)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            ints[rows, cols] = [f[:6] for f in feats]
            chars[rows, cols] = [f[6] for f in feats]
            on = [(i, k) for i, f in enumerate(feats) if f[7] for k in f[7]]
            if on:
                at, k = np.array(on).T
                lex[rows[at], cols[at], k] = 1.0
        return {"word": ints[..., 0], "stem": ints[..., 1], "pre": ints[..., 2], "shape": ints[..., 3],
                "freq": ints[..., 4], "tword": ints[..., 5], "chars": chars, "lex": lex, "lengths": lengths}


def bio_mask(tags: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Forbidden transitions (K, K), starts (K,) and ends (K,) of a tag set: under BIO an I-X
    only follows B-X or I-X; under BIOES (tags with E-/S-) also an entity opened by B-X or I-X
    must close with E-X, and B-/S-/O only follow O, E- or S-."""
    K = len(tags)
    trans = np.zeros((K, K), dtype=bool)
    start = np.zeros(K, dtype=bool)
    end = np.zeros(K, dtype=bool)
    bioes = any(t[:2] in ("E-", "S-") for t in tags)
    for j, t in enumerate(tags):
        inside = t[:2] in ("I-", "E-")
        start[j] = inside
        end[j] = bioes and t[:2] in ("B-", "I-")
        for i, p in enumerate(tags):
            open_ = p[:2] in ("B-", "I-") if bioes else False
            trans[i, j] = (not (p[:2] in ("B-", "I-") and p[2:] == t[2:])) if inside else open_
    return trans, start, end


def to_bio(tag: str) -> str:
    """A BIOES tag as BIO (S-X is B-X, E-X is I-X)."""
    return {"S-": "B-", "E-": "I-"}.get(tag[:2], tag[:2]) + tag[2:] if tag != "O" else tag


def viterbi(em: np.ndarray, lengths: np.ndarray, trans: np.ndarray, start: np.ndarray,
            end: np.ndarray) -> list[list[int]]:
    """Best tag index sequences for emissions (B, T, K), batched over sentences (the backtrace
    too: one step back for all sentences at once)."""
    B, T, K = em.shape
    score = start[None, :] + em[:, 0]
    back = np.zeros((T, B, K), dtype=np.intp)
    final = np.where((lengths == 1)[:, None], score + end, -np.inf)
    into = trans.T[None]  # (1, K, K): to each tag (rows) from each previous tag (the last axis)
    ends = set(lengths.tolist())
    cand = np.empty((B, K, K), dtype=np.result_type(score, into))
    flat = np.arange(B * K) * K  # where each (sentence, tag) row of ``cand`` starts, flattened
    for t in range(1, T):
        np.add(score[:, None, :], into, out=cand)  # reduced over the last axis, the fast one
        cand.argmax(axis=2, out=back[t])
        # the maxima, read at the argmax: the same values, at half the cost of a second reduction
        score = cand.reshape(-1).take(flat + back[t].reshape(-1)).reshape(B, K)
        score += em[:, t]
        if t + 1 in ends:
            done = lengths == t + 1
            final[done] = score[done] + end
    rows = np.arange(B)
    k = final.argmax(axis=1)  # the last tag of each sentence
    paths = np.empty((T, B), dtype=np.intp)
    inside = lengths[None, :] > np.arange(T)[:, None]  # (T, B)
    for t in range(T - 1, 0, -1):
        paths[t] = k  # at and after its last position a sentence keeps its last tag
        k = np.where(inside[t], back[t, rows, k], k)
    if T:
        paths[0] = k
    return [p[:n] for p, n in zip(paths.T.tolist(), lengths.tolist())]


class NeuralTagger:
    """The packaged BiLSTM-CRF (or an ensemble of them), loaded from an ``.npz``.

    An ensemble file holds the weights of member i under keys prefixed ``m<i>.``; the members
    share the featurizer and the pretrained embeddings, run as one block-diagonal LSTM, and
    their emission and transition scores are averaged. ``tag`` is thread-safe: the only shared
    state is the per-word cache of input pre-activations, read and updated under a lock (a call
    copies the rows it uses out of it and never relies on them staying there); the LSTM buffers
    are allocated per call.
    """

    def __init__(self, path, cache_size: int | None = None, members: int | None = None) -> None:
        with np.load(path, allow_pickle=False) as z:
            meta = {k: z[k] for k in z.files}
        lines = lambda name: bytes(meta.pop(name)).decode("utf-8").split("\n")  # noqa: E731
        self.tags = lines("tags")
        vocab = lines("vocab")
        lexicons = None
        if "lex_features" in meta:  # trained with the lexicon inputs: those names, in that order
            features = lines("lex_features")
            if not set(features) <= set(LEX_FEATURES):
                raise ValueError(f"{path}: lexicon inputs differ from this version of khabar")
            lexicons = load_lexicons(features)
        self.featurizer = Featurizer(vocab, meta.pop("counts"), lines("proclitics"),
                                     "".join(lines("chars")), lines("shapes"), lines("train_vocab"),
                                     lexicons=lexicons)
        # The embedding tables stay in their file's float16 (half the memory): only rows looked up
        # are widened, to the same float32 values, when a word's inputs are put together.
        w = {k: v if v.dtype.kind == "i" or k.split(".")[-1] in HALF_TABLES else v.astype(np.float32)
             for k, v in meta.items()}
        prefixes = sorted({k.split(".")[0] + "." for k in w if "." in k}) or [""]
        prefixes = prefixes[:members]  # the first ``members`` of an ensemble (None: all)
        shared = {k: v for k, v in w.items() if "." not in k}
        self.members = [{**shared, **{k[len(p):]: v for k, v in w.items() if p and k.startswith(p)}}
                        for p in prefixes]
        M = len(self.members)
        H = self.H = self.members[0]["fw_hh"].shape[1]
        mean = lambda key: sum(m[key] for m in self.members) / M  # noqa: E731
        forbid_t, forbid_s, forbid_e = bio_mask(self.tags)
        self.trans = np.where(forbid_t, -1e4, mean("crf_trans"))
        self.start = np.where(forbid_s, -1e4, mean("crf_start"))
        self.end = np.where(forbid_e, -1e4, mean("crf_end"))
        self.out_tags = [to_bio(t) for t in self.tags]  # what callers get: BIO
        # One LSTM step for all members and both directions ("streams" = member x direction):
        # gate columns reordered to (i, f, o, g), the weights of the three sigmoid gates halved
        # so that one tanh call serves all four (sigmoid(x) = (tanh(x / 2) + 1) / 2), recurrent
        # weights one block per stream. The LSTM computes twice its hidden states (it saves a
        # step's halving of three gates, see _bilstm), so the weights that read them are halved:
        # the products stay exactly the same (halving a float is exact).
        order = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]
        scale = np.r_[np.full(3 * H, 0.5), np.ones(H)].astype(np.float32)
        S = 2 * M
        self.w_hh = np.zeros((S, H, 4 * H), dtype=np.float32)  # one (H, 4H) block per stream
        for i, m in enumerate(self.members):
            m["w_ih"] = np.ascontiguousarray(  # row-major: small products run 2x faster
                np.concatenate([m["fw_ih"][order].T * scale, m["bw_ih"][order].T * scale], axis=1))
            m["b_ih"] = np.concatenate([m["fw_b"][order] * scale, m["bw_b"][order] * scale])
            for d, key in enumerate(("fw_hh", "bw_hh")):
                self.w_hh[2 * i + d] = m[key][order].T * scale * 0.5
            m["out_w_half"] = m["out_w"] * 0.5
            # The char CNN's products of each character with each kernel column (3, chars, F), once.
            # Looked up, they are the very values that multiplying the 16 characters of every word
            # gave (products of 32 rows or more, as this one: their rows are rounded alike; checked
            # on 30,000 words of news, and by tests/test_ner_nn_fast.py), for far less work.
            m["char_products"] = np.stack([m["char_emb"] @ m["char_conv_w"][:, :, j].T for j in range(3)])
        # The per-word cache of input pre-activations: word -> its row of ``_cached``, least
        # recently used first (a dict keeps its order: a word looked up moves to the end); when
        # full, the words unused the longest go, so that the words in use stay (-23% misses on news
        # against dropping everything). The rows live in one preallocated array (its pages taken
        # as it fills), so that a batch's rows are one gather, not hundreds of small arrays stacked.
        # A word's row does not depend on which words missed the cache with it (see MIN_ROWS).
        self._cache: dict[str, int] = {}
        # words whose input pre-activations are kept: a memory budget, whatever the ensemble size
        self._cache_size = cache_size or CACHE_BYTES // (S * 4 * H * 4)
        self._cached = np.empty((self._cache_size, S * 4 * H), dtype=np.float32)
        self._free = list(range(self._cache_size))  # rows of ``_cached`` that no word holds
        self._lock = threading.Lock()
        self.window = WINDOW  # label consistency over this many consecutive sentences (0: off)

    # -- network ------------------------------------------------------------------------
    @staticmethod
    def _inputs(w: dict[str, np.ndarray], f: dict[str, np.ndarray]) -> np.ndarray:
        emb = w["emb"]
        # kernel column j at position c reads character c + j - 1: each column's products,
        # looked up by character (``char_products``), shifted into place and summed in the order
        # of the columns (the padding's products are zeros, which leave a sum as it is)
        left, mid, right = w["char_products"]
        chars = f["chars"]
        conv = mid[chars]  # (B, T, C, F)
        conv[:, :, 1:] += left[chars[:, :, :-1]]
        conv[:, :, :-1] += right[chars[:, :, 1:]]
        conv = w["char_conv_b"] + conv
        charvec = np.maximum(conv, 0.0).max(axis=2)  # ReLU, max over positions
        return np.concatenate([emb[f["word"]], emb[f["stem"]], charvec, w["pre_emb"][f["pre"]],
                               w["shape_emb"][f["shape"]], w["freq_emb"][f["freq"]],
                               w["tword_emb"][f["tword"]]]
                              + [w[f"cluster_emb{j}"][w["cluster_ids"][f[key], j]] for key in ("word", "stem")
                                 for j in range(w["cluster_ids"].shape[1])]
                              + ([f["lex"]] if f["lex"].shape[-1] else []), axis=-1, dtype=np.float32)

    def _token_gates(self, tokens: list[str]) -> np.ndarray:
        """Input-to-gate pre-activations (M, S * 4H) of distinct tokens: everything before the LSTM
        depends on the word alone, so this is computed once per word and cached."""
        if len(tokens) < MIN_ROWS:  # padded with copies of its words, see MIN_ROWS
            return self._token_gates((tokens * MIN_ROWS)[:MIN_ROWS])[:len(tokens)]
        f = self.featurizer.batch([tokens])
        return np.concatenate([self._inputs(m, f)[0] @ m["w_ih"] + m["b_ih"] for m in self.members], axis=-1)

    def _gates(self, sentences: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Input pre-activations of the distinct words (N, S * 4H) and each position's row (B, T)."""
        index: dict[str, int] = {}  # word -> its row
        T = max(len(s) for s in sentences)
        ids = np.zeros((len(sentences), T), dtype=np.int64)
        for b, sent in enumerate(sentences):
            at = []
            for tok in sent:
                i = index.get(tok)
                if i is None:
                    i = index[tok] = len(index)
                at.append(i)
            ids[b, :len(sent)] = at
        keys = list(index)
        rows = np.empty((len(keys), self._cached.shape[1]), dtype=np.float32)
        missing: list[int] = []
        with self._lock:  # the rows found are copied out: another thread may reuse their place next
            cache = self._cache
            hits, slots = [], []
            for i, key in enumerate(keys):
                slot = cache.pop(key, None)
                if slot is None:
                    missing.append(i)
                else:
                    cache[key] = slot  # now the most recently used
                    hits.append(i)
                    slots.append(slot)
            if hits:
                rows[hits] = self._cached[slots]
        for s in range(0, len(missing), 1024):  # in chunks, to bound the memory of the char CNN
            part = missing[s:s + 1024]
            new = rows[part] = self._token_gates([keys[i] for i in part])
            with self._lock:
                self._store([keys[i] for i in part], new)
        return rows, ids

    def _store(self, keys: list[str], new: np.ndarray) -> None:
        """Cache the rows of these words (under the lock), making room by dropping the least
        recently used words, a tenth more than needed."""
        cache, free = self._cache, self._free
        if len(free) < len(keys) and len(cache) + len(free) < self._cache_size:
            # the dict was emptied from outside (benchmarks/bench_ner.py does): its rows are free
            held = set(cache.values())
            free[:] = [slot for slot in range(self._cache_size) if slot not in held]
        if len(free) < len(keys):
            for key in list(itertools.islice(cache, len(keys) - len(free) + self._cache_size // 10)):
                free.append(cache.pop(key))
        for key, row in zip(keys, new):
            if key in cache or not free:  # cached meanwhile by another thread; or a batch over budget
                continue
            slot = free.pop()
            self._cached[slot] = row
            cache[key] = slot

    def _bilstm(self, rows: np.ndarray, ids: np.ndarray, lengths: np.ndarray, rev: np.ndarray) -> np.ndarray:
        """Hidden states (T, S, B, H) of all streams, doubled, step by step: a backward stream reads
        each sentence reversed in place (``rev``: the position read at each step; pads stay last).

        Doubled because sigmoid(x) = (tanh(x / 2) + 1) / 2 and halving is exact in floating
        point: the three sigmoid gates are kept doubled, the cell is halved once, and the doubled
        hidden state that comes out is read by halved weights; every value is the one of the
        textbook order of operations.

        The sentences come longest first, so those still being read at a step are a prefix of
        the batch and a step computes only them: padding costs next to nothing (states at padded
        positions are 0 or, for the second row below, whatever; nothing reads them). The prefix
        keeps at least 2 rows when the batch has them: the recurrent product then stays a
        matrix-matrix product, whose rows do not depend on how many there are (a single row would
        go the matrix-vector way, rounded differently), so a sentence gets the very same states
        in any batch.
        """
        B, T = ids.shape
        H, S = self.H, 2 * len(self.members)
        active = np.maximum((lengths[None, :] > np.arange(T)[:, None]).sum(axis=1), min(2, B))
        # the input rows of the steps' active prefixes, packed one step after the other, in one
        # gather: forward streams read the words in order, backward ones reversed
        packed = np.arange(B)[None, :] < active[:, None]  # (T, B)
        fw, bw = ids.T[packed], np.take_along_axis(ids, rev, axis=1).T[packed]
        streams = np.arange(S)
        which = np.where(streams % 2 == 1, bw[:, None], fw[:, None]) * S + streams  # (P, S)
        gx = np.take(rows.reshape(-1, 4 * H), which, axis=0)  # (P, S, 4H)
        at = np.concatenate([[0], np.cumsum(active)]).tolist()  # where each step's rows start
        # Sentence-major buffers (B, S, ...): a step's active prefix is one contiguous block, which
        # the element-wise operations, most of a step's time, run through fastest.
        c = np.zeros((B, S, H), dtype=np.float32)
        out = np.zeros((T, B, S, H), dtype=np.float32)
        z = np.empty((B, S, 4 * H), dtype=np.float32)
        tc = np.empty((B, S, H), dtype=np.float32)
        w_hh = self.w_hh
        h = np.zeros((B, S, H), dtype=np.float32)
        for t, n in enumerate(active.tolist()):  # in place, on preallocated buffers
            zt, ct, tct = z[:n], c[:n], tc[:n]
            # the recurrent product is one batched matmul over the streams,
            # (S, n, H) @ (S, H, 4H), not a block-diagonal matrix of mostly zeros
            np.matmul(h[:n].transpose(1, 0, 2), w_hh, out=zt.transpose(1, 0, 2))
            zt += gx[at[t]:at[t] + n]
            np.tanh(zt, out=zt)
            zt[..., :3 * H] += 1.0  # the sigmoid gates, doubled
            ct *= zt[..., H:2 * H]  # forget gate
            g_gate = zt[..., 3 * H:]
            g_gate *= zt[..., :H]  # input gate
            ct += g_gate
            ct *= 0.5  # the cell: both its terms were doubled
            np.tanh(ct, out=tct)
            h = out[t]
            np.multiply(zt[..., 2 * H:3 * H], tct, out=h[:n])  # output gate: h, doubled
        return out.transpose(0, 2, 1, 3)

    def emissions(self, sentences: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Emission scores (B, T, K) of the sentences, averaged over the members, and lengths."""
        lengths = np.array([len(s) for s in sentences], dtype=np.int64)
        rows, ids = self._gates(sentences)
        B, T = ids.shape
        pos = np.arange(T)[None, :]
        rev = np.where(pos < lengths[:, None], lengths[:, None] - 1 - pos, pos)  # its own inverse
        # the LSTM runs on the sentences longest first; its states come back in the given order,
        # in which the output layer scores them as before (its products round by batch layout)
        order = np.argsort(-lengths, kind="stable")
        hid = self._bilstm(rows, ids[order], lengths[order], rev[order])
        # back in the given order and in the layout the output layer always had: its products
        # are rounded by layout
        hid = np.ascontiguousarray(hid[:, :, np.argsort(order)] if (order != np.arange(B)).any() else hid)
        H = self.H
        em = 0.0
        for i, m in enumerate(self.members):
            w = m["out_w_half"]  # (K, 2H): forward half, backward half; halved, as hid is doubled
            fw = hid[:, 2 * i] @ w[:, :H].T  # (T, B, K), by position
            bw = hid[:, 2 * i + 1] @ w[:, H:].T  # (T, B, K), by backward step
            em = em + fw.transpose(1, 0, 2) + bw[rev, np.arange(B)[:, None]] + m["out_b"]
        return em / len(self.members), lengths

    # -- API ------------------------------------------------------------------------------
    def tag_sents(self, sentences: Sequence[Sequence[str]], batch_tokens: int = 2000) -> list[list[str]]:
        """Tags for several consecutive sentences (of one document), batched (similar lengths
        together) for speed, then made consistent across nearby sentences
        (``khabar.analysis.ner.consistency``)."""
        result: list[list[str]] = [[] for _ in sentences]
        order = sorted((i for i, s in enumerate(sentences) if s), key=lambda i: len(sentences[i]))
        start = 0
        while start < len(order):
            stop = start + 1
            while stop < len(order) and len(sentences[order[stop]]) * (stop - start + 1) <= batch_tokens:
                stop += 1
            idx = order[start:stop]
            em, lengths = self.emissions([sentences[i] for i in idx])
            for i, path in zip(idx, viterbi(em, lengths, self.trans, self.start, self.end)):
                result[i] = [self.out_tags[k] for k in path]
            start = stop
        if not self.window:
            return result
        counts = self.featurizer.counts
        return propagate(sentences, result, self.window,
                         common=lambda tok: counts.get(word_key(tok), 0) >= COMMON_WORD)

    def tag(self, tokens: Sequence[str]) -> list[str]:
        """BIO tags (B-PER, I-ORG, O, ...) for the tokens of one sentence."""
        if not tokens:
            return []
        return self.tag_sents([list(tokens)])[0]


def model_path():
    """The packaged model as an importlib.resources Traversable (may not exist)."""
    return resources.files("khabar.data").joinpath(MODEL_FILE)


def members_setting() -> int | None:
    """How many networks of the packaged ensemble ``KHABAR_NER_MEMBERS`` asks to run (its first
    ones), or None for all of them: unset, or as many as there are. Fewer is faster and tags a
    little worse (docs/ner.md); stores record it in their pipeline version. Raises UsageError
    for a value that is not a number from 1 to the ensemble's size."""
    raw = os.environ.get(MEMBERS_ENV, "").strip()
    if not raw or not model_path().is_file():
        return None
    with resources.as_file(model_path()) as path, np.load(path, allow_pickle=False) as z:
        size = len({k.split(".")[0] for k in z.files if "." in k}) or 1  # the archive's index only
    if not raw.isdigit() or not 1 <= int(raw) <= size:
        raise UsageError(f"{MEMBERS_ENV}={raw}: expected a number of NER ensemble members from 1 to {size}")
    return int(raw) if int(raw) < size else None


def load_neural_tagger() -> NeuralTagger:
    model = model_path()
    with resources.as_file(model) as path:
        if not path.is_file():
            raise FileNotFoundError(f"neural NER model {MODEL_FILE} is missing from khabar.data "
                                    "(rebuild it with scripts/train_ner_nn.py all)")
        return NeuralTagger(path, members=members_setting())
