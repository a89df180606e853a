"""Statistical Arabic named-entity tagger (ANERcorp types PER/ORG/LOC/MISC).

The default is a BiLSTM-CRF run in numpy (khabar.analysis.ner.neural); the CRF stays available with
``load_tagger("crf")``.

>>> from khabar.analysis.ner import load_tagger
>>> load_tagger().tag(["قال", "الرئيس", "الإيراني", "إبراهيم", "رئيسي"])  # "said the Iranian president Ebrahim Raisi"
['O', 'O', 'O', 'B-PER', 'I-PER']
"""

from .bio import entity_spans
from .tagger import NerTagger, load_tagger

__all__ = ["NerTagger", "entity_spans", "load_tagger"]
