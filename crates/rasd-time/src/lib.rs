//! Arabic date expressions, resolved against the publication date.
//!
//! An event's date is rarely the publication date: a report dated Friday speaks of "أمس الخميس", of "مساء أول من
//! أمس", of "ليل الأربعاء 24 من يناير/كانون الثاني". [`DateFinder::find`] recognizes such expressions — month names
//! of all three series, Hijri dates, numeric dates, weekdays with relative markers, relative periods, ranges — and
//! resolves each against an anchor (usually the publication date) to a [`DateRange`] with a precision and the name
//! of the rule that produced it. Without an anchor an expression is still returned, unresolved: nothing is guessed.
//!
//! Matching runs on the `Mode::Match` normalization of the text (so hamza, alef, diacritic and digit variants all
//! match) and every span is mapped back to BYTES OF THE ORIGINAL text.
//!
//! How it stays fast: one linear pass folds the text and looks each word up once in a hash of the closed date
//! vocabulary; only known words, digit runs and punctuation become atoms, and the grammar runs over those atoms.

mod grammar;
mod lexicon;
mod resolve;
mod scan;

use chrono::NaiveDate;
use grammar::{Expr, Found, Pt, PtKind};
use lexicon::{Rel, Vocabulary};
use rasd_core::DatePrecision;
use rasd_text::{Mode, Normalized, Normalizer};
use resolve::YearHint;
use serde::Serialize;

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A date given by the caller (an anchor, a gold file) is not `YYYY-MM-DD`.
    #[error("{0:?} is not a date in YYYY-MM-DD form")]
    BadDate(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Parses a caller-supplied `YYYY-MM-DD` date (an anchor, a gold row), so CLI and eval reject bad dates alike.
pub fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| Error::BadDate(s.to_string()))
}

/// A resolved date: a single day when `start == end`, else an inclusive range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct DateRange {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// One date or time expression found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateMention {
    /// Byte span in the ORIGINAL text.
    pub start: usize,
    pub end: usize,
    /// `None` when the expression needs an anchor that is missing, or is too vague to bound ("خلال الأشهر
    /// الماضية"). Never guessed.
    pub resolved: Option<DateRange>,
    /// The precision of the expression, kept even when it is unresolved (then `Unknown` only for vague periods).
    pub precision: DatePrecision,
    /// The rule that produced the value, e.g. "weekday-yesterday", "month-past-year-rollback", "hijri-tabular";
    /// unresolved expressions end in ":no-anchor".
    pub rule: String,
    /// The text marks the future ("غدا", "الخميس المقبل"), or the resolved date lies after the anchor.
    pub future: bool,
    /// The date ends more than a year before the anchor: history or background, not the reported event.
    pub background: bool,
}

impl DateMention {
    /// The expression's text in `original` (the text it was found in).
    pub fn surface<'t>(&self, original: &'t str) -> &'t str {
        original.get(self.start..self.end).unwrap_or("")
    }
}

/// A publication date read from the document itself (a dateline or header near the top).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicationDate {
    pub date: NaiveDate,
    /// "header-weekday-date" ("السبت 11/نوفمبر/2017 - 12:04 ص") or "dateline-date" ("10 نوفمبر 2017").
    pub rule: String,
    pub start: usize,
    pub end: usize,
}

/// The date recognizer: the folded vocabulary, built once. Immutable, `Send + Sync`, cheap to share.
pub struct DateFinder {
    vocab: Vocabulary,
    normalizer: Normalizer,
}

impl Default for DateFinder {
    fn default() -> Self {
        DateFinder::new()
    }
}

impl std::fmt::Debug for DateFinder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DateFinder")
    }
}

/// Bytes from the top of a document searched for its own publication date.
const HEADER_BYTES: usize = 1200;

/// How far before the anchor a date must end to count as background.
const BACKGROUND_DAYS: i64 = 365;

impl DateFinder {
    pub fn new() -> DateFinder {
        DateFinder {
            vocab: Vocabulary::new(),
            normalizer: Normalizer::new(Mode::Match),
        }
    }

    /// Every date/time expression in `text`, resolved against `anchor` when given (else unresolved).
    pub fn find(&self, text: &str, anchor: Option<NaiveDate>) -> Vec<DateMention> {
        let found = self.locate(text);
        let doc_hint = if anchor.is_none() { doc_year(&found) } else { None };
        let mut last_year: Option<i32> = None;
        // The last single day resolved, the anchor for "اليوم التالي" and "في اليوم نفسه".
        let mut last_day: Option<NaiveDate> = None;
        let mut out = Vec::with_capacity(found.len());
        for f in &found {
            let hint = doc_hint.or(last_year.map(|year| YearHint {
                year,
                rule: "year-from-earlier-date",
            }));
            let mut r = resolve::expr(&f.expr, anchor, hint);
            if let Expr::Point(Pt {
                kind: PtKind::FromEarlier(k),
                ..
            }) = f.expr
                && let Some(prev) = last_day
                && let Some(d) = prev.checked_add_signed(chrono::TimeDelta::days(i64::from(k)))
            {
                r.range = Some(DateRange { start: d, end: d });
                r.rule = "day-from-earlier-date".to_string();
                r.future = anchor.is_some_and(|a| d > a);
            }
            if let Some(range) = r
                .range
                .filter(|x| x.start == x.end && r.precision == DatePrecision::Day)
            {
                last_day = Some(range.start);
            }
            if let Some(y) = explicit_year(&f.expr) {
                last_year = Some(y);
            }
            let (start, end) = (f.start, f.end);
            let background = match (anchor, r.range, &f.expr) {
                (Some(a), Some(range), Expr::Point(_) | Expr::Between(..)) => {
                    (a - range.end).num_days() > BACKGROUND_DAYS
                }
                _ => false,
            };
            out.push(DateMention {
                start,
                end,
                resolved: r.range,
                precision: r.precision,
                rule: r.rule,
                future: r.future,
                background,
            });
        }
        out
    }

    /// Recognizes the expressions of `text` with their spans in the original. Long texts are read window by
    /// window, cut at a line or sentence end, so the buffers stay small (and in cache) and any length aligns.
    fn locate(&self, text: &str) -> Vec<Located> {
        let mut norm = Normalized::default();
        let mut atoms = Vec::new();
        let mut found = Vec::new();
        let mut out = Vec::new();
        for (base, window) in rasd_text::windows(text, WINDOW) {
            // A window is far below the normalizer's 4 GiB limit, so this cannot fail.
            if self.normalizer.normalize_into(window, &mut norm).is_err() {
                continue;
            }
            atoms.clear();
            found.clear();
            scan::atoms(&self.vocab, norm.as_str(), &mut atoms);
            grammar::parse(&atoms, &mut found);
            for f in &found {
                let (start, end) = found_atoms_span(f, &atoms);
                let s = norm.to_original(window, start, end);
                out.push(Located {
                    expr: f.expr,
                    start: base + s.start,
                    end: base + s.end,
                });
            }
        }
        out
    }

    /// The publication date written in the document itself: the first complete date (day, month and year) in the
    /// first lines, as datelines and page headers print it.
    pub fn publication_date(&self, text: &str) -> Option<PublicationDate> {
        let mut cut = text.len().min(HEADER_BYTES);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let head = text.get(..cut)?;
        self.locate(head).into_iter().find_map(|f| {
            let Expr::Point(pt) = f.expr else { return None };
            let PtKind::Day {
                y: Some(_),
                hijri: false,
                ..
            } = pt.kind
            else {
                return None;
            };
            let (range, ..) = resolve::point(&pt, None, None).ok()?;
            let (start, end) = (f.start, f.end);
            let rule = if pt.weekday.is_some() {
                "header-weekday-date"
            } else {
                "dateline-date"
            };
            Some(PublicationDate {
                date: range.start,
                rule: rule.to_string(),
                start,
                end,
            })
        })
    }
}

/// The dateline or header date near the top of `text` (see [`DateFinder::publication_date`]).
pub fn find_publication_date(text: &str) -> Option<PublicationDate> {
    static FINDER: std::sync::OnceLock<DateFinder> = std::sync::OnceLock::new();
    FINDER.get_or_init(DateFinder::new).publication_date(text)
}

/// The normalized byte range covered by a found expression's atoms.
fn found_atoms_span(f: &Found, atoms: &[scan::Atom]) -> (usize, usize) {
    let start = atoms.get(f.first).map_or(0, |a| a.start);
    let end = f.end.checked_sub(1).and_then(|i| atoms.get(i)).map_or(start, |a| a.end);
    (start, end.max(start))
}

/// A recognized expression and its byte span in the original text.
struct Located {
    expr: Expr,
    start: usize,
    end: usize,
}

/// Bytes per window when a long text is read piecewise.
const WINDOW: usize = 1 << 16;

/// The year a document is written in, read from expressions such as "منتصف 2018 الماضي" (so the document is from
/// 2019) or "2019 الجاري". Used only when there is no anchor, and named in the rule.
fn doc_year(found: &[Located]) -> Option<YearHint> {
    found.iter().find_map(|f| {
        let pt = match f.expr {
            Expr::Point(pt) | Expr::Since(pt) => pt,
            _ => return None,
        };
        match (pt.kind, pt.rel) {
            (PtKind::Year { y, hijri: false }, Rel::Past) => Some(YearHint {
                year: y + 1,
                rule: "year-inferred-from-doc",
            }),
            (PtKind::Year { y, hijri: false }, Rel::Current) => Some(YearHint {
                year: y,
                rule: "year-inferred-from-doc",
            }),
            _ => None,
        }
    })
}

/// The Gregorian year an expression states outright, for later expressions that omit it.
fn explicit_year(e: &Expr) -> Option<i32> {
    let pt = match e {
        Expr::Point(pt) | Expr::Since(pt) => pt,
        Expr::Between(_, pt) => pt,
        _ => return None,
    };
    match pt.kind {
        PtKind::Day {
            y: Some(y),
            hijri: false,
            ..
        }
        | PtKind::Month {
            y: Some(y),
            hijri: false,
            ..
        } => Some(y),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn one(text: &str, anchor: Option<NaiveDate>) -> DateMention {
        let found = DateFinder::new().find(text, anchor);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        found.into_iter().next().expect("one mention")
    }

    #[test]
    fn friday_report_speaks_of_thursday_and_the_day_before() {
        let friday = Some(ymd(2017, 11, 10));
        let m = one("قُتل ثلاثة أمسِ الخميسَ في ريف البوكمال", friday);
        assert_eq!(
            m.resolved,
            Some(DateRange {
                start: ymd(2017, 11, 9),
                end: ymd(2017, 11, 9)
            })
        );
        assert_eq!(m.rule, "weekday-yesterday");
        let m = one("اندلعت الاشتباكات مساء أول من أمس", friday);
        assert_eq!(m.resolved.map(|r| r.start), Some(ymd(2017, 11, 8)));
    }

    #[test]
    fn spans_are_bytes_of_the_original_with_variants() {
        let text = "وقعت الغارة في ١١ نوفمبر ٢٠١٧ صباحاً";
        let m = one(text, None);
        assert_eq!(m.surface(text), "١١ نوفمبر ٢٠١٧");
        assert_eq!(m.resolved.map(|r| r.start), Some(ymd(2017, 11, 11)));
    }

    #[test]
    fn september_said_in_january_is_last_year() {
        let m = one("منذ 10 من سبتمبر/أيلول الماضي", Some(ymd(2019, 1, 25)));
        assert_eq!(
            m.resolved,
            Some(DateRange {
                start: ymd(2018, 9, 10),
                end: ymd(2019, 1, 25)
            })
        );
        assert_eq!(m.rule, "since/day-month-past-year-rollback");
    }

    #[test]
    fn no_anchor_means_unresolved_never_guessed() {
        let m = one("قصفت الطائرات البلدة أمس الخميس", None);
        assert_eq!(m.resolved, None);
        assert!(m.rule.ends_with(":no-anchor"));
    }

    #[test]
    fn year_inferred_from_last_year_mention() {
        let found = DateFinder::new().find(
            "سيطرت قسد في 20 من يناير على القرية بعد معارك منذ منتصف 2018 الماضي",
            None,
        );
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].resolved.map(|r| r.start), Some(ymd(2019, 1, 20)));
        assert_eq!(found[0].rule, "day-month+year-inferred-from-doc");
    }

    #[test]
    fn negatives_are_not_dates() {
        let finder = DateFinder::new();
        for text in [
            "قتل أحد عناصر الحركة",
            "مارس الجيش ضغوطا على السكان",
            "التقى الوفد الشيخ عبدالله السبت",
            "طفل يبلغ من العمر 12 عاما",
            "سقطت قذيفة على سوق الخميس",
            "وقد غدا الوضع كارثيا",
            "حضر الأحد عشر عضوا",
        ] {
            assert!(finder.find(text, Some(ymd(2018, 3, 15))).is_empty(), "{text}");
        }
    }

    #[test]
    fn publication_date_from_header() {
        let p = find_publication_date("دمشق\nالسبت 11/نوفمبر/2017 - 12:04 ص\nأعلن الجيش").expect("header");
        assert_eq!(p.date, ymd(2017, 11, 11));
        assert_eq!(p.rule, "header-weekday-date");
        assert!(find_publication_date("لا تاريخ هنا").is_none());
    }

    #[test]
    fn the_next_day_counts_from_the_date_named_before() {
        let found = DateFinder::new().find(
            "قصفت الطائرات البلدة يوم 9 نوفمبر 2017، وفي اليوم التالي انسحبت القوات",
            None,
        );
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].resolved.map(|r| r.start), Some(ymd(2017, 11, 10)));
        assert_eq!(found[1].rule, "day-from-earlier-date");
        let alone = one("وفي اليوم التالي انسحبت القوات", Some(ymd(2017, 11, 12)));
        assert_eq!(alone.resolved, None);
    }

    #[test]
    fn long_texts_are_read_in_windows_without_losing_expressions() {
        let line = "وقتل ثلاثة مدنيين أمس الخميس في غارة على ريف البوكمال، وكانت المعارك قد بدأت منذ 10 من سبتمبر/أيلول الماضي.\n";
        let text = line.repeat(2000);
        assert!(text.len() > 4 * WINDOW);
        let found = DateFinder::new().find(&text, Some(ymd(2017, 11, 10)));
        assert_eq!(found.len(), 4000);
        assert!(
            found
                .iter()
                .all(|m| matches!(m.surface(&text), "أمس الخميس" | "منذ 10 من سبتمبر/أيلول الماضي"))
        );
        let one_line = "كلمة ".repeat(40_000);
        let mut next = 0;
        for (base, w) in rasd_text::windows(&one_line, WINDOW) {
            assert_eq!(base, next);
            next = base + w.len();
        }
        assert_eq!(next, one_line.len());
    }

    #[test]
    fn bad_anchor_string_is_an_error() {
        assert!(parse_date("2019-02-30").is_err());
        assert_eq!(parse_date(" 2019-01-25 ").ok(), Some(ymd(2019, 1, 25)));
    }
}
