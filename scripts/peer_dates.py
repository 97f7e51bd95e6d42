#!/usr/bin/env python3
"""Peer comparison for `rasd eval dates`: dateparser's search_dates on the same gold TSV, same scoring.

Creates .venv-peer/ (gitignored) with dateparser from PyPI on first use, then:
  - runs dateparser.search.search_dates(text, languages=['ar'], settings={'RELATIVE_BASE': anchor}) per gold text
    (texts with no anchor use today's date as the base, since dateparser always resolves);
  - scores it with rasd's rules: a prediction matches an expected expression when their spans overlap (one to one);
    resolution is correct when the predicted day equals the expected start for single days, or falls inside the
    expected range for ranges (dateparser returns one datetime, never a range, so this is lenient to it);
    an expected-unresolved expression counts as correct for dateparser only if it returns nothing for it;
  - runs `target/release/rasd eval dates GOLD --json` for rasd's figures and its in-process timing;
  - prints both side by side with the speed ratio.

Usage: scripts/peer_dates.py [GOLD.tsv ...]   (default: eval/dates/gold.tsv eval/dates/test.tsv)
"""
import datetime as dt
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv-peer")
PY = os.path.join(VENV, "bin", "python")


def ensure_venv():
    if sys.prefix == VENV or os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if not os.path.exists(PY):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([PY, "-m", "pip", "install", "-q", "dateparser"])
    os.execv(PY, [PY] + sys.argv)


def load(path):
    docs = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 8:
                continue
            rid, anchor, text, surface, start, end, precision, cls = cols
            exp = None
            if surface:
                exp = dict(surface=surface, start=start or None, end=(end or start) or None, cls=cls)
            if docs and docs[-1]["id"] == rid:
                if exp:
                    docs[-1]["expected"].append(exp)
            else:
                docs.append(dict(id=rid, anchor=anchor or None, text=text, cls=cls, expected=[exp] if exp else []))
    return docs


def locate(text, found, cursor):
    """dateparser returns (substring, datetime); find the substring's span, scanning left to right."""
    at = text.find(found, cursor)
    if at < 0:
        at = text.find(found)
    return at, at + len(found)


def score_dateparser(docs):
    from dateparser.search import search_dates

    totals = dict(tp=0, fp=0, fn=0, ok=0)
    classes = {}
    # Warm-up: dateparser loads its language data on first use; that load is not charged to it.
    search_dates("قتل ثلاثة أمس الخميس", languages=["ar"])
    t0 = time.perf_counter()
    preds_all = []
    for d in docs:
        base = dt.datetime.fromisoformat(d["anchor"]) if d["anchor"] else dt.datetime.now()
        try:
            res = search_dates(d["text"], languages=["ar"], settings={"RELATIVE_BASE": base}) or []
        except Exception:  # dateparser raises on some inputs; count as nothing found
            res = []
        preds_all.append(res)
    seconds = time.perf_counter() - t0
    for d, res in zip(docs, preds_all):
        preds = []
        cursor = 0
        for s, when in res:
            a, b = locate(d["text"], s, cursor)
            cursor = max(cursor, b)
            preds.append((a, b, when.date()))
        used = [False] * len(preds)
        c = classes.setdefault(d["cls"], dict(tp=0, fp=0, fn=0, ok=0))
        for e in d["expected"]:
            ce = classes.setdefault(e["cls"], dict(tp=0, fp=0, fn=0, ok=0))
            s = d["text"].find(e["surface"])
            t = s + len(e["surface"])
            hit = next((i for i, p in enumerate(preds) if not used[i] and p[0] < t and s < p[1]), None)
            if hit is None:
                ce["fn"] += 1
                totals["fn"] += 1
                continue
            used[hit] = True
            ce["tp"] += 1
            totals["tp"] += 1
            got = preds[hit][2]
            if e["start"] is not None:
                lo, hi = dt.date.fromisoformat(e["start"]), dt.date.fromisoformat(e["end"])
                if lo <= got <= hi:
                    ce["ok"] += 1
                    totals["ok"] += 1
        for i, u in enumerate(used):
            if not u:
                c["fp"] += 1
                totals["fp"] += 1
    return totals, classes, seconds


def prf(c):
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    acc = c["ok"] / c["tp"] if c["tp"] else 0.0
    return p, r, f, acc


def run_rasd(path):
    exe = os.path.join(ROOT, "target", "release", "rasd")
    if not os.path.exists(exe):
        sys.exit("build rasd first: cargo build --release -p rasd")
    t0 = time.perf_counter()
    out = subprocess.check_output([exe, "eval", "dates", path, "--json"])
    wall = time.perf_counter() - t0
    return json.loads(out), wall


def main():
    ensure_venv()
    import dateparser

    paths = sys.argv[1:] or [os.path.join(ROOT, "eval/dates/gold.tsv"), os.path.join(ROOT, "eval/dates/test.tsv")]
    print(f"dateparser {dateparser.__version__}, Python {sys.version.split()[0]}")
    for path in paths:
        docs = load(path)
        nbytes = sum(len(d["text"].encode()) for d in docs)
        dp, dp_classes, dp_sec = score_dateparser(docs)
        rj, rasd_wall = run_rasd(path)
        rasd_sec = rj["seconds"]
        print(f"\n== {os.path.relpath(path, ROOT)}: {len(docs)} texts, {nbytes} bytes")
        print(f"{'class':<18} {'rasd P/R/F1':>20} {'rasd res':>9} | {'dateparser P/R/F1':>20} {'dp res':>7}")
        names = sorted(set(rj["classes"]) | set(dp_classes))
        for name in names + ["ALL"]:
            rc = rj if name == "ALL" else rj["classes"].get(name)
            dc = dp if name == "ALL" else dp_classes.get(name, dict(tp=0, fp=0, fn=0, ok=0))
            if name == "negative":
                # Negative rows expect nothing: the only figure is how many false alarms each raised.
                rfp = "-" if rc is None else rc["fp"]
                print(f"{name:<18} {'false alarms ' + str(rfp):>20} {'':>9} | {'false alarms ' + str(dc['fp']):<20}")
                continue
            rtxt = "-" if rc is None else f"{rc['precision']:.2f}/{rc['recall']:.2f}/{rc['f1']:.2f}"
            racc = "-" if rc is None else f"{rc['resolution_accuracy']:.2f}"
            p, r, f, acc = prf(dc)
            print(f"{name:<18} {rtxt:>20} {racc:>9} | {p:.2f}/{r:.2f}/{f:.2f}".ljust(60) + f" {acc:>7.2f}")
        print(f"time: rasd {rasd_sec * 1e3:.2f} ms in-process ({rasd_wall * 1e3:.0f} ms wall incl. process start), "
              f"dateparser {dp_sec * 1e3:.0f} ms; speed ratio (in-process) {dp_sec / max(rasd_sec, 1e-9):.0f}x")
        print(f"throughput: rasd {nbytes / max(rasd_sec, 1e-9) / 1e6:.1f} MB/s, "
              f"dateparser {nbytes / max(dp_sec, 1e-9) / 1e6:.3f} MB/s (one core each)")


if __name__ == "__main__":
    main()
