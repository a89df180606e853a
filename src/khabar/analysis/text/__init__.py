"""Arabic text layer: normalisation with an offset map, sentence segmentation, tokenisation."""

from .normalize import Normalized, fold, normalize, normalize_name
from .segment import segment_sentences
from .tokenize import tokenize

__all__ = ["Normalized", "fold", "normalize", "normalize_name", "segment_sentences", "tokenize"]
