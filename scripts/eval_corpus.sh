#!/usr/bin/env bash
# Scores `rasd extract` on the HELD-OUT corpus annotation (eval/corpus/test.jsonl).
#
# The texts are not in the repository: the gold lines point at reports in ../shared/corpus by `corpus_id` and
# `corpus_file`, and `rasd eval events` reads them at run time. Never tune rules on this set; report its score.
#
#   scripts/eval_corpus.sh                 # tables
#   scripts/eval_corpus.sh --json          # one JSON object
#   CORPUS_DIR=/path/to/corpus scripts/eval_corpus.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${CORPUS_DIR:-$root/../shared/corpus}"
gold="$root/eval/corpus/test.jsonl"
if [ ! -d "$corpus" ]; then
  echo "eval_corpus.sh: $corpus not found (set CORPUS_DIR); nothing scored" >&2
  exit 2
fi
if [ -x "$root/target/release/rasd" ]; then
  rasd="$root/target/release/rasd"
else
  cargo build --quiet --release -p rasd --manifest-path "$root/Cargo.toml"
  rasd="$root/target/release/rasd"
fi
exec "$rasd" eval events "$gold" --corpus-dir "$corpus" "$@"
