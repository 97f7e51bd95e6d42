//! Stage 4 of extraction: the features of a candidate record, hashed into a sparse vector.
//!
//! The scorer ([`crate::scorer`]) reads these. Each feature is a name (`"w-1=قال"`, `"cue=negation"`,
//! `"has=actor1"`) hashed with FNV-1a into [`DIM`] buckets; the list is sorted and deduplicated, so a candidate's
//! vector does not depend on the order features were added in. The feature set is versioned
//! ([`FEATURE_SET`]): a model trained on one version refuses to load with another.

use crate::rules::{Cue, RuleKind, TriggerType};
use crate::stage::{Candidate, Sent};
use rasd_core::{Stance, SubEventType};
use rasd_text::{Mode, TokenKind};

/// The version of the feature definitions; it enters the model manifest.
pub const FEATURE_SET: &str = "rasd-features-3";

/// Number of hash buckets.
pub const DIM: u32 = 1 << 18;

/// FNV-1a, 64-bit: stable across platforms and Rust versions (the model file depends on it).
pub fn hash(name: &str) -> u32 {
    Fnv::new().str(name).bucket()
}

/// FNV-1a fed piece by piece. Feeding the parts of a name in turn gives the hash of their concatenation, so a
/// feature's name is hashed as it is spelled out and never built as a string (formatting and allocating the
/// names was most of the cost of [`extract`]).
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    const fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    const fn bytes(mut self, bytes: &[u8]) -> Fnv {
        let mut i = 0;
        while i < bytes.len() {
            self.0 ^= bytes[i] as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
            i += 1;
        }
        self
    }

    const fn str(self, s: &str) -> Fnv {
        self.bytes(s.as_bytes())
    }

    /// The decimal form of `n`, as `{n}` writes it.
    fn int(self, n: i64) -> Fnv {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut m = n.unsigned_abs();
        loop {
            i -= 1;
            digits[i] = b'0' + (m % 10) as u8;
            m /= 10;
            if m == 0 {
                break;
            }
        }
        let h = if n < 0 { self.bytes(b"-") } else { self };
        h.bytes(&digits[i..])
    }

    fn bucket(self) -> u32 {
        (self.0 % u64::from(DIM)) as u32
    }
}

/// The hash of a literal prefix of feature names ("cw=", "has="), computed at compile time.
macro_rules! name {
    ($prefix:literal) => {{
        const H: Fnv = Fnv::new().str($prefix);
        H
    }};
}

/// For the few names that hold a `{:?}`: formatted straight into the hash.
impl std::fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        *self = self.str(s);
        Ok(())
    }
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
}

impl FeatureVec {
    fn add(&mut self, h: Fnv) {
        self.idx.push(h.bucket());
    }

    /// Adds the feature named `prefix` then `value`.
    fn put(&mut self, prefix: Fnv, value: &str) {
        self.add(prefix.str(value));
    }

    /// Adds `prefix` followed by a number.
    fn put_int(&mut self, prefix: Fnv, n: usize) {
        self.add(prefix.int(n as i64));
    }

    /// Adds `prefix` followed by a value's `{:?}` form.
    fn put_debug(&mut self, prefix: Fnv, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        let mut h = prefix;
        let _ = write!(h, "{value:?}");
        self.add(h);
    }

    /// Adds `prefix` followed by the key-normalized form of `word`.
    fn put_folded(&mut self, prefix: Fnv, word: &str) {
        let mut h = prefix;
        key_folded(word, |s| h = h.str(s));
        self.add(h);
    }

    fn finish(&mut self) {
        self.idx.sort_unstable();
        self.idx.dedup();
    }
}

/// Key-normalized words, folded one after another into one buffer (no allocation per word).
struct Words {
    text: String,
    ends: Vec<usize>,
}

impl Words {
    fn with_capacity(bytes: usize) -> Words {
        Words {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(16),
        }
    }

    /// Folds `word` ([`rasd_text::fold_str`] with [`Mode::Key`]) and returns its number.
    fn push(&mut self, word: &str) -> usize {
        let text = &mut self.text;
        key_folded(word, |s| text.push_str(s));
        self.ends.push(self.text.len());
        self.ends.len() - 1
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// The words numbered `range`.
    fn range(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = &str> + '_ {
        range.map(|i| self.get(i))
    }
}

fn bucket(n: usize, edges: &[usize]) -> usize {
    edges.iter().position(|&e| n <= e).unwrap_or(edges.len())
}

/// The characters U+0600..U+067F that key mode leaves as they are, by bit (U+0600 + bit): the Arabic letters
/// but alef with hamza or madda, alef maqsura, ta marbuta and hamza on waw or ya.
const KEY_SAME: u128 = {
    let mut m = 0u128;
    let mut c = 0x0621;
    while c <= 0x064A {
        if !matches!(c, 0x063B..=0x0640 | 0x0622..=0x0626 | 0x0629 | 0x0649) {
            m |= 1 << (c - 0x0600);
        }
        c += 1;
    }
    m
};

/// Gives `word` key-normalized to `out`, piece by piece: the concatenation of the pieces is what
/// [`rasd_text::fold_str`] gives with [`Mode::Key`] (a test checks every character), but the characters that fold to
/// themselves (printable ASCII but capitals, and most Arabic letters: most of the text) come as runs of the word
/// itself instead of folded one by one.
fn key_folded(word: &str, mut out: impl FnMut(&str)) {
    let bytes = word.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let run = i;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                if (0x20..0x7F).contains(&b) && !b.is_ascii_uppercase() {
                    i += 1;
                    continue;
                }
                break;
            }
            // A two-byte character U+0600..U+067F that folds to itself.
            if (b == 0xD8 || b == 0xD9) && i + 1 < bytes.len() {
                let c = (u32::from(b & 0x01) << 6) | u32::from(bytes[i + 1] & 0x3F);
                if KEY_SAME >> c & 1 == 1 {
                    i += 2;
                    continue;
                }
            }
            break;
        }
        if i > run {
            out(&word[run..i]);
        }
        if let Some(ch) = word[i..].chars().next() {
            match rasd_text::normalize::fold_char(ch, Mode::Key) {
                Some(f) => out(f.encode_utf8(&mut [0; 4])),
                // Dropped (a mark) or two characters (a ligature): rare.
                None => {
                    let mut two = String::new();
                    rasd_text::push_folded(ch, Mode::Key, &mut two);
                    out(&two);
                }
            }
            i += ch.len_utf8();
        }
    }
}

/// The features of one candidate record.
pub(crate) fn extract(sent: &Sent<'_>, c: &Candidate, f: &Found<'_>) -> FeatureVec {
    let mut v = FeatureVec {
        idx: Vec::with_capacity(128),
    };
    let rule = sent.rules.get(c.hit.rule);
    v.add(name!("bias"));
    v.put(name!("rule="), &rule.key);
    let ty = match c.ty {
        TriggerType::Sub(s) => s.name(),
        TriggerType::Territory => "territory",
        TriggerType::Casualty => "casualty",
    };
    v.put(name!("ty="), ty);
    v.put(name!("sub="), f.sub.name());
    v.put_debug(name!("role="), &c.role);
    v.add(name!("weight=").int(i64::from((c.weight * 10.0).round() as i32)));
    if let RuleKind::Trigger { .. } = rule.kind
        && rule.stem
    {
        v.add(name!("stem"));
    }
    // The words the features name more than once, folded once: the trigger word, four words on each side.
    let mut words = Words::with_capacity(256);
    // The trigger word itself, its proclitics and endings (tense, person, definiteness).
    let tok = sent.token_at(c.hit.start);
    if let Some(t) = tok {
        let i = words.push(t.surface(sent.text));
        let w = words.get(i);
        v.put(name!("tw="), w);
        // The first two characters and the last two (the whole word when shorter).
        let pre = w.char_indices().nth(2).map_or(w, |(at, _)| &w[..at]);
        let suf = w.char_indices().rev().nth(1).map_or(w, |(at, _)| &w[at..]);
        v.put(name!("tpre="), pre);
        v.put(name!("tsuf="), suf);
        if let Some(first) = w.chars().next()
            && matches!(first, 'ي' | 'ت' | 'ن')
            && !w.starts_with("ال")
        {
            v.put(name!("imperfect="), &w[..first.len_utf8()]);
        }
        if c.hit.future {
            v.add(name!("future"));
        }
        if w.starts_with("ال") || w.starts_with("وال") || w.starts_with("بال") || w.starts_with("فال") {
            v.add(name!("definite"));
        }
    }
    // Words around the trigger, with their side and distance; bigrams on each side.
    let from = words.ends.len();
    for t in sent.tokens_before(c.hit.start, 4) {
        words.push(t.surface(sent.text));
    }
    let before = from..words.ends.len();
    for t in sent.tokens_after(c.hit.end, 4) {
        words.push(t.surface(sent.text));
    }
    let after = before.end..words.ends.len();
    let w_before = [name!("w-1="), name!("w-2="), name!("w-3="), name!("w-4=")];
    let w_after = [name!("w+1="), name!("w+2="), name!("w+3="), name!("w+4=")];
    for (w, h) in words.range(before.clone()).zip(w_before) {
        v.put(h, w);
        v.put(name!("wb="), w);
    }
    for (w, h) in words.range(after.clone()).zip(w_after) {
        v.put(h, w);
        v.put(name!("wa="), w);
    }
    if before.len() >= 2 {
        v.add(
            name!("b-=")
                .str(words.get(before.start + 1))
                .str("_")
                .str(words.get(before.start)),
        );
    }
    if after.len() >= 2 {
        v.add(
            name!("b+=")
                .str(words.get(after.start))
                .str("_")
                .str(words.get(after.start + 1)),
        );
    }
    // The clause's words (a bag), capped: commentary and statistics have their own vocabulary.
    let (cs, ce) = c.clause;
    let mut n = 0;
    for t in sent.tokens.iter().filter(|t| t.start >= cs && t.end <= ce) {
        if t.kind != TokenKind::Arabic {
            if t.kind == TokenKind::Number || t.surface(sent.text).chars().all(|ch| ch.is_ascii_digit()) {
                v.add(name!("clause-number"));
            }
            continue;
        }
        v.put_folded(name!("cw="), t.surface(sent.text));
        n += 1;
        if n >= 40 {
            break;
        }
    }
    // The first words of the sentence: reporting verbs, "وكان", "ندين", questions.
    for (t, h) in sent.tokens_after(sent.start, 2).zip([name!("s0="), name!("s1=")]) {
        v.put_folded(h, t.surface(sent.text));
    }
    // Context cues in the clause and in the sentence.
    for h in sent.hits {
        if let RuleKind::Cue(cue) = sent.rules.get(h.rule).kind {
            let inside = h.start >= cs && h.end <= ce;
            let cue = cue_name(cue);
            if inside {
                v.put(name!("cue="), cue);
                if h.end <= c.hit.start && sent.distance(h.end, c.hit.start) <= 3 {
                    v.put(name!("cue-near="), cue);
                }
            } else {
                v.put(name!("scue="), cue);
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
            v.put(name!("other-trigger="), other);
        }
    }
    // Arguments found.
    for (on, has) in [
        (f.actor1, name!("has=actor1")),
        (f.actor2, name!("has=actor2")),
        (f.actor1_coref, name!("has=actor1-coref")),
        (f.place && !f.place_carried, name!("has=place")),
        (f.place_carried, name!("has=place-carried")),
        (!f.place, name!("has=no-place")),
        (f.date_in_sentence, name!("has=date")),
        (f.date_future, name!("has=date-future")),
        (f.fatalities, name!("has=fatalities")),
        (f.share, name!("has=share")),
        (f.background, name!("has=background")),
        (f.question, name!("has=question")),
        (f.hypothetical, name!("has=hypothetical")),
        (f.weak, name!("has=weak")),
    ] {
        if on {
            v.add(has);
        }
    }
    let args = [f.actor1, f.place && !f.place_carried, f.date_in_sentence, f.fatalities]
        .iter()
        .filter(|b| **b)
        .count();
    v.put_int(name!("args="), args);
    v.add(name!("args=").int(args as i64).str("|ty=").str(ty));
    if let Some(r) = f.date_rule {
        v.put(name!("date-rule="), r);
    }
    v.put(name!("stance="), f.stance.as_str());
    v.put_int(name!("frames="), f.frames.min(3));
    v.put_int(name!("sources="), f.sources.min(4));
    for k in f.frame_kinds {
        v.put_debug(name!("frame="), k);
    }
    // Position in the document, and how many candidates the document has.
    let sent_bucket = bucket(f.sentence_index, &[0, 1, 3, 8]);
    v.put_int(name!("sent="), sent_bucket);
    v.put_int(name!("clause="), f.clause_index.min(3));
    v.put_int(name!("doc-cands="), bucket(f.doc_candidates, &[1, 3, 6, 12]));
    v.add(name!("sent=").int(sent_bucket as i64).str("|ty=").str(ty));
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
        Cue::SmallArms => "small-arms",
        Cue::Aggregate => "aggregate",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rasd_text::fold_str;

    #[test]
    fn key_folding_is_fold_str() {
        // Every character, alone and between letters that fold to themselves and letters that do not.
        let mut out = String::new();
        for c in (0..=0x10_FFFFu32).filter_map(char::from_u32) {
            for s in [c.to_string(), format!("ab{c}سأ{c}Zة")] {
                out.clear();
                key_folded(&s, |piece| out.push_str(piece));
                assert_eq!(out, fold_str(&s, Mode::Key), "{:?}", c as u32);
            }
        }
    }

    #[test]
    fn names_hash_as_their_text() {
        // A name hashed piece by piece is the hash of the whole name, numbers as `{}` writes them.
        let pieces = name!("w-").int(3).str("=").str("قال");
        assert_eq!(pieces.bucket(), hash("w-3=قال"));
        for n in [0i64, 7, 10, 42, -3, 1234567, i64::MIN, i64::MAX] {
            assert_eq!(Fnv::new().str("x=").int(n).bucket(), hash(&format!("x={n}")), "{n}");
        }
        let mut v = FeatureVec::default();
        v.put_debug(name!("role="), &crate::rules::Role::Agent);
        v.put_folded(name!("cw="), "الإمارات\u{0651}ﻻ");
        v.put_int(name!("args="), 2);
        assert_eq!(
            v.idx,
            [
                hash("role=Agent"),
                hash(&format!("cw={}", fold_str("الإمارات\u{0651}ﻻ", Mode::Key))),
                hash("args=2")
            ]
        );
    }

    #[test]
    fn hash_is_stable() {
        // The model file depends on these values: a change here must come with a retrained model.
        assert_eq!(hash("bias"), hash("bias"));
        assert_eq!(hash(""), (0xcbf2_9ce4_8422_2325u64 % u64::from(DIM)) as u32);
        assert_ne!(hash("cue=negation"), hash("cue=pluperfect"));
        assert!(hash("w-1=قال") < DIM);
    }
}
