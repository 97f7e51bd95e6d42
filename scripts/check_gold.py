#!/usr/bin/env python3
"""Validate rasd gold files (the formats of /work/brief/gold-formats.md).

Accepts the three gold kinds and tells them apart per line:
  * events gold, one document per line (eval/events/dev.jsonl) or one sentence per line
    (eval/events/sentences.jsonl): {"id", "published", "outlet", "text", "events": [...]}
  * held-out corpus gold (eval/corpus/*.jsonl): like events gold but with "corpus_id" and
    "corpus_file" instead of "text"; the text is read from the shared corpus directory
  * entities gold (eval/entities/gold.jsonl): {"id", "text", "mentions": [...]}

Every problem is printed as `file:line: message`; the exit status is 1 when there is at least one
error, 0 otherwise. Warnings (printed with `warning:`) never change the exit status.

Usage:
  python3 scripts/check_gold.py [--stats] [--allow-unknown-ids] [--corpus-dir DIR] FILE...
  python3 scripts/check_gold.py            # checks eval/events/*.jsonl, eval/entities/*.jsonl, eval/corpus/*.jsonl
"""
import argparse
import datetime as dt
import glob
import json
import os
import re
import sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TAXONOMY = {
    "Battles": ["Armed clash", "Government regains territory", "Non-state actor overtakes territory"],
    "Explosions/Remote violence": ["Chemical weapon", "Air/drone strike", "Suicide bomb",
                                   "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade"],
    "Violence against civilians": ["Sexual violence", "Attack", "Abduction/forced disappearance"],
    "Protests": ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Strategic developments": ["Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
                               "Headquarters or base established", "Looting/property destruction",
                               "Non-violent transfer of territory", "Other"],
}
PARENT = {sub: typ for typ, subs in TAXONOMY.items() for sub in subs}

# Fallback lists (common.md) used only when data/lexicon/*.tsv are missing.
FALLBACK_ACTORS = """syria-gov isis isis-sinai sdf ypg pmf hezbollah iran irgc russia us-coalition usa turkey sna fsa
hts nusra iraq-gov iraq-police peshmerga houthis yemen-gov stc saudi-coalition aqap lna gna saf rsf israel hamas pij
al-shabaab somalia-gov egypt-gov egypt-police unidentified-armed-group civilians protesters rioters""".split()
FALLBACK_SOURCES = """sana amaq sohr afp reuters ap russian-media russia-mod hmeimim tasnim almanar hezbollah-war-media
sdf-media coalition syria-army-command aljazeera alarabiya alaraby anadolu saba almasirah ina iraq-security-media-cell
iraq-joint-ops lna-media saf-spokesman rsf-media idf-spokesman gaza-health-ministry wafa egypt-army-spokesman
skynews-arabia local-sources activists witnesses medical-sources security-sources military-sources
unnamed-sources""".split()

DATE_PRECISIONS = {"day", "week", "month", "year", "unknown"}
STANCES = {"asserted", "denied", "expected", "hedged"}
MENTION_KINDS = {"place", "actor", "outlet"}
# Region covered by rasd (West Africa/Maghreb to Iran, Horn of Africa to Turkey), generous bounds.
LAT_RANGE = (-5.0, 42.5)
LON_RANGE = (-20.0, 65.0)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SLUG_RE = re.compile(r"^outlet:[a-z0-9][a-z0-9.-]*$")
WEEKDAYS = {"الاثنين": 0, "الإثنين": 0, "الثلاثاء": 1, "الأربعاء": 2, "الخميس": 3, "الجمعة": 4, "السبت": 5,
            "الأحد": 6}


def load_ids(path, fallback):
    """Read the `id` column of a lexicon TSV (comment lines start with '#'); fall back to common.md."""
    if not os.path.exists(path):
        return set(fallback), False
    ids = set()
    with open(path, encoding="utf-8") as f:
        header = None
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if header is None:
                header = cols
                continue
            ids.add(cols[header.index("id")] if "id" in header else cols[0])
    return ids | set(fallback), True


class Checker:
    def __init__(self, args):
        self.args = args
        self.actors, _ = load_ids(os.path.join(ROOT, "data/lexicon/actors.tsv"), FALLBACK_ACTORS)
        self.sources, _ = load_ids(os.path.join(ROOT, "data/lexicon/outlets.tsv"), FALLBACK_SOURCES)
        self.errors = 0
        self.warnings = 0
        self.corpus_cache = {}
        self.stats = {}

    # -- reporting -------------------------------------------------------------------------
    def err(self, where, msg):
        self.errors += 1
        print(f"{where}: {msg}")

    def warn(self, where, msg):
        self.warnings += 1
        print(f"{where}: warning: {msg}")

    def check_id(self, where, value, known, what):
        if value in known:
            return
        if what == "source" and isinstance(value, str) and SLUG_RE.match(value):
            return  # `outlet:<slug>` for publishers without a canonical id (eval/corpus convention)
        if self.args.allow_unknown_ids and isinstance(value, str) and value:
            self.warn(where, f"unknown {what} id {value!r}")
        else:
            self.err(where, f"unknown {what} id {value!r}")

    # -- shared corpus --------------------------------------------------------------------
    def corpus_text(self, corpus_file, corpus_id):
        d = self.args.corpus_dir
        if corpus_file not in self.corpus_cache:
            texts = {}
            path = os.path.join(d, corpus_file)
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    for line in f:
                        if line.strip():
                            obj = json.loads(line)
                            texts[obj["id"]] = obj
            else:
                texts = None
            self.corpus_cache[corpus_file] = texts
        texts = self.corpus_cache[corpus_file]
        if texts is None:
            return None, False
        return texts.get(corpus_id), True

    # -- one file ----------------------------------------------------------------------------
    def check_file(self, path):
        seen = set()
        st = self.stats.setdefault(path, Counter())
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
        for n, raw in enumerate(lines, 1):
            where = f"{path}:{n}"
            if not raw.strip():
                self.err(where, "empty line")
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as e:
                self.err(where, f"invalid JSON: {e}")
                continue
            if not isinstance(obj, dict):
                self.err(where, "line is not a JSON object")
                continue
            oid = obj.get("id")
            if not isinstance(oid, str) or not oid:
                self.err(where, "missing or empty 'id'")
            elif oid in seen:
                self.err(where, f"duplicate id {oid!r}")
            seen.add(oid)
            if "mentions" in obj:
                self.check_entities(where, obj, st)
            else:
                self.check_events_line(where, obj, st)

    # -- entities gold ---------------------------------------------------------------------
    def check_entities(self, where, obj, st):
        text = obj.get("text")
        if not isinstance(text, str) or not text:
            self.err(where, "missing 'text'")
            return
        mentions = obj.get("mentions")
        if not isinstance(mentions, list):
            self.err(where, "'mentions' must be a list")
            return
        st["lines"] += 1
        for i, m in enumerate(mentions):
            w = f"{where}: mention {i}"
            st["mentions"] += 1
            if not isinstance(m, dict):
                self.err(w, "mention is not an object")
                continue
            surface = m.get("surface")
            if not isinstance(surface, str) or not surface:
                self.err(w, "missing 'surface'")
                continue
            count = sum(1 for k in range(len(text)) if text.startswith(surface, k))
            if count == 0:
                self.err(w, f"surface {surface!r} is not a substring of text")
            occ = m.get("occurrence")
            if not isinstance(occ, int) or isinstance(occ, bool) or occ < 1:
                self.err(w, f"occurrence must be an integer >= 1, got {occ!r}")
            elif count and occ > count:
                self.err(w, f"occurrence {occ} but {surface!r} occurs {count} time(s)")
            kind = m.get("kind")
            if kind not in MENTION_KINDS:
                self.err(w, f"kind must be one of {sorted(MENTION_KINDS)}, got {kind!r}")
                continue
            st[f"kind:{kind}"] += 1
            if kind == "place":
                lat, lon = m.get("lat"), m.get("lon")
                if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (lat, lon)):
                    self.err(w, "place needs numeric lat and lon")
                elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    self.err(w, f"lat/lon out of range: {lat}, {lon}")
                country = m.get("country")
                if not (isinstance(country, str) and re.fullmatch(r"[A-Z]{2}", country)):
                    self.err(w, f"country must be an ISO 3166 alpha-2 code, got {country!r}")
                gid = m.get("geonames_id")
                if gid is not None and not (isinstance(gid, int) and not isinstance(gid, bool)):
                    self.err(w, "geonames_id must be an integer or null")
            elif kind == "actor":
                self.check_id(w, m.get("id"), self.actors, "actor")
            else:
                self.check_id(w, m.get("id"), self.sources, "source")

    # -- events gold (documents, sentences, corpus) --------------------------------------------
    def check_events_line(self, where, obj, st):
        is_corpus = "corpus_id" in obj
        text = obj.get("text")
        if is_corpus:
            cf, cid = obj.get("corpus_file"), obj.get("corpus_id")
            if not isinstance(cf, str) or not isinstance(cid, str):
                self.err(where, "corpus line needs string 'corpus_file' and 'corpus_id'")
                text = None
            else:
                rec, available = self.corpus_text(cf, cid)
                if not available:
                    text = None
                    st["corpus_text_missing"] += 1
                elif rec is None:
                    self.err(where, f"corpus id {cid!r} not found in {cf}")
                    text = None
                else:
                    text = rec.get("text")
                    if obj.get("published") != rec.get("published"):
                        self.warn(where, f"published {obj.get('published')!r} differs from corpus "
                                         f"{rec.get('published')!r}")
        elif not isinstance(text, str) or not text:
            self.err(where, "missing 'text'")
            return
        pub = obj.get("published")
        pub_date = None
        if pub is not None:
            pub_date = self.parse_date(where, pub, "published")
        elif not is_corpus and "events" in obj and obj.get("outlet") is not None:
            self.warn(where, "document without 'published'")
        outlet = obj.get("outlet")
        if outlet is not None:
            self.check_id(where, outlet, self.sources, "source")
        if "title" in obj and obj["title"] is not None and not isinstance(obj["title"], str):
            self.err(where, "'title' must be a string or null")
        events = obj.get("events")
        if not isinstance(events, list):
            self.err(where, "'events' must be a list")
            return
        st["lines"] += 1
        if not events:
            st["no_event_lines"] += 1
        if isinstance(text, str) and pub_date is not None:
            self.check_weekdays(where, text, pub_date)
        for i, ev in enumerate(events):
            self.check_event(f"{where}: event {i}", ev, text, outlet, st)

    def parse_date(self, where, value, field):
        if not isinstance(value, str) or not DATE_RE.match(value):
            self.err(where, f"{field} must be YYYY-MM-DD, got {value!r}")
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.err(where, f"{field} is not a calendar date: {value!r}")
            return None

    def check_weekdays(self, where, text, pub):
        """Flag 'أمس الخميس' / 'اليوم الجمعة' that disagree with the publication date (warning only)."""
        for m in re.finditer(r"(?<!من )\bأمس\s+(?:ال)?(\S+)", text):
            day = m.group(0).split()[-1]
            if day in WEEKDAYS and (pub - dt.timedelta(days=1)).weekday() != WEEKDAYS[day]:
                self.warn(where, f"'{m.group(0)}' does not match published {pub} (yesterday was "
                                 f"{(pub - dt.timedelta(days=1)).strftime('%A')})")
        for m in re.finditer(r"اليوم\s+(\S+)", text):
            day = m.group(1)
            if day in WEEKDAYS and pub.weekday() != WEEKDAYS[day]:
                self.warn(where, f"'{m.group(0)}' does not match published {pub} ({pub.strftime('%A')})")

    def check_event(self, w, ev, text, outlet, st):
        if not isinstance(ev, dict):
            self.err(w, "event is not an object")
            return
        required = ["event_type", "sub_event_type", "event_date", "date_precision", "actor1", "actor2",
                    "location", "fatalities", "fatalities_cumulative", "territory_share", "reported_by",
                    "stance", "background", "evidence"]
        for k in required:
            if k not in ev:
                self.err(w, f"missing field {k!r}")
        sub, typ = ev.get("sub_event_type"), ev.get("event_type")
        if sub not in PARENT:
            self.err(w, f"sub_event_type {sub!r} is not one of the 25 ACLED sub-event types")
        elif typ != PARENT[sub]:
            self.err(w, f"event_type {typ!r} does not match sub_event_type {sub!r} (expected {PARENT[sub]!r})")
        st[f"sub:{sub}"] += 1
        st["events"] += 1
        date, prec = ev.get("event_date"), ev.get("date_precision")
        if prec not in DATE_PRECISIONS:
            self.err(w, f"date_precision must be one of {sorted(DATE_PRECISIONS)}, got {prec!r}")
        if date is None:
            if prec != "unknown":
                self.err(w, "event_date is null but date_precision is not 'unknown'")
        else:
            self.parse_date(w, date, "event_date")
            if prec == "unknown":
                self.err(w, "event_date is set but date_precision is 'unknown'")
        for k in ("actor1", "actor2"):
            a = ev.get(k)
            if a is not None:
                self.check_id(f"{w}: {k}", a, self.actors, "actor")
        loc = ev.get("location")
        if loc is not None:
            if not isinstance(loc, dict):
                self.err(w, "location must be an object or null")
            else:
                if not isinstance(loc.get("name_ar"), str) or not loc.get("name_ar"):
                    self.err(w, "location.name_ar missing")
                lat, lon = loc.get("lat"), loc.get("lon")
                if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (lat, lon)):
                    self.err(w, "location needs numeric lat and lon")
                elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    self.err(w, f"lat/lon {lat}, {lon} is no coordinate")
                elif not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
                    # An act abroad that a report tells (a deal signed in Switzerland, an Afghan battle in Arabic
                    # press) is real gold; rasd's gazetteer just cannot place it. A warning, so that a swapped pair
                    # still shows.
                    self.warn(w, f"lat/lon {lat}, {lon} outside the covered region")
                if loc.get("geo_precision") not in (1, 2, 3):
                    self.err(w, f"geo_precision must be 1, 2 or 3, got {loc.get('geo_precision')!r}")
        fat = ev.get("fatalities")
        if fat is not None and (not isinstance(fat, int) or isinstance(fat, bool) or fat < 0):
            self.err(w, f"fatalities must be a non-negative integer or null, got {fat!r}")
        for k in ("fatalities_cumulative", "background"):
            if k in ev and not isinstance(ev[k], bool):
                self.err(w, f"{k} must be true or false")
        if ev.get("fatalities_cumulative") is True and fat is None:
            self.warn(w, "fatalities_cumulative is true but fatalities is null")
        share = ev.get("territory_share")
        if share is not None:
            if not isinstance(share, dict) or set(share) != {"min", "max"}:
                self.err(w, "territory_share must be {min, max} or null")
            else:
                lo, hi = share["min"], share["max"]
                for v in (lo, hi):
                    if v is not None and (not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 100):
                        self.err(w, f"territory_share bound {v!r} not a percentage")
                if lo is None and hi is None:
                    self.err(w, "territory_share with both bounds null should be null")
                if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo > hi:
                    self.err(w, f"territory_share min {lo} > max {hi}")
        rb = ev.get("reported_by")
        if not isinstance(rb, list):
            self.err(w, "reported_by must be a list")
        else:
            for s in rb:
                self.check_id(f"{w}: reported_by", s, self.sources, "source")
            if outlet is not None and rb and rb[-1] != outlet:
                self.warn(w, f"reported_by should end with the outlet {outlet!r}, ends with {rb[-1]!r}")
            if len(set(rb)) != len(rb):
                self.err(w, f"reported_by repeats a source: {rb}")
        stance = ev.get("stance")
        if stance not in STANCES:
            self.err(w, f"stance must be one of {sorted(STANCES)}, got {stance!r}")
        st[f"stance:{stance}"] += 1
        if ev.get("background") is True:
            st["background"] += 1
        if ev.get("fatalities_cumulative") is True:
            st["cumulative"] += 1
        evid = ev.get("evidence")
        if not isinstance(evid, str) or not evid.strip():
            self.err(w, "evidence must be a non-empty string")
        elif text is not None and evid not in text:
            self.err(w, f"evidence is not an exact substring of the text: {evid!r}")

    def print_stats(self):
        for path, st in self.stats.items():
            print(f"== {path}")
            for k in ("lines", "no_event_lines", "events", "background", "cumulative", "mentions",
                      "corpus_text_missing"):
                if st.get(k):
                    print(f"  {k}: {st[k]}")
            stances = {k[7:]: v for k, v in st.items() if k.startswith("stance:")}
            if stances:
                print("  stance: " + ", ".join(f"{k} {v}" for k, v in sorted(stances.items())))
            subs = {k[4:]: v for k, v in st.items() if k.startswith("sub:")}
            for typ, names in TAXONOMY.items():
                for s in names:
                    if subs or st.get("events"):
                        print(f"  {subs.get(s, 0):4d}  {typ} / {s}")
            kinds = {k[5:]: v for k, v in st.items() if k.startswith("kind:")}
            if kinds:
                print("  mention kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*")
    ap.add_argument("--stats", action="store_true", help="print counts per file and per sub-event type")
    ap.add_argument("--allow-unknown-ids", action="store_true",
                    help="report ids missing from the lexicons as warnings instead of errors")
    ap.add_argument("--corpus-dir", default=os.path.join(ROOT, "..", "shared", "corpus"),
                    help="where corpus_file texts live (default: ../shared/corpus from the repo root)")
    args = ap.parse_args()
    files = args.files or sorted(glob.glob(os.path.join(ROOT, "eval/events/*.jsonl"))
                                 + glob.glob(os.path.join(ROOT, "eval/entities/*.jsonl"))
                                 + glob.glob(os.path.join(ROOT, "eval/corpus/*.jsonl")))
    if not files:
        print("no gold files found", file=sys.stderr)
        return 1
    c = Checker(args)
    for path in files:
        if not os.path.exists(path):
            c.err(path, "file not found")
            continue
        c.check_file(path)
    if args.stats:
        c.print_stats()
    print(f"{len(files)} file(s), {c.errors} error(s), {c.warnings} warning(s)", file=sys.stderr)
    return 1 if c.errors else 0


if __name__ == "__main__":
    sys.exit(main())
