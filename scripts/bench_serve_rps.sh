#!/usr/bin/env bash
# Requests/s of `rasd serve` with each pool size, 200 sequential requests per path on one keep-alive connection
# (BENCHMARKS.md, "`rasd serve` on PostgreSQL").
#
#   scripts/bench_serve_rps.sh DB "POOL…" PATH…     # RASD: the binary (default target/release/rasd)
#   scripts/bench_serve_rps.sh "$RASD_DB" "0 8" /api/events /api/status
#
# For each pool size (`--pool`; 0 connects per request), starts the server on a free port, sends one request per
# path to warm it (the answers it keeps, the pool), then 200 in a row with one curl, and prints the requests/s and
# the statuses; then stops the server (SIGINT).
set -euo pipefail
DB=${1:?DB (postgres://… or an SQLite file)}
POOLS=${2:?pool sizes, e.g. "0 8"}
shift 2
[ $# -gt 0 ] || { echo "bench_serve_rps.sh: give at least one path" >&2; exit 2; }
RASD=${RASD:-target/release/rasd}
N=200
command -v bc >/dev/null || { echo "bench_serve_rps.sh needs bc" >&2; exit 1; }
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for pool in $POOLS; do
    "$RASD" serve --addr 127.0.0.1:0 --db "$DB" --pool "$pool" >"$OUT" &
    pid=$!
    for _ in $(seq 100); do grep -q http "$OUT" && break; sleep 0.2; done
    addr=$(grep -o 'http://[0-9.:]*' "$OUT") || { kill "$pid"; echo "the server did not start" >&2; exit 1; }
    for path in "$@"; do
        curl -s -o /dev/null "$addr$path"
        args=()
        for _ in $(seq "$N"); do args+=(-o /dev/null "$addr$path"); done
        t0=$(date +%s.%N)
        codes=$(curl -s -w '%{http_code}\n' "${args[@]}" | sort | uniq -c | tr -s ' \n' ' ')
        t1=$(date +%s.%N)
        printf 'pool %s  %s: %s requests in %.2f s, %.0f requests/s (statuses:%s)\n' "$pool" "$path" "$N" \
            "$(echo "$t1 - $t0" | bc)" "$(echo "$N / ($t1 - $t0)" | bc -l)" "$codes"
    done
    kill -INT "$pid"
    wait "$pid" 2>/dev/null || true
done
