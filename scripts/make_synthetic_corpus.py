#!/usr/bin/env python3
"""Write a synthetic news-style Arabic JSONL corpus for throughput measurements (rasd bench extract, store benches).

Every document is assembled from templates written by the rasd team in the style of conflict reports (not copied
from any publisher): a dateline, two to six event sentences (territory, clashes, strikes, shelling, IEDs, arrests,
protests, agreements) with varying actors, places, numbers, dates and reporting frames, and one or two sentences of
background or analysis. The output is deterministic for a given --seed.

    python3 scripts/make_synthetic_corpus.py --docs 100000 --out /tmp/synthetic.jsonl   # about 100 MB
"""

import argparse
import datetime as dt
import json
import random

PLACES = {
    "SY": ["البوكمال", "الميادين", "دير الزور", "الرقة", "تدمر", "حمص", "إدلب", "معرة النعمان", "درعا", "حماة",
           "منبج", "الباب", "عفرين", "القامشلي", "الحسكة", "السخنة", "هجين", "الشدادي", "خان شيخون", "سراقب"],
    "IQ": ["الموصل", "تكريت", "الرمادي", "الفلوجة", "سنجار", "بيجي", "كركوك", "تلعفر", "القائم", "سامراء"],
    "YE": ["تعز", "الحديدة", "مأرب", "صعدة", "عدن", "البيضاء", "الضالع", "حجة", "شبوة", "لحج"],
    "LY": ["سرت", "بنغازي", "درنة", "مصراتة", "طرابلس", "ترهونة", "غريان", "الجفرة"],
    "SD": ["الفاشر", "نيالا", "الجنينة", "أم درمان", "بحري", "الأبيض", "كادقلي", "ود مدني"],
}
ACTORS = {
    "SY": (["قوات النظام", "الجيش السوري", "قوات سوريا الديمقراطية", "هيئة تحرير الشام", "الجيش الوطني السوري"],
           ["تنظيم داعش", "فصائل المعارضة", "مسلحين مجهولين", "تنظيم الدولة الإسلامية"]),
    "IQ": (["القوات العراقية", "الحشد الشعبي", "قوات البيشمركة", "جهاز مكافحة الإرهاب"],
           ["تنظيم داعش", "مسلحين مجهولين", "خلايا التنظيم"]),
    "YE": (["الجيش اليمني", "قوات التحالف العربي", "المجلس الانتقالي الجنوبي", "القوات الحكومية"],
           ["جماعة الحوثي", "الحوثيين", "تنظيم القاعدة في جزيرة العرب"]),
    "LY": (["قوات حكومة الوفاق", "الجيش الوطني الليبي", "قوات حفتر"], ["تنظيم داعش", "مسلحين مجهولين"]),
    "SD": (["الجيش السوداني", "القوات المسلحة السودانية"], ["قوات الدعم السريع", "مسلحين مجهولين"]),
}
SOURCES = ["المرصد السوري لحقوق الإنسان", "وكالة سانا", "مصادر محلية", "وكالة الأنباء الفرنسية", "مصدر عسكري",
           "ناشطون", "مصادر طبية", "وكالة الأناضول", "قناة الجزيرة", "وكالة رويترز"]
DAYS = ["الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"]
MONTHS = ["يناير/كانون الثاني", "فبراير/شباط", "مارس/آذار", "أبريل/نيسان", "مايو/أيار", "يونيو/حزيران",
          "يوليو/تموز", "أغسطس/آب", "سبتمبر/أيلول", "أكتوبر/تشرين الأول", "نوفمبر/تشرين الثاني", "ديسمبر/كانون الأول"]
NUMS = ["ثلاثة", "خمسة", "سبعة", "عشرة", "اثني عشر", "عشرات", "نحو 20", "أكثر من 30", "ما لا يقل عن 15", "4", "9", "17"]

EVENTS = [
    "وأعلنت {src} أن {a} سيطرت على مدينة {p} بعد معارك عنيفة مع {b} استمرت عدة أيام.",
    "استعادت {a} {day} السيطرة على بلدة {p} في ريف {p2}، وفق {src}.",
    "وقالت {src} إن {b} انسحب من أحياء {p} باتجاه {p2} دون قتال.",
    "واندلعت اشتباكات عنيفة بين {a} و{b} على أطراف {p}، ما أسفر عن مقتل {n} عناصر من الطرفين.",
    "وشنت طائرات التحالف {day} غارات جوية على مواقع {b} قرب {p}، بحسب {src}.",
    "وقتل {n} مدنيين بينهم أطفال ونساء في قصف مدفعي لـ{a} على {p} صباح {day}.",
    "وانفجرت عبوة ناسفة بدورية تابعة لـ{a} على الطريق بين {p} و{p2}، ما أدى إلى مقتل {n} عناصر.",
    "وفجر انتحاري سيارة مفخخة عند حاجز لـ{a} في مدخل {p}، وفق ما ذكرت {src}.",
    "واعتقلت {a} {n} أشخاص بتهمة الانتماء إلى {b} في حملة دهم بمدينة {p}.",
    "وتظاهر المئات في {p} {day} احتجاجا على تردي الأوضاع المعيشية، بحسب {src}.",
    "وفرقت قوات الأمن بالغاز المسيل للدموع مظاهرة في {p} وأطلقت النار على المتظاهرين.",
    "وتوصلت {a} و{b} إلى اتفاق لوقف إطلاق النار في {p} برعاية أممية.",
    "واستهدف {b} بقذائف الهاون أحياء سكنية في {p}، ما أدى إلى إصابة {n} مدنيين.",
    "ونفت {src} سيطرة {b} على {p}، مؤكدة أن المدينة لا تزال تحت سيطرة {a}.",
    "وارتفع عدد القتلى إلى {big} منذ بدء الهجوم على {p} في {d} من {m}، وفق {src}.",
    "وأسقطت {a} طائرة مسيرة أطلقها {b} باتجاه {p}.",
    "واختطف مسلحون مجهولون {n} مدنيين على طريق {p}، بحسب مصادر محلية.",
]
BACKGROUND = [
    "وكان التنظيم قد سيطر على {p} عام 2014 قبل أن يخسرها في حملة عسكرية واسعة.",
    "ويرى محللون أن المعركة على {p} ستحدد مستقبل الصراع في المنطقة خلال الأشهر المقبلة.",
    "وتعاني المدينة من أزمة اقتصادية خانقة بعد سنوات من الحرب وارتفاع الأسعار.",
    "ومن المرجح أن تسعى {a} إلى التقدم نحو {p2} خلال الأيام المقبلة.",
    "وتشهد المنطقة منذ أشهر تصعيدا عسكريا متقطعا بين الأطراف المتنازعة.",
]


def document(rng: random.Random, i: int) -> dict:
    country = rng.choice(list(PLACES))
    places = PLACES[country]
    side_a, side_b = ACTORS[country]
    published = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(0, 3650))
    sentences = []
    p = rng.choice(places)
    sentences.append(f"{p} - {rng.choice(SOURCES)}")
    for _ in range(rng.randint(2, 6)):
        t = rng.choice(EVENTS)
        sentences.append(t.format(
            a=rng.choice(side_a), b=rng.choice(side_b), p=rng.choice(places), p2=rng.choice(places),
            src=rng.choice(SOURCES), day=rng.choice(["أمس", "اليوم", "أمس " + rng.choice(DAYS), rng.choice(DAYS)]),
            n=rng.choice(NUMS), big=rng.randint(100, 2000), d=rng.randint(1, 28), m=rng.choice(MONTHS)))
    for _ in range(rng.randint(1, 2)):
        sentences.append(rng.choice(BACKGROUND).format(a=rng.choice(side_a), p=rng.choice(places), p2=rng.choice(places)))
    return {
        "id": f"syn-{i:06d}",
        "url": None,
        "outlet": rng.choice(["aljazeera", "alaraby", "skynews-arabia", "alarabiya", "anadolu"]),
        "published": published.isoformat(),
        "title": None,
        "text": sentences[0] + "\n" + " ".join(sentences[1:]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000, help="number of documents (default 100000, about 100 MB)")
    ap.add_argument("--seed", type=int, default=20171110)
    ap.add_argument("--out", required=True, help="output JSONL path")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with open(args.out, "w", encoding="utf-8") as f:
        for i in range(args.docs):
            f.write(json.dumps(document(rng, i), ensure_ascii=False))
            f.write("\n")


if __name__ == "__main__":
    main()
