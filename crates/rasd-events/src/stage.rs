//! The types the extraction stages share: the sentence view every stage reads, a picked candidate, the
//! document state that carries place, date and source across sentences, and the records so far.

use crate::rules::{Cue, Hit, Role, RuleKind, Rules, TriggerType};
use crate::{DateHit, Mention};
use rasd_core::{Event, Location, SourceRef};
use rasd_text::{Mode, Token, TokenKind, fold_str};
use std::collections::HashMap;

/// The records of a document so far, and the keys of those already emitted (one record per act, place and claim),
/// each with the index in `events` of the record it first gave.
#[derive(Debug, Default)]
pub(crate) struct Emitted {
    pub events: Vec<Event>,
    pub seen: HashMap<String, usize>,
    /// Training mode: every scored candidate record with its features (nothing is dropped by the scorer).
    pub rows: Option<Vec<TrainRow>>,
}

/// A candidate record with its features, for `rasd train`: the labelled clause that holds `trigger` gives its
/// class.
#[derive(Debug, Clone)]
pub struct TrainRow {
    pub trigger: (usize, usize),
    pub clause: (usize, usize),
    pub features: crate::features::FeatureVec,
    pub event: Event,
}

/// The document so far: what a sentence that names no place, date or source falls back to.
#[derive(Debug, Default, Clone)]
pub(crate) struct DocState {
    pub place: Option<(Location, usize, usize)>,
    pub date: Option<DateHit>,
    /// The last date of the sentence just read, when it is background (more than a year old): "الهجوم الذي استهدف
    /// موكب الحريري يوم 14 فبراير 2005. كما أسفر الانفجار عن مقتل 21 شخصا" goes on about that act.
    pub previous_background: Option<DateHit>,
    /// The old date of an "on this day" piece ("في مثل هذا اليوم الخامس والعشرين من أكتوبر 2009: وقعت تفجيرات …"):
    /// the acts after it with no date of their own happened that day, not on the day of publication.
    pub on_this_day: Option<DateHit>,
    pub source: Option<(SourceRef, usize, usize)>,
    /// The agency of the report's dateline, a source of every claim in it ([`crate::frames::dateline_agency`]).
    pub dateline: Option<(SourceRef, (usize, usize))>,
    /// The records (indices into the document's records) of the last sentence that reported an act.
    pub last_events: std::ops::Range<usize>,
    /// The first group the document says claimed an act ("وتبنت حركة الشباب الهجوم"), with the evidence of its name.
    pub claimant: Option<(rasd_core::ActorRef, rasd_core::Evidence)>,
}

/// Everything the stages may look at for one sentence.
pub(crate) struct Sent<'a> {
    pub text: &'a str,
    pub rules: &'a Rules,
    pub start: usize,
    pub end: usize,
    pub tokens: &'a [Token],
    /// Hits (triggers, frames, cues) inside the sentence.
    pub hits: &'a [Hit],
    pub mentions: &'a [Mention],
    pub dates: &'a [DateHit],
    /// Clause boundaries: byte ranges covering the sentence.
    pub clauses: Vec<(usize, usize)>,
    /// The country most places of the document lie in.
    pub country: Option<&'a str>,
    /// Every actor the document names, with how often, most frequent first.
    pub doc_actors: &'a [(rasd_core::ActorRef, usize)],
    /// The military forces of the document's main country, when known.
    pub army: Option<&'a str>,
    /// Countries as places of last resort.
    pub countries: &'a crate::place::Countries,
    /// Index of the sentence in the document (0 = the lead).
    pub index: usize,
    /// Number of trigger words in the whole document.
    pub doc_triggers: usize,
    /// The publication date (from metadata or a dateline): the date of a record whose text gives none.
    pub published: Option<chrono::NaiveDate>,
}

impl Sent<'_> {
    /// The clause holding byte `at`.
    pub fn clause_of(&self, at: usize) -> (usize, usize) {
        self.clauses
            .iter()
            .copied()
            .find(|&(s, e)| s <= at && at < e)
            .unwrap_or((self.start, self.end))
    }

    pub fn cues(&self, cue: Cue) -> impl Iterator<Item = &Hit> + '_ {
        self.hits
            .iter()
            .filter(move |h| matches!(self.rules.get(h.rule).kind, RuleKind::Cue(c) if c == cue))
    }

    /// The key-normalized words just before byte `at` (nearest first), at most `n`.
    pub fn words_before(&self, at: usize, n: usize) -> Vec<String> {
        self.tokens_before(at, n)
            .map(|t| fold_str(t.surface(self.text), Mode::Key))
            .collect()
    }

    /// The key-normalized words from byte `at` on, at most `n`.
    pub fn words_after(&self, at: usize, n: usize) -> Vec<String> {
        self.tokens_after(at, n)
            .map(|t| fold_str(t.surface(self.text), Mode::Key))
            .collect()
    }

    /// The tokens of [`Sent::words_before`], not folded.
    pub fn tokens_before(&self, at: usize, n: usize) -> impl Iterator<Item = &Token> + '_ {
        let i = self.tokens.partition_point(|t| t.end <= at);
        self.tokens[..i].iter().rev().take(n)
    }

    /// The tokens of [`Sent::words_after`], not folded.
    pub fn tokens_after(&self, at: usize, n: usize) -> impl Iterator<Item = &Token> + '_ {
        let i = self.tokens.partition_point(|t| t.start < at);
        self.tokens[i..].iter().take(n)
    }

    /// The token holding byte `at`, if any.
    pub fn token_at(&self, at: usize) -> Option<&Token> {
        self.tokens.iter().find(|t| t.start <= at && at < t.end)
    }

    /// Number of word tokens between two byte offsets (in either order).
    pub fn distance(&self, a: usize, b: usize) -> usize {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        // Tokens lying wholly between the two offsets: the token a match or name sits in is not counted.
        let i = self.tokens.partition_point(|t| t.start < lo);
        let j = self.tokens.partition_point(|t| t.end <= hi);
        j.saturating_sub(i)
    }

    /// Whether byte `at` lies in a relative clause that describes an actor named before the act ("وشنت حركة
    /// الشباب التي تقاتل الحكومة الصومالية منذ 15 عاما هجوما على فندق"): after a relative pronoun, before the act's
    /// trigger, with no punctuation mark or "أن"/"إن" (what the main verb says) between. What it names (the
    /// government fought, the fifteen years) is not the act's. `in_clause`: the pronoun must lie in the act's clause
    /// (for dates: a date after a comma is as often the act's own); else anywhere in the sentence ("وشنت حركة الشباب
    /// … والتي تقاتل الحكومة الصومالية منذ 15 عاما، هجوما").
    pub fn in_describing_relative(&self, c: &Candidate, at: usize, in_clause: bool) -> bool {
        if at >= c.hit.start {
            return false;
        }
        let i = self.tokens.partition_point(|t| t.end <= at);
        for t in self.tokens[..i].iter().rev().take(12) {
            if t.start <= self.start || (in_clause && t.start < c.clause.0) {
                return false;
            }
            if t.kind == TokenKind::Punct {
                return false;
            }
            match fold_str(t.surface(self.text), Mode::Key).as_str() {
                "التي" | "الذي" | "الذين" | "والتي" | "والذي" | "والذين" => return true,
                // "وقالت المصادر التي طلبت عدم الكشف عن هويتها إن قوات النظام قصفت": the relative clause ended at
                // the content its main verb opens.
                "ان" | "بان" | "وان" | "لان" => return false,
                _ => {}
            }
        }
        false
    }

    pub fn slice(&self, s: usize, e: usize) -> &str {
        self.text.get(s..e).unwrap_or("")
    }
}

/// A trigger picked for a clause.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub hit: Hit,
    pub ty: TriggerType,
    pub role: Role,
    pub weight: f32,
    pub clause: (usize, usize),
}
