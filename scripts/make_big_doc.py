#!/usr/bin/env python3
"""Writes one large plain-text report, or a JSONL file of many reports, for the scaling benchmarks.

Usage:
  python3 scripts/make_big_doc.py OUT.txt MEGABYTES            # one document of MEGABYTES (extract scaling)
  python3 scripts/make_big_doc.py OUT.jsonl MEGABYTES --jsonl  # one report per line (extract streaming memory)

The text is built from the sentences below, written by the rasd team for this script (no corpus text): they name
actors, places, generic forces, nisbas ("غارات روسية") and "الأخير" (the latter), so every coreference rule runs
on every paragraph. Numbers vary and paragraphs are shuffled deterministically (seed 7).
"""
import json
import random
import sys
from pathlib import Path

SENTENCES = [
    "قصفت طائرات حربية روسية مواقع لتنظيم داعش في ريف دير الزور الشرقي صباح اليوم.",
    "وقال المرصد السوري لحقوق الإنسان إن 12 مدنيا قتلوا في الغارات على بلدة الميادين.",
    "واشتبكت قوات النظام مع عناصر التنظيم على أطراف مدينة البوكمال، وأكد الأخير أنه صد الهجوم.",
    "واعتقلت قوات الأمن 12 شخصا في مدينة البصرة بعد احتجاجات على انقطاع الكهرباء.",
    "وأعلنت قوات سوريا الديمقراطية سيطرتها على قرية الباغوز بعد معارك استمرت أياما.",
    "وشن طيران التحالف غارات على مواقع حوثية في محافظة الحديدة، بحسب مصادر محلية.",
    "ونفت وكالة أعماق التابعة للتنظيم سقوط المدينة، مؤكدة أن مقاتليه ما زالوا فيها.",
    "وانفجرت عبوة ناسفة بدورية للشرطة في مدينة الموصل ما أدى إلى إصابة 12 عنصرا.",
    "وتظاهر مئات الأشخاص في مدينة درعا للمطالبة بالإفراج عن المعتقلين.",
    "وقالت مصادر طبية إن حصيلة القصف المدفعي على مدينة تعز ارتفعت إلى 12 قتيلا.",
]


def paragraphs(rng):
    while True:
        yield " ".join(s.replace("12", str(rng.randint(2, 999))) for s in rng.sample(SENTENCES, 5))


def main():
    out = Path(sys.argv[1])
    target = int(float(sys.argv[2]) * 1_000_000)
    jsonl = "--jsonl" in sys.argv[3:]
    rng = random.Random(7)
    out.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with out.open("w", encoding="utf-8") as f:
        gen = paragraphs(rng)
        n = 0
        while size < target:
            para = next(gen)
            if jsonl:
                line = json.dumps(
                    {"id": f"big-{n}", "outlet": "sohr", "published": "2017-11-10", "text": para},
                    ensure_ascii=False,
                )
                f.write(line + "\n")
                size += len(line.encode("utf-8")) + 1
            else:
                f.write(para + "\n\n")
                size += len(para.encode("utf-8")) + 2
            n += 1
    print(f"wrote {out} ({size / 1e6:.1f} MB, {n} paragraphs)")


if __name__ == "__main__":
    main()
