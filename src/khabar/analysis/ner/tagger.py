"""The packaged CRF NER tagger: load once, tag token lists with BIO tags (PER/ORG/LOC/MISC)."""

from __future__ import annotations

import gzip
import threading
import warnings
from collections.abc import Sequence
from importlib import resources

from .features import FeatureExtractor, Resources, word_key

MODEL_FILE = "ner.crfsuite"
CLUSTERS_FILE = "ner_clusters.tsv.gz"
GAZETTEER_FILE = "ner_gazetteer.tsv"
LEXICON_FILE = "ner_lexicon.tsv"
MINED_FILE = "ner_mined.tsv"
KB_FILE = "kb.jsonl"
# Whether the packaged model was trained with the name lexicons (scripts/train_ner.py --lexicon).
USE_LEXICON = True
# Whether it was trained with the KB names as gazetteer entries (--no-kb turns them off).
USE_KB = True


def _add_gazetteer_entry(res: Resources, words: tuple[str, ...], typ: str) -> None:
    if len(words) == 1:
        old = res.gazetteer.get(words[0])
        res.gazetteer[words[0]] = typ if not old or old == typ else "|".join(sorted({*old.split("|"), typ}))
    elif words not in res.phrases:
        res.phrases[words] = typ
        for k in range(1, len(words)):
            res.phrase_prefixes.add(words[:k])
        res.max_phrase = max(res.max_phrase, len(words))


def load_resources(*, gazetteer: bool = True, clusters: bool = True, lexicon: bool = False,
                   mined: bool = False, kb: bool = False) -> Resources:
    """Word clusters, gazetteers and (optionally) name lexicons from the package data.

    The lexicons (hand-written cue classes, mined name-slot bands, KB names) are off here by
    default; the packaged model uses them (see USE_LEXICON, USE_KB and docs/ner.md).
    """
    res = Resources()
    data = resources.files("khabar.data")
    if lexicon and data.joinpath(LEXICON_FILE).is_file():
        for line in data.joinpath(LEXICON_FILE).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                word, cls = line.split("\t")
                key = word_key(word)
                old = res.lexicon.get(key)
                res.lexicon[key] = cls if not old else "|".join(sorted({*old.split("|"), cls}))
    if mined and data.joinpath(MINED_FILE).is_file():
        for line in data.joinpath(MINED_FILE).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                key, bands = line.split("\t")
                res.mined[key] = bands
    if clusters and data.joinpath(CLUSTERS_FILE).is_file():
        raw = gzip.decompress(data.joinpath(CLUSTERS_FILE).read_bytes()).decode("utf-8")
        res.words = dict(line.split("\t", 1) for line in raw.splitlines() if line and line[0] != "#")
    if gazetteer and data.joinpath(GAZETTEER_FILE).is_file():
        for line in data.joinpath(GAZETTEER_FILE).read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            name, typ = line.split("\t")
            _add_gazetteer_entry(res, tuple(name.split()), typ)
    if kb and data.joinpath(KB_FILE).is_file():
        # Names of khabar's knowledge base (people, organisations, places) as typed gazetteer
        # entries.
        import json

        for line in data.joinpath(KB_FILE).read_text(encoding="utf-8").splitlines():
            rec = json.loads(line) if line.strip() else {}
            typ = rec.get("type")
            if typ not in ("PER", "ORG", "LOC", "MISC"):
                continue
            for name in rec.get("ar", []):
                words = tuple(word_key(w) for w in name.split())
                if words:
                    _add_gazetteer_entry(res, words, typ)
    return res


class NerTagger:
    """A loaded CRF model with its feature extractor. ``tag`` is thread-safe."""

    def __init__(self, model_path: str, res: Resources) -> None:
        import pycrfsuite

        self._features = FeatureExtractor(res)
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(model_path)
        self._lock = threading.Lock()

    def tag(self, tokens: Sequence[str]) -> list[str]:
        """BIO tags (B-PER, I-ORG, O, ...) for the tokens of one sentence."""
        if not tokens:
            return []
        feats = self._features.sentence(tokens)
        with self._lock:
            return self._tagger.tag(feats)

    def tag_sents(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """Tags for several sentences."""
        return [self.tag(s) for s in sentences]


_TAGGERS: dict[str, object] = {}
_TAGGER_LOCK = threading.Lock()
KINDS = ("auto", "neural", "crf")


def load_tagger(kind: str = "auto"):
    """The packaged tagger, loaded on first use and then cached.

    ``kind``: "neural" (BiLSTM-CRF in numpy, khabar.analysis.ner.neural), "crf" (this module's CRF) or
    "auto" (the default): the neural tagger when its model file is packaged, else the CRF, with
    a warning naming the missing file (a broken install must not pass for a working one).
    Both have ``tag(tokens) -> tags`` and ``tag_sents(sentences)``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown NER tagger kind {kind!r} (expected one of {', '.join(KINDS)})")
    with _TAGGER_LOCK:
        if kind == "auto":
            from . import neural

            kind = "neural" if neural.model_path().is_file() else "crf"
            if kind == "crf":
                warnings.warn(f"khabar: neural NER model {neural.MODEL_FILE} is missing from khabar.data; "
                              "falling back to the less accurate CRF tagger (reinstall khabar, or "
                              "rebuild the model with scripts/train_ner_nn.py all)", RuntimeWarning,
                              stacklevel=2)
        tagger = _TAGGERS.get(kind)
        if tagger is None:
            if kind == "neural":
                from .neural import load_neural_tagger

                tagger = load_neural_tagger()
            else:
                model = resources.files("khabar.data").joinpath(MODEL_FILE)
                with resources.as_file(model) as path:
                    if not path.is_file():
                        raise FileNotFoundError(f"NER model {MODEL_FILE} is missing from khabar.data "
                                                "(rebuild it with scripts/train_ner.py all)")
                    tagger = NerTagger(str(path), load_resources(lexicon=USE_LEXICON, mined=USE_LEXICON,
                                                                     kb=USE_KB))
            _TAGGERS[kind] = tagger
        return tagger
