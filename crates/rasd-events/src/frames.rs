//! Who says so, and how: reporting frames, stance and background.
//!
//! A frame is a reporting word with its source: "أعلنت وكالة سانا أن", "وفق المرصد", "نقلت عن مصادر", "نفت
//! وكالة أعماق". The frames that govern an act are listed nearest first: a prepositional frame after it ("…،
//! بحسب المرصد"), then the frames before it, the nearest first, each earlier one only when it introduces the
//! later one ("ذكرت صحيفة أن المرصد أعلن أن …"). A frame with no named source ("وأضاف", "وفق البيان") refers
//! back to the last source named. The outlet closes the list.

use crate::rules::{Cue, FrameKind, RuleKind};
use crate::stage::{Candidate, DocState, Sent};
use crate::{DateHit, MentionKind, Resources};
use chrono::NaiveDate;
use rasd_core::{ActorType, SourceKind, SourceRef, Stance};
use rasd_text::{Mode, fold_str};

/// A reporting frame found in a sentence.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub kind: FrameKind,
    pub start: usize,
    pub end: usize,
    pub source: SourceRef,
    pub span: Option<(usize, usize)>,
}

/// Sources of a claim, nearest first, each with the span that named it.
pub(crate) type Sources = Vec<(SourceRef, Option<(usize, usize)>)>;

/// The frames governing one act, nearest first, and the outlet.
#[derive(Debug, Clone, Default)]
pub(crate) struct Attribution {
    pub frames: Vec<Frame>,
    /// The agency of the report's dateline ("عدن (رويترز) -"), between the frames and the outlet.
    pub agency: Option<(SourceRef, (usize, usize))>,
    pub outlet: Option<SourceRef>,
}

/// The agency a report's dateline names: "عدن (رويترز) -", "دمشق - سانا:", "بغداد/ الأناضول:", "سمارت ــ حمص":
/// an outlet mention among the first six words of the text, set off by brackets or a dash, slash or colon
/// right around it, with nothing before it but the dateline's place (at most five words, no full stop or line break).
pub(crate) fn dateline_agency(
    text: &str,
    mentions: &[crate::Mention],
    res: &dyn Resources,
) -> Option<(SourceRef, (usize, usize))> {
    const MARKS: &[char] = &['(', ')', '-', '–', '—', '_', 'ـ', '/', ':', '،', ','];
    let m = mentions.iter().find(|m| m.kind == MentionKind::Outlet)?;
    let lead = text.get(..m.clitic_start)?;
    let follow = text.get(m.end..)?;
    if lead.split_whitespace().count() > 5 || lead.contains(['\n', '.']) {
        return None;
    }
    let before = lead.trim_end();
    let marked_after = follow.trim_start().starts_with(MARKS);
    let place = before.trim_end_matches(MARKS).trim();
    let ok = if before.is_empty() {
        marked_after
    } else {
        before.ends_with(MARKS) && (marked_after || !place.is_empty())
    };
    if !ok {
        return None;
    }
    Some((res.source(&m.id)?, (m.start, m.end)))
}

/// The source a frame word names: an outlet or actor right after it (VSO), or right before it ("قسد التي أعلنت").
fn frame_source(sent: &Sent<'_>, start: usize, end: usize, res: &dyn Resources) -> Option<(SourceRef, (usize, usize))> {
    let reach_after = 6;
    // Civilians are no source, nor is a correspondent ("قال مراسل العربي الجديد": the outlet is).
    let cand = |m: &&crate::Mention| match m.kind {
        MentionKind::Outlet => true,
        MentionKind::Actor => res.actor_type(&m.id).is_some_and(|t| t != ActorType::Civilians),
        MentionKind::Place => false,
    };
    // The source of a verb comes before its content: stop at "أن" / "إن" or a colon.
    let words = sent.words_after(end, reach_after + 1);
    let stop = words
        .iter()
        .position(|w| matches!(w.as_str(), "ان" | "بان" | ":"))
        .unwrap_or(words.len());
    let reach_after = reach_after.min(stop);
    let after = sent
        .mentions
        .iter()
        .filter(cand)
        .find(|m| m.start >= end && sent.distance(end, m.start) < reach_after);
    let before = || {
        sent.mentions
            .iter()
            .rev()
            .filter(cand)
            .find(|m| m.end <= start && sent.distance(m.end, start) <= 2)
    };
    // An outlet beats an actor at the same reach: "أعلنت وكالة سانا" names the agency, not the army.
    let mut m = after.or_else(before)?;
    // "ولفت المصدر إلى أن": the definite word refers back to a source named before; it names none itself.
    if m.start >= end
        && matches!(
            fold_str(sent.slice(m.start, m.end), Mode::Key).as_str(),
            "المصدر" | "المصادر"
        )
    {
        return None;
    }
    let unnamed = |m: &crate::Mention| {
        m.kind == MentionKind::Outlet && res.source(&m.id).is_some_and(|s| s.kind == SourceKind::Unnamed)
    };
    // "أفاد مصدر في قيادة شرطة دمشق", "قال مصدر في وزارة الداخلية": the unnamed source speaks for the body it is in.
    if unnamed(m)
        && matches!(
            sent.words_after(m.end, 1).first().map(String::as_str),
            Some("في" | "من" | "داخل")
        )
    {
        let body = sent
            .mentions
            .iter()
            .filter(cand)
            .find(|b| b.start >= m.end && sent.distance(m.end, b.start) <= 2);
        if let Some(b) = body.filter(|b| !unnamed(b)) {
            m = b;
        }
    }
    let src = match m.kind {
        MentionKind::Outlet => res.source(&m.id)?,
        _ => res.source_for_actor(&m.id).or_else(|| {
            res.actor(&m.id, false).map(|a| SourceRef {
                id: a.id,
                name: a.name,
                kind: if a.actor_type == ActorType::StateForces {
                    SourceKind::Official
                } else {
                    SourceKind::Party
                },
            })
        })?,
    };
    Some((src, (m.start, m.end)))
}

/// Whether the word at `at` is a verb of denial itself ("نفت", "ونفى", "تنفي"), not a word the stem "نفى" begins
/// ("النفيلة", a village).
fn denial_verb(sent: &Sent<'_>, at: usize) -> bool {
    sent.token_at(at).is_some_and(|t| {
        let w = rasd_text::normalize_key(t.surface(sent.text));
        let w = w.strip_prefix('و').or_else(|| w.strip_prefix('ف')).unwrap_or(&w);
        matches!(w, "نفي" | "نفت" | "ينفي" | "تنفي" | "نفوا" | "نفيا" | "نفتا")
    })
}

/// Every frame of a sentence, with its source resolved.
pub(crate) fn frames_in(sent: &Sent<'_>, res: &dyn Resources, state: &DocState) -> Vec<Frame> {
    let mut out: Vec<Frame> = Vec::new();
    for h in sent.hits {
        let RuleKind::Frame(kind) = sent.rules.get(h.rule).kind else {
            continue;
        };
        // A frame that names nobody ("مشيرة إلى أن", "وأضاف") continues the last source: of this sentence first.
        // Only a sentence-initial frame ("وأضاف", "وأشار إلى أن") or "وفق البيان" reaches back to the previous
        // sentence; elsewhere an unnamed frame is the same speaker as the frame before it in this sentence.
        let anaphoric = sent.distance(sent.start, h.start) <= 1
            || sent
                .words_after(h.end, 1)
                .first()
                .is_some_and(|w| matches!(w.as_str(), "البيان" | "المصدر" | "المصادر"));
        let (source, span) = match frame_source(sent, h.start, h.end, res) {
            Some((s, sp)) => (s, Some(sp)),
            None => match (out.last(), &state.source) {
                // "نفت الشرطة الأنباء التي تحدثت عن وقوع اشتباكات", "نفى الجيش ما تناقلته المواقع عن …": a reporting
                // verb in a relative clause after a denial tells what was denied; the denier did not say it.
                (Some(f), _)
                    if f.kind == FrameKind::Deny
                        && kind != FrameKind::Deny
                        && sent
                            .words_before(h.start, 1)
                            .first()
                            .is_some_and(|w| matches!(w.as_str(), "التي" | "الذي" | "ما" | "التى")) =>
                {
                    continue;
                }
                (Some(f), _) => (f.source.clone(), None),
                (None, Some((s, _, _))) if anaphoric => (s.clone(), None),
                // "نفت قيادة شرطة البصرة وقوع اشتباكات": a denial by a body the lexicon cannot name is still a
                // denial, by a source rasd does not name.
                _ if kind == FrameKind::Deny && denial_verb(sent, h.start) => match res.source("unnamed-sources") {
                    Some(s) => (s, None),
                    None => continue,
                },
                _ => continue,
            },
        };
        // A second word of the same frame ("بحسب ما أعلنت سانا") adds nothing.
        if out.last().is_some_and(|f| f.source.id == source.id && f.kind == kind) {
            continue;
        }
        let conveyed = span.and_then(|(_, b)| conveyed_source(sent, b, res));
        // "وأوضح مصدر أمني لوكالة فرانس برس أن …": the agency the source told carries what it said; the agency
        // goes first, as with "نقلت رويترز عن مصادر".
        if let Some((src, (a, b))) = span.and_then(|(_, b)| told_agency(sent, b, res))
            && src.id != source.id
        {
            out.push(Frame {
                kind,
                start: h.start,
                end: h.end,
                source: src,
                span: Some((a, b)),
            });
        }
        out.push(Frame {
            kind,
            start: h.start,
            end: h.end,
            source,
            span,
        });
        // "ونقلت رويترز عن مصادر طبية القول إن …": the agency carries what the sources said; they come first.
        if let Some((src, (a, b))) = conveyed {
            out.push(Frame {
                kind: FrameKind::Per,
                start: a,
                end: b,
                source: src,
                span: Some((a, b)),
            });
        }
    }
    out
}

/// The source after "عن" right behind a frame's source ("نقلت رويترز عن مصادر طبية", "نقلت سانا عن مصدر عسكري").
fn conveyed_source(sent: &Sent<'_>, after: usize, res: &dyn Resources) -> Option<(SourceRef, (usize, usize))> {
    let words = sent.words_after(after, 1);
    if words.first().map(String::as_str) != Some("عن") {
        return None;
    }
    let m = sent
        .mentions
        .iter()
        .find(|m| m.start >= after && sent.distance(after, m.start) <= 1)?;
    let src = match m.kind {
        MentionKind::Outlet => res.source(&m.id)?,
        MentionKind::Actor if res.actor_type(&m.id).is_some_and(|t| t != ActorType::Civilians) => {
            res.source_for_actor(&m.id)?
        }
        _ => return None,
    };
    Some((src, (m.start, m.end)))
}

/// The outlet glued to ل right after a frame's source ("مصدر أمني لوكالة فرانس برس", "مصادر طبية لرويترز").
fn told_agency(sent: &Sent<'_>, after: usize, res: &dyn Resources) -> Option<(SourceRef, (usize, usize))> {
    let m = sent.mentions.iter().find(|m| {
        m.kind == MentionKind::Outlet && m.clitic_start >= after && sent.distance(after, m.clitic_start) == 0 && {
            let clitic = sent.slice(m.clitic_start, m.start);
            clitic == "ل"
                || clitic == "لل"
                || (clitic.is_empty() && sent.slice(after, m.start).trim_end().ends_with('ل'))
        }
    })?;
    Some((res.source(&m.id)?, (m.start, m.end)))
}

/// Does the text between two offsets introduce reported content ("أن", "إن", a colon or a quote)?
fn introduces(sent: &Sent<'_>, from: usize, to: usize) -> bool {
    let between = sent.slice(from, to);
    between.contains(':')
        || between.contains(['"', '«', '“'])
        || sent
            .words_after(from, sent.distance(from, to))
            .iter()
            .any(|w| matches!(w.as_str(), "ان" | "بان" | "وان"))
        // "نقلت رويترز عن مصادر طبية": the agency introduces what its sources said.
        || sent.distance(from, to) <= 3 && sent.words_after(from, 3).iter().any(|w| w == "عن")
}

/// The frames governing a candidate act, nearest first.
pub(crate) fn attribute(
    sent: &Sent<'_>,
    c: &Candidate,
    res: &dyn Resources,
    state: &DocState,
    outlet: Option<&str>,
) -> Attribution {
    let all = frames_in(sent, res, state);
    let trig = c.hit.start;
    let mut chosen: Vec<Frame> = Vec::new();
    // Prepositional frames after the act in its sentence, nearest first; and denials that open no new content.
    let later_trigger = |f: &Frame| {
        sent.hits
            .iter()
            .any(|h| h.start > f.end && matches!(sent.rules.get(h.rule).kind, RuleKind::Trigger { .. }))
    };
    // "… في مدينة الشحر، كما ذكر مسؤول محلي", "… على ما أفاد شهود عيان", "…، قالت مصادر أمنية.": a reporting verb
    // after the act that names its source and opens no content of its own says where the act comes from.
    let trailing_say = |f: &Frame| {
        f.kind == FrameKind::Say
            && f.span.is_some()
            && !later_trigger(f)
            && match sent.words_before(f.start, 1).first().map(String::as_str) {
                Some("كما" | "ما") => true,
                Some("،" | ",") => !sent
                    .words_after(f.end, 8)
                    .iter()
                    .any(|w| matches!(w.as_str(), "ان" | "بان" | ":")),
                _ => false,
            }
    };
    for f in all.iter().filter(|f| f.start > c.hit.end) {
        let same_clause = f.start < c.clause.1;
        if f.kind == FrameKind::Per && (same_clause || !later_trigger(f))
            || trailing_say(f)
            || f.kind == FrameKind::Deny && !later_trigger(f)
        {
            // "…، بحسب ما أفادت مصادر طبية لوكالة فرانس برس": after the act, the source comes before the agency it
            // told (which `frames_in` puts first, for frames before the act).
            if let Some(prev) = chosen.last()
                && let (Some(p), Some(q)) = (prev.span, f.span)
                && p.0 > q.0
                && f.start == prev.start
            {
                let at = chosen.len() - 1;
                chosen.insert(at, f.clone());
                continue;
            }
            chosen.push(f.clone());
        }
    }
    // Frames before it: the nearest, then each earlier one that introduces the one after it.
    let mut inner: Option<&Frame> = None;
    for f in all.iter().rev().filter(|f| f.end <= trig) {
        match inner {
            None => {
                chosen.push(f.clone());
                inner = Some(f);
            }
            Some(i) => {
                // The agency the source told shares its frame word.
                if f.kind == FrameKind::Per || f.start == i.start || introduces(sent, f.end, i.start) {
                    chosen.push(f.clone());
                    inner = Some(f);
                }
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    chosen.retain(|f| seen.insert((f.source.id.clone(), f.kind == FrameKind::Deny)));
    let outlet = outlet.filter(|o| !o.trim().is_empty()).map(|o| {
        res.source(o).unwrap_or_else(|| SourceRef {
            id: o.to_string(),
            name: o.to_string(),
            kind: SourceKind::Outlet,
        })
    });
    Attribution {
        frames: chosen,
        agency: state.dateline.clone(),
        outlet,
    }
}

/// The stance of the act itself (before frames): denial, hedging or expectation cues in its clause.
fn clause_stance(sent: &Sent<'_>, c: &Candidate, date: Option<&DateHit>) -> Stance {
    let (cs, ce) = c.clause;
    let near = |cue: Cue, after_ok: bool| {
        sent.cues(cue)
            .any(|h| h.start >= cs && h.end <= ce && (h.end <= c.hit.start || after_ok))
    };
    if near(Cue::Denied, true) {
        Stance::Denied
    } else if near(Cue::Expected, false) || c.hit.future || date.is_some_and(|d| d.future) {
        Stance::Expected
    } else if near(Cue::Hedged, false) {
        Stance::Hedged
    } else {
        Stance::Asserted
    }
}

/// One or two claims of the act: a denial next to an assertion gives two records, each with its own sources.
pub(crate) fn stances(
    sent: &Sent<'_>,
    c: &Candidate,
    a: &Attribution,
    date: Option<&DateHit>,
) -> Vec<(Stance, Sources)> {
    let finish = |frames: Vec<&Frame>| {
        let mut v: Sources = frames.into_iter().map(|f| (f.source.clone(), f.span)).collect();
        if let Some((g, span)) = &a.agency
            && !v.iter().any(|(s, _)| s.id == g.id)
            // The dateline's agency that is the publishing outlet itself ("الأناضول" in an Anadolu report, the
            // outlet given as "outlet:anadolu") is the outlet, named once, last.
            && a.outlet
                .as_ref()
                .is_none_or(|o| o.id != g.id && o.id.strip_prefix("outlet:") != Some(g.id.as_str()))
        {
            v.push((g.clone(), Some(*span)));
        }
        if let Some(o) = &a.outlet
            && !v.iter().any(|(s, _)| s.id == o.id)
        {
            v.push((o.clone(), None));
        }
        v
    };
    let base = clause_stance(sent, c, date);
    let denies: Vec<&Frame> = a.frames.iter().filter(|f| f.kind == FrameKind::Deny).collect();
    let others: Vec<&Frame> = a.frames.iter().filter(|f| f.kind != FrameKind::Deny).collect();
    let asserted_stance = match others.first().map(|f| f.kind) {
        Some(FrameKind::Hedge) if base == Stance::Asserted => Stance::Hedged,
        // The denial words belong to the denier's record, not to the assertion beside it.
        _ if base == Stance::Denied && !denies.is_empty() => Stance::Asserted,
        _ => base,
    };
    match (denies.is_empty(), others.is_empty()) {
        (true, _) => vec![(asserted_stance, finish(others))],
        (false, true) => vec![(Stance::Denied, finish(denies))],
        (false, false) => vec![(asserted_stance, finish(others)), (Stance::Denied, finish(denies))],
    }
}

/// Whether the act is history or commentary: a pluperfect ("كان … قد سيطر", "التي كانت سيطرت"), or a date
/// flagged as background or more than a year before publication.
pub(crate) fn background(sent: &Sent<'_>, c: &Candidate, date: Option<&DateHit>, published: Option<NaiveDate>) -> bool {
    let (cs, _) = c.clause;
    let plu = sent
        .cues(Cue::Pluperfect)
        .filter(|h| h.start >= cs && h.end <= c.hit.start)
        .any(|h| {
            let d = sent.distance(h.end, c.hit.start);
            let w = rasd_text::normalize_key(sent.slice(h.start, h.end));
            match w.as_str() {
                "قد" => d == 0 && sent.cues(Cue::Pluperfect).any(|k| k.start >= cs && k.end <= h.start),
                "سابقا" | "في تلك الفتره" | "في ذلك الوقت" => true,
                // "كان يبسط التنظيم سيطرته", "كانت قد سيطرت": a past state or a pluperfect.
                _ => d <= 3,
            }
        });
    // "وكانت قوات النظام قد سيطرت على سراقب مطلع الأسبوع الجاري": a pluperfect about last week is still news.
    let recent = match (date, published) {
        (
            Some(DateHit {
                range: Some((_, end)), ..
            }),
            Some(p),
        ) => (p - *end).num_days() <= 30,
        _ => false,
    };
    if plu && !recent {
        return true;
    }
    // "اليوم الذكرى الـ29 لجريمة قصف حلبجة", "أحكاما بالإعدام … عن جريمة تفجير", "دانت … التفجيرات التي شهدتها":
    // an anniversary, a trial or a condemnation before the act in its sentence makes it history or commentary.
    // After the act it does not ("تظاهر المئات … للمطالبة بمحاكمة"): the act is the news.
    if sent.cues(Cue::History).any(|h| h.end <= c.hit.start) {
        return true;
    }
    // "وجاء الهجوم بعد أيام من تفجير استهدف سوقا", "بعد أسابيع من احتجاجات مماثلة": the act a span of time before
    // the news is told as its background.
    if after_a_span(sent, c.hit.start) {
        return true;
    }
    match (date, published) {
        (Some(d), _) if d.background => true,
        (
            Some(DateHit {
                range: Some((_, end)), ..
            }),
            Some(p),
        ) => (p - *end).num_days() > 365,
        _ => false,
    }
}

/// "بعد أيام من", "بعد ثلاثة أسابيع من", "بعد عامين من" right before the trigger (or before its noun).
pub(crate) fn after_a_span(sent: &Sent<'_>, at: usize) -> bool {
    const SPANS: &[&str] = &[
        "ايام",
        "يومين",
        "اسابيع",
        "اسبوع",
        "اسبوعين",
        "اشهر",
        "شهور",
        "شهر",
        "شهرين",
        "سنوات",
        "اعوام",
        "عام",
        "عامين",
        "سنه",
        "سنتين",
        "ساعات",
    ];
    let w = sent.words_before(at, 5);
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    // Nearest word first; the act's noun may stand before an adjective trigger ("تفجير انتحاري").
    let from = |w: &[&str]| match w {
        ["من", span, "بعد", ..] => SPANS.contains(span),
        ["من", span, _, "بعد", ..] => SPANS.contains(span),
        _ => false,
    };
    from(&w) || w.len() > 1 && from(&w[1..])
}

/// The last source a sentence names, for frames after it that name none ("وأضاف …").
pub(crate) fn sentence_source(sent: &Sent<'_>, res: &dyn Resources) -> Option<(SourceRef, usize, usize)> {
    sent.hits.iter().rev().find_map(|h| {
        let RuleKind::Frame(_) = sent.rules.get(h.rule).kind else {
            return None;
        };
        frame_source(sent, h.start, h.end, res).map(|(s, (a, b))| (s, a, b))
    })
}
