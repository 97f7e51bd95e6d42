//! Criterion benches: compiled-lexicon load time, and entity matching on ≥ 5 MB of generated news-style text
//! (sentences written for rasd in the style of conflict reports, with clitics, quotes and homonyms).
//! The result is asserted too: every generated paragraph names entities, so the count must be large.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rasd_lexicon::{Lexicon, Matcher};
use std::hint::black_box;

const TEMPLATES: &[&str] = &[
    "قال {O} إن {A} سيطرت على {P} بعد معارك عنيفة استمرت ثلاثة أيام مع عناصر {B}.",
    "وأفادت مصادر محلية بأن اشتباكات اندلعت ب{P} و{Q} ليل الخميس، فيما انسحب عناصر التنظيم نحو {P}.",
    "قتل خمسة مدنيين وأصيب عشرة آخرون جراء قصف مدفعي استهدف أحياء سكنية في ريف {P} الشرقي.",
    "وأعلنت {O} في بيان أن طائرات {A} شنت سلسلة غارات على مواقع ل{B} قرب {Q}.",
    "وذكر مراسل الوكالة أن رتلا عسكريا وصل إلى أطراف {P} قادما من {Q} صباح اليوم.",
    "في المقابل نفت {O} هذه الأنباء، مؤكدة أن «{B}» لا يزال يسيطر على معظم أحياء {P}.",
    "وتشهد المنطقة منذ أسابيع توترا أمنيا متصاعدا، وسط مخاوف من موجة نزوح جديدة باتجاه المخيمات.",
    "ودعت الأمم المتحدة جميع الأطراف إلى وقف فوري لإطلاق النار وفتح ممرات آمنة لإيصال المساعدات الإنسانية.",
    "وكانت {A} قد أعلنت الشهر الماضي إطلاق عملية عسكرية واسعة لطرد {B} من محافظة {P}.",
    "واتهمت {A} ما وصفتها بالخلايا التابعة ل\"{B}\" بتنفيذ الهجوم الذي استهدف حاجزا عسكريا شمال {Q}.",
];
const ACTORS: &[&str] = &[
    "قوات النظام",
    "قوات سوريا الديمقراطية",
    "القوات العراقية",
    "الجيش الوطني الليبي",
    "قوات الدعم السريع",
    "الحشد الشعبي",
    "جماعة الحوثي",
    "الجيش الإسرائيلي",
    "التحالف الدولي",
    "هيئة تحرير الشام",
];
const ENEMIES: &[&str] = &[
    "داعش",
    "تنظيم الدولة الإسلامية",
    "قسد",
    "حركة الشباب",
    "ولاية سيناء",
    "الحوثيين",
];
const OUTLETS: &[&str] = &[
    "المرصد السوري لحقوق الإنسان",
    "وكالة سانا",
    "وكالة أعماق",
    "خلية الإعلام الأمني",
    "وكالة الأناضول",
    "وكالة رويترز",
    "قناة الجزيرة",
];
const PLACES: &[&str] = &[
    "البوكمال",
    "الميادين",
    "الرقة",
    "دير الزور",
    "حلب",
    "إدلب",
    "الموصل",
    "الأنبار",
    "الحديدة",
    "تعز",
    "سرت",
    "طرابلس",
    "الفاشر",
    "خان يونس",
    "العريش",
    "منبج",
    "تل رفعت",
    "القائم",
    "البو كمال",
    "هجين",
];

/// Deterministic news-style text of at least `min_bytes`, one paragraph (document) per line.
fn generate(min_bytes: usize) -> String {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut out = String::with_capacity(min_bytes + 4096);
    while out.len() < min_bytes {
        for _ in 0..6 {
            let t = TEMPLATES[next(TEMPLATES.len())];
            let s = t
                .replace("{O}", OUTLETS[next(OUTLETS.len())])
                .replace("{A}", ACTORS[next(ACTORS.len())])
                .replace("{B}", ENEMIES[next(ENEMIES.len())])
                .replace("{P}", PLACES[next(PLACES.len())])
                .replace("{Q}", PLACES[next(PLACES.len())]);
            out.push_str(&s);
            out.push(' ');
        }
        out.push('\n');
    }
    out
}

fn bench(c: &mut Criterion) {
    let bytes = Lexicon::embedded_bytes();
    let mut g = c.benchmark_group("load");
    g.sample_size(10);
    g.bench_function("embedded", |b| {
        b.iter(|| Lexicon::from_bytes(black_box(bytes)).map(|l| l.places().len()))
    });
    g.finish();

    let lex = Lexicon::embedded().expect("embedded lexicon builds");
    let text = generate(5 << 20);
    let docs: Vec<&str> = text.lines().collect();
    let mut m = Matcher::new(lex);
    let found: usize = docs.iter().map(|d| m.entities(d).len()).sum();
    assert!(
        found > docs.len() * 8,
        "only {found} entities in {} generated paragraphs",
        docs.len()
    );
    let mut g = c.benchmark_group("match");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("entities_5MB", |b| {
        b.iter(|| docs.iter().map(|d| m.entities(d).len()).sum::<usize>())
    });
    g.bench_function("scan_5MB", |b| {
        b.iter(|| docs.iter().map(|d| m.count_matches(d)).sum::<usize>())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
