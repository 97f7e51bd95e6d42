//! When the act happened: the date expression nearest the trigger in its clause, then in its sentence; else the
//! document's current date (the last one a sentence gave); else unknown (the publication date only anchors
//! relative expressions). The rule that decided is kept in `date_rule`.

use crate::DateHit;
use crate::rules::Role;
use crate::stage::{Candidate, DocState, Sent};
use chrono::NaiveDate;
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
    if let Some(h) = relative_date(sent, c)
        .or_else(|| nearest(true))
        .or_else(|| nearest(false))
    {
        return from_hit(h, None, true);
    }
    // "كما أسفر الانفجار عن مقتل 21 شخصا" right after a sentence about an old act: the act named with the article
    // and no date of its own is that act, on its date.
    if let Some(h) = state.previous_background.as_ref().filter(|_| definite_noun(sent, c)) {
        let mut d = from_hit(h, Some(format!("previous-sentence-act({})", h.rule)), false);
        d.hit = None;
        return d;
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
pub(crate) fn sentence_date<'a>(sent: &Sent<'a>) -> Option<&'a DateHit> {
    sent.dates.iter().rev().find(|d| {
        d.range
            .is_some_and(|(a, b)| !(d.rule.starts_with("since") && (b - a).num_days() > 7))
            && !d.future
            && !d.background
    })
}
