//! Fatalities and territory share.
//!
//! ACLED's conservative rule: the lower figure of a range, 10 for "عشرات", no number for "عدد كبير". A running
//! total ("ارتفع عدد القتلى إلى 1168") is kept but marked cumulative, with no `value`, because it is not one act's
//! toll. Shares come from percentages ("أكثر من 40 في المئة": min 40, no max) and fractions ("ثلث").

use crate::MentionKind;
use crate::rules::{Cue, RuleKind, TriggerType, WordList};
use crate::stage::{Candidate, Sent};
use rasd_core::{Fatalities, TerritoryShare};
use rasd_text::{Mode, NumberKind, NumberMention, find_numbers, fold_str};

/// Every number of the sentence.
pub(crate) fn numbers(sent: &Sent<'_>) -> Vec<NumberMention> {
    find_numbers(sent.text, sent.tokens)
}

/// The death toll of a candidate act, with the span it came from.
pub(crate) fn fatalities(
    sent: &Sent<'_>,
    c: &Candidate,
    all: &[Candidate],
    numbers: &[NumberMention],
) -> Option<(Fatalities, (usize, usize))> {
    // Kill words that belong to this act: in its clause, or nearer to it than to any other act.
    let mine = |at: usize| {
        let (cs, ce) = c.clause;
        if at >= cs && at < ce {
            return true;
        }
        let d = sent.distance(at, c.hit.start);
        all.iter()
            .all(|o| std::ptr::eq(o, c) || o.clause == c.clause || sent.distance(at, o.hit.start) > d)
    };
    let mut best: Option<(usize, &NumberMention, usize, usize)> = None;
    // "شيّع آلاف المحتجين جثمان القتيل": the dead a funeral carries anchor no toll (the crowd is counted).
    for k in sent
        .cues(Cue::Kill)
        .filter(|k| mine(k.start) && !carried_by_funeral(sent, k))
    {
        for n in numbers.iter().filter(|n| n.kind == NumberKind::Count) {
            if sent.dates.iter().any(|d| d.start < n.end && n.start < d.end) {
                continue;
            }
            let before = sent.words_before(n.start, 1);
            let w0 = before.first().map(String::as_str).unwrap_or("");
            if sent.rules.word_in(WordList::NotAToll, w0) && !n.vague
                || sent.rules.word_in(WordList::NotKilledCount, w0)
            {
                continue;
            }
            // "وأصيب 51 آخرون" counts the wounded; "بينهم سبعة أطفال" is a part of the toll, not the toll.
            if sent.rules.word_in(WordList::WoundedVerb, w0) || matches!(w0, "بينهم" | "منهم" | "بينها" | "بينهن")
            {
                continue;
            }
            let after = sent.words_after(n.end, 1);
            // "51 جريحا" counts the wounded; "(21 عامًا)" is an age, "3 كيلومترات" a distance.
            if after.first().is_some_and(|w| {
                sent.rules.word_in(WordList::Wounded, w) || sent.rules.word_in(WordList::NotATollAfter, w)
            }) {
                continue;
            }
            let d = if n.start >= k.end {
                let d = sent.distance(k.end, n.start);
                // "ارتفع عدد قتلى التنظيم إلى 1168": a running total after "إلى", however long the noun between.
                let to_total = w0 == "الي"
                    && d <= 12
                    && sent
                        .cues(Cue::Cumulative)
                        .any(|c| c.start < n.start && sent.distance(c.end, n.start) <= 12);
                // "قتلت المليشيات ثلاثة مواطنين", "أعدم تنظيم داعش أربعة شبان": the verb's subject between it and
                // the count (verb, subject, object); every word between is a named actor.
                // A date told between commas ("أعدم تنظيم داعش، أمس السبت، أربعة شبان") is an aside.
                let dated =
                    |t: &rasd_text::tokenize::Token| sent.dates.iter().any(|x| x.start <= t.start && t.end <= x.end);
                let subject_between = || {
                    let words: Vec<_> = sent
                        .tokens
                        .iter()
                        .filter(|t| {
                            t.start >= k.end
                                && t.end <= n.start
                                && t.surface(sent.text).chars().any(char::is_alphabetic)
                                && !dated(t)
                        })
                        .collect();
                    // "أعدم تنظيم “داعش”": a head noun before a quoted name is part of the subject.
                    let head = |t: &rasd_text::tokenize::Token| {
                        let w = rasd_text::normalize_key(t.surface(sent.text));
                        matches!(
                            w.strip_prefix("ال").unwrap_or(&w),
                            "تنظيم"
                                | "جماعه"
                                | "حركه"
                                | "ميليشيا"
                                | "مليشيا"
                                | "قوات"
                                | "عناصر"
                                // "أعدم مسلحو التنظيم ثلاثة من الأهالي": the group's men.
                                | "مسلحو"
                                | "مسلحي"
                                | "مقاتلو"
                                | "مقاتلي"
                        )
                    };
                    // "قتلت قوات الأمن العراقية ثلاثة مدنيين", "قتلت القوات الإسرائيلية …": a definite nisba
                    // adjective after the subject's head or name is part of it.
                    // "أعدمت جماعة مسلحة ثلاثة رجال": so is an armed group's own adjective.
                    let adjective = |t: &rasd_text::tokenize::Token| {
                        let w = rasd_text::normalize_key(t.surface(sent.text));
                        w.starts_with("ال") && (w.ends_with("يه") || w.ends_with("ي")) && w.chars().count() >= 5
                            || matches!(
                                w.as_str(),
                                "مسلحه"
                                    | "مسلح"
                                    | "مسلحون"
                                    | "مسلحين"
                                    | "مجهوله"
                                    | "مجهولون"
                                    | "مجهولين"
                                    | "متطرفه"
                                    | "ارهابيه"
                                    | "متشدده"
                            )
                    };
                    let named = |t: &rasd_text::tokenize::Token| {
                        head(t)
                            || sent
                                .mentions
                                .iter()
                                .any(|m| m.kind == MentionKind::Actor && m.clitic_start <= t.start && t.end <= m.end)
                    };
                    words.len() <= 4
                        && words.first().is_none_or(|t| named(t))
                        && words.iter().all(|t| named(t) || adjective(t))
                };
                if d > 1 && !to_total && !subject_between() {
                    continue;
                }
                d
            } else if n.end <= k.start {
                let d = sent.distance(n.end, k.start);
                let between = numbers.iter().any(|o| o.start >= n.end && o.end <= k.start);
                if d > 6 || between {
                    continue;
                }
                d + 1
            } else {
                0
            };
            // A count beats a vague quantity ("آلاف القتلى … إلى 1168"), then the nearer one wins.
            let key = |d: usize, n: &NumberMention| (n.vague, d);
            if best.is_none_or(|b| key(d, n) < key(b.0, b.1)) {
                best = Some((d, n, k.start, k.end));
            }
        }
    }
    let Some((_, n, ks, ke)) = best else {
        return one_victim(sent, &mine).or_else(|| no_casualties(sent, &mine));
    };
    // "مقتل 12 عنصرا من قوات النظام و8 من مقاتلي المعارضة": a second count joined by و to the dead, with no
    // wounded or other act between, adds to the toll.
    let more = (n.start >= ke && !n.vague)
        .then(|| {
            numbers.iter().find(|m| {
                m.kind == NumberKind::Count
                    && !m.vague
                    && m.start >= n.end
                    && sent.distance(n.end, m.start) <= 8
                    && !sent.dates.iter().any(|d| d.start < m.end && m.start < d.end)
                    && sent.clause_of(m.start) == sent.clause_of(n.start)
                    && {
                        // "و8", "وتسعة", "و 8"; not "واحدة" ("من عائلة واحدة").
                        let gap = sent.slice(n.end, m.start).trim_end();
                        let t = rasd_text::normalize_key(sent.slice(m.start, m.end));
                        (t.starts_with('و') && !t.starts_with("واحد")) || gap.ends_with(" و") || gap == "و"
                    }
                    && !numbers.iter().any(|o| o.start >= n.end && o.end <= m.start)
                    && !sent
                        .words_before(m.start, sent.distance(n.end, m.start) + 1)
                        .iter()
                        .any(|w| {
                            let w = w.trim_start_matches('و');
                            sent.rules.word_in(WordList::WoundedVerb, w) || sent.rules.word_in(WordList::Wounded, w)
                        })
                    && !sent.cues(Cue::Kill).any(|k| k.start >= n.end && k.end <= m.start)
                    && !sent.hits.iter().any(|h| {
                        h.start >= n.end
                            && h.end <= m.start
                            && matches!(sent.rules.get(h.rule).kind, RuleKind::Trigger { .. })
                    })
                    && !sent.words_after(m.end, 1).first().is_some_and(|w| {
                        sent.rules.word_in(WordList::Wounded, w) || sent.rules.word_in(WordList::NotATollAfter, w)
                    })
            })
        })
        .flatten();
    let (s, e) = (n.start.min(ks), more.map_or(n.end, |m| m.end).max(ke));
    // "ارتفع عدد القتلى إلى …" before the count; "مقتل أكثر من 300 مدني منذ بدء الحملة" after it.
    let cumulative = sent.cues(Cue::Cumulative).any(|h| {
        h.end <= s.max(n.start) && sent.distance(h.end, s) <= 8
            || h.start >= e && sent.distance(e, h.start) <= 3 && sent.slice(h.start, h.end).starts_with("منذ")
    });
    let as_u = |v: Option<f64>| v.filter(|v| v.is_finite() && *v >= 0.0).map(|v| v as u64);
    let add = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        _ => None,
    };
    let (value, min, max) = match more {
        Some(m) => (add(n.value, m.value), add(n.min, m.min), add(n.max, m.max)),
        None => (n.value, n.min, n.max),
    };
    let f = Fatalities {
        value: if cumulative { None } else { as_u(value) },
        min: as_u(min),
        max: as_u(max),
        text: sent.slice(s, e).to_string(),
        cumulative,
    };
    Some((f, (s, e)))
}

/// "جثمان القتيل", "تشييع الشهداء", "جنازة أحد الضحايا": a kill word right after a funeral's word names dead the
/// funeral carries, who died before it.
pub(crate) fn carried_by_funeral(sent: &Sent<'_>, kill: &crate::rules::Hit) -> bool {
    let before = sent.words_before(kill.start, 2);
    // "جنازة أحد الضحايا": one of the dead.
    let at = usize::from(before.first().is_some_and(|w| matches!(w.as_str(), "احد" | "احدي")));
    before.get(at).is_some_and(|w| {
        let w = w.trim_start_matches(['و', 'ب', 'ل']);
        matches!(
            w.strip_prefix("ال").unwrap_or(w),
            "جثمان" | "جثامين" | "جنازه" | "جنازات" | "تشييع"
        )
    })
}

/// A toll of one: a kill word of this act with a singular victim right before it ("جنديا استشهد") or within three
/// words after it ("مقتل مدني", "اغتال مسلحون مجهولون مدنيا"). Only when no number is the toll.
fn one_victim(sent: &Sent<'_>, mine: &dyn Fn(usize) -> bool) -> Option<(Fatalities, (usize, usize))> {
    // "جنازة أحد الضحايا وهو طبيب": the dead a funeral carries died before it.
    for k in sent
        .cues(Cue::Kill)
        .filter(|k| mine(k.start) && !carried_by_funeral(sent, k))
    {
        let i = sent.tokens.partition_point(|t| t.end <= k.start);
        let j = sent.tokens.partition_point(|t| t.start < k.end);
        let after = sent.tokens[j..].iter().take(3).take_while(|t| t.end <= sent.end);
        let before = i
            .checked_sub(1)
            .and_then(|b| sent.tokens.get(b))
            .filter(|t| t.start >= sent.start);
        for t in before.into_iter().chain(after) {
            let w = fold_str(t.surface(sent.text), Mode::Key);
            if sent.rules.word_in(WordList::OneVictim, &w) {
                let (s, e) = (t.start.min(k.start), t.end.max(k.end));
                let f = Fatalities {
                    value: Some(1),
                    min: Some(1),
                    max: Some(1),
                    text: sent.slice(s, e).to_string(),
                    cumulative: false,
                };
                return Some((f, (s, e)));
            }
        }
    }
    None
}

/// A toll of zero: the report says nobody was hurt ("سقطت قذيفة … دون وقوع إصابات").
fn no_casualties(sent: &Sent<'_>, mine: &dyn Fn(usize) -> bool) -> Option<(Fatalities, (usize, usize))> {
    let h = sent.cues(Cue::NoCasualties).find(|h| mine(h.start))?;
    let f = Fatalities {
        value: Some(0),
        min: Some(0),
        max: Some(0),
        text: sent.slice(h.start, h.end).to_string(),
        cumulative: false,
    };
    Some((f, (h.start, h.end)))
}

/// "حزب العمال الكردستاني": a victim word inside an armed actor's name is no victim.
fn in_actor_name(sent: &Sent<'_>, s: usize, e: usize) -> bool {
    sent.mentions
        .iter()
        .any(|m| m.kind == MentionKind::Actor && m.id != "civilians" && m.start <= s && e <= m.end)
}

/// Whether the victims of a candidate act are civilians ("مقتل سبعة أشخاص بينهم امرأة وطفل").
pub(crate) fn civilian_victims(sent: &Sent<'_>, c: &Candidate) -> bool {
    let (cs, ce) = if c.ty == TriggerType::Casualty {
        (sent.start, sent.end)
    } else {
        c.clause
    };
    sent.cues(Cue::Civilian)
        .any(|h| h.start >= cs && h.end <= ce && !in_actor_name(sent, h.start, h.end))
        || sent
            .mentions
            .iter()
            .any(|m| m.kind == MentionKind::Actor && m.id == "civilians" && m.start >= cs && m.end <= ce)
}

/// Like [`civilian_victims`], without the words that only say "persons" ("مقتل 40 شخصاً"): a clash that kills
/// persons is still a clash; only victims named as civilians make it an attack on them.
pub(crate) fn named_civilian_victims(sent: &Sent<'_>, c: &Candidate) -> bool {
    let (cs, ce) = c.clause;
    sent.cues(Cue::Civilian).any(|h| {
        h.start >= cs
            && h.end <= ce
            && !in_actor_name(sent, h.start, h.end)
            && !matches!(
                rasd_text::normalize_key(sent.slice(h.start, h.end)).as_str(),
                "اشخاص" | "شخصا" | "شخص" | "شخصان" | "شخصين"
            )
    }) || sent
        .mentions
        .iter()
        .any(|m| m.kind == MentionKind::Actor && m.id == "civilians" && m.start >= cs && m.end <= ce)
}

/// Whether the victims of a candidate act are protesters ("قتل ثلاثة متظاهرين برصاص قوات الجيش").
pub(crate) fn protester_victims(sent: &Sent<'_>, c: &Candidate) -> bool {
    let (cs, ce) = c.clause;
    // "ثلاثة متظاهرين، بينهم طبيب، قتلوا برصاص قوات الأمن": the victims named before a clause that opens with the
    // kill verb, an aside away.
    let opens = sent
        .cues(Cue::Kill)
        .any(|k| k.start >= cs && sent.distance(cs, k.start) <= 1);
    sent.cues(Cue::Protester)
        .any(|h| h.start >= cs && h.end <= ce || opens && h.end <= cs && sent.distance(h.end, cs) <= 4)
}

/// The share of a place a territory act took.
pub(crate) fn share(
    sent: &Sent<'_>,
    c: &Candidate,
    numbers: &[NumberMention],
) -> Option<(TerritoryShare, (usize, usize))> {
    let (cs, ce) = c.clause;
    if let Some(n) = numbers
        .iter()
        .find(|n| n.kind == NumberKind::Percent && n.start >= cs && n.end <= ce)
    {
        let share = TerritoryShare {
            min: n.min.or(n.value),
            max: n.max,
        };
        return Some((share, (n.start, n.end)));
    }
    let h = sent.cues(Cue::Fraction).find(|h| h.start >= cs && h.end <= ce)?;
    let v = match sent.rules.get(h.rule).kind {
        RuleKind::Cue(Cue::Fraction) => {
            match rasd_text::normalize_key(sent.slice(h.start, h.end)).trim_start_matches(['و', 'ب']) {
                "ثلث" => 33.0,
                "ثلثي" => 66.0,
                "نصف" => 50.0,
                "ربع" => 25.0,
                _ => return None,
            }
        }
        _ => return None,
    };
    Some((
        TerritoryShare {
            min: Some(v),
            max: Some(v),
        },
        (h.start, h.end),
    ))
}
