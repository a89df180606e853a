"""Token features for the CRF tagger.

Speed matters (feature extraction in Python is the bottleneck), so everything that depends
on one word only is computed once per distinct word and cached, already prefixed for each
position of the context window; a sentence's features are then mostly list concatenations.

Features (all strings, as python-crfsuite wants them):
- the normalised word, its clitic-stripped stem and the stripped proclitics,
- affixes of the stem, a word shape (Arabic/Latin/digits/punctuation, length),
- word clusters at three granularities learnt from unlabelled news (saudinewsnet), for the
  word and for its stem, which is what lets the tagger generalise to names it never saw,
- corpus-frequency band of the word,
- gazetteer membership of the word/stem and of multi-word gazetteer phrases,
- optionally (when Resources holds them; the packaged model does not use them, they gave no
  gain on the dev tenths, see docs/ner.md): cue classes from a hand-written lexicon (first
  names, titles, organisation/event/place head words, nationality adjectives) and name-slot
  bands mined from unlabelled news,
- the same word-level features of the neighbours within +-2, and word bigrams.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ..clitics import PROCLITICS as _PROCLITICS
from ..clitics import strip_proclitics
from ..text.normalize import normalize

_WINDOW = (-2, -1, 0, 1, 2)
_ARABIC_LO, _ARABIC_HI = "\u0621", "\u064a"


@lru_cache(maxsize=1 << 15)  # called for the same words by the featurizers and the consistency pass
def word_key(token: str) -> str:
    """The form a word is looked up by: normalised (see khabar.analysis.text.normalize), digits as 0."""
    text = normalize(token).text
    if any(ch.isdigit() for ch in text):
        text = "".join("0" if ch.isdigit() else ch for ch in text)
    return text


def _shape(word: str) -> str:
    """Coarse shape: the classes of characters present, and a length band."""
    kinds = set()
    for ch in word:
        if _ARABIC_LO <= ch <= _ARABIC_HI:
            kinds.add("a")
        elif ch.isdigit():
            kinds.add("d")
        elif ch.isalpha():
            kinds.add("l")
        else:
            kinds.add("p")
    n = len(word)
    band = "1" if n == 1 else "2" if n == 2 else "3" if n <= 4 else "5" if n <= 7 else "8"
    return "".join(sorted(kinds)) + band


def _freq_band(count: int) -> str:
    if count == 0:
        return "u"
    return "1" if count < 10 else "2" if count < 100 else "3" if count < 1000 else "4" if count < 10000 else "5"


@dataclass
class Resources:
    """Lookups the features use: word clusters/frequencies and gazetteers (all normalised).

    ``words`` maps a word key to its raw row "count<TAB>cluster ids..." from the clusters file,
    parsed only when a word is looked up (so loading the tagger stays fast).
    """

    words: dict[str, str] = field(default_factory=dict)
    gazetteer: dict[str, str] = field(default_factory=dict)  # single word -> types ("LOC|PER")
    phrases: dict[tuple[str, ...], str] = field(default_factory=dict)  # multi-word -> type
    phrase_prefixes: set[tuple[str, ...]] = field(default_factory=set)
    max_phrase: int = 1
    lexicon: dict[str, str] = field(default_factory=dict)  # hand-written cue classes ("PFN|PTR")
    mined: dict[str, str] = field(default_factory=dict)  # mined name-slot bands ("PER3 ORG1")

    def count(self, key: str) -> int:
        """Corpus count of a word key (0 when unknown)."""
        row = self.words.get(key)
        return int(row[:row.index("\t")]) if row else 0

    def clusters(self, key: str) -> tuple[str, ...] | None:
        """Cluster ids of a word key at each granularity, or None."""
        row = self.words.get(key)
        return tuple(row.split("\t")[1:]) if row else None


class FeatureExtractor:
    """Turns a sentence (list of token strings) into CRF feature lists."""

    def __init__(self, res: Resources, cache_size: int = 30_000) -> None:
        self.res = res
        self._cache: dict[str, tuple[list[str], ...]] = {}
        self._stems: dict[str, tuple[str, str]] = {}
        self._cache_size = cache_size

    def stem(self, key: str) -> tuple[str, str]:
        """(proclitics, stem): the stripping whose stem is most frequent in the news corpus.

        A word is split only when the remaining stem is more frequent than the whole word, so
        ``وزير`` (minister) stays whole while ``وموسكو`` (and Moscow) gives ``موسكو``.
        """
        cached = self._stems.get(key)
        if cached is not None:
            return cached
        if len(self._stems) >= self._cache_size:
            self._stems.clear()
        self._stems[key] = result = self._strip(key)
        return result

    def _strip(self, key: str) -> tuple[str, str]:
        return strip_proclitics(key, _PROCLITICS, self.res.count)

    def _word(self, token: str) -> tuple[list[str], ...]:
        """Per-position feature lists of one word (index i = offset _WINDOW[i])."""
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        res = self.res
        key = word_key(token)
        pre, stem = self.stem(key)
        bare = stem[2:] if stem.startswith("ال") and len(stem) > 3 else stem  # without article
        clusters = res.clusters(key) or res.clusters(stem) or res.clusters(bare)
        shape = _shape(key)
        gaz = res.gazetteer.get(key) or res.gazetteer.get(stem) or res.gazetteer.get(bare)
        # Features used at every position of the window.
        core = [f"w={key}", f"sh={shape}", f"fq={_freq_band(res.count(key))}"]
        if clusters:
            core.extend(f"c{i}={c}" for i, c in enumerate(clusters))
        else:
            core.append("c=none")
        if gaz:
            core.append(f"g={gaz}")
        if stem != key:
            core.append(f"st={stem}")
        # Cue classes (first name, title, organisation head...) and mined name-slot bands: these
        # carry over to names and heads never seen in training.
        lex = res.lexicon.get(key) or res.lexicon.get(stem) or res.lexicon.get(bare)
        if lex:
            core.extend(f"lx={c}" for c in lex.split("|"))
        mined = res.mined.get(key) or res.mined.get(stem) or res.mined.get(bare)
        if mined:
            core.extend(f"mn={m}" for m in mined.split())
        # Features of the current word only.
        has_article = pre.endswith(("ال", "لل")) or stem.startswith("ال")
        cur = [f"pre={pre}", f"al={int(has_article)}"]
        if bare != key:
            cur.append(f"bare={bare}")
        for n in (1, 2, 3):
            if len(bare) > n:
                cur.append(f"p{n}={bare[:n]}")
                cur.append(f"s{n}={bare[-n:]}")
        stem_clusters = res.clusters(stem) or res.clusters(bare)
        if stem_clusters and stem != key:
            cur.extend(f"sc{i}={c}" for i, c in enumerate(stem_clusters))
        if token != key and not any(ch.isdigit() for ch in token):
            cur.append(f"raw={token}")
        out = []
        for off in _WINDOW:
            if off == 0:
                out.append(core + cur)
            else:
                tag = f"{off:+d}"
                feats = [f"{tag}{f}" for f in core]
                if abs(off) == 1:
                    feats.append(f"{tag}pre={pre}")
                out.append(feats)
        result = tuple(out)
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[token] = result
        return result

    def _phrase_tags(self, keys: list[str]) -> list[str | None]:
        """Gazetteer phrase matches as BIO labels (greedy, longest first)."""
        res = self.res
        n = len(keys)
        out: list[str | None] = [None] * n
        if not res.phrases:
            return out
        i = 0
        while i < n:
            best_len, best_type = 0, None
            first = self.stem(keys[i])[1]
            for cand0 in (keys[i], first) if first != keys[i] else (keys[i],):
                j = i + 1
                seq: tuple[str, ...] = (cand0,)
                while True:
                    t = res.phrases.get(seq)
                    if t and len(seq) > best_len:
                        best_len, best_type = len(seq), t
                    if j >= n or len(seq) >= res.max_phrase or seq not in res.phrase_prefixes:
                        break
                    seq = seq + (keys[j],)
                    j += 1
            if best_len >= 2:
                out[i] = f"B-{best_type}"
                for k in range(i + 1, i + best_len):
                    out[k] = f"I-{best_type}"
                i += best_len
            else:
                i += 1
        return out

    def sentence(self, tokens: Sequence[str]) -> list[list[str]]:
        """Feature lists for each token of one sentence."""
        words = [self._word(t) for t in tokens]
        keys = [w[2][0][2:] for w in words]  # "w=<key>"
        phrases = self._phrase_tags(keys)
        n = len(tokens)
        out = []
        for i in range(n):
            feats = ["bias"]
            feats += words[i][2]
            for k, off in ((0, -2), (1, -1), (3, 1), (4, 2)):
                j = i + off
                if 0 <= j < n:
                    feats += words[j][k]
                else:
                    feats.append(f"{off:+d}pad")
            prev_key = keys[i - 1] if i > 0 else "<s>"
            next_key = keys[i + 1] if i + 1 < n else "</s>"
            feats.append(f"bg-={prev_key}|{keys[i]}")
            feats.append(f"bg+={keys[i]}|{next_key}")
            ph = phrases[i]
            if ph:
                feats.append(f"ph={ph}")
            if i > 0 and phrases[i - 1]:
                feats.append(f"-1ph={phrases[i - 1]}")
            if i + 1 < n and phrases[i + 1]:
                feats.append(f"+1ph={phrases[i + 1]}")
            out.append(feats)
        return out
