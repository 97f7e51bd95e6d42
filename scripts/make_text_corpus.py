#!/usr/bin/env python3
"""Writes a plain-text news-style corpus for `rasd bench text` and the peer comparison.

Usage: python3 scripts/make_text_corpus.py OUT.txt [MEGABYTES]

It varies the rasd-text golden sentences (written by the rasd team, see crates/rasd-text/tests/resources/README.md):
digits change and paragraphs are shuffled deterministically, so no two paragraphs repeat.
"""
import random
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
sentences = [l for l in (root / "crates/rasd-text/tests/resources/sentences.txt").read_text(encoding="utf-8").splitlines() if l.strip()]
out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("target/text-corpus.txt")
megabytes = float(sys.argv[2]) if len(sys.argv) > 2 else 6.0
rng = random.Random(42)
target = int(megabytes * 1_000_000)
parts, size = [], 0
while size < target:
    para = " ".join(s.replace("12", str(rng.randint(2, 999))) for s in rng.sample(sentences, 5))
    parts.append(para)
    size += len(para.encode("utf-8")) + 1
out.parent.mkdir(parents=True, exist_ok=True)
out.write_text("\n".join(parts) + "\n", encoding="utf-8")
print(f"wrote {out} ({size / 1e6:.1f} MB)")
