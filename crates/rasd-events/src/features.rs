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
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    #[inline]
    fn bytes(mut self, bytes: &[u8]) -> Fnv {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        self
    }

    #[inline]
    fn str(self, s: &str) -> Fnv {
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
    /// Adds the feature named by the concatenation of `parts`.
    fn put(&mut self, parts: &[&str]) {
        let h = parts.iter().fold(Fnv::new(), |h, p| h.str(p));
        self.add(h);
    }

    /// Adds `prefix` followed by a number.
    fn put_int(&mut self, prefix: &str, n: usize) {
        self.add(Fnv::new().str(prefix).int(n as i64));
    }

    /// Adds `prefix` followed by a value's `{:?}` form.
    fn put_debug(&mut self, prefix: &str, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        let mut h = Fnv::new().str(prefix);
        let _ = write!(h, "{value:?}");
        self.add(h);
    }

    fn add(&mut self, h: Fnv) {
        self.idx.push(h.bucket());
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
        push_key_folded(word, &mut self.text);
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

/// Appends `word` key-normalized to `out`: what [`rasd_text::fold_str`] gives with [`Mode::Key`] (a test checks
/// every character), but the characters that fold to themselves (printable ASCII but capitals, and most Arabic
/// letters: most of the text) are copied a run at a time instead of folded one by one.
fn push_key_folded(word: &str, out: &mut String) {
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
            // A two-byte character U+0600..U+067F: the Arabic letters other than those key mode changes (alef
            // with hamza or madda, alef maqsura, ta marbuta, hamza on waw or ya).
            if (b == 0xD8 || b == 0xD9) && i + 1 < bytes.len() {
                let c = (u32::from(b & 0x1F) << 6) | u32::from(bytes[i + 1] & 0x3F);
                if matches!(c, 0x0621..=0x063A | 0x0641..=0x064A) && !matches!(c, 0x0622..=0x0626 | 0x0629 | 0x0649) {
                    i += 2;
                    continue;
                }
            }
            break;
        }
        out.push_str(&word[run..i]);
        if let Some(ch) = word[i..].chars().next() {
            rasd_text::push_folded(ch, Mode::Key, out);
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
    v.put(&["bias"]);
    v.put(&["rule=", &rule.key]);
    let ty = match c.ty {
        TriggerType::Sub(s) => s.name(),
        TriggerType::Territory => "territory",
        TriggerType::Casualty => "casualty",
    };
    v.put(&["ty=", ty]);
    v.put(&["sub=", f.sub.name()]);
    v.put_debug("role=", &c.role);
    v.add(
        Fnv::new()
            .str("weight=")
            .int(i64::from((c.weight * 10.0).round() as i32)),
    );
    if let RuleKind::Trigger { .. } = rule.kind
        && rule.stem
    {
        v.put(&["stem"]);
    }
    // Every word the features name, folded once: the trigger word, four words on each side, the sentence's
    // first two.
    let mut words = Words::with_capacity(256);
    // The trigger word itself, its proclitics and endings (tense, person, definiteness).
    let tok = sent
        .tokens
        .iter()
        .find(|t| t.start <= c.hit.start && c.hit.start < t.end);
    if let Some(t) = tok {
        let i = words.push(t.surface(sent.text));
        let w = words.get(i);
        v.put(&["tw=", w]);
        // The first two characters and the last two (the whole word when shorter).
        let pre = w.char_indices().nth(2).map_or(w, |(at, _)| &w[..at]);
        let suf = w.char_indices().rev().nth(1).map_or(w, |(at, _)| &w[at..]);
        v.put(&["tpre=", pre]);
        v.put(&["tsuf=", suf]);
        if let Some(first) = w.chars().next()
            && matches!(first, 'ي' | 'ت' | 'ن')
            && !w.starts_with("ال")
        {
            v.put(&["imperfect=", &w[..first.len_utf8()]]);
        }
        if c.hit.future {
            v.put(&["future"]);
        }
        if w.starts_with("ال") || w.starts_with("وال") || w.starts_with("بال") || w.starts_with("فال") {
            v.put(&["definite"]);
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
    for (i, w) in words.range(before.clone()).enumerate() {
        v.add(Fnv::new().str("w-").int(i as i64 + 1).str("=").str(w));
        v.put(&["wb=", w]);
    }
    for (i, w) in words.range(after.clone()).enumerate() {
        v.add(Fnv::new().str("w+").int(i as i64 + 1).str("=").str(w));
        v.put(&["wa=", w]);
    }
    if before.len() >= 2 {
        v.put(&["b-=", words.get(before.start + 1), "_", words.get(before.start)]);
    }
    if after.len() >= 2 {
        v.put(&["b+=", words.get(after.start), "_", words.get(after.start + 1)]);
    }
    // The clause's words (a bag), capped: commentary and statistics have their own vocabulary.
    let (cs, ce) = c.clause;
    let mut n = 0;
    let mut cw = String::with_capacity(64);
    for t in sent.tokens.iter().filter(|t| t.start >= cs && t.end <= ce) {
        if t.kind != TokenKind::Arabic {
            if t.kind == TokenKind::Number || t.surface(sent.text).chars().all(|ch| ch.is_ascii_digit()) {
                v.put(&["clause-number"]);
            }
            continue;
        }
        cw.clear();
        push_key_folded(t.surface(sent.text), &mut cw);
        v.put(&["cw=", &cw]);
        n += 1;
        if n >= 40 {
            break;
        }
    }
    // The first words of the sentence: reporting verbs, "وكان", "ندين", questions.
    for (i, t) in sent.tokens_after(sent.start, 2).enumerate() {
        let w = words.push(t.surface(sent.text));
        v.add(Fnv::new().str("s").int(i as i64).str("=").str(words.get(w)));
    }
    // Context cues in the clause and in the sentence.
    for h in sent.hits {
        if let RuleKind::Cue(cue) = sent.rules.get(h.rule).kind {
            let inside = h.start >= cs && h.end <= ce;
            let name = cue_name(cue);
            if inside {
                v.put(&["cue=", name]);
                if h.end <= c.hit.start && sent.distance(h.end, c.hit.start) <= 3 {
                    v.put(&["cue-near=", name]);
                }
            } else {
                v.put(&["scue=", name]);
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
            v.put(&["other-trigger=", other]);
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
            v.put(&["has=", name]);
        }
    }
    let args = [f.actor1, f.place && !f.place_carried, f.date_in_sentence, f.fatalities]
        .iter()
        .filter(|b| **b)
        .count();
    v.put_int("args=", args);
    v.add(Fnv::new().str("args=").int(args as i64).str("|ty=").str(ty));
    if let Some(r) = f.date_rule {
        v.put(&["date-rule=", r]);
    }
    v.put(&["stance=", f.stance.as_str()]);
    v.put_int("frames=", f.frames.min(3));
    v.put_int("sources=", f.sources.min(4));
    for k in f.frame_kinds {
        v.put_debug("frame=", k);
    }
    // Position in the document, and how many candidates the document has.
    let sent_bucket = bucket(f.sentence_index, &[0, 1, 3, 8]);
    v.put_int("sent=", sent_bucket);
    v.put_int("clause=", f.clause_index.min(3));
    v.put_int("doc-cands=", bucket(f.doc_candidates, &[1, 3, 6, 12]));
    v.add(Fnv::new().str("sent=").int(sent_bucket as i64).str("|ty=").str(ty));
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
                push_key_folded(&s, &mut out);
                assert_eq!(out, fold_str(&s, Mode::Key), "{:?}", c as u32);
            }
        }
    }

    #[test]
    fn names_hash_as_their_text() {
        // A name hashed piece by piece is the hash of the whole name, numbers as `{}` writes them.
        let pieces = Fnv::new().str("w-").int(3).str("=").str("قال");
        assert_eq!(pieces.bucket(), hash("w-3=قال"));
        for n in [0i64, 7, 10, 42, -3, 1234567, i64::MIN, i64::MAX] {
            assert_eq!(Fnv::new().str("x=").int(n).bucket(), hash(&format!("x={n}")), "{n}");
        }
        let mut v = FeatureVec::default();
        v.put_debug("role=", &crate::rules::Role::Agent);
        assert_eq!(v.idx, [hash("role=Agent")]);
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
