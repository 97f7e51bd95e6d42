#!/usr/bin/env bash
# Usage: scripts/crash_test.sh [N]   (N kills, default 100; env: RASD=path/to/rasd, DOCS=3000, CYCLE=10, SEED=1)
# Crash test of `rasd ingest`: writes a collection of DOCS small documents (JSONL, text files, an RSS feed and
# HTML pages, built from a handful of Arabic sentences written below), ingests it once, uninterrupted, into a
# reference database, then N times starts `rasd ingest` on a second database and SIGKILLs it after a random
# delay. Every CYCLE kills (and after the last) one uninterrupted ingest finishes the second database, which must
# then pass `PRAGMA integrity_check`, hold as many documents and events as the reference, and hash, table by
# table, to the same content. After every kill the database must pass integrity_check and hold no duplicate.
# The second database starts afresh after each comparison, so kills land early in an ingest as well as late.
# Exits 1 with a message naming the difference; 2 on a usage or setup error. Needs python3 (its sqlite3 module).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n 2p "$0" | sed 's/^# //' >&2; }
case "${1:-}" in
    -h|--help) sed -n 2,10p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
N="${1:-100}"
DOCS="${DOCS:-3000}"
CYCLE="${CYCLE:-10}"
SEED="${SEED:-1}"
for v in "$N" "$DOCS" "$CYCLE" "$SEED"; do
    case "$v" in ''|*[!0-9]*) usage; exit 2 ;; esac
done
[ "$CYCLE" -ge 1 ] || { usage; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "crash_test: python3 is needed (its sqlite3 module checks the databases)" >&2; exit 2; }

# The binary: $RASD, else target/release/rasd, else target/debug/rasd, else a fresh release build.
if [ -z "${RASD:-}" ]; then
    if [ -x target/release/rasd ]; then
        RASD=target/release/rasd
    elif [ -x target/debug/rasd ]; then
        RASD=target/debug/rasd
    else
        echo "== building target/release/rasd"
        cargo build --release --locked -p rasd
        RASD=target/release/rasd
    fi
fi
[ -x "$RASD" ] || { echo "crash_test: $RASD is not an executable" >&2; exit 2; }
RASD="$(cd "$(dirname "$RASD")" && pwd)/$(basename "$RASD")"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/rasd-crash.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
CORPUS="$WORK/corpus"
REF="$WORK/ref.db"
DB="$WORK/crash.db"

echo "== corpus: $DOCS documents in $CORPUS (binary: $RASD)"
python3 - "$CORPUS" "$DOCS" <<'PY'
import json, os, sys
out, n = sys.argv[1], int(sys.argv[2])
# Team-written sentences in the style of wire reports; {p} a place, {n} a number, {d} a day of the month.
places = ["البوكمال", "الميادين", "هجين", "دير الزور", "الرقة", "تدمر", "الحسكة", "منبج", "إدلب", "حلب"]
acts = [
    "قتل {n} مدنيين في قصف جوي استهدف أحياء مدينة {p} فجر اليوم، بحسب المرصد السوري لحقوق الإنسان.",
    "أعلنت قوات النظام سيطرتها الكاملة على بلدة {p} بعد اشتباكات عنيفة مع تنظيم داعش استمرت أياما.",
    "نفت وكالة أعماق التابعة للتنظيم سقوط {p}، وقالت إن مقاتليها ما زالوا يسيطرون على أحيائها الشرقية.",
    "انفجرت سيارة مفخخة قرب حاجز عسكري عند مدخل {p} يوم {d} تشرين الثاني، ما أدى إلى مقتل {n} أشخاص.",
    "تظاهر مئات من أهالي {p} أمس احتجاجا على انقطاع الكهرباء وارتفاع الأسعار.",
    "قالت مصادر محلية إن قوات سوريا الديمقراطية انسحبت من قرى في ريف {p} الشرقي دون قتال.",
]
os.makedirs(os.path.join(out, "txt"), exist_ok=True)
os.makedirs(os.path.join(out, "html"), exist_ok=True)
jsonl = [[], [], []]
rss = []
def text_of(i):
    p = places[i % len(places)]
    parts = []
    for k in range(2 + i % 2):
        a = acts[(i // 3 + 2 * k) % len(acts)]
        parts.append(a.format(p=p, n=(i * 7 + k) % 90 + 2, d=1 + i % 28))
    parts.append(f"(تقرير رقم {i})")
    return " ".join(parts)
for i in range(n):
    text = text_of(i)
    # Every 97th document repeats an earlier text under another id: an alias, not a new document.
    if i % 97 == 96:
        text = text_of(i - 50)
    day = f"2017-11-{1 + i % 28:02d}"
    kind = i % 20
    if kind == 0:
        with open(os.path.join(out, "txt", f"report-{i:05d}.txt"), "w", encoding="utf-8") as f:
            f.write(text)
    elif kind == 1:
        with open(os.path.join(out, "html", f"page-{i:05d}.html"), "w", encoding="utf-8") as f:
            f.write(f'<html><head><title>تقرير {i}</title><meta property="og:site_name" content="sohr">'
                    f'<meta property="article:published_time" content="{day}T10:00:00Z"></head>'
                    f'<body><nav>الرئيسية</nav><article><p>{text}</p></article></body></html>')
    elif kind == 2:
        rss.append(f"<item><guid>r{i:05d}</guid><pubDate>{day}</pubDate><description>{text}</description></item>")
    else:
        jsonl[i % 3].append(json.dumps({"id": f"d{i:05d}", "outlet": "sohr", "published": day, "text": text},
                                       ensure_ascii=False))
for k, lines in enumerate(jsonl):
    with open(os.path.join(out, f"part-{k}.jsonl"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
        if k == 1:
            f.write('{"id": "broken", "text": \n')  # a bad line: recorded as a failure, the run goes on
with open(os.path.join(out, "feed.rss"), "w", encoding="utf-8") as f:
    f.write('<?xml version="1.0"?><rss version="2.0"><channel><title>sohr</title>'
            + "".join(rss) + "</channel></rss>")
PY

# check.py DB [REF]: integrity_check and no duplicate; with REF, the counts and table hashes must be equal.
cat >"$WORK/check.py" <<'PY'
import hashlib, sqlite3, sys

# Columns left out: insertion order (seq) and wall-clock times (ingested_at, at), which differ between runs.
TABLES = {
    "docs": "id, hash, url, outlet, published, title, text, sketch, near_dup_of, extractor, origin, format",
    "events": "*",
    "failures": "origin, reason",
    "doc_aliases": "*",
    "incidents": "*",
    "incident_events": "*",
    "control_claims": "place_id, date, source, json",
    "contradictions": "*",
    "places": "*",
}

def fail(msg):
    print(flush=True)  # end a progress line left open on standard output
    print(f"crash_test: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)

def state(path, full):
    c = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    ok = c.execute("PRAGMA integrity_check").fetchone()[0]
    if ok != "ok":
        fail(f"{path}: integrity_check says {ok!r}")
    names = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    docs = 0
    if "docs" in names:
        q = lambda sql: c.execute(sql).fetchone()[0]
        for sql, what in [
            ("SELECT count(*) - count(DISTINCT id) FROM docs", "duplicate document ids"),
            ("SELECT count(*) - count(DISTINCT hash) FROM docs", "duplicate texts"),
            ("SELECT count(*) FROM events WHERE doc_id NOT IN (SELECT id FROM docs)", "events without their document"),
            ("SELECT count(*) FROM docs WHERE extractor IS NULL", "documents stored without their extraction"),
        ]:
            if q(sql):
                fail(f"{path}: {q(sql)} {what}")
        docs = q("SELECT count(*) FROM docs")
    if not full:
        return docs
    s = {"tables": {}}
    for t, cols in TABLES.items():
        if t not in names:
            fail(f"{path}: table {t} is missing")
        rows = c.execute(f"SELECT {cols} FROM {t}").fetchall()
        h = hashlib.sha256()
        for line in sorted(repr(r) for r in rows):
            h.update(line.encode())
            h.update(b"\n")
        s["tables"][t] = (len(rows), h.hexdigest()[:16])
    s["dirty"] = c.execute("SELECT value FROM meta WHERE key = 'dirty'").fetchone()
    s["version"] = c.execute("PRAGMA user_version").fetchone()[0]
    return s

db = sys.argv[1]
if len(sys.argv) == 2:
    print(state(db, False))  # the documents stored so far
    sys.exit(0)
got, want = state(db, True), state(sys.argv[2], True)
if want["tables"]["docs"][0] == 0:
    fail("the reference database holds no document")
for key in ("version", "dirty"):
    if got[key] != want[key]:
        fail(f"{key}: {got[key]!r}, the reference has {want[key]!r}")
bad = [f"{t}: {got['tables'][t][0]} rows (hash {got['tables'][t][1]}), the reference has "
       f"{want['tables'][t][0]} rows (hash {want['tables'][t][1]})"
       for t in TABLES if got["tables"][t] != want["tables"][t]]
if bad:
    fail("the database differs from the reference after the final ingest:\n  " + "\n  ".join(bad))
d, e = want["tables"]["docs"][0], want["tables"]["events"][0]
print(f"same as the reference: {d} documents, {e} events, {len(TABLES)} tables hashed")
PY

now_ms() { date +%s%3N; }
ingest() { "$RASD" ingest --db "$1" --quiet "$CORPUS"; }

echo "== reference ingest"
t0=$(now_ms)
ingest "$REF" || { echo "crash_test: the reference ingest failed" >&2; exit 1; }
REF_MS=$(( $(now_ms) - t0 ))
REF_DOCS=$(python3 "$WORK/check.py" "$REF")
# Start-up (loading the lexicon) before any document is read: the ingest of an empty directory.
mkdir -p "$WORK/empty"
t0=$(now_ms)
"$RASD" ingest --db "$WORK/empty.db" --quiet "$WORK/empty" >/dev/null 2>&1 || true
START_MS=$(( $(now_ms) - t0 ))
echo "   reference run: ${REF_MS} ms for ${REF_DOCS} documents; start-up ${START_MS} ms"

RANDOM=$SEED
killed=0 finished=0 compared=0 since=0 have=0 at_none=0 at_some=0 at_all=0
finish_and_compare() {
    ingest "$DB" || { echo "crash_test: FAIL: the uninterrupted ingest after $killed kills exited non-zero" >&2; exit 1; }
    python3 "$WORK/check.py" "$DB" "$REF"
    compared=$((compared + 1))
    rm -f "$DB" "$DB-wal" "$DB-shm"
    since=0 have=0
}
echo "== $N kills (a fresh database every $CYCLE kills, or sooner when nearly every document is in)"
for i in $(seq 1 "$N"); do
    # Aim inside the work left (storing the missing documents, then the final reconcile), plus a tenth.
    left_ms=$(( (REF_MS - START_MS) * (REF_DOCS - have) / REF_DOCS ))
    [ "$left_ms" -gt 0 ] || left_ms=1
    delay=$(( START_MS + (RANDOM * 32768 + RANDOM) % (left_ms * 11 / 10 + 1) ))
    "$RASD" ingest --db "$DB" --quiet "$CORPUS" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    if kill -KILL "$pid" 2>/dev/null; then
        killed=$((killed + 1))
    else
        finished=$((finished + 1))
    fi
    wait "$pid" 2>/dev/null || true
    have=$(python3 "$WORK/check.py" "$DB") || { echo "crash_test: after kill $i (at ${delay} ms)" >&2; exit 1; }
    if [ "$have" -eq 0 ]; then at_none=$((at_none + 1)); elif [ "$have" -lt "$REF_DOCS" ]; then at_some=$((at_some + 1)); else at_all=$((at_all + 1)); fi
    since=$((since + 1))
    if [ "$since" -ge "$CYCLE" ] || [ "$i" -eq "$N" ] || [ $((have * 10)) -ge $((REF_DOCS * 9)) ]; then
        printf '   after kill %d (%d of %d documents in): ' "$i" "$have" "$REF_DOCS"
        finish_and_compare
    fi
done
if [ "$N" -eq 0 ]; then
    finish_and_compare
fi
echo "   after the kills: no document stored $at_none times, some $at_some times, all $at_all times (killed in the reconcile, or finished)"
echo "crash_test: OK: $N runs started, $killed killed mid-run, $finished finished before the kill; $compared finishing ingests equal to the reference"
