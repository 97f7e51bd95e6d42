#!/usr/bin/env python3
"""Side-by-side throughput of rasd's text layer and PyArabic on the same news-style text.

Usage: python3 scripts/peer_text.py [TEXT_FILE]

- Makes the corpus with scripts/make_text_corpus.py when no file is given (6 MB).
- Installs PyArabic from PyPI into .venv-peer/ (created on first use) and times, on the whole file:
  strip_tashkeel, normalize_hamza and tokenize — the peer's equivalents of rasd's normalize and tokenize.
- Runs `rasd bench text FILE` (release build) on the same file.
- Prints MB/s for both and the ratio rasd/PyArabic.
"""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

root = Path(__file__).resolve().parent.parent
venv = root / ".venv-peer"
text_file = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "target/text-corpus.txt"
if not text_file.exists():
    subprocess.run([sys.executable, str(root / "scripts/make_text_corpus.py"), str(text_file), "6"], check=True)

py = venv / "bin/python"
if not py.exists():
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
subprocess.run([str(py), "-m", "pip", "install", "-q", "pyarabic==0.6.15"], check=True)

peer = r'''
import sys, time
from pyarabic import araby
text = open(sys.argv[1], encoding="utf-8").read()
mb = len(text.encode("utf-8")) / 1e6
def best(f, n=3):
    t = min((lambda: (lambda s: (f(), time.perf_counter() - s))(time.perf_counter())[1])() for _ in range(n))
    return t
t_strip = best(lambda: araby.strip_tashkeel(text))
t_hamza = best(lambda: araby.normalize_hamza(text))
t_tok = best(lambda: araby.tokenize(text), 1)
print(f"{mb/t_strip:.1f} {mb/t_hamza:.1f} {mb/t_tok:.1f} {mb/(t_strip+t_hamza+t_tok):.1f}")
'''
out = subprocess.run([str(py), "-c", peer, str(text_file)], check=True, capture_output=True, text=True).stdout.split()
p_strip, p_hamza, p_tok, p_all = map(float, out)

rasd = root / "target/release/rasd"
if not rasd.exists():
    subprocess.run(["cargo", "build", "--release", "-p", "rasd"], cwd=root, check=True)
res = subprocess.run([str(rasd), "bench", "text", str(text_file)], check=True, capture_output=True, text=True).stdout
def grab(label):
    m = re.search(re.escape(label) + r"\s+([\d.]+) MB/s", res)
    return float(m.group(1)) if m else float("nan")
r_norm, r_tok, r_both, r_full = grab("normalize"), grab("tokenize"), grab("normalize+tokenize"), grab("normalize+tokenize+segment+numbers")
peak = re.search(r"peak RSS\s+([\d.]+) MB", res)

print(f"file: {text_file} ({text_file.stat().st_size/1e6:.1f} MB), one core each")
print(f"{'stage':44} {'rasd MB/s':>10} {'PyArabic MB/s':>14} {'ratio':>7}")
print(f"{'normalize (PyArabic: strip_tashkeel+normalize_hamza)':44} {r_norm:>10.1f} {1/(1/p_strip+1/p_hamza):>14.1f} {r_norm*(1/p_strip+1/p_hamza):>6.1f}x")
print(f"{'tokenize (PyArabic: araby.tokenize)':44} {r_tok:>10.1f} {p_tok:>14.1f} {r_tok/p_tok:>6.1f}x")
print(f"{'normalize+tokenize (PyArabic: all three)':44} {r_both:>10.1f} {p_all:>14.1f} {r_both/p_all:>6.1f}x")
print(f"{'rasd full: +sentences+segment+numbers':44} {r_full:>10.1f} {'-':>14} {r_full/p_all:>6.1f}x")
if peak:
    print(f"rasd peak RSS: {peak.group(1)} MB")
