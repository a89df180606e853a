"""The ``summary`` stage: an extractive summary (indices of 1-3 key sentences) and topics
(keywords with TF-IDF scores) for each article.

Word weights are TF-IDF against document frequencies of Arabic news (``data/topic_df.tsv.gz``,
built by ``scripts/build_topic_df.py`` from the SaudiNewsNet corpus). Words are compared by a key
that is normalised and without clitics (و ف ب ك ل ال before, pronouns after), so "والحكومة",
"الحكومة" and "حكومته" count as one word; a topic's label is the word as the article writes it most often (bare or with ال preferred).
Sentences are scored by the weight of the words they share with the whole article, with a small
bonus for the lead (news puts the essentials first).
"""

from __future__ import annotations

import gzip
import heapq
import math
from collections import Counter
from functools import lru_cache
from importlib import resources

from ..model import Document, Topic
from .clitics import clitic_pieces

DF_FILE = "topic_df.tsv.gz"
STOPWORDS_FILE = "stopwords_ar.txt"
MAX_TOPICS = 8
MIN_WORD_LEN = 3


@lru_cache(maxsize=100_000)
def key(raw: str, norm: str | None = None) -> str:
    """Comparison key of a word: normalised, without proclitics and pronoun suffixes (the stem
    of khabar.analysis.text.tokenize's clitic segmentation; the raw form tells ة from the pronoun ه)."""
    if norm is None:
        from .text.normalize import normalize

        norm = normalize(raw).text
    pieces = clitic_pieces(raw, norm)
    for a, b, kind in pieces:
        if kind == "stem":
            return norm[a:b]
    return norm


@lru_cache(maxsize=1)
def load_df() -> tuple[int, dict[str, int]]:
    """(number of documents, document frequency per word key) from the packaged table."""
    raw = resources.files("khabar.data").joinpath(DF_FILE).read_bytes()
    n_docs, df = 1, {}
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        word, _, count = line.partition("\t")
        if word == "#docs":
            n_docs = int(count)
        elif word and count:
            df[word] = int(count)
    return n_docs, df


@lru_cache(maxsize=1)
def load_stopwords() -> frozenset[str]:
    from .text.normalize import normalize

    text = resources.files("khabar.data").joinpath(STOPWORDS_FILE).read_text(encoding="utf-8")
    words = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return frozenset(w for ln in words for w in (key(ln), normalize(ln).text))


def is_content_word(k: str, stop: frozenset[str]) -> bool:
    return len(k) >= MIN_WORD_LEN and k.isalpha() and k not in stop


class SummaryStage:
    """Extractive summary and TF-IDF topics (no I/O after the tables are loaded once)."""

    name = "summary"
    reads = frozenset({"sentences", "tokens", "title"})
    reads_optional: frozenset[str] = frozenset()
    writes = frozenset({"summary", "topics"})

    def __init__(self, max_topics: int = MAX_TOPICS) -> None:
        self.n_docs, self.df = load_df()
        self.stop = load_stopwords()
        self.max_topics = max_topics
        self._ck = lru_cache(maxsize=100_000)(self._content_key)

    def idf(self, k: str) -> float:
        return math.log((self.n_docs + 1) / (self.df.get(k, 0) + 1)) + 1.0

    def _content_key(self, raw: str, norm: str) -> str | None:
        if norm in self.stop:
            return None
        k = key(raw, norm)
        return k if is_content_word(k, self.stop) else None

    def __call__(self, doc: Document) -> Document:
        if not doc.sentences:
            return doc.with_(summary=(), topics=())
        ck = self._ck
        sent_keys: list[list[str]] = []
        written: list[str] = []  # each content word as written, in text order (its key: in all_keys)
        all_keys: list[str] = []
        for s in doc.sentences:
            keys: list[str] = []
            for t in s.tokens:
                k = ck(t.text, t.norm)
                if k is not None:
                    keys.append(k)
                    written.append(t.text)
            sent_keys.append(keys)
            all_keys += keys
        tf: Counter[str] = Counter(all_keys)
        if not tf:
            return doc.with_(summary=(0,), topics=())
        # self.idf(k) written out (same arithmetic): no method call per word
        log, docs1, df = math.log, self.n_docs + 1, self.df
        weights = {k: (1 + log(c)) * (log(docs1 / (df.get(k, 0) + 1)) + 1.0) for k, c in tf.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        # Topics: words the article repeats or puts in its title come first (a word said once,
        # however rare, is seldom what the article is about).
        title_keys = {k for k in (ck(r, n) for r, n in self._title_words(doc.title)) if k is not None}
        def topic_rank(kv: tuple[str, float]) -> tuple[bool, float, str]:
            k, w = kv
            boosted = w * (1.5 if k in title_keys else 1.0)
            return (not (tf[k] >= 2 or k in title_keys), -boosted, k)
        top = heapq.nsmallest(self.max_topics, weights.items(), key=topic_rank)  # = sorted(...)[:n]
        top = sorted(((k, w * (1.5 if k in title_keys else 1.0)) for k, w in top), key=lambda kv: (-kv[1], kv[0]))
        surface: dict[str, Counter[str]] = {k: Counter() for k, _ in top}
        for raw, k in zip(written, all_keys):  # the keys of the first pass: no second lookup per token
            if k in surface:
                surface[k][raw] += 1
        topics = tuple(Topic(self.label(k, surface[k]), min(1.0, w / norm)) for k, w in top)
        return doc.with_(summary=self.summarize(sent_keys, weights), topics=topics)

    @staticmethod
    def _title_words(title: str | None) -> list[str]:
        from .text.tokenize import tokenize

        return [(t.text, t.norm) for t in tokenize(title)] if title else []

    @staticmethod
    def label(k: str, forms: Counter[str]) -> str:
        """The readable form of a word: as written most often, preferring the bare word or the
        word with the article ال over forms with other proclitics (و ب ل ...)."""
        from .text.normalize import normalize

        def rank(item: tuple[str, int]) -> tuple[float, str]:
            norm = normalize(item[0]).text
            return (-(item[1] + (0.5 if norm in (k, "ال" + k) else 0.0)), item[0])  # ال: the article

        return min(forms.items(), key=rank)[0]

    @staticmethod
    def summarize(sent_keys: list[list[str]], weights: dict[str, float]) -> tuple[int, ...]:
        """Indices (in text order) of the 1-3 sentences that carry the article's weightiest words."""
        n = len(sent_keys)
        k = 1 if n <= 3 else 2 if n <= 8 else 3
        scored = []
        for i, keys in enumerate(sent_keys):
            if len(keys) < 3:  # datelines, headings, fragments
                continue
            distinct = set(keys)
            score = sum(weights[w] for w in distinct) / math.sqrt(len(keys) + 4)
            score *= 1.25 if i == 0 else 1.1 if i == 1 else 1.0
            scored.append((score, i))
        if not scored:
            return (0,)
        chosen = sorted(i for _, i in sorted(scored, reverse=True)[:k])
        return tuple(chosen)
