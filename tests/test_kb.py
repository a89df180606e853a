"""The packaged knowledge base: built from CLDR + seed tables, indexed on normalised names."""

from __future__ import annotations

import json
from importlib import resources

from khabar.analysis.kb import adjective_forms, key_of, load_kb


def test_kb_file_is_small_and_well_formed():
    raw = resources.files("khabar.data").joinpath("kb.jsonl").read_bytes()
    assert len(raw) < 3_000_000
    ids = set()
    for line in raw.decode("utf-8").splitlines()[1:]:
        d = json.loads(line)
        assert d["type"] in ("PER", "ORG", "LOC", "MISC")
        assert d["en"] and (d.get("ar") or d.get("weak"))
        assert d["id"] not in ids
        ids.add(d["id"])


def test_countries_cities_orgs_people_are_found_by_normalised_name():
    kb = load_kb()
    assert kb.lookup(key_of("إيران")).id == "Q794"
    assert kb.lookup(key_of("ايران")).id == "Q794"  # bare alef
    assert kb.lookup(key_of("طاجيكستان")).en == "Tajikistan"
    assert kb.lookup(key_of("دوشنبه")).type == "LOC"
    assert kb.lookup(key_of("منظمة شنغهاي للتعاون")).type == "ORG"
    assert kb.lookup(key_of("مجلس الدوما")).en == "State Duma"
    assert kb.lookup(key_of("فلاديمير بوتين")).id == "Q7747"
    # CLDR brings countries the seed tables never mention
    assert kb.lookup(key_of("أورغواي")).id == "cldr:UY"


def test_countries_win_over_cities_sharing_a_name():
    kb = load_kb()
    assert kb.lookup(key_of("عمان")).kind == "country"  # Oman over Amman (same letters unvowelled)


def test_weak_aliases_are_marked():
    kb = load_kb()
    raisi = kb.lookup(key_of("رئيسي"))  # also the adjective "main"
    assert raisi is not None and kb.is_weak(key_of("رئيسي"), raisi.id)
    assert kb.lookup(key_of("رئيسي"), allow_weak=False) is None


def test_nationality_adjectives_map_to_countries_in_all_forms():
    kb = load_kb()
    for word in ("الإيراني", "الإيرانية", "الإيرانيين", "إيرانيون"):
        assert kb.country_of_adjective(key_of(word)[0]).id == "Q794", word
    assert kb.country_of_adjective(key_of("الأميركي")[0]).id == "Q30"
    assert kb.country_of_adjective(key_of("الأمريكية")[0]).id == "Q30"
    assert "الروسيه" in adjective_forms("روسي")


def test_role_holders_depend_on_the_year():
    kb = load_kb()
    iran = kb.lookup(key_of("إيران")).id
    assert [e.en for e in kb.holders("president", iran, 2022)] == ["Ebrahim Raisi"]
    assert [e.en for e in kb.holders("president", iran, 2015)] == ["Hassan Rouhani"]


def test_committed_kb_matches_the_build_script(tmp_path):
    """scripts/build_kb.py rebuilds exactly the committed file (seed edits need a rebuild)."""
    import subprocess
    import sys
    from pathlib import Path

    import pytest

    babel = pytest.importorskip("babel")
    meta = json.loads(resources.files("khabar.data").joinpath("kb.jsonl").read_text(encoding="utf-8").splitlines()[0])
    if meta["_meta"]["babel"] != babel.__version__:
        pytest.skip(f"KB built with babel {meta['_meta']['babel']}, installed {babel.__version__}")
    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "kb.jsonl"
    subprocess.run([sys.executable, str(root / "scripts" / "build_kb.py"), "--out", str(out)],
                   check=True, capture_output=True)
    committed = resources.files("khabar.data").joinpath("kb.jsonl").read_bytes()
    assert out.read_bytes() == committed
