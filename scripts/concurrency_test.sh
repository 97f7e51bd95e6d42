#!/usr/bin/env bash
# Usage: scripts/concurrency_test.sh [DOCS]   (default 20000; env: RASD=path/to/rasd, LOOPS=8, SECOND=DOCS/10)
# Concurrency test of a rasd database (issue 11): one `rasd ingest` of DOCS documents while LOOPS query loops
# (events, events --json, incidents, timeline, contradictions, sources, export jsonl, export csv, show, status)
# run against the same database, plus a second ingest of DOCS + SECOND documents (the first batch again, then
# SECOND new ones), started with it on the new database, and a `rasd reprocess --all`, started once the first
# documents are stored. Both ingests read standard input, so a document's origin is the same whichever stores it,
# and the documents arrive in the same order in every interleaving (rasd links near-duplicates to the copy that
# arrived first, so arrival order is part of the result; a second batch of overlapping but differently ordered
# documents would make a serial run's tables depend on which ingest went first). No
# command may fail: every ingest and the reprocess exit 0, every query exits 0 or 1 (1: nothing matched) with no
# error. Then the final tables must equal those of a serial run of the same three commands, compared by row
# counts and SHA-256 hashes table by table (as scripts/crash_test.sh does), and pass `PRAGMA integrity_check`.
# Exits 1 with a message naming the failure; 2 on a usage or setup error. Needs python3 (its sqlite3 module).
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
    -h|--help) sed -n 2,14p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
DOCS="${1:-20000}"
LOOPS="${LOOPS:-8}"
SECOND="${SECOND:-$((DOCS / 10))}"
for v in "$DOCS" "$LOOPS" "$SECOND"; do
    case "$v" in ''|*[!0-9]*) sed -n 2p "$0" | sed 's/^# //' >&2; exit 2 ;; esac
done
[ "$DOCS" -ge 10 ] && [ "$LOOPS" -ge 1 ] && [ "$LOOPS" -le 10 ] || { echo "concurrency_test: DOCS >= 10, 1 <= LOOPS <= 10" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "concurrency_test: python3 is needed" >&2; exit 2; }

if [ -z "${RASD:-}" ]; then
    if [ -x target/release/rasd ]; then
        RASD=target/release/rasd
    else
        echo "== building target/release/rasd"
        cargo build --release --locked -p rasd
        RASD=target/release/rasd
    fi
fi
[ -x "$RASD" ] || { echo "concurrency_test: $RASD is not an executable" >&2; exit 2; }
RASD="$(cd "$(dirname "$RASD")" && pwd)/$(basename "$RASD")"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/rasd-concurrency.XXXXXX")"
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
A="$WORK/first.jsonl"
B="$WORK/second.jsonl"
SERIAL="$WORK/serial.db"
DB="$WORK/concurrent.db"

echo "== corpus: $DOCS documents, then the same $DOCS and $SECOND new ones; binary: $RASD"
python3 - "$A" "$B" "$DOCS" "$SECOND" <<'PY'
import json, sys
a, b, n, m = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
# Team-written sentences in the style of wire reports (as in scripts/crash_test.sh).
places = ["البوكمال", "الميادين", "هجين", "دير الزور", "الرقة", "تدمر", "الحسكة", "منبج", "إدلب", "حلب"]
outlets = ["sohr", "sana", "alaraby", "amaq", "reuters"]
acts = [
    "قتل {n} مدنيين في قصف جوي استهدف أحياء مدينة {p} فجر اليوم، بحسب المرصد السوري لحقوق الإنسان.",
    "أعلنت قوات النظام سيطرتها الكاملة على بلدة {p} بعد اشتباكات عنيفة مع تنظيم داعش استمرت أياما.",
    "نفت وكالة أعماق التابعة للتنظيم سقوط {p}، وقالت إن مقاتليها ما زالوا يسيطرون على أحيائها الشرقية.",
    "انفجرت سيارة مفخخة قرب حاجز عسكري عند مدخل {p} يوم {d} تشرين الثاني، ما أدى إلى مقتل {n} أشخاص.",
    "تظاهر مئات من أهالي {p} أمس احتجاجا على انقطاع الكهرباء وارتفاع الأسعار.",
    "قالت مصادر محلية إن قوات سوريا الديمقراطية انسحبت من قرى في ريف {p} الشرقي دون قتال.",
]
def line(i):
    p = places[i % len(places)]
    parts = [acts[(i // 3 + 2 * k) % len(acts)].format(p=p, n=(i * 7 + k) % 90 + 2, d=1 + i % 28)
             for k in range(2 + i % 2)]
    parts.append(f"(تقرير رقم {i})")
    day = f"2017-{10 + i % 3:02d}-{1 + i % 28:02d}"
    return json.dumps({"id": f"d{i:06d}", "outlet": outlets[i % len(outlets)], "published": day,
                       "text": " ".join(parts)}, ensure_ascii=False)
with open(a, "w", encoding="utf-8") as f:
    f.write("\n".join(line(i) for i in range(n)) + "\n")
# The second batch: the first one again (each document stored once), then m new documents.
with open(b, "w", encoding="utf-8") as f:
    f.write("\n".join(line(i) for i in range(n + m)) + "\n")
PY

cat >"$WORK/check.py" <<'PY'
import hashlib, sqlite3, sys
# Columns left out: insertion order (seq) and wall-clock times (ingested_at, at), which differ between runs.
TABLES = {
    "docs": "id, hash, url, outlet, published, title, text, sketch, near_dup_of, extractor, origin, format",
    "events": "*", "failures": "origin, reason", "doc_aliases": "*", "incidents": "*", "incident_events": "*",
    "control_claims": "place_id, date, source, json", "contradictions": "*", "places": "*",
}
def state(path):
    c = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    ok = c.execute("PRAGMA integrity_check").fetchone()[0]
    if ok != "ok":
        sys.exit(f"concurrency_test: FAIL: {path}: integrity_check says {ok!r}")
    s = {}
    for t, cols in TABLES.items():
        h = hashlib.sha256()
        rows = c.execute(f"SELECT {cols} FROM {t}").fetchall()
        for r in sorted(repr(r) for r in rows):
            h.update(r.encode()); h.update(b"\n")
        s[t] = (len(rows), h.hexdigest()[:16])
    s["dirty"] = c.execute("SELECT value FROM meta WHERE key = 'dirty'").fetchone()
    return s
got, want = state(sys.argv[1]), state(sys.argv[2])
for t in TABLES:
    print(f"   {t:16} {want[t][0]:>8} rows  {want[t][1]}  {'same' if got[t] == want[t] else 'DIFFERS: %d rows %s' % got[t]}")
if got != want:
    sys.exit("concurrency_test: FAIL: the concurrent run's tables differ from the serial run's")
print(f"same as the serial run: {len(TABLES)} tables hashed")
PY

now_ms() { date +%s%3N; }
secs() { printf '%d.%01d s' $(($1 / 1000)) $((($1 % 1000) / 100)); }

echo "== serial run: ingest, second ingest, reprocess --all"
t0=$(now_ms)
"$RASD" ingest --db "$SERIAL" --quiet - <"$A"
t1=$(now_ms)
"$RASD" ingest --db "$SERIAL" --quiet - <"$B"
t2=$(now_ms)
"$RASD" reprocess --db "$SERIAL" --all --quiet
t3=$(now_ms)
echo "   ingest $(secs $((t1 - t0))), second ingest $(secs $((t2 - t1))), reprocess $(secs $((t3 - t2)))"

# One query loop: runs its command until $WORK/stop exists; writes "runs failures max_ms" to $WORK/loop-K.
query_loop() {
    local k=$1; shift
    local runs=0 bad=0 max=0 t s code
    while [ ! -e "$WORK/stop" ]; do
        t=$(now_ms)
        set +e
        "$RASD" "$@" --db "$DB" >/dev/null 2>"$WORK/loop-$k.err"
        code=$?
        set -e
        s=$(( $(now_ms) - t ))
        if [ $code -eq 2 ] && grep -q "no rasd database here" "$WORK/loop-$k.err" && [ $runs -eq 0 ]; then
            sleep 0.05; continue   # the first ingest has not created the database yet
        fi
        runs=$((runs + 1))
        [ $s -gt $max ] && max=$s
        if [ $code -gt 1 ] || grep -qiE "error|locked|panick" "$WORK/loop-$k.err"; then
            bad=$((bad + 1))
            { echo "rasd $* (exit $code):"; cat "$WORK/loop-$k.err"; } >>"$WORK/failures"
        fi
    done
    echo "$runs $bad $max" >"$WORK/loop-$k"
}
QUERIES=(
    "events --since 2017-11-01"
    "events --json --place البوكمال"
    "incidents"
    "timeline البوكمال"
    "contradictions"
    "sources"
    "export --format jsonl"
    "export --format csv"
    "show d000007"
    "status"
)

echo "== concurrent run: ingest of $DOCS with $LOOPS query loops; the second ingest and the reprocess start during it"
rm -f "$WORK/stop" "$WORK/failures"
t0=$(now_ms)
for k in $(seq 0 $((LOOPS - 1))); do
    # shellcheck disable=SC2086
    query_loop "$k" ${QUERIES[$k]} &
    PIDS="$PIDS $!"
done
"$RASD" ingest --db "$DB" --quiet - <"$A" >"$WORK/ingest1.out" 2>&1 &
I1=$!
# The second ingest starts at once (two writers on a new database); the reprocess once the first documents are in.
sleep 0.1
"$RASD" ingest --db "$DB" --quiet - <"$B" >"$WORK/ingest2.out" 2>&1 &
I2=$!
until [ -e "$DB" ] && python3 -c "import sqlite3,sys; c=sqlite3.connect('file:$DB?mode=ro', uri=True); sys.exit(0 if c.execute('SELECT count(*) FROM docs').fetchone()[0] > 0 else 1)" 2>/dev/null; do
    kill -0 $I1 2>/dev/null || break
    sleep 0.2
done
echo "   first documents stored after $(secs $(( $(now_ms) - t0 ))); starting the reprocess"
"$RASD" reprocess --db "$DB" --all --quiet >"$WORK/reprocess.out" 2>&1 &
R=$!
status=0
for w in "$I1:first ingest" "$I2:second ingest" "$R:reprocess"; do
    pid=${w%%:*} name=${w#*:}
    if wait "$pid"; then
        echo "   $name: exit 0 after $(secs $(( $(now_ms) - t0 )))"
    else
        code=$?
        echo "concurrency_test: FAIL: $name exited $code:" >&2
        cat "$WORK/$( [ "$name" = reprocess ] && echo reprocess || { [ "$name" = "first ingest" ] && echo ingest1 || echo ingest2; } ).out" >&2
        status=1
    fi
done
# The writers have finished, in whatever order: the tables must be the serial run's all the same.
touch "$WORK/stop"
for p in $PIDS; do wait "$p" || true; done
PIDS=""
total=0 failed=0
for k in $(seq 0 $((LOOPS - 1))); do
    read -r runs bad max <"$WORK/loop-$k"
    total=$((total + runs)) failed=$((failed + bad))
    printf '   query loop %d: %-34s %4d runs, %d failed, slowest %s\n' "$k" "${QUERIES[$k]}" "$runs" "$bad" "$(secs "$max")"
done
if [ -s "$WORK/failures" ]; then
    echo "concurrency_test: FAIL: queries failed:" >&2
    head -40 "$WORK/failures" >&2
    status=1
fi
[ $status -eq 0 ] || exit 1
python3 "$WORK/check.py" "$DB" "$SERIAL"
echo "concurrency_test: OK: 3 writers and $LOOPS query loops ($total queries) on $DOCS + $((DOCS + SECOND)) documents; none failed; tables equal the serial run's"
