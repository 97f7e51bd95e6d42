#!/usr/bin/env python3
"""Inter-annotator agreement on the doubly annotated sample (eval/agreement/).

    python3 scripts/agreement.py            # prints the figures; --md writes eval/agreement/RESULTS.md

Candidate labels: Cohen's kappa over the seven factuality labels, and over the binary event / not event split,
on the rows both annotators labelled (same corpus_id, start, end). Events: F1 between the two annotations with
the matching rule of `rasd eval events` (same ACLED event type, places within 25 km, dates within a day; a null
place or date on one side accepts the other), pairs assigned greedily one to one; exact sub-type agreement over
the matched pairs is reported too. Background records are included (and reported separately excluded).
"""
import argparse
import glob
import json
import math
import os
from collections import Counter
from datetime import date

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def labels(paths):
    out = {}
    for p in paths:
        for line in open(p, encoding="utf-8"):
            c = line.rstrip("\n").split("\t")
            if len(c) >= 4 and c[0] != "corpus_id":
                out[(c[0], int(c[1]), int(c[2]))] = c[3].strip()
    return out


def kappa(pairs):
    n = len(pairs)
    if n == 0:
        return float("nan")
    po = sum(a == b for a, b in pairs) / n
    ca = Counter(a for a, _ in pairs)
    cb = Counter(b for _, b in pairs)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def km(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def pairable(g, p):
    if g["event_type"] != p["event_type"]:
        return None
    gl, pl = g.get("location"), p.get("location")
    d = 0.0
    if gl and pl:
        d = km((gl["lat"], gl["lon"]), (pl["lat"], pl["lon"]))
        if d > 25:
            return None
    gd, pd = g.get("event_date"), p.get("event_date")
    dd = 0
    if gd and pd:
        dd = abs((date.fromisoformat(gd) - date.fromisoformat(pd)).days)
        if dd > 1:
            return None
    return (g["sub_event_type"] != p["sub_event_type"], d, dd)


def match(a, b):
    cands = []
    for i, g in enumerate(a):
        for j, p in enumerate(b):
            k = pairable(g, p)
            if k is not None:
                cands.append((k, i, j))
    cands.sort()
    ua, ub, pairs = set(), set(), []
    for _, i, j in cands:
        if i not in ua and j not in ub:
            ua.add(i)
            ub.add(j)
            pairs.append((i, j))
    return pairs


def events(paths):
    out = {}
    for p in paths:
        for line in open(p, encoding="utf-8"):
            if line.strip():
                d = json.loads(line)
                out[d["corpus_id"]] = d["events"]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--md", action="store_true")
    a = ap.parse_args()
    second_l = labels([os.path.join(ROOT, "eval/agreement/second-labels.tsv")])
    first_l = labels(sorted(glob.glob(os.path.join(ROOT, "eval/labels/batch-*.tsv"))))
    common = [k for k in second_l if k in first_l]
    pairs = [(first_l[k], second_l[k]) for k in common]
    k7 = kappa(pairs)
    k2 = kappa([(x == "event", y == "event") for x, y in pairs])
    agree = sum(x == y for x, y in pairs) / max(1, len(pairs))
    conf = Counter(pairs)
    second_e = events([os.path.join(ROOT, "eval/agreement/second.jsonl")])
    first_e = events([os.path.join(ROOT, "eval/split/train.jsonl"), os.path.join(ROOT, "eval/split/dev.jsonl")])
    res = {}
    for name, keep in [("all records", lambda e: True), ("news only (background excluded)", lambda e: not e.get("background"))]:
        na = nb = m = exact = 0
        for cid, eb in second_e.items():
            if cid not in first_e:
                continue
            ea = [e for e in first_e[cid] if keep(e)]
            eb = [e for e in eb if keep(e)]
            ps = match(ea, eb)
            na += len(ea)
            nb += len(eb)
            m += len(ps)
            exact += sum(ea[i]["sub_event_type"] == eb[j]["sub_event_type"] for i, j in ps)
        p = m / nb if nb else 0
        r = m / na if na else 0
        f = 2 * p * r / (p + r) if p + r else 0
        res[name] = (na, nb, m, f, exact / m if m else 0)
    docs = len([c for c in second_e if c in first_e])
    lines = [
        "# Inter-annotator agreement",
        "",
        f"Sample: {docs} train/dev reports annotated twice, independently (first annotators: `eval/split/{{train,dev}}.jsonl`,"
        " `eval/labels/batch-*.tsv`; second: `eval/agreement/`). Computed by `python3 scripts/agreement.py --md`.",
        "",
        "## Candidate labels",
        "",
        f"- rows labelled by both: {len(pairs)}",
        f"- raw agreement: {agree:.3f}",
        f"- Cohen's kappa, seven labels: **{k7:.3f}**",
        f"- Cohen's kappa, event vs not event: **{k2:.3f}**",
        "",
        "Confusions (first → second, count ≥ 3):",
        "",
    ]
    for (x, y), n in conf.most_common():
        if x != y and n >= 3:
            lines.append(f"- {x} → {y}: {n}")
    lines += ["", "## Event records", "", "| records | first | second | matched | event F1 | exact sub-type of matched |", "|---|---|---|---|---|---|"]
    for name, (na, nb, m, f, ex) in res.items():
        lines.append(f"| {name} | {na} | {nb} | {m} | **{f:.3f}** | {ex:.3f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if a.md:
        open(os.path.join(ROOT, "eval/agreement/RESULTS.md"), "w", encoding="utf-8").write(text)


if __name__ == "__main__":
    main()
