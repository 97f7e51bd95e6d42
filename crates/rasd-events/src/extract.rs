//! The per-document driver: the text prepared once (normalization, rule matches, names, dates, sentences), then
//! each sentence through the stages: candidates → arguments → features → score → records, and per document the
//! merge of restatements and the record stage.

use crate::candidates::clauses;
use crate::rules::{Hit, RuleKind};
use crate::stage::{DocState, Emitted, Sent, TrainRow};
use crate::{DateHit, Extractor, Mention, Options, actors, arguments, candidates, frames, place, records, toll, when};
use rasd_core::{Doc, Event};
use rasd_text::sentence::split_sentences_into;
use rasd_text::{Mode, Normalized, Normalizer, Sentence, Tokenizer};

/// A per-thread worker: it keeps its buffers (normalized text, tokens, matches, mentions) across documents.
pub struct Worker<'x> {
    x: &'x Extractor,
    norm: Normalized,
    tokenizer: Tokenizer,
    sentences: Vec<Sentence>,
    hits: Vec<Hit>,
    mentions: Vec<Mention>,
    dates: Vec<DateHit>,
}

impl<'x> Worker<'x> {
    pub(crate) fn new(x: &'x Extractor) -> Worker<'x> {
        Worker {
            x,
            norm: Normalized::default(),
            tokenizer: Tokenizer::new(),
            sentences: Vec::new(),
            hits: Vec::new(),
            mentions: Vec::new(),
            dates: Vec::new(),
        }
    }

    /// Extracts the events of `doc`, in text order.
    ///
    /// A document longer than [`WINDOW`] bytes is extracted window by window ([`rasd_text::windows`]: cut after a
    /// line break, else a sentence end), so that time stays linear and memory bounded whatever its size; spans
    /// stay exact byte offsets into `doc.text`, and ids are those of the shifted spans. Nothing (the document's
    /// country, actors, current place or date) carries from one window to the next. Documents up to [`WINDOW`]
    /// bytes (every news report) are extracted whole, as before.
    ///
    /// With [`Options::sentences`] every line is extracted as a report of its own, as if it were a document
    /// alone: no actor, country, source, place or date, and no record to merge with, reaches across a line break.
    pub fn extract(&mut self, doc: &Doc, opts: &Options) -> Vec<Event> {
        if doc.text.len() <= WINDOW && !opts.sentences {
            return self.run(doc, opts, None);
        }
        let mut out = Vec::new();
        self.extract_windows(doc, opts, &mut |mut events| {
            out.append(&mut events);
            true
        });
        out
    }

    /// The largest document extracted in one piece ([`WINDOW`]).
    pub const WINDOW: usize = WINDOW;

    /// [`Worker::extract`], handing the events to `emit` window by window (once for a document up to
    /// [`WINDOW`] bytes), so that a caller can write them out before the next window: memory then stays bounded
    /// by one window's work, not by the events of the whole document. `emit` returns false to stop (a closed
    /// output): the windows after it are not extracted.
    pub fn extract_windows(&mut self, doc: &Doc, opts: &Options, emit: &mut dyn FnMut(Vec<Event>) -> bool) {
        if doc.text.len() <= WINDOW && !opts.sentences {
            emit(self.run(doc, opts, None));
            return;
        }
        let mut windows = rasd_text::windows(&doc.text, WINDOW).map(|(base, w)| (base, w.to_string()));
        self.extract_stream(doc, &mut windows, opts, emit);
    }

    /// [`Worker::extract_windows`] on a document whose text comes window by window (a file read from disk as
    /// it is extracted): `windows` gives each window's byte offset in the document and its text, cut as
    /// [`rasd_text::windows`] cuts with [`WINDOW`] bytes, and `doc` gives the metadata (its `text` is not read).
    /// The events are those [`Worker::extract_windows`] gives on the whole text.
    pub fn extract_stream(
        &mut self,
        doc: &Doc,
        windows: &mut dyn Iterator<Item = (usize, String)>,
        opts: &Options,
        emit: &mut dyn FnMut(Vec<Event>) -> bool,
    ) {
        let mut published = doc.published;
        for (i, (base, w)) in windows.enumerate() {
            // In sentence mode each line finds its own dateline: the first line's is not the others'.
            if i == 0 && !opts.sentences {
                published = published.or_else(|| self.x.resources().publication_date(&w));
            }
            let part = Doc {
                id: doc.id.clone(),
                url: doc.url.clone(),
                outlet: doc.outlet.clone(),
                published,
                title: doc.title.clone(),
                text: w,
            };
            let mut events = if opts.sentences {
                self.run_lines(&part, opts)
            } else {
                self.run(&part, opts, None)
            };
            for e in &mut events {
                shift(e, base);
            }
            if !emit(events) {
                return;
            }
        }
    }

    /// Sentence mode: each line of `part` that holds more than white space extracted as a document of its own
    /// (same id, outlet and publication date), its events shifted to offsets in `part`.
    fn run_lines(&mut self, part: &Doc, opts: &Options) -> Vec<Event> {
        let mut out = Vec::new();
        let mut at = 0usize;
        for line in part.text.split_inclusive('\n') {
            let base = at;
            at += line.len();
            if line.trim().is_empty() {
                continue;
            }
            let one = Doc {
                id: part.id.clone(),
                url: part.url.clone(),
                outlet: part.outlet.clone(),
                published: part.published,
                title: part.title.clone(),
                text: line.to_string(),
            };
            let mut events = self.run(&one, opts, None);
            for e in &mut events {
                shift(e, base);
            }
            out.append(&mut events);
        }
        out
    }

    /// Every candidate record of `doc` with its features, none dropped by the scorer (for `rasd train`).
    pub fn training_rows(&mut self, doc: &Doc, opts: &Options) -> Vec<TrainRow> {
        let mut rows = Vec::new();
        let opts = Options {
            unscored: true,
            keep_weak: true,
            ..*opts
        };
        self.run(doc, &opts, Some(&mut rows));
        rows
    }

    fn run(&mut self, doc: &Doc, opts: &Options, rows: Option<&mut Vec<TrainRow>>) -> Vec<Event> {
        let text = doc.text.as_str();
        let res = self.x.resources();
        if Normalizer::new(Mode::Key).normalize_into(text, &mut self.norm).is_err() {
            return Vec::new();
        }
        self.x.rules.find(text, &self.norm, &mut self.hits);
        if !self
            .hits
            .iter()
            .any(|h| matches!(self.x.rules.get(h.rule).kind, RuleKind::Trigger { .. }))
        {
            return Vec::new();
        }
        self.mentions.clear();
        res.mentions(text, &mut self.mentions);
        self.mentions.sort_by_key(|m| (m.start, m.end));
        let country = place::settle_country(&mut self.mentions, res);
        crate::coref::apply(
            text,
            &self.x.rules,
            &self.hits,
            &mut self.mentions,
            country.as_deref(),
            &self.x.forces,
            res,
        );
        let doc_actors = actors::tally(&self.mentions, res);
        self.dates.clear();
        let published = doc.published.or_else(|| res.publication_date(text));
        res.dates(text, published, &mut self.dates);
        self.dates.sort_by_key(|d| d.start);
        let tokens = self.tokenizer.tokenize(text);
        self.sentences.clear();
        split_sentences_into(text, tokens, &mut self.sentences);

        let mut state = DocState {
            dateline: if opts.sentences {
                None
            } else {
                crate::frames::dateline_agency(text, &self.mentions, res)
            },
            ..DocState::default()
        };
        let mut out = Emitted {
            rows: rows.is_some().then(Vec::new),
            ..Emitted::default()
        };
        let doc_triggers = self
            .hits
            .iter()
            .filter(|h| matches!(self.x.rules.get(h.rule).kind, RuleKind::Trigger { .. }))
            .count();
        // In sentence mode a line break between two sentences starts a new report: nothing carries over it.
        let mut prev_end = 0usize;
        for (index, s) in self.sentences.iter().enumerate() {
            if opts.sentences && text.get(prev_end..s.start).is_some_and(|gap| gap.contains('\n')) {
                state = DocState::default();
            }
            prev_end = s.end;
            let hits = slice_by(&self.hits, s.start, s.end, |h| h.start);
            let mentions = slice_by(&self.mentions, s.start, s.end, |m| m.start);
            let dates = slice_by(&self.dates, s.start, s.end, |d| d.start);
            let sent_tokens = &tokens[s.first_token..s.end_token];
            let sent = Sent {
                text,
                rules: &self.x.rules,
                start: s.start,
                end: s.end,
                tokens: sent_tokens,
                hits,
                mentions,
                dates,
                clauses: clauses(text, sent_tokens, s.start, s.end),
                country: country.as_deref(),
                doc_actors: &doc_actors,
                army: country.as_deref().and_then(|c| self.x.forces.army(c)),
                countries: &self.x.countries,
                index,
                doc_triggers,
                published,
            };
            let before = out.events.len();
            sentence_events(self.x, doc, published, opts, &sent, &mut state, &mut out);
            if out.events.len() > before {
                state.last_events = before..out.events.len();
            }
            update_state(self.x, &sent, &mut state);
        }
        if let (Some(dst), Some(src)) = (rows, out.rows.take()) {
            *dst = src;
            return out.events;
        }
        // In sentence mode each line is a report of its own: no source reaches across lines.
        if !opts.sentences {
            records::attribute_forward(
                &mut out.events,
                doc.outlet.as_deref().is_some_and(|o| !o.trim().is_empty()),
            );
        }
        records::refine_regions(&mut out.events);
        let riot_acts: Vec<(usize, usize)> = self
            .hits
            .iter()
            .filter(|h| matches!(self.x.rules.get(h.rule).kind, RuleKind::Cue(crate::rules::Cue::Riot)))
            .map(|h| (h.start, h.end))
            .collect();
        records::riots_absorb_protests(&mut out.events, &riot_acts);
        records::force_absorbs_protests(&mut out.events);
        records::bombardment_is_the_strike(&mut out.events);
        if !opts.sentences {
            records::headline_restates(&mut out.events, &doc.text);
        }
        records::merge_restatements(&mut out.events);
        // A claim gives its group to the report's other acts; in sentence mode each line is a report of its own, so
        // a claim on one line reaches no other.
        let claimant = state.claimant.as_ref().filter(|_| !opts.sentences);
        records::unknown_perpetrators(&mut out.events, self.x.resources(), claimant);
        if let Some(model) = self.x.scorer.as_ref().filter(|_| !opts.unscored) {
            let default = records::record_stage(model, &mut out.events, published);
            let min = opts.min_confidence.map_or(default, f64::from);
            // Confidences are f32 rounded to 0.01: 0.35f32 is 0.3499999940… as f64, and must still reach a cut of 0.35
            // (the rule `rasd train` chose the cut with, `scorer::passes`).
            out.events.retain(|e| f64::from(e.confidence) >= min - 1e-6);
        }
        out.events
    }
}

/// The largest document extracted in one piece; longer ones go window by window (see [`Worker::extract`]).
/// 1 MB: a window's working set (tokens, matches, mentions, dates) is about 20× its text.
pub const WINDOW: usize = 1 << 20;

/// Moves an event found in a window starting at byte `base` of its document to document offsets: its evidence
/// and every field's evidence, and its id (which hashes the evidence span).
fn shift(e: &mut Event, base: usize) {
    if base == 0 {
        return;
    }
    e.evidence.start += base;
    e.evidence.end += base;
    for ev in e.field_evidence.values_mut() {
        ev.start += base;
        ev.end += base;
    }
    let place = e.location.as_ref().map_or("", |l| l.id.as_str());
    e.id = crate::event_id(
        &e.doc_id,
        e.evidence.start,
        e.evidence.end,
        e.sub_event_type.name(),
        e.stance.as_str(),
        place,
    );
}

/// The sub-slice of `v` (sorted by `key`) whose keys fall within `start..end`.
fn slice_by<T>(v: &[T], start: usize, end: usize, key: impl Fn(&T) -> usize) -> &[T] {
    let lo = v.partition_point(|x| key(x) < start);
    let hi = v.partition_point(|x| key(x) < end);
    &v[lo..hi.max(lo)]
}

/// The records of one sentence: its candidates (stage 1), each one's arguments (2), features and score (3–4),
/// records (5).
fn sentence_events(
    x: &Extractor,
    doc: &Doc,
    published: Option<chrono::NaiveDate>,
    opts: &Options,
    sent: &Sent<'_>,
    state: &mut DocState,
    out: &mut Emitted,
) {
    let scorer = x.scorer.as_ref().filter(|_| !opts.unscored);
    // With a scorer, weak candidates are scored, not dropped by rule.
    let keep_weak = opts.keep_weak || scorer.is_some();
    let flags = candidates::sentence_flags(sent);
    if (flags.question || flags.hypothetical) && !keep_weak {
        return;
    }
    let picked = candidates::pick(sent);
    if picked.is_empty() {
        records::denial_of_previous(x, doc, sent, state, &mut out.events, &mut out.seen);
        records::source_of_previous(x, doc, sent, state, &mut out.events);
        return;
    }
    let numbers = toll::numbers(sent);
    for c in &picked {
        let Some(args) = arguments::attach(
            x,
            doc,
            published,
            opts,
            keep_weak,
            sent,
            c,
            &picked,
            &numbers,
            state,
            &mut out.events,
        ) else {
            continue;
        };
        records::emit(doc, sent, c, args, flags, scorer, out);
    }
}

/// After a sentence: its place, date and source become the document's current ones.
fn update_state(x: &Extractor, sent: &Sent<'_>, state: &mut DocState) {
    let res = x.resources();
    if let Some((loc, s, e)) = place::sentence_place(sent, res) {
        state.place = Some((loc, s, e));
    }
    if let Some(d) = when::sentence_date(sent) {
        state.date = Some(d.clone());
    }
    state.previous_background = when::background_date(sent).cloned();
    if state.on_this_day.is_none() && when::on_this_day(sent) {
        state.on_this_day = state.previous_background.clone();
    }
    if let Some(src) = frames::sentence_source(sent, res) {
        state.source = Some(src);
    }
    if state.claimant.is_none() {
        state.claimant = actors::claimant(sent, res);
    }
}
