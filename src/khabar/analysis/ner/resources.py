"""The lookups both NER taggers share: word clusters, gazetteers and name lexicons from the package data.

Their own module so that the CRF (tagger.py) and the neural tagger (neural.py) both import it
without importing each other.
"""

from __future__ import annotations

import gzip
from importlib import resources

from .features import Resources, word_key

CLUSTERS_FILE = "ner_clusters.tsv.gz"
GAZETTEER_FILE = "ner_gazetteer.tsv"
LEXICON_FILE = "ner_lexicon.tsv"
MINED_FILE = "ner_mined.tsv"
KB_FILE = "kb.jsonl"


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
