//! When the act happened: the date expression nearest the trigger in its clause, then in its sentence; else the
//! document's current date (the last one a sentence gave); else unknown (the publication date only anchors
//! relative expressions). The rule that decided is kept in `date_rule`.

use crate::DateHit;
use crate::rules::Role;
use crate::stage::{Candidate, DocState, Sent};
use chrono::{Datelike, NaiveDate};
use rasd_core::DatePrecision;
use rasd_text::{Mode, fold_str};

/// The date of one act.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dated {
    pub date: Option<NaiveDate>,
    pub precision: DatePrecision,
    /// The words the date came from, when they are in this sentence.
    pub span: Option<(usize, usize)>,
    pub rule: Option<String>,
    /// The date expression itself (for its `future` and `background` flags).
    pub hit: Option<DateHit>,
}

fn from_hit(h: &DateHit, rule: Option<String>, span: bool) -> Dated {
    Dated {
        date: h.range.map(|r| r.0),
        precision: if h.range.is_some() {
            h.precision
        } else {
            DatePrecision::Unknown
        },
        span: span.then_some((h.start, h.end)),
        rule: Some(rule.unwrap_or_else(|| h.rule.clone())),
        hit: Some(h.clone()),
    }
}

/// Attaches a date to a candidate act.
pub(crate) fn attach(sent: &Sent<'_>, c: &Candidate, state: &DocState) -> Dated {
    let (cs, ce) = c.clause;
    let nearest = |in_clause: bool| {
        sent.dates
            .iter()
            .filter(|d| d.range.is_some())
            .filter(|d| !in_clause || (d.start >= cs && d.end <= ce))
            .filter(|d| !sent.in_describing_relative(c, d.start, true))
            .min_by_key(|d| sent.distance(c.hit.start, d.start))
    };
    let relative = relative_date(sent, c);
    if relative.is_none()
        && let Some(d) = anniversary(sent, c)
    {
        return d;
    }
    if let Some(h) = relative.or_else(|| nearest(true)).or_else(|| nearest(false)) {
        return from_hit(h, None, true);
    }
    // "كما أسفر الانفجار عن مقتل 21 شخصا" right after a sentence about an old act: the act named with the article
    // and no date of its own is that act, on its date.
    if let Some(h) = state.previous_background.as_ref().filter(|_| definite_noun(sent, c)) {
        let mut d = from_hit(h, Some(format!("previous-sentence-act({})", h.rule)), false);
        d.hit = None;
        return d;
    }
    // "في مثل هذا اليوم … 2009: وقعت تفجيرات في بغداد … . فجر انتحاريون سيارتين": a retrospective's acts are of
    // its old day.
    if let Some(h) = &state.on_this_day {
        return from_hit(h, Some(format!("on-this-day({})", h.rule)), false);
    }
    if let Some(h) = &state.date {
        let mut d = from_hit(h, Some(format!("doc-current-date({})", h.rule)), false);
        d.hit = None;
        return d;
    }
    // No date in the text: the report's publication date, marked as such by its rule (news tells today's acts;
    // an analyst filters on `date_rule` to tell a stated date from an assumed one). No publication date: unknown.
    match sent.published {
        Some(p) => Dated {
            date: Some(p),
            precision: rasd_core::DatePrecision::Day,
            span: None,
            rule: Some("publication-date (no date in the text)".into()),
            hit: None,
        },
        None => Dated::default(),
    }
}

/// "استذكرت الوزارة، اليوم الأربعاء، التفجير الذي استهدفها في 2009": a date in the relative clause right after a
/// named act dates that act, not the day of the sentence's main verb (the remembrance, the trial, the statement).
fn relative_date<'a>(sent: &Sent<'a>, c: &Candidate) -> Option<&'a DateHit> {
    if c.role != Role::Noun {
        return None;
    }
    let rel = sent
        .tokens_after(c.hit.end, 3)
        .find(|t| matches!(fold_str(t.surface(sent.text), Mode::Key).as_str(), "الذي" | "التي"))?;
    let (_, ce) = sent.clause_of(rel.start);
    sent.dates
        .iter()
        .filter(|d| d.range.is_some() && !d.future && d.start >= rel.end && d.end <= ce)
        .filter(|d| sent.distance(rel.end, d.start) <= 8)
        .min_by_key(|d| d.start)
}

/// A nominal trigger with the article ("الانفجار", "والهجوم"): an act already named.
fn definite_noun(sent: &Sent<'_>, c: &Candidate) -> bool {
    c.role == crate::rules::Role::Noun
        && sent.token_at(c.hit.start).is_some_and(|t| {
            let w = fold_str(t.surface(sent.text), Mode::Key);
            let w = w.trim_start_matches(['و', 'ف', 'ب', 'ك']);
            w.starts_with("ال") || w.starts_with("لل")
        })
}

/// The sentence's last resolved date when it is background (see [`sentence_date`]).
pub(crate) fn background_date<'a>(sent: &Sent<'a>) -> Option<&'a DateHit> {
    sent.dates
        .iter()
        .rev()
        .find(|d| d.range.is_some() && !d.future)
        .filter(|d| d.background)
}

/// The date a sentence sets for the sentences after it: its last resolved date that is neither future nor
/// background, nor the start of a long span ("ومنذ 2015، تشهد البلاد دوامة عنف": the sentences after it do not
/// tell of 2015).
///
/// A day the sentence names wins over the start of a span after it ("تجددت المعارك أمس الأحد … في إطار الهجوم الذي
/// تشنه الجماعة منذ أسبوع": the sentences after it tell of Sunday).
pub(crate) fn sentence_date<'a>(sent: &Sent<'a>) -> Option<&'a DateHit> {
    let usable = |d: &&DateHit| {
        d.range
            .is_some_and(|(a, b)| !(d.rule.starts_with("since") && (b - a).num_days() > 7))
            && !d.future
            && !d.background
    };
    sent.dates
        .iter()
        .rev()
        .filter(usable)
        .find(|d| !d.rule.starts_with("since"))
        .or_else(|| sent.dates.iter().rev().find(usable))
}

/// "اليوم الـ16 من مارس/آذار الذكرى الـ 29 لجريمة قصف مدينة حلبجة": the act an anniversary names right after its
/// ordinal happened that many years before the report, on the report's day (anniversary pieces run on the day; the
/// day of the remembrance in the sentence is not the act's). Rule `anniversary(N years before publication)`.
fn anniversary(sent: &Sent<'_>, c: &Candidate) -> Option<Dated> {
    let published = sent.published?;
    // Most clauses name no anniversary: a substring test ("الذكرى", "الذكري", "للذكرى") before folding any word.
    let (cs, _) = c.clause;
    if !sent.slice(cs, c.hit.start).contains("لذكر") {
        return None;
    }
    let mut before: Vec<String> = sent
        .tokens_before(c.hit.start, 10)
        .filter(|t| t.start >= cs)
        .map(|t| fold_str(t.surface(sent.text), Mode::Key))
        .collect();
    before.reverse();
    let at = before
        .iter()
        .rposition(|w| w.trim_start_matches(['و', 'ب', 'ف']) == "الذكري")?;
    let words = &before[at + 1..];
    let (years, used) = ordinal(words)?;
    // The ordinal leads to the act ("لجريمة قصف مدينة حلبجة بالأسلحة الكيماوية", "للتفجير", "لمجزرة").
    let rest = &words[used..];
    if rest.len() > 6 || rest.first().is_some_and(|w| !w.starts_with('ل')) {
        return None;
    }
    if rest.is_empty() && !fold_str(sent.token_at(c.hit.start)?.surface(sent.text), Mode::Key).starts_with('ل') {
        return None;
    }
    let date = published.with_year(published.year() - years as i32)?;
    // A date the sentence gives the act after it wins, unless it is only the year the anniversary already tells
    // ("… من قبل نظام صدام في عام 1988"): then the anniversary gives the day.
    let stated = sent
        .dates
        .iter()
        .filter(|d| d.start > c.hit.start && !d.future)
        .find_map(|d| d.range);
    if let Some((a, b)) = stated
        && !(a.year() == date.year() && b.year() == date.year() && (b - a).num_days() > 31)
    {
        return None;
    }
    Some(Dated {
        date: Some(date),
        precision: DatePrecision::Day,
        span: None,
        rule: Some(format!("anniversary({years} years before publication)")),
        hit: None,
    })
}

/// The ordinal of an anniversary at the head of `words` (key-folded): "الـ 29", "الـ29", "الرابعة", "السنوية
/// الثامنة", "الخامسة عشرة", "السادسة والستين", "الأربعين"; with the number of words it took.
fn ordinal(words: &[String]) -> Option<(u32, usize)> {
    const UNITS: [&str; 10] = [
        "الاولي",
        "الثانيه",
        "الثالثه",
        "الرابعه",
        "الخامسه",
        "السادسه",
        "السابعه",
        "الثامنه",
        "التاسعه",
        "العاشره",
    ];
    const TENS: [&str; 8] = [
        "العشرين",
        "الثلاثين",
        "الاربعين",
        "الخمسين",
        "الستين",
        "السبعين",
        "الثمانين",
        "التسعين",
    ];
    let mut i = 0;
    if words.get(i).is_some_and(|w| w == "السنويه") {
        i += 1;
    }
    let digits = |w: &str| -> Option<u32> {
        let w = w.trim_start_matches("ال").trim_start_matches('\u{640}');
        if w.is_empty() {
            return None;
        }
        w.chars().try_fold(0u32, |n, ch| {
            let d = ch
                .to_digit(10)
                .or_else(|| ('\u{660}'..='\u{669}').contains(&ch).then(|| ch as u32 - 0x660))?;
            n.checked_mul(10)?.checked_add(d)
        })
    };
    let w = words.get(i)?;
    if let Some(n) = digits(w) {
        return (1..200).contains(&n).then_some((n, i + 1));
    }
    if matches!(w.as_str(), "ال" | "الـ" | "\u{640}") {
        let n = digits(words.get(i + 1)?)?;
        return (1..200).contains(&n).then_some((n, i + 2));
    }
    let unit = |w: &str| UNITS.iter().position(|u| *u == w).map(|p| p as u32 + 1);
    let tens = |w: &str| TENS.iter().position(|t| *t == w).map(|p| p as u32 * 10 + 20);
    if let Some(t) = tens(w) {
        return Some((t, i + 1));
    }
    let n = if w == "الحاديه" { 1 } else { unit(w)? };
    match words.get(i + 1).map(String::as_str) {
        Some("عشره" | "عشر") if n < 10 => Some((n + 10, i + 2)),
        Some(x) if x.starts_with('و') && tens(&x['و'.len_utf8()..]).is_some() && n < 10 => {
            Some((n + tens(&x['و'.len_utf8()..])?, i + 2))
        }
        _ if n <= 10 && w != "الحاديه" => Some((n, i + 1)),
        _ => None,
    }
}

/// Whether the sentence opens a retrospective: "في مثل هذا اليوم" ("on this day", of an old year).
pub(crate) fn on_this_day(sent: &Sent<'_>) -> bool {
    // Most sentences have no "اليوم" at all: a substring test first, the words only then.
    if !sent.slice(sent.start, sent.end).contains("اليوم") {
        return false;
    }
    let words = sent.words_after(sent.start, 12);
    words
        .windows(3)
        .any(|w| w[0] == "مثل" && w[1] == "هذا" && w[2] == "اليوم")
}
