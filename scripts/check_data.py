#!/usr/bin/env python3
"""Validate the reviewed data files under data/ (lexicons and gazetteer).

Run from anywhere: `python3 scripts/check_data.py`. Exits non-zero and prints one line per problem when a file is
malformed: wrong header, wrong column count, duplicate ids, empty source, unknown type/kind, dangling parent
references, non-numeric coordinates or coordinates outside the rough bounding box of the row's country, and
Arabic aliases that collide (after the same letter normalisation the engine applies) between two different rows.
Standard library only, so it runs in CI without the data venv.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

HEADERS = {
    "gazetteer/geonames.tsv": "id name name_ar aliases country admin1 lat lon population feature source",
    "gazetteer/admin1.tsv": "id name name_ar aliases country admin1 lat lon source",
    "gazetteer/admin1_ar.tsv": "country admin1 name name_ar aliases source seat",
    "gazetteer/geonames_fixes.tsv": "id name_ar add_aliases drop_aliases source",
    "gazetteer/curated.tsv": "id name name_ar aliases country admin1 lat lon kind parent source",
    "lexicon/actors.tsv": "id name_en name_ar aliases type country parent source",
    "lexicon/coref.tsv": "word applies_to source",
    "lexicon/outlets.tsv": "id name_en name_ar aliases kind country affiliated_actor source",
    "lexicon/countries.tsv": "iso2 name name_ar place_names context_names lat lon capital source",
}

ACTOR_TYPES = {
    "state_forces", "rebel_group", "political_militia", "identity_militia",
    "rioters", "protesters", "civilians", "external_other",
}
OUTLET_KINDS = {"agency", "outlet", "monitor", "party", "official", "local_sources", "unnamed"}
CURATED_KINDS = {
    "village", "town", "district", "neighbourhood", "oil_field", "gas_field", "crossing", "camp", "base",
    "airport", "dam", "road", "bridge", "mountain", "island", "region",
}

# Canonical ids fixed by the project brief: every one must exist.
CANONICAL_ACTORS = """syria-gov isis isis-sinai sdf ypg pmf hezbollah iran irgc russia us-coalition usa turkey sna fsa hts
nusra iraq-gov iraq-police peshmerga houthis yemen-gov stc saudi-coalition aqap lna gna saf rsf israel hamas pij
al-shabaab somalia-gov egypt-gov egypt-police unidentified-armed-group civilians protesters rioters""".split()
CANONICAL_OUTLETS = """sana amaq sohr afp reuters ap russian-media russia-mod hmeimim tasnim almanar hezbollah-war-media
sdf-media coalition syria-army-command aljazeera alarabiya alaraby anadolu saba almasirah ina iraq-security-media-cell
iraq-joint-ops lna-media saf-spokesman rsf-media idf-spokesman gaza-health-ministry wafa egypt-army-spokesman
skynews-arabia local-sources activists witnesses medical-sources security-sources military-sources
unnamed-sources""".split()

# Rough bounding boxes (lat_min, lat_max, lon_min, lon_max), padded by ~0.5 degree: a sanity net for swapped or
# mistyped coordinates, not a border test.
BBOX = {
    "SY": (32.0, 37.9, 35.4, 42.6), "IQ": (28.8, 37.6, 38.5, 48.9), "JO": (29.0, 33.6, 34.7, 39.6),
    "LB": (32.8, 34.9, 34.8, 36.9), "PS": (31.0, 32.8, 34.0, 35.8), "IL": (29.3, 33.6, 34.0, 36.0),
    "TR": (35.5, 42.4, 25.5, 45.1), "YE": (11.8, 19.3, 41.5, 54.8), "SA": (15.8, 32.5, 34.2, 56.0),
    "EG": (21.5, 32.0, 24.5, 37.2), "LY": (19.3, 33.5, 9.0, 25.5), "SD": (8.5, 22.5, 21.5, 39.0),
    "IR": (24.8, 40.0, 43.8, 63.6), "KW": (28.3, 30.4, 46.3, 48.7), "AE": (22.4, 26.4, 51.3, 56.6),
    "QA": (24.3, 26.4, 50.5, 51.9), "BH": (25.5, 26.6, 50.2, 50.9), "OM": (16.4, 26.8, 51.7, 60.1),
    "SO": (-2.0, 12.3, 40.8, 51.7), "DZ": (18.7, 37.4, -9.0, 12.3), "TN": (30.0, 37.8, 7.2, 11.9),
    "MA": (20.5, 36.2, -17.5, -0.7), "SS": (3.2, 12.5, 23.2, 36.2),
    "ML": (9.7, 25.5, -12.8, 4.8), "BF": (9.0, 15.6, -6.0, 2.9), "NE": (11.2, 24.0, 0.0, 16.5),
    "NG": (4.0, 14.0, 2.6, 14.7), "TD": (7.4, 23.5, 13.4, 24.0), "MR": (14.7, 27.3, -17.1, -4.8),
    "KE": (-5.2, 5.6, 33.4, 42.4), "UG": (-2.0, 4.7, 29.0, 35.5),
}

_TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def norm_ar(s: str) -> str:
    """Letter-fold an alias roughly the way the engine's matcher does (hamza/alef, ta marbuta, alef maqsura,
    tashkeel, Persian letter forms)."""
    s = _TASHKEEL.sub("", s)
    s = re.sub("[أإآٱ]", "ا", s).replace("ة", "ه").replace("ى", "ي").replace("ؤ", "و").replace("ئ", "ي")
    # Persian/Urdu letter forms GeoNames uses in some Arabic-script alternates.
    s = s.replace("ی", "ي").replace("ک", "ك").replace("ە", "ه").replace("ھ", "ه").replace("ہ", "ه").replace("ۀ", "ه")
    return " ".join(s.lower().split())


class Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.rows: dict[str, list[dict[str, str]]] = {}

    def err(self, where: str, msg: str) -> None:
        self.problems.append(f"{where}: {msg}")

    def load(self, rel: str, required: bool = True) -> list[dict[str, str]]:
        path = DATA / rel
        if not path.exists():
            if required:
                self.err(rel, "missing")
            self.rows[rel] = []
            return []
        cols = HEADERS[rel].split()
        out: list[dict[str, str]] = []
        with path.open(encoding="utf-8", newline="") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if not lines or lines[0] != "\t".join(cols):
            self.err(rel, f"header must be exactly {cols!r}")
            self.rows[rel] = []
            return []
        for n, line in enumerate(lines[1:], start=2):
            if line.startswith("#") or line == "":
                continue
            cells = line.split("\t")
            if len(cells) != len(cols):
                self.err(f"{rel}:{n}", f"{len(cells)} columns, expected {len(cols)}")
                continue
            if any(c != c.strip() for c in cells):
                self.err(f"{rel}:{n}", "cell with leading/trailing whitespace")
            row = dict(zip(cols, cells))
            row["_line"] = str(n)
            if not row["source"].strip():
                self.err(f"{rel}:{n}", "empty source")
            out.append(row)
        self.rows[rel] = out
        return out

    def unique(self, rel: str, key: str) -> set[str]:
        seen: set[str] = set()
        for r in self.rows[rel]:
            v = r[key]
            if not v:
                self.err(f"{rel}:{r['_line']}", f"empty {key}")
            elif v in seen:
                self.err(f"{rel}:{r['_line']}", f"duplicate {key} {v!r}")
            seen.add(v)
        return seen

    def alias_collisions(self, rel: str) -> None:
        owner: dict[str, str] = {}
        for r in self.rows[rel]:
            names = [r["name_ar"], *[a for a in r["aliases"].split("|") if a]]
            mine: set[str] = set()
            for a in names:
                k = norm_ar(a)
                if k in mine:
                    continue
                mine.add(k)
                if k in owner and owner[k] != r["id"]:
                    self.err(f"{rel}:{r['_line']}", f"alias {a!r} also names {owner[k]}")
                owner.setdefault(k, r["id"])

    def coords(self, rel: str, r: dict[str, str]) -> None:
        where = f"{rel}:{r['_line']}"
        try:
            lat, lon = float(r["lat"]), float(r["lon"])
        except ValueError:
            self.err(where, f"non-numeric lat/lon {r['lat']!r},{r['lon']!r}")
            return
        box = BBOX.get(r["country"])
        if box is None:
            self.err(where, f"country {r['country']!r} not covered")
        elif not (box[0] <= lat <= box[1] and box[2] <= lon <= box[3]):
            self.err(where, f"{lat},{lon} outside the {r['country']} box")

    def run(self) -> int:
        actors = self.load("lexicon/actors.tsv")
        actor_ids = self.unique("lexicon/actors.tsv", "id")
        for cid in CANONICAL_ACTORS:
            if cid not in actor_ids:
                self.err("lexicon/actors.tsv", f"canonical actor {cid} missing")
        for r in actors:
            where = f"lexicon/actors.tsv:{r['_line']}"
            if r["type"] not in ACTOR_TYPES:
                self.err(where, f"unknown type {r['type']!r}")
            if r["parent"] and r["parent"] not in actor_ids:
                self.err(where, f"unknown parent {r['parent']!r}")
            if r["country"] and not re.fullmatch("[A-Z]{2}", r["country"]):
                self.err(where, f"bad country {r['country']!r}")
            if not r["name_ar"] or not r["name_en"]:
                self.err(where, "empty name")
        self.alias_collisions("lexicon/actors.tsv")

        outlets = self.load("lexicon/outlets.tsv")
        outlet_ids = self.unique("lexicon/outlets.tsv", "id")
        for cid in CANONICAL_OUTLETS:
            if cid not in outlet_ids:
                self.err("lexicon/outlets.tsv", f"canonical source {cid} missing")
        for r in outlets:
            where = f"lexicon/outlets.tsv:{r['_line']}"
            if r["kind"] not in OUTLET_KINDS:
                self.err(where, f"unknown kind {r['kind']!r}")
            if r["affiliated_actor"] and r["affiliated_actor"] not in actor_ids:
                self.err(where, f"unknown affiliated_actor {r['affiliated_actor']!r}")
        self.alias_collisions("lexicon/outlets.tsv")

        self.load("lexicon/coref.tsv")
        self.unique("lexicon/coref.tsv", "word")
        for r in self.rows["lexicon/coref.tsv"]:
            for t in r["applies_to"].split("|"):
                if t not in ACTOR_TYPES and t not in actor_ids:
                    self.err(f"lexicon/coref.tsv:{r['_line']}", f"applies_to {t!r} is neither a type nor an id")

        gn = self.load("gazetteer/geonames.tsv")
        place_ids = self.unique("gazetteer/geonames.tsv", "id")
        prev = None
        for r in gn:
            where = f"gazetteer/geonames.tsv:{r['_line']}"
            self.coords("gazetteer/geonames.tsv", r)
            if not re.fullmatch(r"gn:\d+", r["id"]):
                self.err(where, f"bad id {r['id']!r}")
            key = int(r["id"][3:]) if r["id"][3:].isdigit() else -1
            if prev is not None and key <= prev:
                self.err(where, "not sorted by id")
            prev = key
            if not r["population"].isdigit():
                self.err(where, f"bad population {r['population']!r}")
        self.load("gazetteer/geonames_fixes.tsv")
        self.unique("gazetteer/geonames_fixes.tsv", "id")
        for r in self.rows["gazetteer/geonames_fixes.tsv"]:
            if r["id"] not in place_ids:
                self.err(f"gazetteer/geonames_fixes.tsv:{r['_line']}", f"{r['id']} not in geonames.tsv")
        adm = self.load("gazetteer/admin1.tsv")
        adm_ids = self.unique("gazetteer/admin1.tsv", "id")
        for r in adm:
            self.coords("gazetteer/admin1.tsv", r)
            if r["id"] != f"adm1:{r['admin1']}":
                self.err(f"gazetteer/admin1.tsv:{r['_line']}", "id must be adm1:<admin1>")
        self.load("gazetteer/admin1_ar.tsv")
        seen_adm: set[tuple[str, str]] = set()
        gn_by_id = {r["id"]: r for r in gn}
        adm_by_id = {r["id"]: r for r in adm}
        for r in self.rows["gazetteer/admin1_ar.tsv"]:
            where = f"gazetteer/admin1_ar.tsv:{r['_line']}"
            k = (r["country"], r["admin1"])
            if k in seen_adm:
                self.err(where, f"duplicate {k}")
            seen_adm.add(k)
            if f"adm1:{r['admin1']}" not in adm_ids and adm:
                self.err(where, f"admin1 {r['admin1']} not in admin1.tsv")
            # The seat (capital) must be a place of the same admin1, and admin1.tsv must sit on it.
            if r["seat"]:
                seat = gn_by_id.get(r["seat"])
                if seat is None:
                    self.err(where, f"seat {r['seat']!r} not in geonames.tsv")
                elif seat["admin1"] != r["admin1"]:
                    self.err(where, f"seat {r['seat']} is in {seat['admin1'] or 'no admin1'}, not {r['admin1']}")
                elif "seat:" not in r["source"]:
                    self.err(where, "seat without a 'seat:' source")
                else:
                    placed = adm_by_id.get(f"adm1:{r['admin1']}")
                    if placed and (placed["lat"], placed["lon"]) != (seat["lat"], seat["lon"]):
                        self.err(where, f"admin1.tsv not at seat {r['seat']}: regenerate with scripts/build_gazetteer.py")
        place_ids |= adm_ids

        cur = self.load("gazetteer/curated.tsv", required=False)
        cur_ids = self.unique("gazetteer/curated.tsv", "id")
        if place_ids & cur_ids:
            self.err("gazetteer/curated.tsv", "ids overlap geonames/admin1")
        all_ids = place_ids | cur_ids
        for r in cur:
            where = f"gazetteer/curated.tsv:{r['_line']}"
            if not r["id"].startswith("cur:"):
                self.err(where, f"id must start with cur: ({r['id']!r})")
            if r["kind"] not in CURATED_KINDS:
                self.err(where, f"unknown kind {r['kind']!r}")
            if r["parent"] and r["parent"] not in all_ids:
                self.err(where, f"unknown parent {r['parent']!r}")
            if r["admin1"] and f"adm1:{r['admin1']}" not in adm_ids and adm:
                self.err(where, f"unknown admin1 {r['admin1']!r}")
            if not r["name_ar"]:
                self.err(where, "empty name_ar")
            self.coords("gazetteer/curated.tsv", r)

        # Countries: a point is a centroid, not a town, so no box test; place names and a point go together.
        self.load("lexicon/countries.tsv")
        self.unique("lexicon/countries.tsv", "iso2")
        for r in self.rows["lexicon/countries.tsv"]:
            where = f"lexicon/countries.tsv:{r['_line']}"
            if not re.fullmatch("[A-Z]{2}", r["iso2"]):
                self.err(where, f"bad iso2 {r['iso2']!r}")
            point = (r["lat"], r["lon"]) != ("-", "-")
            if point:
                try:
                    lat, lon = float(r["lat"]), float(r["lon"])
                    if abs(lat) > 90 or abs(lon) > 180:
                        self.err(where, f"{lat},{lon} out of range")
                except ValueError:
                    self.err(where, f"non-numeric lat/lon {r['lat']!r},{r['lon']!r}")
            if point != (r["place_names"] != "-"):
                self.err(where, "place_names and a point go together")
            if r["capital"] != "-" and r["capital"] not in all_ids:
                self.err(where, f"capital {r['capital']!r} is not a gazetteer id")
        for rel, rows in self.rows.items():
            print(f"{rel}: {len(rows)} rows", file=sys.stderr)
        for p in self.problems:
            print(p)
        return 1 if self.problems else 0


if __name__ == "__main__":
    sys.exit(Checker().run())
