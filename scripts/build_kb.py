#!/usr/bin/env python3
"""Build the packaged knowledge base ``src/khabar/data/kb.jsonl``.

Sources: CLDR locale data shipped in the ``babel`` package (Arabic and English names of all
countries/territories and of the exemplar cities of time zones), merged with the hand-written
seed tables in ``scripts/kb_seed/`` (Wikidata QIDs, spelling variants, nationality adjectives,
capitals and major cities, organisations, prominent people with their roles).

babel is a build-time dependency only (``pip install -e '.[dev]'``). Output is deterministic:
records are sorted, so rebuilding without changes gives the same file.

Usage: python scripts/build_kb.py [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location

ROOT = Path(__file__).resolve().parent.parent
SEED = Path(__file__).resolve().parent / "kb_seed"
DEFAULT_OUT = ROOT / "src" / "khabar" / "data" / "kb.jsonl"

# Priority decides between records sharing an alias (higher wins): a country over a city.
PRIO = {"country": 50, "region": 40, "org": 30, "person": 30, "misc": 20, "city": 10, "cldr_region": 5}
# CLDR pseudo-territories that are not places.
# Wikidata ids of Arab League members (their names keep غ as written).
ARAB = {"Q851", "Q79", "Q858", "Q796", "Q810", "Q822", "Q817", "Q846", "Q878", "Q398", "Q842", "Q805", "Q1016",
        "Q948", "Q262", "Q1028", "Q1049", "Q1025", "Q219060", "Q1045", "Q977", "Q970"}
SKIP_TERRITORIES = {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB", "001"}


def rows(name: str) -> list[list[str]]:
    out = []
    for line in (SEED / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        out.append(line.split("\t"))
    return out


def split_aliases(field: str) -> tuple[list[str], list[str]]:
    """Strong and weak (``~``-marked) aliases of a ``|``-separated field."""
    strong, weak = [], []
    for a in field.split("|"):
        a = a.strip()
        if not a:
            continue
        (weak if a.startswith("~") else strong).append(a.lstrip("~"))
    return strong, weak


def col(r: list[str], i: int) -> str:
    return r[i].strip() if i < len(r) else ""


def parse_roles(field: str, resolve) -> list[dict]:
    roles = []
    for item in filter(None, (x.strip() for x in field.split(","))):
        role, qual, years = (item.split("@") + ["", ""])[:3]
        start, _, end = years.partition("-")
        roles.append({"role": role, "of": resolve(qual), "from": int(start) if start else None,
                      "to": int(end) if end else None})
    return roles


def build() -> list[dict]:
    ar, en = Locale("ar"), Locale("en")
    weak_names = {line.strip() for line in (SEED / "weak.txt").read_text(encoding="utf-8").splitlines()
                  if line.strip() and not line.startswith("#")}
    records: dict[str, dict] = {}
    key_to_id: dict[str, str] = {}

    def add(rec: dict, key: str | None = None) -> dict:
        strong = [a for a in dict.fromkeys(rec.pop("aliases")) if a]
        weak = [a for a in dict.fromkeys(rec.pop("weak_aliases", [])) if a]
        rec["ar"] = [a for a in strong if a not in weak_names]
        rec["weak"] = [a for a in weak + [a for a in strong if a in weak_names] if a not in rec["ar"]]
        records[rec["id"]] = rec
        if key:
            key_to_id[key] = rec["id"]
        return rec

    # Countries: CLDR names + seed extras.
    seed_countries = {r[0]: r for r in rows("countries.tsv")}
    for iso, name_ar in sorted(ar.territories.items()):
        if not re.fullmatch("[A-Z]{2}", iso) or iso in SKIP_TERRITORIES:
            continue
        r = seed_countries.get(iso, [iso, "", "", ""])
        strong, weak = split_aliases(col(r, 2))
        adjs = [a for a in col(r, 3).split("|") if a]
        add({"id": col(r, 1) or f"cldr:{iso}", "type": "LOC", "kind": "country", "iso": iso,
             "en": en.territories.get(iso, iso), "aliases": [name_ar] + strong, "weak_aliases": weak,
             "adj": adjs, "prio": PRIO["country"]}, key=iso)

    # Regions and features (seed), then CLDR macro-regions not covered.
    region_en = set()
    for r in rows("regions.tsv"):
        strong, weak = split_aliases(col(r, 4))
        rid = col(r, 1) or f"khabar:{col(r, 0).lower()}"
        region_en.add(col(r, 3))
        add({"id": rid, "type": col(r, 2), "kind": "region", "en": col(r, 3), "aliases": strong,
             "weak_aliases": weak, "country": col(r, 5) or None, "prio": PRIO["region"]}, key=col(r, 0))
    for code, name_ar in sorted(ar.territories.items()):
        if re.fullmatch("[0-9]{3}", code) and code not in SKIP_TERRITORIES:
            name_en = en.territories.get(code, code)
            if name_en in region_en:
                continue
            add({"id": f"cldr:{code}", "type": "LOC", "kind": "region", "en": name_en,
                 "aliases": [name_ar], "prio": PRIO["cldr_region"]})

    # Cities: seed rows, merged with CLDR exemplar cities of time zones by English name.
    zone_territories = get_global("zone_territories")
    cldr_cities: dict[str, tuple[str, str]] = {}
    for zone in sorted(zone_territories):
        if zone.startswith("Etc/") or "/" not in zone:
            continue
        try:
            city_ar = get_timezone_location(zone, locale="ar", return_city=True)
            city_en = get_timezone_location(zone, locale="en", return_city=True)
        except Exception:  # babel lacks some zones in some versions  # noqa: BLE001
            continue
        if city_ar and city_en and re.search("[\u0621-\u064a]", city_ar):
            cldr_cities.setdefault(city_en, (city_ar, zone_territories[zone]))
    for r in rows("cities.tsv"):
        strong, weak = split_aliases(col(r, 3))
        en_name = col(r, 2)
        cldr = cldr_cities.pop(en_name.split(",")[0], None)
        if cldr:
            strong.append(cldr[0])
        add({"id": col(r, 1) or f"khabar:{col(r, 0).lower()}", "type": "LOC", "kind": "city", "en": en_name,
             "aliases": strong, "weak_aliases": weak, "country": col(r, 4) or (cldr[1] if cldr else None),
             "prio": PRIO["city"]}, key=col(r, 0))
    for city_en, (city_ar, iso) in sorted(cldr_cities.items()):
        cid = "cldr:" + re.sub(r"[^a-z0-9]+", "_", city_en.lower()).strip("_")
        if cid in records:
            continue
        add({"id": cid, "type": "LOC", "kind": "city", "en": city_en, "aliases": [city_ar],
             "country": iso, "prio": PRIO["city"]})

    # Organisations and named things.
    for r in rows("orgs.tsv"):
        strong, weak = split_aliases(col(r, 4))
        typ = col(r, 2)
        add({"id": col(r, 1) or f"khabar:{col(r, 0).lower()}", "type": typ,
             "kind": "org" if typ == "ORG" else "misc", "en": col(r, 3), "aliases": strong,
             "weak_aliases": weak, "country": col(r, 5) or None,
             "prio": PRIO["org" if typ == "ORG" else "misc"]}, key=col(r, 0))

    # People (roles refer to countries by ISO code or to other records by seed key).
    people = rows("people.tsv")
    for r in people:
        key_to_id.setdefault(col(r, 0), col(r, 1) or f"khabar:{col(r, 0).lower()}")

    def resolve(ref: str) -> str | None:
        if not ref:
            return None
        if ref not in key_to_id:
            raise SystemExit(f"people.tsv: unknown role qualifier {ref!r}")
        return key_to_id[ref]

    for r in people:
        strong, weak = split_aliases(col(r, 3))
        add({"id": col(r, 1) or f"khabar:{col(r, 0).lower()}", "type": "PER", "kind": "person",
             "en": col(r, 2), "aliases": strong, "weak_aliases": weak,
             "country": resolve(col(r, 4)) if col(r, 4) in key_to_id else None,
             "roles": parse_roles(col(r, 5), resolve), "prio": PRIO["person"]})

    # Country references by ISO code -> record id.
    for rec in records.values():
        c = rec.get("country")
        if c and c in key_to_id:
            rec["country"] = key_to_id[c]
        elif c and re.fullmatch("[A-Z]{2}", c):
            rec["country"] = f"cldr:{c}"
    # Foreign names are written with غ or ج for /g/ (نيكاراغوا / نيكاراجوا): index both.
    for rec in records.values():
        if rec["kind"] in ("country", "city", "region") or (rec["type"] == "PER" and rec.get("country") not in ARAB):
            rec["ar"] = list(dict.fromkeys(rec["ar"] + [a.replace("غ", "ج") for a in rec["ar"] if "غ" in a]))
    out = []
    for rec in sorted(records.values(), key=lambda r: (r["type"], r["id"])):
        out.append({k: v for k, v in rec.items() if v not in (None, [], "")})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output JSONL path")
    args = ap.parse_args(argv)
    recs = build()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    import babel

    with args.out.open("w", encoding="utf-8") as f:
        # first line: provenance (CLDR names change between babel releases)
        f.write(json.dumps({"_meta": {"babel": babel.__version__, "records": len(recs)}}) + "\n")
        for rec in recs:
            f.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    by_type: dict[str, int] = {}
    for rec in recs:
        by_type[rec["type"]] = by_type.get(rec["type"], 0) + 1
    print(f"wrote {len(recs)} records to {args.out} ({', '.join(f'{k} {v}' for k, v in sorted(by_type.items()))}; "
          f"{args.out.stat().st_size / 1024:.0f} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
