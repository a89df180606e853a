"""Neural NER tagger (BiLSTM-CRF, numpy inference): decoding, batching, packaging, load_tagger."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from khabar.analysis.ner import load_tagger
from khabar.analysis.ner.neural import NeuralTagger, bio_mask, model_path, viterbi
from khabar.analysis.ner.tagger import NerTagger

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
            return start[p[0]] + end[p[-1]] + sum(em[b, t, p[t]] for t in range(n)) + sum(  # noqa: B023
                trans[p[t - 1], p[t]] for t in range(1, n))  # noqa: B023 - both used at once, by max() below
        best = max(itertools.product(range(K), repeat=int(n)), key=total)
        assert paths[b] == list(best)


def test_bio_mask_forbids_inside_without_begin():
    tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    trans, start, end = bio_mask(tags)
    assert start.tolist() == [False, False, True, False, True]
    assert trans[0, 2] and trans[3, 2] and not trans[1, 2] and not trans[2, 2]
    assert not trans[2, 3]  # I-PER -> B-LOC is fine
    assert not end.any()


def test_bioes_mask_closes_every_entity():
    from khabar.analysis.ner.neural import to_bio

    tags = ["O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "E-LOC"]
    trans, start, end = bio_mask(tags)
    allowed = lambda a, b: not trans[tags.index(a), tags.index(b)]  # noqa: E731
    assert allowed("B-PER", "I-PER") and allowed("I-PER", "E-PER") and allowed("B-PER", "E-PER")
    assert allowed("E-PER", "B-LOC") and allowed("S-PER", "O") and allowed("O", "S-PER")
    assert not allowed("B-PER", "O") and not allowed("I-PER", "B-LOC") and not allowed("B-PER", "E-LOC")
    assert not allowed("O", "E-PER") and not allowed("E-PER", "I-PER")
    assert [t for t, s in zip(tags, start) if s] == ["I-PER", "E-PER", "E-LOC"]
    assert [t for t, e in zip(tags, end) if e] == ["B-PER", "I-PER", "B-LOC"]
    assert [to_bio(t) for t in tags] == ["O", "B-PER", "I-PER", "I-PER", "B-PER", "B-LOC", "I-LOC"]


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
    tagger = NeuralTagger(model_path())
    tagger.window = 0  # the network alone: label consistency would link these sentences
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
        assert cur == "O" or (cur[:2] in ("B-", "I-") and cur[2:] in {"PER", "ORG", "LOC", "MISC"})
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
    from khabar.analysis.ner.neural import NeuralTagger, model_path

    tagger = NeuralTagger(model_path(), cache_size=6)
    first = ["زار", "الرئيس", "بوتين", "موسكو"]
    second = ["ثم", "عاد", "بوتين", "إلى", "موسكو", "أمس"]
    expected = tagger.tag_sents([second])
    tagger.tag_sents([first])  # four words cached; the next batch overflows the cache
    assert tagger.tag_sents([second]) == expected


def test_label_consistency_tags_a_name_missed_in_a_nearby_sentence():
    from khabar.analysis.ner.consistency import propagate

    sents = [["زار", "خالد", "الفيصل", "جدة"], ["وقال", "خالد", "الفيصل", "إن", "جدة", "مدينة"]]
    tags = [["O", "B-PER", "I-PER", "B-LOC"], ["O", "O", "O", "O", "O", "O"]]
    assert propagate(sents, tags)[1] == ["O", "B-PER", "I-PER", "O", "B-LOC", "O"]
    assert tags[1] == ["O"] * 6  # the input is not modified
    # Only within the window, never over an existing entity, and short strings are left alone.
    assert propagate(sents, tags, window=1)[1] == ["O"] * 6
    kept = [["O", "B-ORG", "I-ORG", "I-ORG", "O", "O"]]
    assert propagate(sents, [tags[0], kept[0]])[1] == ["O", "B-ORG", "I-ORG", "I-ORG", "B-LOC", "O"]
    assert propagate([["أ", "ب"], ["أ"]], [["B-PER", "O"], ["O"]])[1] == ["O"]


def test_label_consistency_follows_clitics_and_surnames_standing_alone():
    from khabar.analysis.ner.consistency import propagate

    sents = [["التقى", "فلاديمير", "بوتين", "في", "روسيا", "و", "شيك"],
             ["وقال", "بوتين", "إن", "وروسيا", "الأول", "الشيك"], ["وكان", "سعيد", "الأول", "هنا"]]
    tags = [["O", "B-PER", "I-PER", "O", "B-LOC", "O", "B-MISC"], ["O"] * 6, ["O", "B-PER", "I-PER", "O"]]
    out = propagate(sents, tags, common=lambda w: w == "الأول")
    # the surname alone, the name after و; a frequent word is not a surname on its own, and the
    # article is not a clitic
    assert out[1] == ["O", "B-PER", "O", "B-LOC", "O", "O"]
    assert propagate(sents, tags)[1] == ["O", "B-PER", "O", "B-LOC", "B-PER", "O"]
    # ل before a name that begins with ل, and before the article (لل)
    sents = [["زار", "لبنان", "و", "السعودية"], ["وعاد", "للبنان", "ثم", "للسعودية"]]
    tags = [["O", "B-LOC", "O", "B-LOC"], ["O"] * 4]
    assert propagate(sents, tags)[1] == ["O", "B-LOC", "O", "B-LOC"]
    # a mark the tagger took into a name is no surname
    assert propagate([["زار", "أحمد", "$#$"], ["$#$"]], [["O", "B-PER", "I-PER"], ["O"]])[1] == ["O"]


def test_lexicon_inputs_flag_cue_words_and_gazetteer_names():
    from khabar.analysis.ner.features import word_key
    from khabar.analysis.ner.neural import CUE_FEATURES, LEX_FEATURES, load_lexicons

    lex = load_lexicons()
    flags = lambda w: {LEX_FEATURES[i] for i in np.flatnonzero(lex.vector([word_key(w)]))}  # noqa: E731
    assert "lx=PFN" in flags("محمد")  # a first name
    assert "lx=PTR" in flags("الرئيس")  # a title
    assert "g=LOC" in flags("موسكو")  # a place in the gazetteer
    assert not flags("أمس") & set(CUE_FEATURES)  # "yesterday": no cue, no gazetteer hit
    # a model trained before the name lists gets its own inputs only, in its order
    cues = load_lexicons(CUE_FEATURES)
    assert cues.features == CUE_FEATURES and not cues.vector([word_key("أمس")]).any()


def test_name_list_inputs_mark_unseen_names_and_word_frequency():
    """The name lists built from PyPI packages (ner_names.tsv.gz): a foreign surname that no
    hand-written list has, a city, and a frequency band that tells ordinary words apart."""
    from khabar.analysis.ner.features import word_key
    from khabar.analysis.ner.neural import LEX_FEATURES, load_lexicons

    lex = load_lexicons()
    flags = lambda w: {LEX_FEATURES[i] for i in np.flatnonzero(lex.vector([word_key(w)]))}  # noqa: E731
    assert "nm=PER" in flags("كيربي")  # Kirby, a person name in the lists
    assert {"nm=LOC", "nm=wf3"} <= flags("موسكو")  # Moscow: a city, a common word
    assert flags("قال") == {"nm=wf4", "lx=SPK"}  # "said": a very common word and a speech cue, no name
    with pytest.raises(ValueError, match="unknown lexicon inputs"):
        load_lexicons(["nm=NOPE"])


def test_language_model_task_of_the_trainer(monkeypatch):
    """scripts/train_ner_nn.py: the forward states predict the next word's cluster and the
    backward states the previous one's; padding is left out (needs torch, a training extra)."""
    torch = pytest.importorskip("torch")
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "scripts"))
    import train_ner_nn as tr

    rng = np.random.default_rng(0)
    emb = rng.normal(size=(30, 8)).astype(np.float32)
    clusters = np.stack([rng.integers(0, k, 30) for k in tr.CLUSTER_SIZES], axis=1)
    torch.manual_seed(0)
    model = tr.build_model(torch, emb, clusters, n_chars=10, n_pre=3, n_shapes=4, n_train=5, hidden=6,
                           word_drop=0.0, lm=True)
    assert not hasattr(tr.build_model(torch, emb, clusters, 10, 3, 4, 5, 6, 0.0), "lm_fw")
    model.eval()
    B, T = 2, 5
    f = {"word": torch.randint(2, 32, (B, T)), "stem": torch.randint(2, 32, (B, T)),
         "pre": torch.zeros(B, T, dtype=torch.long), "shape": torch.zeros(B, T, dtype=torch.long),
         "freq": torch.zeros(B, T, dtype=torch.long), "tword": torch.zeros(B, T, dtype=torch.long),
         "chars": torch.randint(0, 12, (B, T, 4)), "lengths": torch.tensor([5, 3])}
    em, h = model(f)
    assert em.shape == (B, T, len(tr.TAGS)) and h.shape == (B, T, 12)
    loss = model.lm_loss(h, f)
    assert torch.isfinite(loss) and loss.item() > 0
    # the second sentence has 3 words, so 2 (word, next word) pairs: its padding changes nothing
    f2 = dict(f, word=f["word"].clone())
    f2["word"][1, 3:] = 2
    _, h2 = model(f2)
    assert torch.allclose(model.lm_loss(h2, f2), loss)
    loss.backward()
    assert model.lm_fw.weight.grad.abs().sum() > 0 and model.lm_bw.weight.grad.abs().sum() > 0


def test_wikifane_reader_maps_classes_and_joins_clitics(monkeypatch):
    """scripts/wikifane.py: fine classes -> ANERcorp types (groups and governments are not
    entities there), clitics split off by WikiFANE joined back as news text writes them."""
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "scripts"))
    import wikifane

    assert [wikifane.coarse(t) for t in ("B-Politician", "I-Nation", "B-Group", "B-Government", "O")] == [
        "B-PER", "I-LOC", "O", "O", "O"]
    # "and to Khartoum", "its capital", a B- on a proclitic whose host continues the entity
    toks, tags = wikifane.rejoin(["و", "ل", "الخرطوم", "عاصمة", "ها", "و", "ب", "جوبا"],
                                 ["O", "O", "B-LOC", "O", "O", "B-LOC", "I-LOC", "I-LOC"])
    assert toks == ["وللخرطوم", "عاصمتها", "وبجوبا"]
    assert tags == ["B-LOC", "O", "B-LOC"]
    # held-out blocks: contiguous, disjoint from the training part, about a tenth
    sents = [([str(i)], ["O"]) for i in range(200)]
    train, held = wikifane.split(sents)
    assert len(held) == 20 and not {s[0][0] for s in train} & {s[0][0] for s in held}


def test_trainer_continues_from_an_exported_network(monkeypatch, tmp_path):
    """scripts/train_ner_nn.py --init: the exported weights load back into a torch model that
    scores as the one exported (float16 export, so up to rounding)."""
    torch = pytest.importorskip("torch")
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "scripts"))
    import train_ner_nn as tr

    rng = np.random.default_rng(0)
    emb = rng.normal(size=(30, 8)).astype(np.float32)
    clusters = np.stack([rng.integers(0, k, 30) for k in tr.CLUSTER_SIZES], axis=1)
    torch.manual_seed(0)
    args = (torch, emb, clusters, 10, 3, 4, 5, 6, 0.0)
    first, second = tr.build_model(*args), tr.build_model(*args)
    meta = {"proclitics": ["و"], "chars": "abc", "shapes": ["x"], "train_vocab": ["w"], "lex_features": []}
    path = tmp_path / "net.npz"
    tr.export(first, meta, [f"w{i}" for i in range(30)], list(range(30)), path)
    tr.load_exported(second, path)
    first.eval()
    second.eval()
    B, T = 2, 4
    f = {"word": torch.randint(2, 32, (B, T)), "stem": torch.randint(2, 32, (B, T)),
         "pre": torch.zeros(B, T, dtype=torch.long), "shape": torch.zeros(B, T, dtype=torch.long),
         "freq": torch.zeros(B, T, dtype=torch.long), "tword": torch.zeros(B, T, dtype=torch.long),
         "chars": torch.randint(0, 12, (B, T, 4)), "lengths": torch.tensor([4, 2])}
    with torch.no_grad():
        assert torch.allclose(first(f)[0], second(f)[0], atol=1e-2)
        assert not torch.allclose(first(f)[0], tr.build_model(*args).eval()(f)[0], atol=1e-2)


def test_consistency_tie_does_not_depend_on_the_hash_seed():
    """A name tagged PER and ORG once each in one sentence: the tie goes to the type seen first, the
    same in every process (it followed the set order of the sentence's spans: PYTHONHASHSEED decided)."""
    import os
    import subprocess
    import sys

    code = ("from khabar.analysis.ner.consistency import propagate\n"
            "s = [['زار', 'بايبيليس', 'و', 'كرونا', 'و', 'بايبيليس', 'و', 'كرونا'], ['ثم', 'بايبيليس', 'و', 'كرونا']]\n"
            "t = [['O', 'B-PER', 'O', 'B-ORG', 'O', 'B-ORG', 'O', 'B-PER'], ['O', 'O', 'O', 'O']]\n"
            "print(propagate(s, t)[1])\n")
    seen = set()
    for seed in range(8):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        seen.add(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                check=True).stdout.strip())
    assert seen == {"['O', 'B-PER', 'O', 'B-ORG']"}, seen
