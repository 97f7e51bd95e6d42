//! Stage 4 of extraction: the features of a candidate record, hashed into a sparse vector.
//!
//! The scorer ([`crate::scorer`]) reads these. Each feature is a name (`"w-1=قال"`, `"cue=negation"`,
//! `"has=actor1"`) hashed with FNV-1a into [`DIM`] buckets; the list is sorted and deduplicated, so a candidate's
//! vector does not depend on the order features were added in. The feature set is versioned
//! ([`FEATURE_SET`]): a model trained on one version refuses to load with another.

use crate::rules::{Cue, RuleKind, TriggerType};
use crate::stage::{Candidate, Sent};
use rasd_core::{Stance, SubEventType};
use rasd_text::{Mode, TokenKind, fold_str};

/// The version of the feature definitions; it enters the model manifest.
pub const FEATURE_SET: &str = "rasd-features-3";

/// Number of hash buckets.
pub const DIM: u32 = 1 << 18;

/// FNV-1a, 64-bit: stable across platforms and Rust versions (the model file depends on it).
pub fn hash(name: &str) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % u64::from(DIM)) as u32
}

/// What the argument stages found for a candidate record.
pub(crate) struct Found<'a> {
    pub sub: SubEventType,
    pub actor1: bool,
    pub actor2: bool,
    pub actor1_coref: bool,
    pub place: bool,
    pub place_carried: bool,
    pub date_in_sentence: bool,
    pub date_rule: Option<&'a str>,
    pub date_future: bool,
    pub fatalities: bool,
    pub share: bool,
    pub stance: Stance,
    pub background: bool,
    pub frames: usize,
    pub frame_kinds: &'a [crate::rules::FrameKind],
    pub sources: usize,
    /// Index of the sentence in the document (0 = lead).
    pub sentence_index: usize,
    /// Index of the clause in its sentence.
    pub clause_index: usize,
    /// Number of trigger clauses in the document.
    pub doc_candidates: usize,
    pub question: bool,
    pub hypothetical: bool,
    pub weak: bool,
}

/// A sorted, deduplicated list of feature buckets.
#[derive(Debug, Default, Clone)]
pub struct FeatureVec {
    pub idx: Vec<u32>,
    /// The name being hashed: one buffer for every feature of the candidate (no allocation per feature).
    buf: String,
}

impl FeatureVec {
    fn push(&mut self, name: std::fmt::Arguments<'_>) {
        use std::fmt::Write;
        self.buf.clear();
        let _ = self.buf.write_fmt(name);
        self.commit();
    }

    /// Pushes `prefix` followed by the key-normalized form of `word`.
    fn push_folded(&mut self, prefix: &str, word: &str) {
        self.buf.clear();
        self.buf.push_str(prefix);
        for ch in word.chars() {
            rasd_text::push_folded(ch, Mode::Key, &mut self.buf);
        }
        self.commit();
    }

    fn commit(&mut self) {
        self.idx.push(hash(&self.buf));
    }

    fn finish(&mut self) {
        self.idx.sort_unstable();
        self.idx.dedup();
    }
}

fn bucket(n: usize, edges: &[usize]) -> usize {
    edges.iter().position(|&e| n <= e).unwrap_or(edges.len())
}

/// The features of one candidate record.
pub(crate) fn extract(sent: &Sent<'_>, c: &Candidate, f: &Found<'_>) -> FeatureVec {
    let mut v = FeatureVec {
        idx: Vec::with_capacity(128),
        buf: String::with_capacity(64),
    };
    let rule = sent.rules.get(c.hit.rule);
    v.push(format_args!("bias"));
    v.push(format_args!("rule={}", rule.key));
    let ty = match c.ty {
        TriggerType::Sub(s) => s.name(),
        TriggerType::Territory => "territory",
        TriggerType::Casualty => "casualty",
    };
    v.push(format_args!("ty={ty}"));
    v.push(format_args!("sub={}", f.sub.name()));
    v.push(format_args!("role={:?}", c.role));
    v.push(format_args!("weight={}", (c.weight * 10.0).round() as i32));
    if let RuleKind::Trigger { .. } = rule.kind
        && rule.stem
    {
        v.push(format_args!("stem"));
    }
    // The trigger word itself, its proclitics and endings (tense, person, definiteness).
    let tok = sent
        .tokens
        .iter()
        .find(|t| t.start <= c.hit.start && c.hit.start < t.end);
    if let Some(t) = tok {
        let w = fold_str(t.surface(sent.text), Mode::Key);
        v.push(format_args!("tw={w}"));
        let pre: String = w.chars().take(2).collect();
        let suf: String = w.chars().rev().take(2).collect::<Vec<_>>().into_iter().rev().collect();
        v.push(format_args!("tpre={pre}"));
        v.push(format_args!("tsuf={suf}"));
        let first = w.chars().next().unwrap_or(' ');
        if matches!(first, 'ي' | 'ت' | 'ن') && !w.starts_with("ال") {
            v.push(format_args!("imperfect={first}"));
        }
        if c.hit.future {
            v.push(format_args!("future"));
        }
        if w.starts_with("ال") || w.starts_with("وال") || w.starts_with("بال") || w.starts_with("فال") {
            v.push(format_args!("definite"));
        }
    }
    // Words around the trigger, with their side and distance; bigrams on each side.
    let before = sent.words_before(c.hit.start, 4);
    let after = sent.words_after(c.hit.end, 4);
    for (i, w) in before.iter().enumerate() {
        v.push(format_args!("w-{}={w}", i + 1));
        v.push(format_args!("wb={w}"));
    }
    for (i, w) in after.iter().enumerate() {
        v.push(format_args!("w+{}={w}", i + 1));
        v.push(format_args!("wa={w}"));
    }
    if before.len() >= 2 {
        v.push(format_args!("b-={}_{}", before[1], before[0]));
    }
    if after.len() >= 2 {
        v.push(format_args!("b+={}_{}", after[0], after[1]));
    }
    // The clause's words (a bag), capped: commentary and statistics have their own vocabulary.
    let (cs, ce) = c.clause;
    let mut n = 0;
    for t in sent.tokens.iter().filter(|t| t.start >= cs && t.end <= ce) {
        if t.kind != TokenKind::Arabic {
            if t.kind == TokenKind::Number || t.surface(sent.text).chars().all(|ch| ch.is_ascii_digit()) {
                v.push(format_args!("clause-number"));
            }
            continue;
        }
        v.push_folded("cw=", t.surface(sent.text));
        n += 1;
        if n >= 40 {
            break;
        }
    }
    // The first words of the sentence: reporting verbs, "وكان", "ندين", questions.
    for (i, w) in sent.words_after(sent.start, 2).iter().enumerate() {
        v.push(format_args!("s{i}={w}"));
    }
    // Context cues in the clause and in the sentence.
    for h in sent.hits {
        if let RuleKind::Cue(cue) = sent.rules.get(h.rule).kind {
            let inside = h.start >= cs && h.end <= ce;
            let name = cue_name(cue);
            if inside {
                v.push(format_args!("cue={name}"));
                if h.end <= c.hit.start && sent.distance(h.end, c.hit.start) <= 3 {
                    v.push(format_args!("cue-near={name}"));
                }
            } else {
                v.push(format_args!("scue={name}"));
            }
        }
        if let RuleKind::Trigger { ty, .. } = sent.rules.get(h.rule).kind
            && h.start != c.hit.start
            && h.start >= cs
            && h.end <= ce
        {
            let other = match ty {
                TriggerType::Sub(s) => s.name(),
                TriggerType::Territory => "territory",
                TriggerType::Casualty => "casualty",
            };
            v.push(format_args!("other-trigger={other}"));
        }
    }
    // Arguments found.
    for (on, name) in [
        (f.actor1, "actor1"),
        (f.actor2, "actor2"),
        (f.actor1_coref, "actor1-coref"),
        (f.place && !f.place_carried, "place"),
        (f.place_carried, "place-carried"),
        (!f.place, "no-place"),
        (f.date_in_sentence, "date"),
        (f.date_future, "date-future"),
        (f.fatalities, "fatalities"),
        (f.share, "share"),
        (f.background, "background"),
        (f.question, "question"),
        (f.hypothetical, "hypothetical"),
        (f.weak, "weak"),
    ] {
        if on {
            v.push(format_args!("has={name}"));
        }
    }
    let args = [f.actor1, f.place && !f.place_carried, f.date_in_sentence, f.fatalities]
        .iter()
        .filter(|b| **b)
        .count();
    v.push(format_args!("args={args}"));
    v.push(format_args!("args={args}|ty={ty}"));
    if let Some(r) = f.date_rule {
        v.push(format_args!("date-rule={r}"));
    }
    v.push(format_args!("stance={}", f.stance.as_str()));
    v.push(format_args!("frames={}", f.frames.min(3)));
    v.push(format_args!("sources={}", f.sources.min(4)));
    for k in f.frame_kinds {
        v.push(format_args!("frame={k:?}"));
    }
    // Position in the document, and how many candidates the document has.
    v.push(format_args!("sent={}", bucket(f.sentence_index, &[0, 1, 3, 8])));
    v.push(format_args!("clause={}", f.clause_index.min(3)));
    v.push(format_args!("doc-cands={}", bucket(f.doc_candidates, &[1, 3, 6, 12])));
    v.push(format_args!("sent={}|ty={ty}", bucket(f.sentence_index, &[0, 1, 3, 8])));
    v.finish();
    v
}

fn cue_name(c: Cue) -> &'static str {
    match c {
        Cue::Expected => "expected",
        Cue::Hedged => "hedged",
        Cue::Denied => "denied",
        Cue::Question => "question",
        Cue::Hypothetical => "hypothetical",
        Cue::Kill => "kill",
        Cue::Cumulative => "cumulative",
        Cue::Civilian => "civilian",
        Cue::Air => "air",
        Cue::Locative => "locative",
        Cue::Near => "near",
        Cue::Away => "away",
        Cue::BlockBefore => "block-before",
        Cue::BlockAfter => "block-after",
        Cue::BlockFall => "block-fall",
        Cue::BlockName => "block-name",
        Cue::Pluperfect => "pluperfect",
        Cue::Fraction => "fraction",
        Cue::Negation => "negation",
        Cue::NotConflict => "not-conflict",
        Cue::Protester => "protester",
        Cue::NoFight => "no-fight",
        Cue::Riot => "riot",
        Cue::CivilianTarget => "civilian-target",
        Cue::Combatant => "combatant",
        Cue::Claim => "claim",
        Cue::Intercept => "intercept",
        Cue::History => "history",
        Cue::NoCasualties => "no-casualties",
        Cue::Crowd => "crowd",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable() {
        // The model file depends on these values: a change here must come with a retrained model.
        assert_eq!(hash("bias"), hash("bias"));
        assert_eq!(hash(""), (0xcbf2_9ce4_8422_2325u64 % u64::from(DIM)) as u32);
        assert_ne!(hash("cue=negation"), hash("cue=pluperfect"));
        assert!(hash("w-1=قال") < DIM);
    }
}
