"""Neural NER tagger (BiLSTM-CRF, numpy inference): decoding, batching, packaging, load_tagger."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from khabar.ner import load_tagger
from khabar.ner.neural import NeuralTagger, bio_mask, model_path, viterbi
from khabar.ner.tagger import NerTagger

# Sentences written for these tests: "Russian President Vladimir Putin said in Moscow that ..."
SENT_PUTIN = ["قال", "الرئيس", "الروسي", "فلاديمير", "بوتين", "في", "موسكو", "إن", "بلاده", "ستدعم", "الاتفاق", "."]
# "The Saudi Minister of Foreign Affairs met the UN Secretary-General in Riyadh."
SENT_UN = ["التقى", "وزير", "الخارجية", "السعودي", "الأمين", "العام", "للأمم", "المتحدة", "في", "الرياض", "."]
# "and the Egyptian foreign minister Sameh Shoukry arrived in Cairo yesterday"
SENT_EG = ["ووصل", "وزير", "الخارجية", "المصري", "سامح", "شكري", "إلى", "القاهرة", "أمس"]

needs_model = pytest.mark.skipif(not model_path().is_file(), reason="neural NER model not packaged")


def test_viterbi_matches_brute_force():
    rng = np.random.default_rng(0)
    K, T = 3, 4
    em = rng.normal(size=(2, T, K))
    trans, start, end = rng.normal(size=(K, K)), rng.normal(size=K), rng.normal(size=K)
    lengths = np.array([T, 2])
    paths = viterbi(em, lengths, trans, start, end)
    for b, n in enumerate(lengths):
        def total(p):
            return start[p[0]] + end[p[-1]] + sum(em[b, t, p[t]] for t in range(n)) + sum(
                trans[p[t - 1], p[t]] for t in range(1, n))
        best = max(itertools.product(range(K), repeat=int(n)), key=total)
        assert paths[b] == list(best)


def test_bio_mask_forbids_inside_without_begin():
    tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    trans, start = bio_mask(tags)
    assert start.tolist() == [False, False, True, False, True]
    assert trans[0, 2] and trans[3, 2] and not trans[1, 2] and not trans[2, 2]
    assert not trans[2, 3]  # I-PER -> B-LOC is fine


@needs_model
def test_default_tagger_is_neural_and_crf_stays_available():
    tagger = load_tagger()
    assert isinstance(tagger, NeuralTagger)
    assert load_tagger() is tagger and load_tagger("neural") is tagger
    assert isinstance(load_tagger("crf"), NerTagger)
    with pytest.raises(ValueError):
        load_tagger("bert")


@needs_model
def test_neural_tagger_finds_obvious_entities():
    tagger = load_tagger("neural")
    assert tagger.tag([]) == []
    tags = tagger.tag(SENT_PUTIN)
    assert tags[3:5] == ["B-PER", "I-PER"]  # Vladimir Putin
    assert tags[6] == "B-LOC"  # Moscow
    tags = tagger.tag(SENT_UN)
    assert tags[9] == "B-LOC"  # Riyadh
    assert tagger.tag(SENT_EG)[7] == "B-LOC"  # Cairo


@needs_model
def test_batching_does_not_change_the_tags():
    """Sentences of different lengths padded together tag exactly as when alone (the backward
    LSTM reverses each sentence within its own length)."""
    tagger = load_tagger("neural")
    sents = [SENT_PUTIN, SENT_UN[:3], SENT_EG, ["موسكو"], SENT_UN, []]
    batched = tagger.tag_sents(sents)
    assert batched == [tagger.tag(s) for s in sents]
    assert [len(t) for t in batched] == [len(s) for s in sents]
    em_alone, _ = tagger.emissions([SENT_UN[:3]])
    em_batch, _ = tagger.emissions([SENT_PUTIN, SENT_UN[:3]])
    assert np.allclose(em_alone[0], em_batch[1, :3], atol=1e-4)


@needs_model
def test_tags_are_valid_bio():
    tags = load_tagger("neural").tag(SENT_EG + SENT_PUTIN + SENT_UN)
    for prev, cur in zip(["O"] + tags, tags):
        assert cur == "O" or cur[:2] in ("B-", "I-") and cur[2:] in {"PER", "ORG", "LOC", "MISC"}
        if cur.startswith("I-"):
            assert prev[2:] == cur[2:]


@needs_model
def test_featurizer_strips_clitics_by_corpus_frequency():
    fz = load_tagger("neural").featurizer
    assert fz.stem("وموسكو") == ("و", "موسكو")  # and + Moscow
    assert fz.stem("وزير") == ("", "وزير")  # minister: the و belongs to the word
    assert fz.stem("للامم")[1] == "الامم"  # لل = for + the
    # A word missing from the embedding vocabulary gets the embedding of its stem.
    assert "وبموسكو" not in fz.index  # and in Moscow
    word, stem, pre, *_ = fz.token("وبموسكو")
    assert word == stem == fz.index["موسكو"] and pre == fz.pre_index["وب"]


def test_word_cache_overflow_keeps_tagging_right():
    """When the bounded word cache fills up mid-document, words cached earlier are recomputed."""
    from khabar.ner.neural import NeuralTagger, model_path

    tagger = NeuralTagger(model_path(), cache_size=6)
    first = ["زار", "الرئيس", "بوتين", "موسكو"]
    second = ["ثم", "عاد", "بوتين", "إلى", "موسكو", "أمس"]
    expected = tagger.tag_sents([second])
    tagger.tag_sents([first])  # four words cached; the next batch overflows the cache
    assert tagger.tag_sents([second]) == expected
