#!/usr/bin/env bash
# Documents/s of N `rasd worker` processes on one JSONL file (BENCHMARKS.md, "Documents/s with 1 and 2 workers").
#
#   eval "$(scripts/cluster-local.sh up)"
#   scripts/bench_workers.sh N FILE.jsonl [SHARD_SIZE]       # RASD: the binary (default target/release/rasd)
#
# Creates a fresh database and stream prefix, starts N workers, pushes FILE, waits until `rasd queue status` shows
# nothing pending or in flight, stops the workers (SIGTERM), runs `rasd reconcile --worker --once`, and prints the
# documents/s of push + drain and the reconcile time. The database is dropped at the end.
set -euo pipefail
N=${1:?N workers}
FILE=${2:?FILE.jsonl}
SHARD=${3:-500}
RASD=${RASD:-target/release/rasd}
: "${RASD_DB:?set RASD_DB (eval \"\$(scripts/cluster-local.sh up)\")}"
: "${RASD_NATS:?set RASD_NATS}"
command -v bc >/dev/null || { echo "bench_workers.sh needs bc" >&2; exit 1; }
NAME=bench_w${N}_$$
STREAM=BENCH_W${N}_$$
DB=${RASD_DB%/*}/$NAME
DOCS=$(wc -l <"$FILE")
psql "$RASD_DB" -qc "CREATE DATABASE $NAME"
trap 'psql "$RASD_DB" -qc "DROP DATABASE IF EXISTS $NAME WITH (FORCE)"' EXIT
pids=()
for i in $(seq 1 "$N"); do
    "$RASD" worker --stream "$STREAM" --db "$DB" 2>"/tmp/$NAME-w$i.log" &
    pids+=($!)
done
sleep 2
t0=$(date +%s.%N)
"$RASD" queue push --stream "$STREAM" --shard-size "$SHARD" "$FILE"
until "$RASD" queue status --stream "$STREAM" --json | grep -q '"pending":0,"in_flight":0'; do sleep 0.2; done
t1=$(date +%s.%N)
kill -TERM "${pids[@]}"
wait
t2=$(date +%s.%N)
"$RASD" reconcile --worker --once --stream "$STREAM" --db "$DB"
t3=$(date +%s.%N)
echo "workers=$N shard=$SHARD documents=$DOCS seconds=$(echo "$t1 - $t0" | bc) documents/s=$(echo "$DOCS / ($t1 - $t0)" | bc) reconcile_seconds=$(echo "$t3 - $t2" | bc)"
echo "worker logs: /tmp/$NAME-w*.log"
