#!/usr/bin/env python3
"""Side-by-side throughput of rasd's text layer and PyArabic on the same Arabic text.

Usage:
  python3 scripts/peer_text.py [TEXT_FILE]        # team-written news-style text (default: made, 6 MB)
  python3 scripts/peer_text.py --corpus [DIR]     # the real reports of ../shared/corpus (or DIR)

- Without arguments, makes the text with scripts/make_text_corpus.py (6 MB in target/text-corpus.txt).
- With --corpus, reads the `text` of every report of DIR/*.jsonl (580 real reports in ../shared/corpus), one
  report per line, repeated to at least 6 MB, into a temporary file that is deleted afterwards (publishers' text
  is never written into the repository). Exits 0 with a message when DIR is missing.
- Installs PyArabic from PyPI into .venv-peer/ (created on first use) and times, on the whole file:
  strip_tashkeel, normalize_hamza and tokenize — the peer's equivalents of rasd's normalize and tokenize.
- Runs `rasd bench text FILE` and `rasd bench entities FILE` (release build; $RASD names another binary) on the
  same file.
- Prints MB/s for both and the ratio rasd/PyArabic, and rasd's entity matching MB/s (no peer for that).
"""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

root = Path(__file__).resolve().parent.parent
venv = Path(os.environ.get("PEER_VENV", root / ".venv-peer"))
args = sys.argv[1:]
tmp = None
if args and args[0] == "--corpus":
    corpus = Path(args[1]) if len(args) > 1 else root.parent / "shared/corpus"
    files = sorted(corpus.glob("*.jsonl")) if corpus.is_dir() else []
    if not files:
        print(f"peer_text: no corpus at {corpus} (*.jsonl): skipping the real-text comparison")
        sys.exit(0)
    import json
    texts = []
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                t = json.loads(line).get("text", "")
                if t.strip():
                    texts.append(" ".join(t.split()))  # one report per line
    one = "\n".join(texts) + "\n"
    times = max(1, -(-6_000_000 // len(one.encode("utf-8"))))
    tmp = tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False)
    tmp.write(one * times)
    tmp.close()
    text_file = Path(tmp.name)
    label = f"{len(texts)} real reports of {corpus} ({len(one.encode('utf-8'))/1e6:.2f} MB) x {times}"
else:
    text_file = Path(args[0]) if args else root / "target/text-corpus.txt"
    if not text_file.exists():
        subprocess.run([sys.executable, str(root / "scripts/make_text_corpus.py"), str(text_file), "6"], check=True)
    label = f"{text_file} ({text_file.stat().st_size/1e6:.1f} MB)"

try:
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

    rasd = Path(os.environ.get("RASD", root / "target/release/rasd"))
    if not rasd.exists():
        subprocess.run(["cargo", "build", "--release", "-p", "rasd"], cwd=root, check=True)
    res = subprocess.run([str(rasd), "bench", "text", str(text_file)], check=True, capture_output=True, text=True).stdout
    ent = subprocess.run([str(rasd), "bench", "entities", str(text_file)], check=True, capture_output=True,
                         text=True).stdout
finally:
    if tmp is not None:
        os.unlink(tmp.name)


def grab(label, s=None):
    m = re.search(re.escape(label) + r"\s+([\d.]+) MB/s", s or res)
    return float(m.group(1)) if m else float("nan")


r_norm, r_tok, r_both, r_full = grab("normalize"), grab("tokenize"), grab("normalize+tokenize"), grab("normalize+tokenize+segment+numbers")
peak = re.search(r"peak RSS\s+([\d.]+) MB", res)

print(f"input: {label}, one core each")
print(f"{'stage':44} {'rasd MB/s':>10} {'PyArabic MB/s':>14} {'ratio':>7}")
print(f"{'normalize (PyArabic: strip_tashkeel+normalize_hamza)':44} {r_norm:>10.1f} {1/(1/p_strip+1/p_hamza):>14.1f} {r_norm*(1/p_strip+1/p_hamza):>6.1f}x")
print(f"{'tokenize (PyArabic: araby.tokenize)':44} {r_tok:>10.1f} {p_tok:>14.1f} {r_tok/p_tok:>6.1f}x")
print(f"{'normalize+tokenize (PyArabic: all three)':44} {r_both:>10.1f} {p_all:>14.1f} {r_both/p_all:>6.1f}x")
print(f"{'rasd full: +sentences+segment+numbers':44} {r_full:>10.1f} {'-':>14} {r_full/p_all:>6.1f}x")
if peak:
    print(f"rasd peak RSS: {peak.group(1)} MB")
print("rasd bench entities (no peer):")
for line in ent.splitlines():
    print("   " + line)
