"""The neural NER tagger's fast paths against straightforward references (issues 15 and 16).

The tagger's inference is arranged for speed (the LSTM steps only the sentences still being
read, keeps its gates doubled, runs sentence-major; Viterbi backtracks all sentences at once; the
featurizer fills its arrays at once; the char CNN sums shifted products). These tests compute the
same things the plain way, on random inputs or the packaged model, and compare.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from khabar.analysis.clitics import strip_proclitics
from khabar.analysis.ner.neural import MAX_CHARS, NeuralTagger, model_path, viterbi

needs_model = pytest.mark.skipif(not model_path().is_file(), reason="neural NER model not packaged")

# Sentences written for these tests: "The Saudi foreign minister met his Russian counterpart in
# Moscow yesterday", "and said that the talks were good", "Riyadh", "the Arab League welcomed it".
SENTS = [["التقى", "وزير", "الخارجية", "السعودي", "نظيره", "الروسي", "في", "موسكو", "أمس", "."],
         ["وقال", "إن", "المحادثات", "كانت", "جيدة"], ["الرياض"],
         ["ورحبت", "جامعة", "الدول", "العربية", "بذلك", "."]]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _reference_emissions(tagger: NeuralTagger, sent: list[str]) -> np.ndarray:
    """Emissions (T, K) of one sentence by the textbook BiLSTM, in float64, from the weights as
    stored in the model file (PyTorch gate order i, f, g, o; nothing reordered or rescaled)."""
    f = tagger.featurizer.batch([sent])
    em = 0.0
    for m in tagger.members:
        x = tagger._inputs(m, f)[0].astype(np.float64)  # (T, D)
        states = []
        for d, seq in (("fw", x), ("bw", x[::-1])):
            w_ih, w_hh, b = (m[f"{d}_{k}"].astype(np.float64) for k in ("ih", "hh", "b"))
            H = w_hh.shape[1]
            h, c, out = np.zeros(H), np.zeros(H), []
            for xt in seq:
                i, f_, g, o = np.split(w_ih @ xt + w_hh @ h + b, 4)
                c = _sigmoid(f_) * c + _sigmoid(i) * np.tanh(g)
                h = _sigmoid(o) * np.tanh(c)
                out.append(h)
            states.append(np.array(out if d == "fw" else out[::-1]))
        em = em + np.concatenate(states, axis=1) @ m["out_w"].astype(np.float64).T + m["out_b"]
    return em / len(tagger.members)


@needs_model
def test_emissions_match_the_textbook_bilstm():
    tagger = NeuralTagger(model_path())
    em, lengths = tagger.emissions(SENTS)
    for b, sent in enumerate(SENTS):
        ref = _reference_emissions(tagger, sent)
        np.testing.assert_allclose(em[b, :lengths[b]], ref, rtol=0, atol=2e-4)


@needs_model
def test_lstm_states_of_a_sentence_do_not_depend_on_its_batch():
    """Bit for bit: the LSTM steps only the sentences still being read, at least two rows."""
    tagger = NeuralTagger(model_path())
    sents = SENTS + [SENTS[0][:4], SENTS[1] * 3]

    def states(batch: list[list[str]]) -> list[np.ndarray]:
        rows, ids = tagger._gates(batch)
        lengths = np.array([len(s) for s in batch])
        order = np.argsort(-lengths, kind="stable")
        T = ids.shape[1]
        pos = np.arange(T)[None, :]
        rev = np.where(pos < lengths[:, None], lengths[:, None] - 1 - pos, pos)
        hid = tagger._bilstm(rows, ids[order], lengths[order], rev[order])
        back = np.argsort(order)
        return [hid[:lengths[b], :, back[b]] for b in range(len(batch))]

    alone_in_pairs = [states([s, sents[0]])[0] for s in sents]
    for batch in (sents, sents[::-1], sents[2:] + sents[:2]):
        got = states(batch)
        for s, h in zip(batch, got):
            assert np.array_equal(h, alone_in_pairs[sents.index(s)])


def test_viterbi_matches_brute_force_on_random_batches():
    rng = np.random.default_rng(1)
    K = 3
    for _ in range(20):
        lengths = rng.integers(1, 6, size=int(rng.integers(1, 5)))
        em = rng.normal(size=(len(lengths), int(lengths.max()), K))
        trans, start, end = rng.normal(size=(K, K)), rng.normal(size=K), rng.normal(size=K)
        paths = viterbi(em, lengths, trans, start, end)
        for b, n in enumerate(lengths.tolist()):
            def total(p, b=b, n=n, em=em, trans=trans, start=start, end=end):
                return start[p[0]] + end[p[-1]] + sum(em[b, t, p[t]] for t in range(n)) + sum(
                    trans[p[t - 1], p[t]] for t in range(1, n))
            assert paths[b] == list(max(itertools.product(range(K), repeat=n), key=total))


@needs_model
def test_featurizer_batch_matches_token_by_token():
    fz = NeuralTagger(model_path()).featurizer
    f = fz.batch(SENTS)
    for b, sent in enumerate(SENTS):
        for t, tok in enumerate(sent):
            word, stem, pre, shape, freq, tword, chars, lex = fz.token(tok)
            assert [f[k][b, t] for k in ("word", "stem", "pre", "shape", "freq", "tword")] == [
                word, stem, pre, shape, freq, tword]
            assert f["chars"][b, t].tolist() == chars
            assert set(np.flatnonzero(f["lex"][b, t]).tolist()) == set(lex or ())
        assert not f["word"][b, len(sent):].any() and not f["lex"][b, len(sent):].any()  # padding


@needs_model
def test_featurizer_stem_tries_the_same_proclitics_as_the_full_list():
    fz = NeuralTagger(model_path()).featurizer
    words = ["وموسكو", "وزير", "للامم", "فبالرياض", "والسعودية", "بال", "ول", "كتاب", "ووزير", "لل"]
    for w in words:
        assert fz.stem(w) == strip_proclitics(w, fz.proclitics, lambda k: fz.counts.get(k, 0))


@needs_model
def test_char_cnn_matches_a_padded_convolution():
    tagger = NeuralTagger(model_path())
    m = tagger.members[0]
    rng = np.random.default_rng(2)
    f = tagger.featurizer.batch([SENTS[0]])
    f["chars"] = rng.integers(0, m["char_emb"].shape[0], size=(1, len(SENTS[0]), MAX_CHARS))
    got = tagger._inputs(m, f)[0]
    ch = m["char_emb"][f["chars"][0]].astype(np.float64)  # (T, C, E)
    padded = np.pad(ch, ((0, 0), (1, 1), (0, 0)))
    conv = m["char_conv_b"] + sum(padded[:, j:j + MAX_CHARS] @ m["char_conv_w"][:, :, j].T.astype(np.float64)
                                  for j in range(3))
    charvec = np.maximum(conv, 0).max(axis=1)
    E = m["emb"].shape[1]
    np.testing.assert_allclose(got[:, 2 * E:2 * E + charvec.shape[1]], charvec, rtol=0, atol=1e-4)


@needs_model
@needs_model
def test_a_word_row_does_not_depend_on_how_many_words_missed_the_cache_with_it():
    """An article's emissions are the same whatever the process tagged before: a sentence whose
    words are cached but for one or two gets the rows it gets with a cold cache (OpenBLAS rounds
    a product of one or two rows differently: before MIN_ROWS, every such row differed)."""
    warm = NeuralTagger(model_path())
    warm.emissions(SENTS)
    for new in (["الجديدة"], ["الجديدة", "للمحادثات"]):  # "the new", "for the talks"
        sent = SENTS[0] + new
        cold = NeuralTagger(model_path()).emissions([sent])[0]
        assert np.array_equal(warm.emissions([sent])[0], cold)


def test_word_cache_drops_the_least_recently_used_words():
    tagger = NeuralTagger(model_path(), cache_size=6)
    tagger.tag_sents([["زار", "الرئيس", "موسكو", "أمس"]])
    tagger.tag_sents([["موسكو"]])  # used again: now the most recent
    tagger.tag_sents([["ثم", "عاد", "إلى"]])  # one over the budget
    assert "موسكو" in tagger._cache and "زار" not in tagger._cache
    assert len(tagger._cache) <= 6
    expected = NeuralTagger(model_path()).tag_sents([["عاد", "الرئيس", "إلى", "موسكو"]])
    assert tagger.tag_sents([["عاد", "الرئيس", "إلى", "موسكو"]]) == expected


@needs_model
def test_char_products_looked_up_are_the_products_computed():
    """The char CNN looks up each character's products with the kernel columns: the very float32
    values that multiplying the characters of the words gave (not merely close ones)."""
    tagger = NeuralTagger(model_path())
    f = tagger.featurizer.batch([SENTS[0] + SENTS[3]])
    for m in tagger.members:
        ch = m["char_emb"][f["chars"]]  # (1, T, C, E)
        B, T, C, E = ch.shape
        left, mid, right = ((ch.reshape(-1, E) @ m["char_conv_w"][:, :, j].T).reshape(B, T, C, -1)
                            for j in range(3))
        conv = mid
        conv[:, :, 1:] += left[:, :, :-1]
        conv[:, :, :-1] += right[:, :, 1:]
        charvec = np.maximum(m["char_conv_b"] + conv, 0.0).max(axis=2)[0]
        E2 = 2 * m["emb"].shape[1]
        assert np.array_equal(tagger._inputs(m, f)[0][:, E2:E2 + charvec.shape[1]], charvec)


def test_viterbi_breaks_ties_as_a_plain_dynamic_programme():
    """Small integer scores tie often: each step's maximum is read at its argmax, which must
    give the same paths as taking the maximum and the argmax apart (the first best tag wins)."""
    rng = np.random.default_rng(2)
    K = 4
    for _ in range(50):
        lengths = rng.integers(1, 8, size=int(rng.integers(1, 6)))
        em = rng.integers(-2, 3, size=(len(lengths), int(lengths.max()), K)).astype(np.float32)
        trans, start, end = (rng.integers(-2, 3, size=s).astype(np.float32) for s in ((K, K), K, K))
        paths = viterbi(em, lengths, trans, start, end)
        for b, n in enumerate(lengths.tolist()):
            score, back = start + em[b, 0], []
            for t in range(1, n):
                cand = score[None, :] + trans.T  # to each tag from each previous tag
                back.append(cand.argmax(axis=1))
                score = cand.max(axis=1) + em[b, t]
            path = [int((score + end).argmax())]
            for ptr in reversed(back):
                path.append(int(ptr[path[-1]]))
            assert paths[b] == path[::-1]


@needs_model
def test_word_cache_emptied_from_outside_fills_again():
    """benchmarks/bench_ner.py empties the cache's dict to time a cold cache: the rows it held
    must be free again, so that words are cached after it as before."""
    tagger = NeuralTagger(model_path(), cache_size=6)
    expected = tagger.tag_sents([SENTS[0]])  # ten words: the cache full
    tagger._cache.clear()
    assert tagger.tag_sents([SENTS[0]]) == expected
    assert 0 < len(tagger._cache) <= 6
    assert tagger.tag_sents([SENTS[0]]) == expected
    # and no word goes before the budget is reached again (a cold cache is a whole cache)
    tagger = NeuralTagger(model_path(), cache_size=6)
    tagger.tag_sents([["الرياض", "موسكو"]])
    tagger._cache.clear()
    tagger.tag_sents([SENTS[1][:3]])
    tagger.tag_sents([SENTS[1][3:]])
    assert sorted(tagger._cache) == sorted(SENTS[1])
