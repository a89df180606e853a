"""The packaged CRF NER tagger: load once, tag token lists with BIO tags (PER/ORG/LOC/MISC)."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence
from importlib import resources

from .features import FeatureExtractor, Resources
from .resources import load_resources

MODEL_FILE = "ner.crfsuite"
# Whether the packaged model was trained with the name lexicons (scripts/train_ner.py --lexicon).
USE_LEXICON = True
# Whether it was trained with the KB names as gazetteer entries (--no-kb turns them off).
USE_KB = True


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
