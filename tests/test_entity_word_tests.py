"""The word tests that make the entities stage's scans fast (issue 16) answer like the scans they
replace: one set probe per word instead of trying each proclitic reading of it. Each test
compares the index with the plain scan over the readings, on words built from the lexicons'
own entries (with and without every proclitic chain) and on words of sentences written here."""

from __future__ import annotations

import pytest

from khabar.analysis.clitics import CLITIC_CHAINS
from khabar.analysis.entity_lexicon import (
    _org_head,
    _org_head_words,
    _org_heads,
    _word_forms,
    load_lexicon,
    with_proclitics,
)
from khabar.analysis.entity_mentions import _outlet_test, _place_test
from khabar.analysis.outlets import load_outlets
from khabar.analysis.place_names import _NOUN_CLITICS, load_place_names, load_place_nouns
from khabar.analysis.places import _CLITICS, load_place_heads
from khabar.analysis.text import tokenize

# 'The Minister of Health met in the city of Jeddah the director of the university and the
# spokesman of the Saudi embassy, and said to the newspaper that the ministries agreed.'
SENTENCE = ("والتقى وزير الصحة بمدينة جدة مدير للجامعة والمتحدث باسم السفارة السعودية، وقال لصحيفة "
            "إن الوزارات اتفقت في محافظات ومناطق وبمحافظة للمحافظة CNN وكالة")


def readings(word: str) -> list[str]:
    """The forms the scans try for a word (what ``_forms`` gives for a token with this norm)."""
    return [f for f, _o, _c in _word_forms(word, word)]


def probe_words(forms) -> set[str]:
    """Words to ask about: each form, with every proclitic chain, with لل for its article, less
    its first letters; and the words of SENTENCE."""
    out = {t.norm for t in tokenize(SENTENCE)}
    for f in forms:
        out.update({f, f[1:], f[2:], "ا" + f, "لل" + f[2:], "ولل" + f[2:], "فلل" + f[1:]})
        out.update(c + f for c in CLITIC_CHAINS)
        out.update(c + f for c in _NOUN_CLITICS)
    return {w for w in out if w}


LEXICON_LISTS = ["firsts", "heads", "place_heads", "ministry", "counterparts"]


@pytest.mark.parametrize("name", LEXICON_LISTS)
def test_lexicon_word_sets_answer_like_the_scan_of_readings(name):
    lex = load_lexicon()
    forms = frozenset(getattr(lex, name))
    words = {"firsts": lex.first_words, "heads": lex.head_words, "place_heads": lex.place_head_words,
             "ministry": lex.ministry_words, "counterparts": lex.counterpart_words}[name]
    assert words == with_proclitics(forms)
    probes = probe_words(forms)
    assert probes & words and probes - words  # both answers are asked
    for w in probes:
        assert (w in words) == any(f in forms for f in readings(w)), w


def test_with_proclitics_on_kb_first_words():
    from khabar.analysis.kb import load_kb

    firsts = {k[0] for k in load_kb().index}
    words = with_proclitics(firsts)
    for w in probe_words(sorted(firsts)[:300]):
        assert (w in words) == any(f in firsts for f in readings(w)), w


def test_skip_lists_by_first_word_keep_every_entry_in_order():
    lex = load_lexicon()
    assert sorted(k for ks in lex.skip_by_first.values() for k in ks) == sorted(k for k in lex.skip if k)
    for first, ks in lex.skip_by_first.items():
        assert list(ks) == [k for k in lex.skip if k and k[0] == first]
        assert first in lex.firsts  # the scan asked only words of ``firsts``


def test_org_head_words_are_the_words_with_an_org_head():
    heads = _org_heads()[0]
    words = _org_head_words()
    for w in probe_words(list(heads) + ["ال" + h for h in heads]):
        if w.isalpha():  # (_org_head reads no other word)
            assert (w in words) == (_org_head(w, w) is not None), w


def test_place_heads_by_word_answer_like_the_scan_of_chains():
    ph = load_place_heads()

    def scan(word: str):
        for chain in _CLITICS:
            if word.startswith(chain) and (hit := ph.heads.get(word[len(chain):])) is not None:
                return hit
        return None

    probes = probe_words(ph.heads)
    assert any(scan(w) for w in probes)
    for w in probes:
        assert ph.head(w) == scan(w), w


def test_place_nouns_with_clitics_answer_like_the_scan_of_chains():
    nouns = load_place_nouns()

    def scan(word: str, group: frozenset[str]) -> bool:
        return word in group or any(word.startswith(c) and word[len(c):] in group for c in _NOUN_CLITICS)

    probes = probe_words(nouns.singular | nouns.plural)
    probes |= {"ال" + w for w in probes}
    for w in probes:
        for group in (nouns.singular, nouns.plural):
            assert nouns.noun(w, group) == scan(w, group), w
        assert (w in nouns.plural_words) == (scan(w, nouns.plural) or (
            w.startswith("ال") and scan(w[2:], nouns.plural))), w


def test_quick_place_test_lets_every_gazetteer_start_through():
    gaz = load_place_names()
    test = _place_test()
    firsts = sorted({k.split(" ")[0] for k in gaz.names})[::50]  # a spread of first words
    probes = probe_words(firsts)
    assert any(not test(w) for w in probes)  # it does pass words by
    for w in probes:
        if any(gaz.starts(f) for f in readings(w)):
            assert test(w), w


def test_outlet_test_answers_like_the_scan_of_readings():
    first = load_outlets().first_words
    test = _outlet_test()
    probes = probe_words(first) | {"Reuters", "CNN", "cnn", "Cnn"}
    assert any(not test(w) for w in probes)
    for w in probes:
        scan = any(f.lower() in first for f in readings(w)) if w.isalpha() else w.lower() in first
        if scan:
            assert test(w), w  # every word that may start an outlet is read
        elif w.isalpha() and w == w.lower():
            assert not test(w), w  # and of the others, only words with capitals
