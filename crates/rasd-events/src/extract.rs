//! The per-document driver: sentences, clauses and one candidate act per clause, passed through the stages.

use crate::actors::{self, Actors};
use crate::frames::{self, Attribution};
use crate::place::{self, Placed};
use crate::rules::{Cue, Hit, Role, RuleKind, Rules, TriggerType};
use crate::toll;
use crate::when::{self, Dated};
use crate::{DateHit, Extractor, Mention, Options, event_id};
use rasd_core::{ActorType, DatePrecision, Doc, Event, Evidence, Location, SourceRef, Stance, SubEventType};
use rasd_text::sentence::split_sentences_into;
use rasd_text::{Mode, Normalized, Normalizer, Sentence, Token, TokenKind, Tokenizer, fold_str};
use std::collections::{BTreeMap, HashSet};

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

/// The records of a document so far, and the keys of those already emitted (one record per act, place and claim).
#[derive(Debug, Default)]
pub(crate) struct Emitted {
    events: Vec<Event>,
    seen: HashSet<String>,
}

/// The document so far: what a sentence that names no place, date or source falls back to.
#[derive(Debug, Default, Clone)]
pub(crate) struct DocState {
    pub place: Option<(Location, usize, usize)>,
    pub date: Option<DateHit>,
    pub source: Option<(SourceRef, usize, usize)>,
    /// The records (indices into the document's records) of the last sentence that reported an act.
    pub last_events: std::ops::Range<usize>,
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
        let i = self.tokens.partition_point(|t| t.end <= at);
        self.tokens[..i]
            .iter()
            .rev()
            .take(n)
            .map(|t| fold_str(t.surface(self.text), Mode::Key))
            .collect()
    }

    /// The key-normalized words from byte `at` on, at most `n`.
    pub fn words_after(&self, at: usize, n: usize) -> Vec<String> {
        let i = self.tokens.partition_point(|t| t.start < at);
        self.tokens[i..]
            .iter()
            .take(n)
            .map(|t| fold_str(t.surface(self.text), Mode::Key))
            .collect()
    }

    /// Number of word tokens between two byte offsets (in either order).
    pub fn distance(&self, a: usize, b: usize) -> usize {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        // Tokens lying wholly between the two offsets: the token a match or name sits in is not counted.
        let i = self.tokens.partition_point(|t| t.start < lo);
        let j = self.tokens.partition_point(|t| t.end <= hi);
        j.saturating_sub(i)
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

/// How strongly a type wins a clause over another trigger in it.
fn rank(ty: TriggerType) -> u8 {
    use SubEventType as S;
    match ty {
        TriggerType::Territory => 90,
        TriggerType::Casualty => 5,
        TriggerType::Sub(s) => match s {
            // "تفكيك العبوات", "اعتراض صاروخ": the weapon named is the one disrupted.
            S::DisruptedWeaponsUse => 86,
            S::SuicideBomb | S::ChemicalWeapon => 85,
            S::ExcessiveForceAgainstProtesters => 84,
            S::AirDroneStrike => 80,
            S::RemoteExplosive | S::Grenade => 75,
            S::ProtestWithIntervention => 72,
            S::ShellingArtilleryMissile => 70,
            S::ViolentDemonstration | S::MobViolence => 66,
            S::SexualViolence | S::Abduction => 64,
            S::Attack => 62,
            S::Arrests => 60,
            S::PeacefulProtest => 55,
            S::ArmedClash => 50,
            S::NonViolentTransferOfTerritory => 48,
            S::Agreement => 45,
            S::HeadquartersOrBaseEstablished | S::LootingPropertyDestruction => 40,
            _ => 20,
        },
    }
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
    pub fn extract(&mut self, doc: &Doc, opts: &Options) -> Vec<Event> {
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

        let mut state = DocState::default();
        let mut out = Emitted::default();
        // In sentence mode a line break between two sentences starts a new report: nothing carries over it.
        let mut prev_end = 0usize;
        for s in &self.sentences {
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
            };
            let before = out.events.len();
            sentence_events(self.x, doc, published, opts, &sent, &mut state, &mut out);
            if out.events.len() > before {
                state.last_events = before..out.events.len();
            }
            update_state(self.x, &sent, &mut state);
        }
        merge_restatements(&mut out.events);
        out.events
    }
}

/// Real reports restate their main event ("وأكدت القيادة السيطرة على المدينة بالكامل" after the lead): records of
/// one document with the same sub-type, place, date, actors, stance and background, whose sources add nothing to
/// an earlier record's, are one claim. The best-attributed record is kept (at the earlier one's position).
fn merge_restatements(events: &mut Vec<Event>) {
    let key = |e: &Event| {
        (
            e.sub_event_type,
            e.location.as_ref().map(|l| l.id.clone()),
            e.event_date,
            e.actor1.as_ref().map(|a| a.id.clone()),
            e.actor2.as_ref().map(|a| a.id.clone()),
            e.stance,
            e.background,
        )
    };
    let covers = |a: &Event, b: &Event| b.reported_by.iter().all(|s| a.reported_by.iter().any(|t| t.id == s.id));
    let mut kept: Vec<Event> = Vec::with_capacity(events.len());
    for e in events.drain(..) {
        let k = key(&e);
        match kept
            .iter_mut()
            .find(|x| key(x) == k && (covers(x, &e) || covers(&e, x)))
        {
            Some(x) => {
                if !covers(x, &e) {
                    *x = e;
                }
            }
            None => kept.push(e),
        }
    }
    *events = kept;
}

/// The sub-slice of `v` (sorted by `key`) whose keys fall within `start..end`.
fn slice_by<T>(v: &[T], start: usize, end: usize, key: impl Fn(&T) -> usize) -> &[T] {
    let lo = v.partition_point(|x| key(x) < start);
    let hi = v.partition_point(|x| key(x) < end);
    &v[lo..hi.max(lo)]
}

/// Clause boundaries: commas, semicolons, colons, and connectives that open a new clause.
pub(crate) fn clauses(text: &str, tokens: &[Token], start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = start;
    for t in tokens {
        let cut = match t.kind {
            TokenKind::Punct => matches!(t.surface(text), "،" | "," | ";" | "؛" | ":" | "-" | "–" | "—"),
            TokenKind::Arabic => {
                let k = fold_str(t.surface(text), Mode::Key);
                matches!(
                    k.as_str(),
                    "فيما" | "بينما" | "حيث" | "اذ" | "ثم" | "وفيما" | "وبينما" | "كما" | "وكما"
                )
            }
            _ => false,
        };
        if cut && t.start > from {
            out.push((from, t.start));
            from = t.start;
        }
    }
    out.push((from, end));
    out
}

/// Picks the best trigger of each clause, then runs the stages on each.
fn sentence_events(
    x: &Extractor,
    doc: &Doc,
    published: Option<chrono::NaiveDate>,
    opts: &Options,
    sent: &Sent<'_>,
    state: &mut DocState,
    out: &mut Emitted,
) {
    let Emitted { events, seen } = out;
    // Questions and hypotheticals report nothing.
    let question = sent.slice(sent.start, sent.end).trim_end().ends_with(['؟', '?'])
        || sent
            .cues(Cue::Question)
            .any(|h| sent.distance(sent.start, h.start) <= 1);
    let hypothetical = sent.cues(Cue::Hypothetical).next().is_some() || sent.cues(Cue::NotConflict).next().is_some();
    if (question || hypothetical) && !opts.keep_weak {
        return;
    }
    let mut picked: Vec<Candidate> = Vec::new();
    for h in sent.hits {
        let RuleKind::Trigger { ty, role, weight } = sent.rules.get(h.rule).kind else {
            continue;
        };
        if blocked(sent, h, role)
            || negated(sent, h)
            || claimed(sent, h, role)
            || (ty == TriggerType::Territory && state_of_control(sent, h, role))
        {
            continue;
        }
        let clause = sent.clause_of(h.start);
        let c = Candidate {
            hit: *h,
            ty,
            role,
            weight,
            clause,
        };
        // A strong trigger beats a weak one; among equals the more specific type wins, then the surer word.
        // A killing never wins a clause: it is the toll of whatever act the clause names.
        let key = |c: &Candidate| {
            (
                c.ty != TriggerType::Casualty,
                c.weight >= 0.6,
                rank(c.ty),
                (c.weight * 100.0) as u32,
            )
        };
        match picked.iter_mut().find(|p| p.clause == clause) {
            Some(p) => {
                if key(&c) > key(p) {
                    *p = c;
                }
            }
            None => picked.push(c),
        }
    }
    if picked.is_empty() {
        denial_of_previous(x, doc, sent, state, events, seen);
        return;
    }
    // A killing next to another act is that act's toll, not an event of its own.
    let has_act = picked.iter().any(|c| c.ty != TriggerType::Casualty);
    if has_act {
        picked.retain(|c| c.ty != TriggerType::Casualty);
    }
    // "استعادت القوات الحيين، بعد اشتباكات مع عناصر داعش قتل فيها 40", "نهبوا محال في عفرين عقب دخولها": what
    // came before the act a sentence reports is its context (its toll goes to the act), not a second event.
    // A noun two words after them counts too ("بعد أربعة أيام من المواجهات" opens its clause).
    let context = |c: &Candidate| {
        let before = sent.words_before(c.hit.start, 2);
        let opens = sent
            .words_after(c.clause.0, 2)
            .iter()
            .find(|w| w.chars().any(char::is_alphabetic))
            .is_some_and(|w| matches!(w.as_str(), "بعد" | "عقب" | "اثر"));
        before
            .first()
            .is_some_and(|w| matches!(w.as_str(), "بعد" | "عقب" | "اثر"))
            || c.role == Role::Noun && opens
    };
    if picked.iter().any(|c| !context(c)) {
        picked.retain(|c| !context(c));
    }
    // "في أكبر تقدم للتنظيم منذ سقوط الموصل", "منذ بدء هجوم قوات حفتر": an act named after منذ dates the
    // report's story; it is not reported as news here. A running toll ("ارتفع عدد القتلى إلى 1168 منذ بدء
    // المعارك") is the exception: the campaign it counts is its record.
    if sent.cues(Cue::Cumulative).next().is_none() {
        picked.retain(|c| !sent.words_before(c.hit.start, 2).iter().any(|w| w == "منذ"));
    }
    // "انسحبت قوات البيشمركة …، وتسلمت قوات الحشد مواقعها": one transfer, coded from the side that took over.
    let takeover = picked.iter().any(|c| c.role != Role::Withdraw && is_transfer(c.ty));
    if takeover {
        picked.retain(|c| c.role != Role::Withdraw);
    }
    let res = x.resources();
    let numbers = toll::numbers(sent);
    for c in &picked {
        let mut who: Actors = actors::attach(sent, c, res);
        let attribution: Attribution = frames::attribute(sent, c, res, state, doc.outlet.as_deref());
        // "أعلن المركز الإعلامي … أن قواته سيطرت": forces named by a possessive pronoun are the speaker's own.
        if who.actor1.is_none()
            && let Some(span) = actors::own_forces(sent, c)
        {
            who.actor1 = attribution
                .frames
                .first()
                .and_then(|f| res.actor_for_source(&f.source.id).or_else(|| Some(f.source.id.clone())))
                .filter(|id| who.actor2.as_ref().is_none_or(|(a2, _)| a2.id != *id))
                .and_then(|id| res.actor(&id, true))
                .map(|a| (a, Some(span)));
        }
        // "وخسر التنظيم عشرات القرى", "استعادت القوات المدينة": a change of hands with no taker named goes to
        // the report's main other actor.
        if matches!(c.ty, TriggerType::Territory) && who.actor1.is_none() {
            who.actor1 = actors::likely_taker(sent.doc_actors, who.actor2.as_ref().map(|a| &a.0)).map(|a| (a, None));
            // "تحرير المدينة من قبضة داعش" with no other side named: what a non-state group lost, the state of
            // the report's country took back.
            if who.actor1.is_none()
                && c.role == Role::Gain
                && who
                    .actor2
                    .as_ref()
                    .is_some_and(|(a, _)| a.actor_type != ActorType::StateForces)
            {
                who.actor1 = sent.army.and_then(|id| res.actor(id, false)).map(|a| (a, None));
            }
        }
        let Some(mut sub) = decide_type(sent, c, &who) else {
            continue;
        };
        // "اغتال مسلحون ضابطاً في الأمن العام": an attack on fighters, soldiers or police is an armed clash.
        if sub == SubEventType::Attack && !toll::civilian_victims(sent, c) {
            let (cs, ce) = c.clause;
            if sent.cues(Cue::Combatant).any(|h| h.start >= cs && h.end <= ce) {
                sub = SubEventType::ArmedClash;
            }
        }
        let where_: Placed = place::attach(sent, c, res, state);
        // Protests and riots are coded from the crowd: actor1 is the protesters (or rioters), and the force that
        // met them, when named, is actor2.
        let crowd = match sub.event_type() {
            rasd_core::EventType::Protests => Some("protesters"),
            rasd_core::EventType::Riots => Some("rioters"),
            _ => None,
        };
        if let Some(id) = crowd {
            let is_crowd = |a: &Option<(rasd_core::ActorRef, Option<(usize, usize)>)>| {
                a.as_ref()
                    .is_some_and(|(a, _)| matches!(a.actor_type, ActorType::Protesters | ActorType::Rioters))
            };
            if !is_crowd(&who.actor1) {
                if who.actor2.is_none() || is_crowd(&who.actor2) {
                    who.actor2 = who.actor1.take();
                }
                who.actor1 = res.actor(id, false).map(|a| (a, None));
            }
        }
        if !opts.keep_weak && !strong_enough(sent, c, &who, &where_) {
            continue;
        }
        // A change of hands with nobody named and no place of its own says nothing an analyst can use.
        if is_transfer(c.ty)
            && who.actor1.is_none()
            && who.actor2.is_none()
            && (where_.carried || where_.location.is_none())
        {
            continue;
        }
        // "إلى أن انتزاع السيطرة جاء بعد حصار": the same act restated with no place of its own.
        if where_.carried
            && events.iter().any(|e| {
                e.sub_event_type == sub && e.actor1.as_ref().map(|a| &a.id) == who.actor1.as_ref().map(|a| &a.0.id)
            })
        {
            continue;
        }
        let dated: Dated = when::attach(sent, c, state);
        let fatalities = toll::fatalities(sent, c, &picked, &numbers);
        let share = if matches!(c.ty, TriggerType::Territory) {
            toll::share(sent, c, &numbers)
        } else {
            None
        };
        let background = frames::background(sent, c, dated.hit.as_ref(), published);
        if background && opts.drop_background {
            continue;
        }
        let civilians_hit = toll::civilian_victims(sent, c);
        let mut actor2 = who.actor2.clone();
        if actor2.is_none() && !matches!(c.ty, TriggerType::Territory) {
            // Civilians are the target when the victims or the place hit are civilian, and by default of the
            // acts that ACLED counts as violence against civilians.
            let (cs, ce) = c.clause;
            let civilian_place = sent.cues(Cue::CivilianTarget).any(|h| h.start >= cs && h.end <= ce);
            let against_civilians = matches!(
                sub,
                SubEventType::Attack
                    | SubEventType::Abduction
                    | SubEventType::SexualViolence
                    | SubEventType::LootingPropertyDestruction
            );
            if civilians_hit || civilian_place || against_civilians {
                actor2 = res.actor("civilians", false).map(|a| (a, None));
            }
        }
        // A battle with one side named: the other side is the side the reporting source speaks for ("قسد …
        // مؤكدة مقتل عناصر داعش في الاشتباكات"), else the document's main opponent of that side.
        if actor2.is_none()
            && sub.event_type() == rasd_core::EventType::Battles
            && let Some((a1, _)) = &who.actor1
        {
            let speaker = attribution
                .frames
                .first()
                .and_then(|f| res.actor_for_source(&f.source.id))
                .filter(|id| *id != a1.id)
                .and_then(|id| res.actor(&id, false))
                // Two state forces reporting each other's gains are allies, not sides (Russian media on Syria).
                .filter(|a| !(a.actor_type == ActorType::StateForces && a1.actor_type == ActorType::StateForces));
            actor2 = speaker
                .or_else(|| actors::opponent(sent.doc_actors, a1))
                .map(|a| (a, None));
        }
        // "قصف التنظيم مواقعهم", "هجمات على 15 كميناً عسكرياً": a strike on positions, convoys or checkpoints
        // hits the other side of the report's war.
        if actor2.is_none()
            && sub.event_type() == rasd_core::EventType::ExplosionsRemoteViolence
            && !civilians_hit
            && let Some((a1, _)) = &who.actor1
            && military_target(sent, c)
        {
            actor2 = actors::opponent(sent.doc_actors, a1).map(|a| (a, None));
        }
        // An armed clash whose victims are civilians is an attack on them.
        let named_civilians = who.actor2.as_ref().is_some_and(|(a, _)| a.id == "civilians");
        if sub == SubEventType::ArmedClash
            && (toll::named_civilian_victims(sent, c) || named_civilians)
            && actor2.as_ref().is_some_and(|(a, _)| a.id == "civilians")
        {
            sub = SubEventType::Attack;
        }
        let stances = frames::stances(sent, c, &attribution, dated.hit.as_ref());
        // One record per place named with "و", per claim.
        let mut places = vec![where_.clone()];
        for (loc, span) in &where_.also {
            places.push(Placed {
                location: Some(loc.clone()),
                span: Some(*span),
                carried: false,
                also: Vec::new(),
            });
        }
        for (stance, reported_by) in stances {
            for where_ in &places {
                let ev = build(
                    doc,
                    sent,
                    c,
                    sub,
                    &who,
                    actor2.clone(),
                    where_,
                    &dated,
                    fatalities.clone(),
                    share,
                    stance,
                    reported_by.clone(),
                    background,
                );
                let key = format!(
                    "{}|{:?}|{:?}|{:?}|{:?}|{}",
                    sub.name(),
                    ev.location.as_ref().map(|l| &l.id),
                    ev.event_date,
                    ev.actor1.as_ref().map(|a| &a.id),
                    ev.reported_by.first().map(|s| &s.id),
                    stance.as_str()
                );
                if seen.insert(key) {
                    events.push(ev);
                }
            }
        }
    }
}

/// "وهو ما نفاه الجيش": a sentence that opens with a denial and names no act of its own denies the act reported
/// just before it. The denial is its own record: same act, stance denied, the denier first.
fn denial_of_previous(
    x: &Extractor,
    doc: &Doc,
    sent: &Sent<'_>,
    state: &DocState,
    events: &mut Vec<Event>,
    seen: &mut HashSet<String>,
) {
    let res = x.resources();
    let frames = frames::frames_in(sent, res, state);
    let Some(f) = frames.iter().find(|f| {
        f.kind == crate::rules::FrameKind::Deny && sent.distance(sent.start, f.start) <= 3 && f.span.is_some()
    }) else {
        return;
    };
    let (s, e) = trim_span(sent.text, sent.start, sent.end);
    let Some(evidence) = Evidence::from_text(sent.text, s, e) else {
        return;
    };
    // Every record of the last sentence that reported an act ("سيطرتها على القصر الرئاسي ومطار مروي. وهو ما
    // نفاه الجيش" denies both places).
    let denied: Vec<Event> = events[state.last_events.clone()]
        .iter()
        .filter(|e| e.stance != Stance::Denied)
        .cloned()
        .collect();
    for prev in denied {
        let mut ev = prev.clone();
        ev.stance = Stance::Denied;
        ev.reported_by = vec![f.source.clone()];
        if let Some(o) = prev.reported_by.last()
            && o.id != f.source.id
        {
            ev.reported_by.push(o.clone());
        }
        ev.field_evidence.retain(|k, _| !k.starts_with("reported_by"));
        if let Some(ev_span) = f.span.and_then(|(a, b)| Evidence::from_text(sent.text, a, b)) {
            ev.field_evidence.insert("reported_by[0]".into(), ev_span);
        }
        ev.fatalities = None;
        let place = ev.location.as_ref().map_or("", |l| l.id.as_str());
        ev.id = event_id(
            &doc.id,
            evidence.start,
            evidence.end,
            ev.sub_event_type.name(),
            "denied",
            place,
        );
        ev.evidence = evidence.clone();
        ev.confidence = (prev.confidence * 0.8 * 100.0).round() / 100.0;
        if seen.insert(format!("denial|{}", ev.id)) {
            events.push(ev);
        }
    }
}

/// A weak trigger needs its actor and its own place; a nominal trigger needs an actor or a place in its clause
/// ("بعد سنوات من حروب ومعارك" names neither: commentary, not an act).
fn strong_enough(sent: &Sent<'_>, c: &Candidate, who: &Actors, where_: &Placed) -> bool {
    if c.weight < 0.6 && (who.actor1.is_none() || where_.carried || where_.location.is_none()) {
        return false;
    }
    if c.role == Role::Noun && c.weight < 0.8 {
        let (cs, ce) = c.clause;
        return sent
            .mentions
            .iter()
            .any(|m| m.kind != crate::MentionKind::Outlet && m.start >= cs && m.end <= ce);
    }
    true
}

fn is_transfer(ty: TriggerType) -> bool {
    matches!(
        ty,
        TriggerType::Territory | TriggerType::Sub(SubEventType::NonViolentTransferOfTerritory)
    )
}

/// Whether the act's clause names a military target after the trigger (positions, convoys, checkpoints, bases).
fn military_target(sent: &Sent<'_>, c: &Candidate) -> bool {
    const TARGETS: &[&str] = &[
        "مواقع",
        "موقع",
        "تجمعات",
        "تجمع",
        "رتل",
        "رتلا",
        "ارتال",
        "كمين",
        "كمينا",
        "كماين",
        "ثكنه",
        "معسكر",
        "نقطه",
        "نقاط",
        "دوريه",
        "مقر",
        "مقرات",
        "قاعده",
        "اليات",
        "اليه",
        "اهداف",
        "تحصينات",
        "تعزيزات",
    ];
    let (_, ce) = c.clause;
    sent.words_after(c.hit.end, 8)
        .iter()
        .zip(sent.tokens.iter().skip_while(|t| t.start < c.hit.end))
        .take_while(|(_, t)| t.end <= ce)
        .any(|(w, _)| {
            let w = w.trim_start_matches(['و', 'ب', 'ل']);
            let w = w.strip_prefix("ال").unwrap_or(w);
            TARGETS.contains(&w)
                || w.strip_suffix("هم")
                    .or_else(|| w.strip_suffix("ها"))
                    .is_some_and(|s| TARGETS.contains(&s))
        })
}

/// "وتبنى تنظيم الدولة الهجوم": a definite act noun after a claim of responsibility names an act already
/// reported, not a new one.
fn claimed(sent: &Sent<'_>, h: &Hit, role: Role) -> bool {
    if role != Role::Noun {
        return false;
    }
    let definite = sent
        .tokens
        .iter()
        .find(|t| t.start <= h.start && h.start < t.end)
        .is_some_and(|t| {
            let w = fold_str(t.surface(sent.text), Mode::Key);
            w.starts_with("ال") || w.starts_with("وال") || w.starts_with("بال")
        });
    let (cs, _) = sent.clause_of(h.start);
    definite && sent.cues(Cue::Claim).any(|c| c.start >= cs && c.end <= h.start)
}

/// "لم تسجل أي اشتباكات", "انسحبت دون قتال": a negation just before the trigger.
fn negated(sent: &Sent<'_>, h: &Hit) -> bool {
    sent.cues(Cue::Negation)
        .any(|c| c.end <= h.start && sent.distance(c.end, h.start) <= 3)
}

/// Words that describe who holds a place rather than a change of hands:
/// - "الخاضعة لسيطرة", "تخضع لسيطرة": ل before a territory noun;
/// - "لتستقر سيطرته في …", "كان يبسط سيطرته": a possessed noun ("سيطرته") not followed by "على";
/// - "المناطق التي سيطر عليها التنظيم": a relative clause closed by "عليها".
fn state_of_control(sent: &Sent<'_>, h: &Hit, role: Role) -> bool {
    let Some(tok) = sent.tokens.iter().find(|t| t.start <= h.start && h.start < t.end) else {
        return false;
    };
    if sent.slice(tok.start, h.start).ends_with('ل') {
        return true;
    }
    if role != Role::Gain {
        return false;
    }
    let word = fold_str(sent.slice(h.start, tok.end), Mode::Key);
    let after = sent.words_after(tok.end, 2);
    let next = after.first().map(String::as_str).unwrap_or("");
    // "أحكمت سيطرتها الكاملة على": the object may follow an adjective.
    let on = after.iter().any(|w| w == "علي");
    if ["ته", "تها", "تهم", "تهما"]
        .iter()
        .any(|suffix| word.ends_with(suffix) && word.len() > suffix.len() + 4)
        && !on
    {
        return true;
    }
    let before = sent.words_before(tok.start, 1);
    matches!(before.first().map(String::as_str), Some("التي" | "الذي" | "التى")) && matches!(next, "عليها" | "عليه")
}

/// Whether a blocking cue sits right before or after the trigger ("تحت سيطرة", "هجوم على الحريات").
fn blocked(sent: &Sent<'_>, h: &Hit, role: Role) -> bool {
    sent.hits.iter().any(|c| match sent.rules.get(c.rule).kind {
        RuleKind::Cue(Cue::BlockBefore) => c.end <= h.start && sent.distance(c.end, h.start) == 0,
        RuleKind::Cue(Cue::BlockAfter) => c.start >= h.end && sent.distance(h.end, c.start) <= 1,
        RuleKind::Cue(Cue::BlockFall) => role == Role::Fall && c.start >= h.end && sent.distance(h.end, c.start) <= 1,
        RuleKind::Cue(Cue::BlockName) => c.start >= h.end && sent.distance(h.end, c.start) == 0,
        _ => false,
    })
}

/// The ACLED sub-type of a candidate, now that its actors are known.
fn decide_type(sent: &Sent<'_>, c: &Candidate, who: &Actors) -> Option<SubEventType> {
    use rasd_core::ActorType;
    let (cs, ce) = c.clause;
    let in_clause = |cue: Cue| sent.cues(cue).any(|h| h.start >= cs && h.end <= ce);
    Some(match c.ty {
        TriggerType::Territory if sent.cues(Cue::NoFight).next().is_some() => {
            SubEventType::NonViolentTransferOfTerritory
        }
        TriggerType::Territory => {
            let taker = who.actor1.as_ref().map(|(a, _)| a.actor_type);
            let loser = who.actor2.as_ref().map(|(a, _)| a.actor_type);
            match (taker, loser) {
                (Some(ActorType::StateForces), _) => SubEventType::GovernmentRegainsTerritory,
                (Some(_), _) => SubEventType::NonStateActorOvertakesTerritory,
                (None, Some(ActorType::StateForces)) => SubEventType::NonStateActorOvertakesTerritory,
                (None, Some(_)) => SubEventType::GovernmentRegainsTerritory,
                (None, None) => SubEventType::NonStateActorOvertakesTerritory,
            }
        }
        // Protesters who storm or burn make a violent demonstration, whatever the police did.
        TriggerType::Casualty
        | TriggerType::Sub(
            SubEventType::Attack
            | SubEventType::ExcessiveForceAgainstProtesters
            | SubEventType::LootingPropertyDestruction
            | SubEventType::ProtestWithIntervention,
        ) if toll::protester_victims(sent, c) && sent.cues(Cue::Riot).next().is_some() => {
            SubEventType::ViolentDemonstration
        }
        TriggerType::Casualty | TriggerType::Sub(SubEventType::Attack) if toll::protester_victims(sent, c) => {
            SubEventType::ExcessiveForceAgainstProtesters
        }
        TriggerType::Casualty => {
            // A bare killing is an event only when the victims are civilians or the killer is named.
            if toll::civilian_victims(sent, c) || who.actor1.is_some() {
                SubEventType::Attack
            } else {
                return None;
            }
        }
        TriggerType::Sub(SubEventType::ShellingArtilleryMissile)
            if in_clause(Cue::Air)
                || who
                    .actor1
                    .as_ref()
                    .is_some_and(|(a, _)| a.id.contains("coalition") || a.id.contains("air-force")) =>
        {
            // Shelling by a named aircraft, or by an air coalition, is an air strike.
            SubEventType::AirDroneStrike
        }
        TriggerType::Sub(SubEventType::RemoteExplosive)
            if sent.hits.iter().any(|h| {
                h.start >= cs
                    && h.end <= ce
                    && matches!(
                        sent.rules.get(h.rule).kind,
                        RuleKind::Trigger {
                            ty: TriggerType::Sub(SubEventType::SuicideBomb),
                            ..
                        }
                    )
            }) =>
        {
            SubEventType::SuicideBomb
        }
        TriggerType::Sub(SubEventType::PeacefulProtest) if in_clause(Cue::Kill) => {
            SubEventType::ExcessiveForceAgainstProtesters
        }
        TriggerType::Sub(s) => s,
    })
}

/// Assembles the record, with per-field evidence.
#[allow(clippy::too_many_arguments)]
fn build(
    doc: &Doc,
    sent: &Sent<'_>,
    c: &Candidate,
    sub: SubEventType,
    who: &Actors,
    actor2: Option<(rasd_core::ActorRef, Option<(usize, usize)>)>,
    where_: &Placed,
    dated: &Dated,
    fatalities: Option<(rasd_core::Fatalities, (usize, usize))>,
    share: Option<(rasd_core::TerritoryShare, (usize, usize))>,
    stance: Stance,
    reported_by: Vec<(SourceRef, Option<(usize, usize)>)>,
    background: bool,
) -> Event {
    let text = sent.text;
    let mut fe = BTreeMap::new();
    let mut put = |name: String, span: Option<(usize, usize)>| {
        if let Some((s, e)) = span
            && let Some(ev) = Evidence::from_text(text, s, e)
        {
            fe.insert(name, ev);
        }
    };
    put("trigger".into(), Some((c.hit.start, c.hit.end)));
    put("actor1".into(), who.actor1.as_ref().and_then(|a| a.1));
    put("actor2".into(), actor2.as_ref().and_then(|a| a.1));
    put("location".into(), where_.span);
    put("date".into(), dated.span);
    put("fatalities".into(), fatalities.as_ref().map(|f| f.1));
    put("territory_share".into(), share.as_ref().map(|s| s.1));
    for (i, (_, span)) in reported_by.iter().enumerate() {
        put(format!("reported_by[{i}]"), *span);
    }
    let (cs, ce) = trim_span(text, c.clause.0, c.clause.1);
    let evidence = Evidence::from_text(text, cs, ce).unwrap_or_else(|| Evidence {
        text: String::new(),
        start: c.hit.start,
        end: c.hit.start,
    });
    let mut conf = c.weight * 0.55;
    if who.actor1.is_some() {
        conf += 0.15;
    }
    if where_.location.is_some() && !where_.carried {
        conf += 0.15;
    }
    if dated.span.is_some() {
        conf += 0.1;
    }
    if who.actor1.as_ref().is_some_and(|a| a.0.coreference) {
        conf -= 0.05;
    }
    if stance == Stance::Hedged {
        conf -= 0.05;
    }
    let confidence = (conf.clamp(0.05, 0.99) * 100.0).round() / 100.0;
    Event {
        id: event_id(
            &doc.id,
            evidence.start,
            evidence.end,
            sub.name(),
            stance.as_str(),
            where_.location.as_ref().map_or("", |l| l.id.as_str()),
        ),
        doc_id: doc.id.clone(),
        event_type: sub.event_type(),
        sub_event_type: sub,
        event_date: dated.date,
        date_precision: if dated.date.is_some() {
            dated.precision
        } else {
            DatePrecision::Unknown
        },
        date_text: dated.span.and_then(|(s, e)| text.get(s..e)).map(str::to_string),
        date_rule: dated.rule.clone(),
        actor1: who.actor1.as_ref().map(|a| a.0.clone()),
        assoc_actor_1: who.assoc1.clone(),
        actor2: actor2.map(|a| a.0),
        assoc_actor_2: Vec::new(),
        location: where_.location.clone(),
        fatalities: fatalities.map(|f| f.0),
        territory_share: share.map(|s| s.0),
        reported_by: reported_by.into_iter().map(|r| r.0).collect(),
        stance,
        background,
        evidence,
        field_evidence: fe,
        confidence,
    }
}

/// Trims white space and clause punctuation from both ends of a span.
fn trim_span(text: &str, mut s: usize, mut e: usize) -> (usize, usize) {
    let junk = |c: char| c.is_whitespace() || matches!(c, '،' | ',' | ';' | '؛' | ':' | '.' | '-' | '–' | '—');
    while let Some(c) = text.get(s..e).and_then(|t| t.chars().next()) {
        if junk(c) {
            s += c.len_utf8();
        } else {
            break;
        }
    }
    while let Some(c) = text.get(s..e).and_then(|t| t.chars().next_back()) {
        if junk(c) {
            e -= c.len_utf8();
        } else {
            break;
        }
    }
    (s, e.max(s))
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
    if let Some(src) = frames::sentence_source(sent, res) {
        state.source = Some(src);
    }
}
