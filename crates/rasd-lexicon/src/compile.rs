//! The lexicon compiler: TSV sources → one binary file.
//!
//! Shared by `rasd lexicon build` and by this crate's `build.rs` (which includes this file with `#[path]`), so the
//! embedded lexicon and a user-built one come out of the same code. Source names go through
//! [`rasd_text::normalize_key`], the normalizer the matcher runs on the text, so build and match never disagree.
//!
//! For every name the compiler indexes the normalized name and these derived keys:
//! - space variants of names that start with البو / ابو / بني: "البوكمال" also as "البو كمال" and back;
//! - the ل+ال contraction: "الرقة" also as "لرقه", valid only right after a proclitic ل ("للرقة");
//!   "اللاذقية" as "لاذقيه" ("للاذقية");
//! - for large places (population ≥ 100 000) and governorates, the name without its article ("رقه" is not, it is
//!   too short; "موصل" is), unless the bare word is a known common word.
//!
//! Gazetteer names that are common Arabic words ("كان", "عين", "الجمعة" …) are not indexed as place keys; see
//! [`STOP_KEYS`]. Places are indexed by their Arabic names only: Latin place names are too often English words.

use crate::error::{Error, Result};
use crate::format::{self, Tables};
use crate::model::{Actor, Coref, Country, Outlet, Place, Posting, Target};
use rasd_core::{ActorType, SourceKind};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The source files, relative to the data directory, and the header each must have.
pub const SOURCES: &[(&str, &str)] = &[
    (
        "gazetteer/geonames.tsv",
        "id\tname\tname_ar\taliases\tcountry\tadmin1\tlat\tlon\tpopulation\tfeature\tsource",
    ),
    (
        "gazetteer/admin1.tsv",
        "id\tname\tname_ar\taliases\tcountry\tadmin1\tlat\tlon\tsource",
    ),
    (
        "gazetteer/curated.tsv",
        "id\tname\tname_ar\taliases\tcountry\tadmin1\tlat\tlon\tkind\tparent\tsource",
    ),
    (
        "lexicon/actors.tsv",
        "id\tname_en\tname_ar\taliases\ttype\tcountry\tparent\tsource",
    ),
    (
        "lexicon/outlets.tsv",
        "id\tname_en\tname_ar\taliases\tkind\tcountry\taffiliated_actor\tsource",
    ),
    ("lexicon/coref.tsv", "word\tapplies_to\tsource"),
    (
        "lexicon/countries.tsv",
        "iso2\tname\tname_ar\tplace_names\tcontext_names\tlat\tlon\tcapital\tsource",
    ),
];

/// Curated place kinds accepted in `curated.tsv`.
pub const CURATED_KINDS: &[&str] = &[
    "village",
    "town",
    "district",
    "neighbourhood",
    "oil_field",
    "gas_field",
    "crossing",
    "camp",
    "base",
    "airport",
    "dam",
    "road",
    "bridge",
    "mountain",
    "island",
    "region",
];

/// Common words that GeoNames also lists as place names (mostly Arabic renderings of Turkish, Iranian and
/// Maghrebi villages). As keys they would fire on ordinary prose, so places never get them. Normalized at use.
pub const STOP_KEYS: &[&str] = &[
    "من",
    "في",
    "على",
    "الى",
    "إلى",
    "عن",
    "مع",
    "هذا",
    "هذه",
    "ذلك",
    "تلك",
    "التي",
    "الذي",
    "الذين",
    "كان",
    "كانت",
    "قد",
    "لم",
    "لن",
    "ان",
    "أن",
    "إن",
    "او",
    "أو",
    "ثم",
    "بعد",
    "قبل",
    "عند",
    "حتى",
    "منذ",
    "خلال",
    "بين",
    "حول",
    "ضد",
    "نحو",
    "اليوم",
    "امس",
    "أمس",
    "غدا",
    "قال",
    "قالت",
    "وقال",
    "كما",
    "لكن",
    "بل",
    "غير",
    "كل",
    "بعض",
    "ما",
    "ماذا",
    "هو",
    "هي",
    "هم",
    "نحن",
    "انه",
    "أنه",
    "عبر",
    "عين",
    "بئر",
    "تل",
    "دير",
    "قرية",
    "بلدة",
    "مدينة",
    "الجمعة",
    "السبت",
    "الأحد",
    "الاثنين",
    "الثلاثاء",
    "الأربعاء",
    "الخميس",
    "جمعة",
    "سبت",
    "أحد",
    "خميس",
    "المدينة",
    "القرية",
    "البلدة",
    "الحي",
    "السوق",
    "المركز",
    "الشمال",
    "الجنوب",
    "الشرق",
    "الغرب",
    "الوسط",
    "شمال",
    "جنوب",
    "شرق",
    "غرب",
    "وسط",
    "مركز",
    "سوق",
    "حي",
    "جبل",
    "الجبل",
    "النهر",
    "نهر",
    "البحر",
    "بحر",
    "سيد",
    "السيد",
    "امام",
    "أمام",
    "الإمام",
    "الامام",
    "عام",
    "العام",
    "يوم",
    "شهر",
    "سنة",
    "مقتل",
    "قتلى",
    "جديد",
    "الجديد",
    "الجديدة",
    "جديدة",
    "كبير",
    "الكبير",
    "الكبيرة",
    "صغير",
    "الصغير",
    "الصغيرة",
    "عالية",
    "العالي",
    "اعلى",
    "الأعلى",
    "أسفل",
    "اسفل",
    "فوق",
    "تحت",
    "الفوقاني",
    "التحتاني",
    "حسن",
    "علي",
    "محمد",
    "احمد",
    "أحمد",
    "عمر",
    "عثمان",
    "خالد",
    "سعيد",
    "حمد",
    "كريم",
    "جميل",
    "نور",
    "النور",
    "السلام",
    "سلام",
    "امن",
    "أمن",
    "الامن",
    "الأمن",
    "حرب",
    "الحرب",
    "نصر",
    "النصر",
    "فتح",
    "الفتح",
    "حزب",
    "دولة",
    "الدولة",
    "ثورة",
    "الثورة",
    "الحرية",
    "حرية",
    "الوحدة",
    "وحدة",
    "الشعب",
    "شعب",
    "بلد",
    "البلد",
    "ارض",
    "أرض",
    "الأرض",
    "باب",
    "الباب",
    "بيت",
    "البيت",
    "دار",
    "الدار",
    "كفر",
    "راس",
    "رأس",
    "الرأس",
    "عيون",
    "العين",
    "حمام",
    "الحمام",
    "قصر",
    "القصر",
    "برج",
    "البرج",
    "الصحراء",
    "صحراء",
    "الجزيرة",
    "جزيرة",
    "العرب",
    "عرب",
    "الكرد",
    "كرد",
    "النظام",
    "الجيش",
    "القوات",
    "التنظيم",
    "مصر",
    "تونس",
    "قطر",
    "الكويت",
    "عمان",
    "عُمان",
    "البحرين",
    "الأردن",
    "لبنان",
    "فلسطين",
    "اليمن",
    "ليبيا",
    "السودان",
    "العراق",
    "سوريا",
    "سورية",
    "تركيا",
    "ايران",
    "إيران",
    "المغرب",
    "الجزائر",
    "الصومال",
    "الحكومة",
    "حكومة",
    "البلاد",
    "بيان",
    "الآن",
    "أشار",
    "المصدر",
    "مصدر",
    "الحراك",
    "التحالف",
    "عسكري",
    "العسكري",
    "وقف",
    "واحد",
    "جوي",
    "الفندق",
    "الاتحاد",
    "مبارك",
    "شبه",
    "الشهداء",
    "شهداء",
    "كشف",
    "سحب",
    "مسجد",
    "المسجد",
    "الخبراء",
    "الكردي",
    "قيام",
    "كلمة",
    "المنشية",
    "حربية",
    "السد",
    "الجلاء",
    "حصار",
    "شيخ",
    "الشيخ",
    "الأشهر",
    "إسلامية",
    "بشار",
    "صور",
    "المسيلة",
    "المعارضة",
    "الرئيس",
    "الوزير",
    "الشرطة",
    "اللواء",
    "العقيد",
    "الحرس",
    "السلطة",
    "السلطات",
    "القيادة",
    "المنطقة",
    "منطقة",
    "الطريق",
    "طريق",
    "المطار",
    "الميناء",
    "القاعدة",
    "قاعدة",
    "الجبهة",
    "جبهة",
    "الحدود",
    "حدود",
    "الخط",
    "النقطة",
    "السجن",
    "الجامعة",
    "المستشفى",
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ابريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "الشرقية",
    "الغربية",
    "الشمالية",
    "الجنوبية",
    "الصورة",
    "الكرامة",
    "معبر",
    "المعبر",
    "صيف",
    "ملح",
    "الطويلة",
    "شيوخ",
    "العليا",
    "السفلى",
    "الشط",
    "المركز",
    "الجماعي",
    "ظلمة",
    "شمر",
    "الضلع",
    "عبس",
    "شحن",
    "بني",
    "حجر",
    "بؤر",
    "الساحل",
    "ساحل",
    "الصف",
    "قنوات",
    "عنه",
    "منه",
    "عليه",
    "اليه",
    "فيه",
    "له",
    "لها",
    "الوطن",
    "وطن",
    "ديسمبر",
    "كانون",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين",
];

/// Countries whose GeoNames places are indexed down to villages; elsewhere only towns of 50 000 and more, since
/// Arabic renderings of small Turkish, Iranian or Maghrebi villages are mostly common words in Arabic prose.
pub const CORE_COUNTRIES: &[&str] = &[
    "SY", "IQ", "YE", "LY", "SD", "SS", "PS", "IL", "LB", "EG", "SO", "JO", "SA",
];

/// Arab countries outside [`CORE_COUNTRIES`], whose towns of 10 000 and more are indexed by their names of two
/// words or more (protests and attacks in Tunisia, Algeria, Morocco and the Gulf name such towns).
pub const ARAB_COUNTRIES: &[&str] = &["TN", "DZ", "MA", "MR", "BH", "KW", "QA", "AE", "OM"];

/// The text of one source file, with the name used in error messages.
#[derive(Debug, Clone)]
pub struct SourceText {
    /// Path relative to the data directory, e.g. `lexicon/actors.tsv` (must be one of [`SOURCES`]).
    pub rel: String,
    /// Name for messages (usually the full path).
    pub display: String,
    pub text: String,
}

/// A compiled lexicon before serialization: the tables and the sorted keys (key id = index).
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    pub tables: Tables,
    pub keys: Vec<String>,
}

/// The source files present in `dir`, for `rerun-if-changed` and for reading.
pub fn source_paths(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    SOURCES
        .iter()
        .map(|(rel, _)| (dir.join(rel), *rel))
        .filter(|(p, _)| p.is_file())
        .collect()
}

/// Reads and compiles every source file present under `dir` (`gazetteer/*.tsv`, `lexicon/*.tsv`).
pub fn compile_dir(dir: &Path) -> Result<Compiled> {
    let mut texts = Vec::new();
    for (path, rel) in source_paths(dir) {
        let bytes = std::fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let display = path.display().to_string();
        let text = String::from_utf8(bytes).map_err(|e| Error::Source {
            file: display.clone(),
            line: 0,
            reason: format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
        })?;
        texts.push(SourceText {
            rel: rel.to_string(),
            display,
            text,
        });
    }
    if texts.is_empty() {
        return Err(Error::Data(format!(
            "no source files under {} (expected gazetteer/*.tsv and lexicon/*.tsv)",
            dir.display()
        )));
    }
    compile_texts(&texts)
}

/// A row of a source file: its cells and its 1-based line number.
struct Row<'a> {
    cells: Vec<&'a str>,
    line: usize,
}

fn rows<'a>(src: &'a SourceText, header: &str) -> Result<Vec<Row<'a>>> {
    let err = |line: usize, reason: String| Error::Source {
        file: src.display.clone(),
        line,
        reason,
    };
    let mut lines = src.text.lines().enumerate();
    let first = lines
        .next()
        .map(|(_, l)| l.trim_start_matches('\u{FEFF}').trim_end_matches('\r'));
    if first != Some(header) {
        return Err(err(
            1,
            format!("header must be exactly {header:?}, found {:?}", first.unwrap_or("")),
        ));
    }
    let ncols = header.split('\t').count();
    let mut out = Vec::new();
    for (i, line) in lines {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').map(str::trim).collect();
        if cells.len() != ncols {
            return Err(err(
                i + 1,
                format!("expected {ncols} tab-separated cells, found {}", cells.len()),
            ));
        }
        if cells.last().is_some_and(|s| s.is_empty()) {
            return Err(err(i + 1, "the source cell is empty (every row needs a source)".into()));
        }
        if cells[0].is_empty() {
            return Err(err(i + 1, "the first cell (id or word) is empty".into()));
        }
        out.push(Row { cells, line: i + 1 });
    }
    Ok(out)
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split('|').map(str::trim).filter(|a| !a.is_empty())
}

/// Compiles in-memory source texts (the same as [`compile_dir`] without the file system).
pub fn compile_texts(texts: &[SourceText]) -> Result<Compiled> {
    let mut b = Builder::default();
    // Actors first: outlets and coreference words refer to them.
    let order = [
        "lexicon/actors.tsv",
        "gazetteer/admin1.tsv",
        "gazetteer/geonames.tsv",
        "gazetteer/curated.tsv",
        "lexicon/outlets.tsv",
        "lexicon/coref.tsv",
        // Last: a capital is a gazetteer id.
        "lexicon/countries.tsv",
    ];
    for rel in order {
        let Some(header) = SOURCES.iter().find(|(r, _)| *r == rel).map(|(_, h)| *h) else {
            continue;
        };
        for src in texts.iter().filter(|s| s.rel == rel) {
            let rows = rows(src, header)?;
            let err = |line: usize, reason: String| Error::Source {
                file: src.display.clone(),
                line,
                reason,
            };
            for row in rows {
                let c = &row.cells;
                let line = row.line;
                match rel {
                    "lexicon/actors.tsv" => {
                        let actor_type = ActorType::parse(c[4])
                            .ok_or_else(|| err(line, format!("unknown actor type {:?}", c[4])))?;
                        let actor = Actor {
                            id: c[0].to_string(),
                            name_en: c[1].to_string(),
                            name_ar: c[2].to_string(),
                            actor_type,
                            country: opt(c[5]),
                            parent: opt(c[6]),
                        };
                        let names: Vec<&str> = [c[2], c[1]].into_iter().chain(list(c[3])).collect();
                        b.add_actor(actor, &names, line).map_err(|r| err(line, r))?;
                    }
                    "lexicon/outlets.tsv" => {
                        let kind = SourceKind::parse(c[4])
                            .ok_or_else(|| err(line, format!("unknown source kind {:?}", c[4])))?;
                        let outlet = Outlet {
                            id: c[0].to_string(),
                            name_en: c[1].to_string(),
                            name_ar: c[2].to_string(),
                            kind,
                            country: opt(c[5]),
                            affiliated_actor: opt(c[6]),
                        };
                        if let Some(a) = &outlet.affiliated_actor
                            && !b.actor_ids.contains_key(a)
                            && !b.actor_ids.is_empty()
                        {
                            return Err(err(line, format!("affiliated_actor {a:?} is not an actor id")));
                        }
                        let names: Vec<&str> = [c[2], c[1]].into_iter().chain(list(c[3])).collect();
                        b.add_outlet(outlet, &names).map_err(|r| err(line, r))?;
                    }
                    "lexicon/coref.tsv" => {
                        let applies_to: Vec<String> = list(c[1]).map(str::to_string).collect();
                        if applies_to.is_empty() {
                            return Err(err(line, "applies_to is empty".into()));
                        }
                        for a in &applies_to {
                            if ActorType::parse(a).is_none() && !b.actor_ids.contains_key(a) && !b.actor_ids.is_empty()
                            {
                                return Err(err(line, format!("applies_to {a:?} is neither an actor id nor a type")));
                            }
                        }
                        b.add_coref(Coref {
                            word: c[0].to_string(),
                            applies_to,
                        })
                        .map_err(|r| err(line, r))?;
                    }
                    "lexicon/countries.tsv" => {
                        let country = parse_country(c).map_err(|r| err(line, r))?;
                        if b.tables.countries.iter().any(|o| o.iso2 == country.iso2) {
                            return Err(err(line, format!("country {:?} is listed twice", country.iso2)));
                        }
                        if let Some(id) = &country.capital
                            && !b.place_ids.contains_key(id)
                            && !b.place_ids.is_empty()
                        {
                            return Err(err(line, format!("capital {id:?} is not a gazetteer place id")));
                        }
                        b.tables.countries.push(country);
                    }
                    _ => {
                        let place = parse_place(rel, c).map_err(|r| err(line, r))?;
                        let names: Vec<&str> = [c[2]].into_iter().chain(list(c[3])).collect();
                        // Arabic names the team reviewed (`geonames_fixes.tsv`), ordinary words left out or
                        // qualified there.
                        let reviewed = rel == "gazetteer/geonames.tsv"
                            && c.get(10).is_some_and(|s| s.contains("corrected in geonames_fixes.tsv"));
                        b.add_place(place, &names, reviewed).map_err(|r| err(line, r))?;
                    }
                }
            }
        }
    }
    b.check_references()?;
    let context: Vec<Vec<String>> = b.tables.countries.iter().map(|c| c.context_names.clone()).collect();
    for (i, names) in context.iter().enumerate() {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        b.index(&names, Target::Country(i as u32), None);
    }
    Ok(b.finish())
}

/// One row of `lexicon/countries.tsv`. `-` stands for "none" in the name lists, the point and the capital; a
/// country has place names exactly when it has a point.
fn parse_country(c: &[&str]) -> Result<Country, String> {
    if c[0].len() != 2 || !c[0].bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!("iso2 {:?} is not an ISO 3166 alpha-2 code", c[0]));
    }
    if c[1].is_empty() || c[2].is_empty() {
        return Err("name and name_ar must not be empty".into());
    }
    let names = |s: &str| -> Vec<String> {
        if s == "-" {
            Vec::new()
        } else {
            list(s).map(str::to_string).collect()
        }
    };
    let place_names = names(c[3]);
    let context_names = names(c[4]);
    let point = match (c[5], c[6]) {
        ("-", "-") => None,
        (lat, lon) => {
            let num = |s: &str, what: &str, range: f64| -> Result<f64, String> {
                s.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && v.abs() <= range)
                    .ok_or_else(|| format!("{what} {s:?} is not a number within ±{range}"))
            };
            Some((num(lat, "lat", 90.0)?, num(lon, "lon", 180.0)?))
        }
    };
    if point.is_some() == place_names.is_empty() {
        return Err("place_names and a point (lat, lon) go together: give both or neither (-)".into());
    }
    let capital = (c[7] != "-" && !c[7].is_empty()).then(|| c[7].to_string());
    if capital.is_some() && point.is_none() {
        return Err("a capital needs the country's point and place names".into());
    }
    Ok(Country {
        iso2: c[0].to_string(),
        name: c[1].to_string(),
        name_ar: c[2].to_string(),
        place_names,
        context_names,
        point,
        capital,
    })
}

fn parse_place(rel: &str, c: &[&str]) -> Result<Place, String> {
    let num = |s: &str, what: &str| -> Result<f64, String> {
        s.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("{what} {s:?} is not a number"))
    };
    let lat = num(c[6], "lat")?;
    let lon = num(c[7], "lon")?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(format!("coordinates {lat},{lon} are out of range"));
    }
    if c[4].len() != 2 || !c[4].bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!("country {:?} is not an ISO 3166 alpha-2 code", c[4]));
    }
    let (population, kind, parent) = match rel {
        "gazetteer/geonames.tsv" => {
            let p = c[8]
                .parse::<u64>()
                .map_err(|_| format!("population {:?} is not a whole number", c[8]))?;
            (
                p,
                if c[9].is_empty() {
                    "PPL".to_string()
                } else {
                    c[9].to_string()
                },
                None,
            )
        }
        "gazetteer/admin1.tsv" => (0, "admin1".to_string(), None),
        _ => {
            if !CURATED_KINDS.contains(&c[8]) {
                return Err(format!("kind {:?} is not one of {}", c[8], CURATED_KINDS.join(", ")));
            }
            (0, c[8].to_string(), opt(c[9]))
        }
    };
    let prefix = match rel {
        "gazetteer/geonames.tsv" => "gn:",
        "gazetteer/admin1.tsv" => "adm1:",
        _ => "cur:",
    };
    if !c[0].starts_with(prefix) {
        return Err(format!("id {:?} must start with {prefix:?}", c[0]));
    }
    Ok(Place {
        id: c[0].to_string(),
        name: c[1].to_string(),
        name_ar: c[2].to_string(),
        country: c[4].to_string(),
        admin1: opt(c[5]),
        lat,
        lon,
        population,
        kind,
        parent,
    })
}

/// Normalizes a source name into a key: the runtime normalizer, quotes dropped, white space collapsed.
pub fn key_of(name: &str) -> String {
    let folded = rasd_text::normalize_key(name);
    let mut out = String::with_capacity(folded.len());
    for w in folded
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

fn is_arabic_key(k: &str) -> bool {
    k.chars().any(|c| ('\u{0621}'..='\u{064A}').contains(&c))
}

/// Space-variant prefixes: names written both joined and apart.
const SPACE_PREFIXES: &[&str] = &["البو", "ابو", "بني"];

/// The keys derived from one normalized name, with their flags.
fn variants(key: &str, article_less: bool, known: &rasd_text::Segmenter) -> Vec<(String, u8)> {
    let mut out = vec![(key.to_string(), 0u8)];
    for p in SPACE_PREFIXES {
        if let Some(rest) = key.strip_prefix(p) {
            if let Some(r) = rest.strip_prefix(' ') {
                if r.chars().count() >= 3 {
                    out.push((format!("{p}{r}"), Posting::VARIANT));
                }
            } else if rest.chars().count() >= 3 && !rest.starts_with(' ') {
                out.push((format!("{p} {rest}"), Posting::VARIANT));
            }
        }
    }
    if article_less
        && let Some(rest) = key.strip_prefix("ال")
        && rest.chars().count() >= 4
        && !known.is_known(rest)
    {
        out.push((rest.to_string(), Posting::VARIANT));
    }
    let mut contracted = Vec::new();
    for (k, f) in &out {
        if let Some(rest) = k.strip_prefix("ال")
            && rest.chars().count() >= 2
        {
            let c = if rest.starts_with('ل') {
                rest.to_string()
            } else {
                format!("ل{rest}")
            };
            contracted.push((c, f | Posting::CONTRACTED));
        }
    }
    out.extend(contracted);
    out
}

#[derive(Default)]
struct Builder {
    tables: Tables,
    keys: BTreeMap<String, BTreeSet<Posting>>,
    place_ids: HashMap<String, usize>,
    actor_ids: HashMap<String, usize>,
    outlet_ids: HashMap<String, usize>,
    coref_words: HashMap<String, usize>,
    /// (file line of the first mention, parent id) for actors, checked once all are read.
    actor_parents: Vec<(usize, String)>,
    stop: Option<BTreeSet<String>>,
    segmenter: Option<rasd_text::Segmenter>,
}

impl Builder {
    fn stop(&mut self) -> &BTreeSet<String> {
        self.stop
            .get_or_insert_with(|| STOP_KEYS.iter().map(|w| key_of(w)).collect())
    }

    fn index(&mut self, names: &[&str], target: Target, place: Option<bool>) {
        let segmenter = self.segmenter.take().unwrap_or_default();
        for name in names {
            let key = key_of(name);
            let arabic = is_arabic_key(&key);
            let letters = key.chars().filter(|c| c.is_alphanumeric()).count();
            if letters < 2 || key.chars().any(|c| matches!(c, '(' | ')' | '[' | ']')) {
                continue;
            }
            let (flags_base, list) = if arabic {
                let article_less = place == Some(true);
                (0, variants(&key, article_less, &segmenter))
            } else {
                // Latin names: actors and outlets only ("SDF", "SANA"); place names in Latin are too often
                // English words.
                if place.is_some() || letters < 3 {
                    continue;
                }
                (Posting::LATIN, vec![(key.clone(), 0)])
            };
            for (k, f) in list {
                if place.is_some() && (k.chars().count() < 3 || self.stop().contains(&k)) {
                    continue;
                }
                self.keys.entry(k).or_default().insert(Posting {
                    target,
                    flags: flags_base | f,
                });
            }
        }
        self.segmenter = Some(segmenter);
    }

    fn add_actor(&mut self, a: Actor, names: &[&str], line: usize) -> Result<(), String> {
        if self.actor_ids.contains_key(&a.id) {
            return Err(format!("duplicate actor id {:?}", a.id));
        }
        let i = self.tables.actors.len();
        self.actor_ids.insert(a.id.clone(), i);
        if let Some(p) = &a.parent {
            self.actor_parents.push((line, p.clone()));
        }
        self.tables.actors.push(a);
        self.index(names, Target::Actor(i as u32), None);
        Ok(())
    }

    fn add_outlet(&mut self, o: Outlet, names: &[&str]) -> Result<(), String> {
        if self.outlet_ids.contains_key(&o.id) {
            return Err(format!("duplicate outlet id {:?}", o.id));
        }
        let i = self.tables.outlets.len();
        self.outlet_ids.insert(o.id.clone(), i);
        self.tables.outlets.push(o);
        self.index(names, Target::Outlet(i as u32), None);
        Ok(())
    }

    fn add_coref(&mut self, c: Coref) -> Result<(), String> {
        let key = key_of(&c.word);
        if self.coref_words.contains_key(&key) {
            return Err(format!("duplicate coreference word {:?}", c.word));
        }
        let i = self.tables.corefs.len();
        self.coref_words.insert(key, i);
        let word = c.word.clone();
        self.tables.corefs.push(c);
        self.index(&[&word], Target::Coref(i as u32), None);
        Ok(())
    }

    fn add_place(&mut self, p: Place, names: &[&str], reviewed: bool) -> Result<(), String> {
        if self.place_ids.contains_key(&p.id) {
            return Err(format!("duplicate place id {:?}", p.id));
        }
        let big = p.population >= 100_000 || p.kind == "admin1";
        let gn = p.id.starts_with("gn:");
        // Arab countries outside the core: towns of 10 000 and more too, by their names of two words or more
        // ("سيدي بوزيد", "حلق الوادي", "مدينة عيسى"); one-word names of such towns are too often ordinary words
        // ("جامعة", "الحد", "قبلي"), so the ones reports name are curated rows, or names the team reviewed in
        // `geonames_fixes.tsv` (where an ordinary word is entered only qualified: "مدينة تنس").
        let small = gn && !CORE_COUNTRIES.contains(&p.country.as_str()) && p.population < 50_000;
        let arab_town: Vec<&str> = if small && ARAB_COUNTRIES.contains(&p.country.as_str()) && p.population >= 10_000 {
            names
                .iter()
                .copied()
                .filter(|n| reviewed || key_of(n).contains(' '))
                .collect()
        } else if small && reviewed && p.population >= 10_000 {
            // Elsewhere (the Sahel) a town below 50 000 is found only by the names the team reviewed.
            names.to_vec()
        } else {
            Vec::new()
        };
        if small && !arab_town.is_empty() {
            let i = self.tables.places.len();
            self.place_ids.insert(p.id.clone(), i);
            self.tables.places.push(p);
            self.index(&arab_town, Target::Place(i as u32), Some(false));
            return Ok(());
        }
        if small {
            // Kept as an entry (lookups by id still work) but not indexed by name.
            let i = self.tables.places.len();
            self.place_ids.insert(p.id.clone(), i);
            self.tables.places.push(p);
            return Ok(());
        }
        // Single-word names of GeoNames hamlets are too often ordinary words; curated places carry the small ones.
        // Population 0 means "unknown" in GeoNames (many Syrian and Yemeni district seats): those stay.
        let names: Vec<&str> = if gn && (1..1_000).contains(&p.population) {
            names.iter().copied().filter(|n| key_of(n).contains(' ')).collect()
        } else {
            names.to_vec()
        };
        let names = &names[..];
        let i = self.tables.places.len();
        self.place_ids.insert(p.id.clone(), i);
        self.tables.places.push(p);
        self.index(names, Target::Place(i as u32), Some(big));
        Ok(())
    }

    fn check_references(&self) -> Result<()> {
        for (line, parent) in &self.actor_parents {
            if !self.actor_ids.contains_key(parent) {
                return Err(Error::Source {
                    file: "lexicon/actors.tsv".into(),
                    line: *line,
                    reason: format!("parent {parent:?} is not an actor id"),
                });
            }
        }
        // A parent in a file that was not loaded at all (a partial data set) is not checked.
        let loaded = |prefix: &str| self.tables.places.iter().any(|p| p.id.starts_with(prefix));
        for p in &self.tables.places {
            if let Some(parent) = &p.parent
                && !self.place_ids.contains_key(parent)
                && ["cur:", "gn:", "adm1:"]
                    .iter()
                    .any(|pre| parent.starts_with(pre) && loaded(pre))
            {
                return Err(Error::Data(format!(
                    "place {} has parent {parent:?}, which is not a place id",
                    p.id
                )));
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Compiled {
        let mut keys = Vec::with_capacity(self.keys.len());
        self.tables.key_offsets = Vec::with_capacity(self.keys.len() + 1);
        self.tables.key_offsets.push(0);
        for (k, postings) in std::mem::take(&mut self.keys) {
            keys.push(k);
            self.tables.postings.extend(postings);
            self.tables.key_offsets.push(self.tables.postings.len() as u32);
        }
        Compiled {
            tables: self.tables,
            keys,
        }
    }
}

impl Compiled {
    /// Counts of places, actors, outlets, coreference words, countries and keys.
    pub fn counts(&self) -> [(&'static str, usize); 6] {
        [
            ("places", self.tables.places.len()),
            ("actors", self.tables.actors.len()),
            ("outlets", self.tables.outlets.len()),
            ("coref words", self.tables.corefs.len()),
            ("countries", self.tables.countries.len()),
            ("keys", self.keys.len()),
        ]
    }

    /// Serializes into the compiled file format (see [`crate::format`]).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let tables = format::encode_tables(&self.tables);
        let automaton = if self.keys.is_empty() {
            Vec::new()
        } else {
            daachorse::CharwiseDoubleArrayAhoCorasickBuilder::new()
                .match_kind(daachorse::MatchKind::Standard)
                .build_with_values::<_, _, u32>(self.keys.iter().enumerate().map(|(i, k)| (k.as_str(), i as u32)))
                .map_err(|e| Error::Index(e.to_string()))?
                .serialize()
        };
        let mut fst = fst::MapBuilder::memory();
        for (i, k) in self.keys.iter().enumerate() {
            fst.insert(k, i as u64).map_err(|e| Error::Index(e.to_string()))?;
        }
        let fst = fst.into_inner().map_err(|e| Error::Index(e.to_string()))?;
        Ok(format::assemble(&tables, &automaton, &fst))
    }
}
