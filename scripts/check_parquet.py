#!/usr/bin/env python3
"""Check that `rasd export --format parquet` is readable by another Parquet reader (DuckDB) and agrees with the
JSONL export: row count, column types and, row by row, a few columns (id, dates, coordinates, fatalities, the
evidence text and byte offsets, confidence).

    scripts/check_parquet.py [--rasd BIN]          # ingest samples/ into a temporary database, export, check
    scripts/check_parquet.py FILE.parquet FILE.jsonl  # check two exports of the same database and filter

DuckDB comes from PyPI: when the running Python lacks it, the script makes a virtual environment (--venv, by
default target/parquet-check-venv, which git ignores), installs `duckdb` there and runs itself again with it.

Exit status: 0 the files agree; 1 they differ (each difference is printed); 2 rasd failed or bad arguments;
3 DuckDB could not be installed (no network or no pip: the caller may skip the check).
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CANNOT_INSTALL = 3

# Column: the DuckDB type it must have.
TYPES = {
    "id": "VARCHAR",
    "event_date": "DATE",
    "latitude": "DOUBLE",
    "longitude": "DOUBLE",
    "geo_precision": "BIGINT",
    "fatalities": "BIGINT",
    "evidence": "VARCHAR",
    "evidence_start": "BIGINT",
    "evidence_end": "BIGINT",
    "confidence": "DOUBLE",
    "location_carried": "BOOLEAN",
    "background": "BOOLEAN",
}


def jsonl_value(record, column):
    """The value a Parquet column should hold, from the JSONL record."""
    loc = record.get("location") or {}
    fat = record.get("fatalities") or {}
    ev = record.get("evidence") or {}
    return {
        "id": record.get("id"),
        "event_date": record.get("event_date"),
        "latitude": loc.get("lat"),
        "longitude": loc.get("lon"),
        "geo_precision": loc.get("geo_precision"),
        "admin1_code": loc.get("admin1_code"),
        "fatalities": fat.get("value"),
        "evidence": ev.get("text"),
        "evidence_start": ev.get("start"),
        "evidence_end": ev.get("end"),
        "confidence": record.get("confidence"),
        "background": bool(record.get("background", False)),
    }[column]


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=0, abs_tol=1e-12)
    return a == b


def check(parquet, jsonl):
    import duckdb

    records = [json.loads(line) for line in Path(jsonl).read_text(encoding="utf-8").splitlines() if line.strip()]
    con = duckdb.connect()
    src = "read_parquet(?)"
    problems = []
    types = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {src}", [str(parquet)]).fetchall()}
    for column, want in TYPES.items():
        if types.get(column) != want:
            problems.append(f"column {column}: type {types.get(column)}, expected {want}")
    (count,) = con.execute(f"SELECT count(*) FROM {src}", [str(parquet)]).fetchone()
    if count != len(records):
        problems.append(f"{count} rows in {parquet}, {len(records)} records in {jsonl}")
    columns = [c for c in ["id", "event_date", "latitude", "longitude", "geo_precision", "admin1_code", "fatalities",
                           "evidence", "evidence_start", "evidence_end", "confidence", "background"] if c in types]
    select = ", ".join(f"strftime({c}, '%Y-%m-%d')" if c == "event_date" else c for c in columns)
    # One file read in order: DuckDB keeps the file's row order.
    rows = con.execute(f"SELECT {select} FROM {src}", [str(parquet)]).fetchall()
    for i, (row, record) in enumerate(zip(rows, records)):
        for column, got in zip(columns, row):
            want = jsonl_value(record, column)
            if not same(got, want):
                problems.append(f"row {i} ({record.get('id')}), column {column}: {got!r} in Parquet, {want!r} in JSONL")
    dated = sum(1 for r in records if r.get("event_date"))
    (dated_rows,) = con.execute(f"SELECT count(event_date) FROM {src}", [str(parquet)]).fetchone()
    if dated_rows != dated:
        problems.append(f"{dated_rows} rows with a date in Parquet, {dated} in JSONL")
    for p in problems[:50]:
        print(f"check_parquet: {p}", file=sys.stderr)
    if problems:
        print(f"check_parquet: {len(problems)} difference(s)", file=sys.stderr)
        return 1
    print(f"check_parquet: DuckDB {duckdb.__version__} reads {count} rows of {len(types)} columns; they agree with "
          f"the JSONL export")
    return 0


def ensure_duckdb(venv):
    """Returns None when this Python has DuckDB, else re-runs the script under a venv that has it (exit status)."""
    try:
        import duckdb  # noqa: F401

        return None
    except ImportError:
        pass
    if os.environ.get("RASD_CHECK_PARQUET_VENV"):
        print("check_parquet: duckdb is not importable in the virtual environment", file=sys.stderr)
        return CANNOT_INSTALL
    venv = Path(venv)
    python = venv / "bin" / "python"
    if not python.exists():
        made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
        if made.returncode != 0:
            print(f"check_parquet: cannot make a virtual environment: {made.stderr.strip()}", file=sys.stderr)
            return CANNOT_INSTALL
    has = subprocess.run([str(python), "-c", "import duckdb"], capture_output=True)
    if has.returncode != 0:
        pip = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "duckdb>=1.0"],
                             capture_output=True, text=True)
        if pip.returncode != 0:
            print(f"check_parquet: cannot install duckdb: {pip.stderr.strip()[-500:]}", file=sys.stderr)
            return CANNOT_INSTALL
    env = dict(os.environ, RASD_CHECK_PARQUET_VENV="1")
    return subprocess.run([str(python), __file__, *sys.argv[1:]], env=env).returncode


def find_rasd():
    for p in [REPO / "target" / "release" / "rasd", REPO / "target" / "debug" / "rasd"]:
        if p.exists():
            return str(p)
    return "rasd"


def export_samples(rasd, workdir):
    db = workdir / "samples.db"
    parquet, jsonl = workdir / "events.parquet", workdir / "events.jsonl"
    steps = [
        [rasd, "ingest", str(REPO / "samples"), "--db", str(db)],
        [rasd, "export", "--format", "jsonl", "--db", str(db), "--output", str(jsonl)],
        [rasd, "export", "--format", "parquet", "--db", str(db), "--output", str(parquet)],
    ]
    for cmd in steps:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True)
        except OSError as e:
            print(f"check_parquet: cannot run {rasd}: {e}", file=sys.stderr)
            return None
        if done.returncode != 0:
            print(f"check_parquet: {' '.join(cmd)} failed: {done.stderr.strip()}", file=sys.stderr)
            return None
    return parquet, jsonl


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", metavar="FILE", help="a Parquet export and the JSONL export to compare")
    ap.add_argument("--rasd", help="the rasd binary (default: target/release/rasd, target/debug/rasd or PATH)")
    ap.add_argument("--venv", default=str(REPO / "target" / "parquet-check-venv"),
                    help="the virtual environment to install DuckDB into when this Python lacks it")
    args = ap.parse_args()
    if args.files and len(args.files) != 2:
        ap.error("give a Parquet file and a JSONL file, or neither")
    rerun = ensure_duckdb(args.venv)
    if rerun is not None:
        return rerun
    if args.files:
        return check(*args.files)
    with tempfile.TemporaryDirectory(prefix="rasd-check-parquet-") as tmp:
        files = export_samples(args.rasd or find_rasd(), Path(tmp))
        if files is None:
            return 2
        return check(*files)


if __name__ == "__main__":
    sys.exit(main())
