//! `rasd bench ingest`: ingest a synthetic collection (or a JSONL file) into a fresh database with extraction,
//! then time the timeline and contradiction queries on it.

use super::bench::peak_rss_mb;
use super::ingest::{extractor, progress_bar, worker};
use anyhow::{Result, bail};
use rasd_core::Doc;
use rasd_store::read::{Format, Item};
use rasd_store::{Filter, IngestStats, Store};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Threads: set RAYON_NUM_THREADS (e.g. 2) to measure on a given number of cores.\n\
The synthetic documents are generated from templates in the style of wire reports (deterministic)."
)]
pub struct Args {
    /// How many synthetic documents to generate.
    #[arg(long, default_value_t = 100_000)]
    pub docs: usize,
    /// Ingest this JSONL file instead of synthetic documents.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// The database to create (an existing file is replaced).
    #[arg(long, default_value = "rasd-bench.db", value_name = "PATH")]
    pub db: PathBuf,
    /// Keep the database afterwards.
    #[arg(long)]
    pub keep: bool,
    /// Number the synthetic documents from N (documents N.. are new to a database built with --docs N).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub first: usize,
    /// Date the synthetic documents within the 7 days from DATE (news of the last days), instead of over 2017–2018.
    #[arg(long, value_name = "DATE", conflicts_with = "per_day")]
    pub after: Option<chrono::NaiveDate>,
    /// Date the synthetic documents in order, N a day, the last on 2018-12-31, instead of at random over 2017–2018:
    /// the collection's span then grows with its size at a constant daily volume, as a monitor's archive does
    /// (10,000 documents at 137 a day span 73 days, 1,000,000 span 20 years).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub per_day: Option<u32>,
    /// Write the synthetic documents to FILE as JSONL and stop (to time `rasd ingest FILE` on a built database).
    #[arg(long, value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// Do not rebuild the derived tables a second time after the ingest to time the rebuild alone (the ingest
    /// has already reconciled them). For a large collection that second rebuild takes about as long as the
    /// first: skip it when building a database to measure on.
    #[arg(long)]
    pub skip_rebuild_timing: bool,
}

const PLACES: &[&str] = &[
    "البوكمال",
    "الميادين",
    "هجين",
    "دير الزور",
    "الرقة",
    "العشارة",
    "السوسة",
    "الحسكة",
    "القائم",
    "تدمر",
    "حلب",
    "إدلب",
    "درعا",
    "حمص",
    "الموصل",
    "تكريت",
    "الرمادي",
    "الفلوجة",
    "سرت",
    "بنغازي",
    "تعز",
    "الحديدة",
    "مأرب",
    "عدن",
];
const ACTORS: &[&str] = &[
    "قوات النظام",
    "تنظيم داعش",
    "قوات سوريا الديمقراطية",
    "الجيش العراقي",
    "الحشد الشعبي",
    "الحوثيون",
    "قوات حفتر",
    "القوات الحكومية",
    "هيئة تحرير الشام",
    "الجيش التركي",
];
const PER: &[&str] = &[
    "وفق المرصد السوري لحقوق الإنسان",
    "بحسب وكالة سانا",
    "حسبما أفادت مصادر محلية",
    "وفق ما ذكرت وكالة أعماق",
    "بحسب ناشطين",
    "وفق وكالة الأناضول",
    "حسب مصادر طبية",
];
const DAYS: &[&str] = &[
    "اليوم",
    "أمس",
    "صباح اليوم",
    "مساء أمس",
    "يوم الأحد",
    "ليل الثلاثاء",
    "فجر اليوم",
];
const FILLER: &[&str] = &[
    "ويأتي ذلك في ظل تصعيد عسكري تشهده المنطقة منذ أسابيع.",
    "وتشهد المنطقة نزوحا متزايدا للسكان نحو المناطق الأكثر أمنا.",
    "ولم يصدر أي تعليق رسمي حتى الآن على هذه الأنباء.",
    "ويعاني السكان من نقص حاد في المواد الغذائية والأدوية.",
    "وتتعرض المنطقة لقصف متكرر منذ مطلع الشهر الجاري.",
    "وكانت المنظمات الإنسانية قد حذرت من تدهور الأوضاع في المنطقة.",
];

/// A small deterministic generator (SplitMix64), so that every run measures the same collection.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// How the synthetic documents are dated (see `--after` and `--per-day`).
#[derive(Debug, Clone, Copy)]
enum Dating {
    /// At random over 2017–2018.
    Spread,
    /// At random within the 7 days from this date.
    After(chrono::NaiveDate),
    /// In order, `per_day` a day, from `start`.
    PerDay { per_day: u32, start: chrono::NaiveDate },
}

impl Dating {
    fn of(args: &Args) -> Dating {
        match (args.after, args.per_day) {
            (Some(d), _) => Dating::After(d),
            (None, Some(per_day)) => {
                let total = (args.first + args.docs) as u64;
                let days = total.div_ceil(u64::from(per_day));
                let end = chrono::NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default();
                Dating::PerDay {
                    per_day,
                    start: end.checked_sub_days(chrono::Days::new(days)).unwrap_or(end),
                }
            }
            (None, None) => Dating::Spread,
        }
    }
}

fn synthetic_doc(i: usize, dating: Dating) -> Doc {
    let mut r = Rng(i as u64 ^ 0x5eed);
    let place = r.pick(PLACES);
    let mut text = String::new();
    for _ in 0..(2 + r.below(3)) {
        let (a1, a2, n, day, per) = (
            r.pick(ACTORS),
            r.pick(ACTORS),
            2 + r.below(60),
            r.pick(DAYS),
            r.pick(PER),
        );
        let p = if r.below(3) == 0 { r.pick(PLACES) } else { place };
        let s = match r.below(8) {
            0 => format!("قتل {n} مدنيا في غارات جوية استهدفت مدينة {p} {day}، {per}."),
            1 => format!("سيطرت {a1} على مدينة {p} بعد معارك عنيفة مع {a2} {day}، {per}."),
            2 => format!("نفت وكالة أعماق سيطرة {a1} على {p}، وقالت إن المدينة لا تزال بحوزته."),
            3 => format!("دارت اشتباكات عنيفة بين {a1} و{a2} في محيط {p} {day} أسفرت عن مقتل {n} عنصرا، {per}."),
            4 => format!("انفجرت عبوة ناسفة في سيارة في {p} {day} ما أدى إلى مقتل {n} أشخاص، {per}."),
            5 => format!("استهدفت {a1} بقذائف الهاون أحياء في {p} {day}، ما أسفر عن إصابة {n} مدنيين."),
            6 => format!("اعتقلت {a1} {n} شابا في حملة مداهمات في {p} {day}، {per}."),
            _ => format!("خرج مئات المتظاهرين في {p} {day} للمطالبة بالإفراج عن المعتقلين."),
        };
        text.push_str(&s);
        text.push(' ');
        text.push_str(r.pick(FILLER));
        text.push(' ');
    }
    text.push_str(&format!("(رقم المتابعة {i})"));
    let base = chrono::NaiveDate::from_ymd_opt(2017, 1, 1).unwrap_or_default();
    Doc {
        id: format!("syn-{i:07}"),
        url: None,
        outlet: Some(["sana", "sohr", "amaq", "afp", "reuters", "aljazeera"][i % 6].to_string()),
        published: match dating {
            Dating::After(d) => d.checked_add_days(chrono::Days::new(r.below(7))),
            Dating::Spread => base.checked_add_days(chrono::Days::new(r.below(730))),
            Dating::PerDay { per_day, start } => {
                start.checked_add_days(chrono::Days::new(i as u64 / u64::from(per_day)))
            }
        },
        title: None,
        text,
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    if args.docs == 0 && args.input.is_none() {
        bail!("--docs must be at least 1");
    }
    if let Some(path) = &args.write {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        let dating = Dating::of(&args);
        for i in args.first..args.first + args.docs {
            serde_json::to_writer(&mut out, &synthetic_doc(i, dating))?;
            std::io::Write::write_all(&mut out, b"\n")?;
        }
        std::io::Write::flush(&mut out)?;
        return Ok(ExitCode::SUCCESS);
    }
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", args.db.display()));
        if p.exists() {
            std::fs::remove_file(&p)?;
        }
    }
    // The documents are generated (or read) as the ingest takes them, never held together: memory does not grow
    // with --docs. Their count and bytes are added up on the way.
    let (mut n, mut bytes) = (0usize, 0usize);
    let count = |item: Item, n: &mut usize, bytes: &mut usize| {
        *n += 1;
        *bytes += item.doc.as_ref().map_or(0, |d| d.text.len());
        item
    };
    let docs: Box<dyn Iterator<Item = Item>> = match &args.input {
        Some(p) => rasd_store::read::read_path(p, rasd_store::read::ReadOptions::default()),
        None => {
            let dating = Dating::of(&args);
            Box::new((args.first..args.first + args.docs).map(move |i| Item {
                origin: format!("synthetic:{i}"),
                format: Some(Format::Jsonl),
                doc: Ok(synthetic_doc(i, dating)),
                unreadable: false,
            }))
        }
    };
    let docs = docs.map(|item| count(item, &mut n, &mut bytes));
    let x = extractor()?;
    let mut store = Store::open(&args.db)?;
    let pb = progress_bar(false, "ingesting");
    let total = args.input.is_none().then_some(args.docs);
    let mut tick = |s: &IngestStats| {
        pb.set_message(match total {
            Some(t) => format!("{} / {t}", s.read),
            None => format!("{}", s.read),
        })
    };
    let t = Instant::now();
    let stats = store.ingest(docs, &worker(x), rasd_events::VERSION, &mut tick)?;
    let secs = t.elapsed().as_secs_f64();
    pb.finish_and_clear();
    let reconcile_secs = if args.skip_rebuild_timing {
        None
    } else {
        let t = Instant::now();
        store.reconcile(&rasd_reconcile::Options::default())?;
        Some(t.elapsed().as_secs_f64())
    };
    drop(store);
    let store = Store::open_existing(&args.db)?;
    let summary = store.summary()?;
    let place = summary
        .busiest_place
        .as_ref()
        .map(|p| p.place_id.clone())
        .unwrap_or_default();
    let time = |f: &mut dyn FnMut() -> Result<usize>| -> Result<(f64, usize)> {
        let mut best = f64::INFINITY;
        let mut count = 0;
        for _ in 0..5 {
            let t = Instant::now();
            count = f()?;
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
        }
        Ok((best, count))
    };
    let (t_timeline, steps) = time(&mut || Ok(store.timeline(&place, 7)?.map_or(0, |t| t.steps.len())))?;
    let filter = Filter {
        place: Some(place.clone()),
        ..Filter::default()
    };
    // Counted as `rasd contradictions` and `rasd events` print them, one at a time: holding them all would
    // measure the bench, not rasd.
    let (t_contra, contras) = time(&mut || Ok(store.for_each_contradiction(&filter, &mut |_| Ok(()))? as usize))?;
    let (t_events, events_at) = time(&mut || Ok(store.for_each_event(&filter, 0, None, &mut |_| Ok(()))? as usize))?;
    let threads = rayon::current_num_threads();
    println!(
        "input: {n} documents, {:.1} MB, {threads} extraction thread(s)",
        bytes as f64 / 1e6
    );
    println!(
        "ingest (with extraction and reconcile): {secs:.2} s = {:.0} docs/s, {:.2} MB/s",
        n as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
    println!(
        "  stored {}, near-duplicates {}, events {}, incidents {}, contradictions {}",
        stats.stored,
        stats.near_duplicates,
        stats.events,
        summary.incidents,
        summary.contradictions_by_kind.iter().map(|(_, c)| c).sum::<u64>()
    );
    match reconcile_secs {
        Some(secs) => println!("reconcile alone (rebuild of derived tables): {secs:.2} s"),
        None => println!("reconcile alone (rebuild of derived tables): skipped (--skip-rebuild-timing)"),
    }
    println!("timeline {place}: {t_timeline:.1} ms ({steps} steps, best of 5)");
    println!("contradictions --place {place}: {t_contra:.1} ms ({contras} rows, best of 5)");
    println!("events --place {place}: {t_events:.1} ms ({events_at} rows, best of 5)");
    println!(
        "database size: {:.1} MB",
        std::fs::metadata(&args.db).map_or(0, |m| m.len()) as f64 / 1e6
    );
    println!("peak RSS: {:.1} MB", peak_rss_mb());
    if !args.keep {
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", args.db.display()));
        }
    }
    Ok(ExitCode::SUCCESS)
}
