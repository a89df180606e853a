"""khabar.analysis.clitics: the one home of the clitic data and strippers (issue 13 item 2)."""

from __future__ import annotations

import ast
import importlib.util
import tomllib
from importlib import resources
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.analysis import clitics
from khabar.analysis.text import tokenize
from khabar.corpus.store import index_words

STRIPPERS = {"clitic_pieces", "without_prefixes", "strip_proclitics", "clitic_forms", "variants", "chains",
             "_strip_proclitics"}


def test_clitic_data_comes_from_the_data_file():
    data = tomllib.loads(resources.files("khabar.data").joinpath("clitics.toml").read_text(encoding="utf-8"))
    assert clitics.CONJUNCTIONS == tuple(data["conjunctions"]) == ("و", "ف")  # and, so
    assert set(clitics.PREPOSITIONS) == {"ب", "ك", "ل"}  # with/in, like, for/to
    assert clitics.SUFFIXES[0] == "هما" and [len(s) for s in clitics.SUFFIXES] == sorted(
        (len(s) for s in clitics.SUFFIXES), reverse=True)


def test_no_other_module_defines_a_clitic_stripper():
    root = Path(importlib.util.find_spec("khabar").origin).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        if path == root / "analysis" / "clitics.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name in STRIPPERS:
                found.append(f"{path.relative_to(root)}:{node.lineno} {node.name}")
    assert found == []


def test_segmentation_search_and_token_stem_agree():
    # "and in the city" -> و + ب + ال + مدينه; the search index keeps the word without its prefixes
    (tok,) = tokenize("وبالمدينة")
    assert [s.kind for s in tok.segments] == ["prefix", "prefix", "prefix", "stem"]
    assert tok.stem.text == "مدينة"
    assert clitics.without_prefixes(tok.norm) == "مدينه" and index_words("وبالمدينة") == ["مدينه"]
    assert clitics.clitic_pieces("ولد", "ولد") == ()  # 'boy': a stem keeps three letters
    # the segmentation goes by length only: 'minister' is split, which the NER stripper avoids below
    assert clitics.clitic_pieces("وزير", "وزير") == ((0, 1, "prefix"), (1, 4, "stem"))


def test_the_strippers_differ_where_their_callers_need_it():
    # NER: the corpus count decides ("وزير", minister, is not و + زير)
    counts = {"موسكو": 10, "زير": 1, "وزير": 50}.get
    assert clitics.strip_proclitics("وموسكو", clitics.PROCLITICS, lambda w: counts(w, 0)) == ("و", "موسكو")
    assert clitics.strip_proclitics("وزير", clitics.PROCLITICS, lambda w: counts(w, 0)) == ("", "وزير")
    # names: chains come off, the article stays; لل also gives the article back
    assert "السعوديه" in clitics.clitic_forms("للسعوديه") and "شيك" not in clitics.clitic_forms("الشيك")
    # lexicon lookups: every candidate form
    assert {"زيارته", "زياره"} <= clitics.variants("وزيارته")


def test_place_nouns_take_conjunction_and_in_to_chains_only():
    from khabar.analysis.places import _CLITICS

    assert set(_CLITICS) == {"", "و", "ف", "ب", "ل", "وب", "ول", "فب", "فل"}
    assert [len(c) for c in _CLITICS] == sorted(len(c) for c in _CLITICS)  # the bare word is tried first


@given(st.text(alphabet="ابتكلمنهوسيةفدر", min_size=1, max_size=9))
@settings(max_examples=400)
def test_clitic_pieces_strips_the_longest_suffix_that_leaves_a_stem(word):
    """The suffix lookup by length (one set per length) answers like trying SUFFIXES in order."""
    pieces = clitics.clitic_pieces(word, word)
    if len(word) <= 3 or any(word[a:b] == clitics.ARTICLE for a, b, k in pieces if k == "prefix"):
        return  # too short to split; no suffix after the article
    stem_start = next((a for a, _b, k in pieces if k == "stem"), 0)
    expected = next((s for s in clitics.SUFFIXES if word.endswith(s, stem_start)
                     and len(word) - len(s) - stem_start >= 3), "")
    suffix = next((word[a:b] for a, b, k in pieces if k == "suffix"), "")
    assert suffix == expected
