//! Throughput of date scanning on about 6 MB of news-style Arabic text.
//!
//! The text is generated here from sentences written for this bench in the style of conflict reporting (most
//! sentences carry no date, as in real copy), varied by rotating places, numbers and date words.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rasd_time::DateFinder;
use std::hint::black_box;

const SENTENCES: &[&str] = &[
    "قال المرصد السوري لحقوق الإنسان إن {n} مدنيين قتلوا {d} في قصف جوي استهدف أحياء {p} السكنية.",
    "وأفادت مصادر محلية بأن قوات النظام تقدمت على محور {p} بعد معارك عنيفة مع مقاتلي الفصائل المسلحة.",
    "وأعلنت قيادة العمليات المشتركة في بيان أن وحداتها دمرت أنفاقا ومخازن للأسلحة في محيط {p}.",
    "وتواصل الطائرات الحربية تحليقها فوق المنطقة وسط حالة من الخوف بين السكان الذين نزح معظمهم إلى المخيمات.",
    "وذكرت وكالة الأنباء الرسمية أن وحدات الهندسة فككت {n} عبوات ناسفة زرعها المسلحون على الطريق الدولي.",
    "وكان التنظيم قد سيطر على {p} {d} قبل أن تستعيدها القوات الحكومية بدعم من طيران التحالف.",
    "ويعاني المدنيون المحاصرون من نقص حاد في الغذاء والدواء بحسب منظمات الإغاثة العاملة في المنطقة.",
    "وأكد المتحدث العسكري أن العملية مستمرة حتى تطهير كامل المنطقة من فلول المسلحين وتأمين الحدود.",
    "ونقلت وكالة فرانس برس عن مسؤول محلي قوله إن حصيلة القتلى مرشحة للارتفاع بسبب وجود جرحى في حالة خطرة.",
    "وشهدت {p} {d} احتجاجات شارك فيها المئات رفعوا خلالها لافتات تطالب بالإفراج عن المعتقلين.",
];
const PLACES: &[&str] = &[
    "البوكمال",
    "الميادين",
    "دير الزور",
    "هجين",
    "الرقة",
    "تدمر",
    "الموصل",
    "تكريت",
    "العريش",
    "تعز",
];
const DATES: &[&str] = &[
    "أمس الخميس",
    "مساء أول من أمس",
    "ليل الأربعاء 24 من يناير/كانون الثاني",
    "يوم الجمعة الفائت",
    "صباح اليوم",
    "في 10 نوفمبر 2017",
    "منذ 10 من سبتمبر/أيلول الماضي",
    "خلال الـ48 ساعة الماضية",
    "الأسبوع الماضي",
    "في يونيو/حزيران 2014",
    "في السادس من الشهر الحالي",
    "بين 5 و8 نوفمبر",
];
const NUMBERS: &[&str] = &["ثلاثة", "خمسة", "12", "٢٠", "سبعة"];

/// The text, and how many of its sentences carry a date expression.
fn corpus(min_bytes: usize) -> (String, usize) {
    let mut text = String::with_capacity(min_bytes + 4096);
    let mut i = 0usize;
    let mut dated = 0usize;
    while text.len() < min_bytes {
        dated += usize::from(SENTENCES[i % SENTENCES.len()].contains("{d}"));
        let s = SENTENCES[i % SENTENCES.len()]
            .replace("{p}", PLACES[(i / 3) % PLACES.len()])
            .replace("{d}", DATES[(i / 7) % DATES.len()])
            .replace("{n}", NUMBERS[(i / 5) % NUMBERS.len()]);
        text.push_str(&s);
        text.push(if i % 4 == 3 { '\n' } else { ' ' });
        i += 1;
    }
    (text, dated)
}

fn bench(c: &mut Criterion) {
    let (text, dated) = corpus(6_000_000);
    let finder = DateFinder::new();
    let anchor = chrono::NaiveDate::from_ymd_opt(2019, 1, 25);
    let docs: Vec<&str> = text.lines().collect();
    // The result is checked, not only timed: every dated sentence yields its expression, and nothing else does.
    let found: usize = docs.iter().map(|d| finder.find(d, anchor).len()).sum();
    assert_eq!(found, dated, "expressions found vs sentences carrying one");
    let mut group = c.benchmark_group("dates");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    group.bench_function("find per paragraph (6 MB)", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| finder.find(black_box(d), anchor).len())
                .sum::<usize>()
        })
    });
    // The floor under any design that folds the whole text first: rasd-text's normalizer alone.
    let normalizer = rasd_text::Normalizer::new(rasd_text::Mode::Match);
    let mut norm = rasd_text::Normalized::default();
    group.bench_function("normalize only (6 MB)", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| {
                    normalizer
                        .normalize_into(black_box(d), &mut norm)
                        .map_or(0, |_| norm.len())
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
