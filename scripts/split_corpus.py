#!/usr/bin/env python3
"""Split ../shared/corpus into train / dev / test, stratified by file and kind, by id.

The split is a pure function of each report's id (a salted SHA-256 rank inside its stratum), so it is reproducible
and does not depend on file order. Within every (file, kind) stratum the lowest-ranked 25% (rounded, at least one)
go to test, the next 20% to dev, the rest to train.

    python3 scripts/split_corpus.py            # writes eval/split/split.tsv
    python3 scripts/split_corpus.py --check    # exits 1 when eval/split/split.tsv differs from a fresh split

The test split is never used to write rules, tune thresholds or train: see eval/split/README.md.
"""
import argparse
import glob
import hashlib
import json
import os
import sys
from collections import defaultdict

SALT = "rasd-split-v1:"
TEST, DEV = 0.25, 0.20


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpus"))
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "eval", "split", "split.tsv"))
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    strata = defaultdict(list)
    files = sorted(glob.glob(os.path.join(a.corpus, "*.jsonl")))
    if not files:
        sys.exit(f"split_corpus.py: no *.jsonl under {a.corpus}")
    for f in files:
        name = os.path.basename(f)
        with open(f, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                d = json.loads(line)
                strata[(name, d["kind"])].append(d["id"])
    rows = []
    for (name, kind), ids in sorted(strata.items()):
        ranked = sorted(ids, key=lambda i: hashlib.sha256((SALT + i).encode()).hexdigest())
        n_test = max(1, round(len(ids) * TEST))
        n_dev = max(1, round(len(ids) * DEV))
        for r, i in enumerate(ranked):
            split = "test" if r < n_test else "dev" if r < n_test + n_dev else "train"
            rows.append((i, name, kind, split))
    rows.sort()
    text = "id\tfile\tkind\tsplit\n" + "".join("\t".join(r) + "\n" for r in rows)
    if a.check:
        old = open(a.out, encoding="utf-8").read() if os.path.exists(a.out) else ""
        if old != text:
            sys.exit("split_corpus.py: eval/split/split.tsv differs from the split of the corpus")
        print("split.tsv matches")
        return
    with open(a.out, "w", encoding="utf-8") as fh:
        fh.write(text)
    count = defaultdict(int)
    for r in rows:
        count[r[3]] += 1
    print(f"wrote {a.out}: " + ", ".join(f"{k} {v}" for k, v in sorted(count.items())))


if __name__ == "__main__":
    main()
