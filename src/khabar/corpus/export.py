"""Export a corpus store as tables in JSONL, CSV or Parquet (through pyarrow, for DuckDB, Spark
and pandas users).

Tables: ``articles``, ``entities``, ``mentions``, ``quotes``, ``timexes``, ``events``, ``gdelt``
(the events in GDELT-like columns: SQLDATE, Actor1Name, EventCode, QuadClass, SOURCEURL, ...) and
``analyses`` (the full ``khabar.article/1`` JSON of each article). Rows are streamed, so memory
stays flat on large corpora.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..dates import year_fraction
from ..errors import ExportError  # defined in khabar.errors (stable codes)
from .store import Store

TABLES = ("articles", "entities", "mentions", "quotes", "timexes", "events", "gdelt", "analyses")
FORMATS = ("jsonl", "csv", "parquet")

# Column types when the first batch holds only nulls (every Parquet batch needs one schema).
_INT_COLUMNS = {
    "id", "start", "end", "trigger_start", "trigger_end", "sentence", "articles", "mentions", "entity_id",
    "speaker_id", "actor1_id", "actor2_id", "location_id", "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year",
    "QuadClass", "NumMentions", "NumSources", "NumArticles", "IsRootEvent",
}
_FLOAT_COLUMNS = {"FractionDate"}

# CAMEO root code -> GDELT QuadClass (1 verbal cooperation, 2 material cooperation,
# 3 verbal conflict, 4 material conflict).
_QUAD = {**{f"{i:02d}": 1 for i in range(1, 6)}, **{f"{i:02d}": 2 for i in range(6, 9)},
         **{f"{i:02d}": 3 for i in range(9, 14)}, **{f"{i:02d}": 4 for i in range(14, 21)}}


def gdelt_row(ev: dict[str, Any]) -> dict[str, Any]:
    """One event row (from ``Store.rows('events')``) in GDELT 2.0-like columns, with khabar's
    own fields (PLOVER type, trigger, entity ids) kept at the end."""
    d = ev.get("date") or ev.get("published") or ""
    digits = d.replace("-", "")
    sqldate = int(digits.ljust(8, "0")[:8]) if digits[:4].isdigit() else None
    cameo = ev.get("cameo") or ""
    root = cameo[:2] if len(cameo) >= 2 else ""
    return {
        "GLOBALEVENTID": ev["id"], "SQLDATE": sqldate,
        "MonthYear": int(digits[:6]) if len(digits) >= 6 and digits[:6].isdigit() else None,
        "Year": int(digits[:4]) if digits[:4].isdigit() else None,
        "FractionDate": year_fraction(digits),
        "Actor1Code": ev.get("actor1_kb"), "Actor1Name": ev.get("actor1_en") or ev.get("actor1"),
        "Actor1NameAr": ev.get("actor1"), "Actor1Type": ev.get("actor1_type"),
        "Actor2Code": ev.get("actor2_kb"), "Actor2Name": ev.get("actor2_en") or ev.get("actor2"),
        "Actor2NameAr": ev.get("actor2"), "Actor2Type": ev.get("actor2_type"),
        "IsRootEvent": 1 if ev.get("sentence") == 0 else 0,
        "EventCode": cameo or None, "EventBaseCode": cameo[:3] or None, "EventRootCode": root or None,
        "QuadClass": _QUAD.get(root), "NumMentions": 1, "NumSources": 1, "NumArticles": 1,
        "ActionGeo_FullName": ev.get("location_en") or ev.get("location"), "ActionGeo_NameAr": ev.get("location"),
        "ActionGeo_Code": ev.get("location_kb"),
        "DATEADDED": (ev.get("published") or "").replace("-", "") or None, "SOURCEURL": ev.get("url"),
        "PloverType": ev.get("type"), "Trigger": ev.get("trigger_text"), "ArticleId": ev.get("article_id"),
        "Source": ev.get("source"), "actor1_id": ev.get("actor1_id"), "actor2_id": ev.get("actor2_id"),
        "location_id": ev.get("location_id"),
    }


def table_columns(store: Store, table: str) -> list[str]:
    """Column names of an export table, also when it has no rows."""
    if table == "gdelt":
        return list(gdelt_row({"id": 0}))
    if table == "analyses":
        return ["id", "analysis"]
    return store.columns(table)


def table_rows(store: Store, table: str) -> Iterator[dict[str, Any]]:
    """Rows of one export table."""
    if table == "gdelt":
        return (gdelt_row(r) for r in store.rows("events"))
    if table == "analyses":
        return ({"id": d["id"], "analysis": json.dumps(d, ensure_ascii=False)} for d in store.iter_articles())
    if table not in TABLES:
        raise ExportError(f"unknown table {table!r}; one of {', '.join(TABLES)}")
    return store.rows(table)


def export(store: Store, out_dir: str | Path, *, fmt: str = "jsonl",
           tables: Sequence[str] = ("articles", "entities", "quotes", "events", "gdelt")) -> list[tuple[Path, int]]:
    """Write each table to ``out_dir/<table>.<fmt>``; returns (path, rows written) per table."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    unknown = [t for t in tables if t not in TABLES]
    if unknown:
        raise ExportError(f"unknown table {unknown[0]!r}; one of {', '.join(TABLES)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        path = out / f"{table}.{fmt}"
        rows = table_rows(store, table)
        cols = table_columns(store, table)
        n = {"jsonl": _write_jsonl, "csv": _write_csv, "parquet": _write_parquet}[fmt](path, rows, cols)
        written.append((path, n))
    return written


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            if "analysis" in r and len(r) == 2:  # analyses: the article object itself, one per line
                f.write(r["analysis"] + "\n")
            else:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    return n


def _write_csv(path: Path, rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> int:
    n = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns))
        writer.writeheader()
        for r in rows:
            writer.writerow(r)
            n += 1
    return n


def _arrow_schema(rows: Sequence[dict[str, Any]]) -> Any:
    """Column types from the first non-null values (int, float, else string), falling back to
    the known integer/float column names for columns null in every row seen."""
    import pyarrow as pa

    fields = []
    for c in rows[0]:
        value = next((r[c] for r in rows if r.get(c) is not None), None)
        if isinstance(value, bool) or (value is None and c not in _INT_COLUMNS | _FLOAT_COLUMNS):
            t = pa.string()
        elif isinstance(value, int) or (value is None and c in _INT_COLUMNS):
            t = pa.int64()
        elif isinstance(value, float) or (value is None and c in _FLOAT_COLUMNS):
            t = pa.float64()
        else:
            t = pa.string()
        fields.append((c, t))
    return pa.schema(fields)


def _write_parquet(path: Path, rows: Iterable[dict[str, Any]], columns: Sequence[str], batch: int = 20_000) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        raise ExportError("Parquet export needs pyarrow (pip install pyarrow)") from None
    writer = None
    buf: list[dict[str, Any]] = []
    n = 0
    schema = None

    def flush() -> None:
        nonlocal writer, buf
        nonlocal schema
        if not buf:
            return
        if schema is None:
            schema = _arrow_schema(buf)
        table = pa.Table.from_pylist(buf, schema=schema)
        if writer is None:
            writer = pq.ParquetWriter(str(path), schema, compression="zstd")
        writer.write_table(table)
        buf = []

    for r in rows:
        buf.append(r)
        n += 1
        if len(buf) >= batch:
            flush()
    flush()
    if writer is not None:
        writer.close()
    else:  # no rows: an empty table with the columns, typed by name
        pq.write_table(_arrow_schema([dict.fromkeys(columns)]).empty_table(), str(path))
    return n
