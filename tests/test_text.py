"""Arabic text layer: normalisation, sentence segmentation, tokenisation."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.analysis.text import normalize, normalize_name, segment_sentences, tokenize

# Text drawn mostly from Arabic letters, diacritics, punctuation, digits and spaces.
ARABIC_ALPHABET = (
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىة" "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0640"
    "٠١٢٣٤٥٦٧٨٩۰۱۲" "،؛؟.!…:\"«»“”'" " \n" "abc123" "\ufefb\ufe8d\u200f\u200e\ufdf2"
)
arabic_text = st.text(alphabet=ARABIC_ALPHABET, max_size=300)


def test_normalize_folds_orthographic_variants():
    n = normalize("أَحْمَدُ إلى آمال مدرسة ٢٠٢١ «قال»")
    assert n.text == 'احمد الي امال مدرسه 2021 "قال"'


def test_normalize_maps_spans_back_to_original():
    original = "قالَ الرئيـــس"
    n = normalize(original)
    i = n.text.index("الرييس") if "الرييس" in n.text else n.text.index("الرئيس".replace("ئ", "ي"))
    s, e = n.span(i, len(n.text))
    assert original[s:e] == "الرئيـــس"


def test_presentation_forms_expand():
    assert normalize("\ufefb").text == "لا"  # the lam-alef ligature
    assert normalize_name("  الإمارات، العربية ") == "الامارات العربيه"


@given(arabic_text)
@settings(max_examples=300)
def test_normalize_is_idempotent(text):
    once = normalize(text).text
    assert normalize(once).text == once


@given(arabic_text)
@settings(max_examples=300)
def test_offset_map_is_monotone_and_in_range(text):
    n = normalize(text)
    assert len(n.offsets) == len(n.text) + 1
    assert n.offsets[-1] == len(text)
    assert all(0 <= a <= b <= len(text) for a, b in zip(n.offsets, n.offsets[1:]))
    for i in range(len(n.text)):
        s, e = n.span(i, i + 1)
        assert 0 <= s < e <= len(text)


@given(arabic_text)
@settings(max_examples=300)
def test_segmentation_covers_text_without_overlap(text):
    spans = segment_sentences(text)
    covered = set()
    prev_end = 0
    for s, e in spans:
        assert prev_end <= s < e <= len(text)
        prev_end = e
        covered.update(range(s, e))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def test_sentences_split_on_arabic_and_latin_punctuation_and_lines():
    text = "وصل الوفد. هل انتهى الاجتماع؟ نعم! ثم غادر…\nسطر جديد؛ وجملة أخرى"
    got = [text[s:e] for s, e in segment_sentences(text)]
    assert got == ["وصل الوفد.", "هل انتهى الاجتماع؟", "نعم!", "ثم غادر…", "سطر جديد؛", "وجملة أخرى"]


def test_no_split_inside_quotation_or_numbers():
    text = 'وقال الوزير: "وصلنا. وسنبقى هنا." ثم غادر. بلغ النمو 3.5 في المئة.'
    got = [text[s:e] for s, e in segment_sentences(text)]
    assert got == ['وقال الوزير: "وصلنا. وسنبقى هنا."', "ثم غادر.", "بلغ النمو 3.5 في المئة."]
    guillemets = "قال «هذا. وذاك» ثم مضى."
    assert [guillemets[s:e] for s, e in segment_sentences(guillemets)] == [guillemets]


def test_unbalanced_quote_does_not_swallow_the_line():
    text = 'قال "بدأنا العمل. وانتهى اللقاء.'
    assert len(segment_sentences(text)) == 2


def test_tokenize_separates_punctuation_and_numbers():
    text = "ارتفع بنسبة 3.5% (أمس)، في ١٥ أغسطس."
    toks = [t.text for t in tokenize(text)]
    assert toks == ["ارتفع", "بنسبة", "3.5%", "(", "أمس", ")", "،", "في", "١٥", "أغسطس", "."]
    assert all(text[t.start:t.end] == t.text for t in tokenize(text))


def test_tokenize_exposes_clitics_with_offsets():
    text = "وبالمدرسة وسيكتبونها للطلاب"
    toks = tokenize(text)
    segs = {t.text: [(s.text, s.kind) for s in t.segments] for t in toks}
    assert segs["وبالمدرسة"] == [("و", "prefix"), ("ب", "prefix"), ("ال", "prefix"), ("مدرسة", "stem")]
    assert segs["وسيكتبونها"] == [("و", "prefix"), ("س", "prefix"), ("يكتبون", "stem"), ("ها", "suffix")]
    assert segs["للطلاب"][-1] == ("طلاب", "stem")
    for t in toks:
        for s in t.segments:
            assert text[s.start:s.end] == s.text
        assert t.stem.text in t.text


def test_taa_marbuta_is_not_a_pronoun_suffix():
    (tok,) = tokenize("مهمة")
    assert tok.segments == ()


@given(arabic_text)
@settings(max_examples=200)
def test_tokens_and_segments_point_into_text(text):
    for t in tokenize(text):
        assert text[t.start:t.end] == t.text and t.text.strip()
        for s in t.segments:
            assert t.start <= s.start < s.end <= t.end and text[s.start:s.end] == s.text


def test_the_translation_table_answers_like_the_mapping():
    """normalize translates through a tuple indexed by code point: the same as the dict it is built from,
    for every character (those beyond the tuple are left alone, as missing keys are)."""
    from khabar.analysis.text.normalize import _MAPPING, _TABLE

    every = "".join(map(chr, range(0x110000)))
    assert every.translate(_TABLE) == every.translate(_MAPPING)


def test_normalize_remembers_only_the_very_same_text():
    a = "قالَ الرئيس " * 100
    b = "".join(reversed(a))  # another text of the same length
    assert normalize(a).text != normalize(b).text
    assert normalize(a) == normalize(a) and normalize("".join(list(a))).text == normalize(a).text


@given(arabic_text)
@settings(max_examples=200)
def test_tokenize_makes_the_tokens_the_constructor_makes(text):
    import pickle

    from khabar.model import Token

    for t in tokenize(text):
        made = Token(t.start, t.end, t.text, t.norm)
        assert t == made and hash(t) == hash(made) and repr(t) == repr(made)
        assert pickle.loads(pickle.dumps(t)) == made and t.norm == normalize(t.text).text


def test_the_segmenter_jumps_to_every_character_it_acts_on():
    from khabar.analysis.text import segment

    acted_on = set(segment._TERMINATORS) | segment._ALL_QUOTES
    assert {chr(c) for c in range(0x10000) if segment._SPECIAL_RE.match(chr(c))} == acted_on
