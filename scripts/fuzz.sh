#!/usr/bin/env bash
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
# Runs every cargo-fuzz target of fuzz/ (or the TARGETs named) for SECONDS each (default 60), seeded from
# fuzz/seeds/<target>/ (team-written inputs modelled on the test fixtures), and prints one line per target:
# executions, seconds, crashes. New corpus entries go to fuzz/corpus/<target>/ and crashing inputs to
# fuzz/artifacts/<target>/ (both git-ignored), never into the seeds. libFuzzer stops a target at its first crash,
# so `crashes` is 0 or 1 per target and run. Exits 1 when a target crashed.
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); the nightly features it uses are enabled on the stable
# toolchain with RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
    -h|--help) sed -n 2,9p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
SECONDS_EACH="${1:-60}"
shift || true
case "$SECONDS_EACH" in
    ''|*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...] (SECONDS must be a whole number)" >&2; exit 2 ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: install it with \`cargo install cargo-fuzz --locked\`" >&2
    exit 2
fi
export RUSTC_BOOTSTRAP=1

if [ "$#" -gt 0 ]; then
    TARGETS=("$@")
else
    mapfile -t TARGETS < <(cargo fuzz list)
fi

echo "== building ${#TARGETS[@]} fuzz targets"
for t in "${TARGETS[@]}"; do
    cargo fuzz build "$t" >/dev/null 2>&1 || cargo fuzz build "$t"
done

LOGDIR="fuzz/target/logs"
mkdir -p "$LOGDIR"
failed=0
printf '%-16s %12s %8s %8s  %s\n' target executions seconds crashes artifact
for t in "${TARGETS[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/seeds/$t"
    log="$LOGDIR/$t.log"
    rc=0
    # The first directory receives new inputs; the seeds are read only.
    cargo fuzz run "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
        -max_total_time="$SECONDS_EACH" -print_final_stats=1 >"$log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    crashes=0
    if [ "$rc" -ne 0 ] || [ -n "$artifact" ]; then
        crashes=1
        failed=1
    fi
    printf '%-16s %12s %8s %8s  %s\n' "$t" "${execs:-?}" "${secs:-$SECONDS_EACH}" "$crashes" "${artifact:--}"
done
if [ "$failed" -ne 0 ]; then
    echo "crashes found: see the artifacts above and the logs in $LOGDIR/" >&2
    echo "reproduce with: RUSTC_BOOTSTRAP=1 cargo fuzz run <target> <artifact>" >&2
    exit 1
fi
