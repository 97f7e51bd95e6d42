//! The reviewed rule files (`data/events/*.tsv`), compiled into one Aho-Corasick automaton over key-normalized text.
//!
//! Every pattern is normalized with the same [`normalize_key`] that runs over documents, so a rule written with
//! hamza, tashkeel or ta marbuta matches every spelling of it. Matches are then checked against word boundaries on
//! the normalized text: proclitics (و ف ب ل ك ال) may precede a pattern; after it, a `word` pattern allows only
//! tanween alef or a pronoun, a `stem` pattern any continuation.

use crate::{Error, Result};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rasd_core::SubEventType;
use rasd_text::normalize_key;
use rasd_text::tokenize::is_arabic_letter;
use std::str::FromStr;

const TRIGGERS: &str = include_str!("../../../data/events/triggers.tsv");
const FRAMES: &str = include_str!("../../../data/events/frames.tsv");
const CUES: &str = include_str!("../../../data/events/cues.tsv");
const ACTOR_WORDS: &str = include_str!("../../../data/events/actor_words.tsv");
const WORDS: &str = include_str!("../../../data/events/words.tsv");

/// A closed word list of `data/events/words.tsv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordList {
    /// A noun after a number that makes it a count of the wounded ("51 جريحا").
    Wounded,
    /// A word before a number that makes it a count of the wounded ("وأصيب 51 آخرون").
    WoundedVerb,
    /// A word before a number that is no count of people ("منذ 2011").
    NotAToll,
    /// A unit after a number that makes it an age, a span of time or a distance, no count of people ("(21 عاما)").
    NotATollAfter,
    /// A word before a number that counts people who were not killed: participants ("تجمع أكثر من ألف شخص"),
    /// detainees ("اعتقال 5 أشخاص"), the abducted or the displaced; vague numbers too ("خرج الآلاف").
    NotKilledCount,
    /// A singular noun that is a toll of one by a kill word ("مقتل مدني").
    OneVictim,
    /// The kind of place before a name ("في منطقة X").
    PlaceNoun,
    /// An adjective of allegiance between two actors ("الشباب الموالية للقاعدة"): the second describes the first.
    Affiliation,
}

impl WordList {
    const ALL: [(WordList, &'static str); 8] = [
        (WordList::Wounded, "wounded"),
        (WordList::WoundedVerb, "wounded-verb"),
        (WordList::NotAToll, "not-a-toll"),
        (WordList::NotATollAfter, "not-a-toll-after"),
        (WordList::NotKilledCount, "not-killed-count"),
        (WordList::OneVictim, "one-victim"),
        (WordList::PlaceNoun, "place-noun"),
        (WordList::Affiliation, "affiliation"),
    ];
}

/// The word lists, each key-normalized, sorted and deduplicated (looked up by binary search).
#[derive(Debug, Default)]
pub struct Words {
    lists: [Vec<String>; WordList::ALL.len()],
}

impl Words {
    /// Whether `key` (a key-normalized word) is in `list`.
    pub fn has(&self, list: WordList, key: &str) -> bool {
        self.lists[list as usize]
            .binary_search_by(|w| w.as_str().cmp(key))
            .is_ok()
    }

    /// Parses a file with the columns list, word and source; rows with an unknown list, an empty word or no source
    /// are errors naming the file and line.
    pub fn parse(name: &str, contents: &str) -> Result<Words> {
        let mut words = Words::default();
        let mut header = false;
        for (no, line) in contents.lines().enumerate() {
            let origin = format!("{name}:{}", no + 1);
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            if !header {
                if line != "list\tword\tsource" {
                    return Err(Error::Rules(format!("{origin}: unknown header {line:?}")));
                }
                header = true;
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let [list, word, source] = f.as_slice() else {
                return Err(Error::Rules(format!("{origin}: expected 3 columns, found {}", f.len())));
            };
            if source.trim().is_empty() {
                return Err(Error::Rules(format!("{origin}: the source column is empty")));
            }
            let Some((which, _)) = WordList::ALL.iter().find(|(_, n)| n == list) else {
                return Err(Error::Rules(format!("{origin}: unknown list {list:?}")));
            };
            let key = rasd_text::fold_str(word.trim(), rasd_text::Mode::Key);
            if key.is_empty() || key.contains(char::is_whitespace) {
                return Err(Error::Rules(format!("{origin}: a word must be one word, not {word:?}")));
            }
            words.lists[*which as usize].push(key);
        }
        if !header {
            return Err(Error::Rules(format!("{name}: empty file")));
        }
        for l in &mut words.lists {
            l.sort_unstable();
            l.dedup();
        }
        Ok(words)
    }
}

/// What a trigger says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerType {
    /// One of ACLED's sub-event types.
    Sub(SubEventType),
    /// A change of territory: "Government regains" or "Non-state actor overtakes", from the taker's actor type.
    Territory,
    /// A killing with no other act named: an Attack when the victims are civilians.
    Casualty,
}

/// How the trigger's grammatical subject relates to the act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Agent,
    Gain,
    Loss,
    Withdraw,
    Fall,
    Passive,
    Noun,
}

/// Kinds of reporting frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    Say,
    Per,
    Deny,
    Hedge,
}

/// Context cues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    Expected,
    Hedged,
    Denied,
    Question,
    Hypothetical,
    Kill,
    Cumulative,
    Civilian,
    Air,
    Locative,
    Near,
    Away,
    BlockBefore,
    BlockAfter,
    BlockFall,
    BlockName,
    Pluperfect,
    Fraction,
    Negation,
    NotConflict,
    Protester,
    NoFight,
    Riot,
    CivilianTarget,
    /// A victim who is a fighter, officer or policeman: killing one is an armed clash, not an attack on civilians.
    Combatant,
    /// A claim of responsibility ("تبنى"): "الهجوم" after it names an act already reported.
    Claim,
    /// Air defence or an interception ("تصدت الدفاعات الجوية", "اعتراض الصواريخ"): the act is disrupted weapons use.
    Intercept,
    /// An anniversary, a trial or a condemnation ("الذكرى الـ29 لقصف حلبجة", "حكمت المحكمة … عن تفجير", "دانت …
    /// التفجيرات"): the act named in the sentence is history or commentary, not news.
    History,
    /// "No casualties" ("دون وقوع إصابات", "لم يسفر عن خسائر بشرية"): the act's toll is 0 (ACLED codes 0 when a
    /// report says nobody was hurt).
    NoCasualties,
    /// A crowd that is no armed group ("جماهير النادي", "شبان", "الأهالي", "مؤيدي الرئيس"): a clash between it and
    /// the police or an army is a violent demonstration.
    Crowd,
    /// Gunfire ("بالرصاص", "برصاص", "بأسلحة رشاشة", "كاتمة للصوت"): a generic "targeted" (استهدف) with it is a
    /// shooting, not shelling.
    SmallArms,
    /// A total over a period ("خلال ثلاث سنوات", "منذ بداية العام"): the acts its clause counts are statistics, not
    /// one event.
    Aggregate,
}

impl Cue {
    fn parse(s: &str) -> Option<Cue> {
        Some(match s {
            "expected" => Cue::Expected,
            "hedged" => Cue::Hedged,
            "denied" => Cue::Denied,
            "question" => Cue::Question,
            "hypothetical" => Cue::Hypothetical,
            "kill" => Cue::Kill,
            "cumulative" => Cue::Cumulative,
            "civilian" => Cue::Civilian,
            "air" => Cue::Air,
            "locative" => Cue::Locative,
            "near" => Cue::Near,
            "away" => Cue::Away,
            "block-before" => Cue::BlockBefore,
            "block-after" => Cue::BlockAfter,
            "block-fall" => Cue::BlockFall,
            "block-name" => Cue::BlockName,
            "pluperfect" => Cue::Pluperfect,
            "fraction" => Cue::Fraction,
            "negation" => Cue::Negation,
            "not-conflict" => Cue::NotConflict,
            "protester" => Cue::Protester,
            "no-fight" => Cue::NoFight,
            "riot" => Cue::Riot,
            "civilian-target" => Cue::CivilianTarget,
            "combatant" => Cue::Combatant,
            "claim" => Cue::Claim,
            "intercept" => Cue::Intercept,
            "history" => Cue::History,
            "no-casualties" => Cue::NoCasualties,
            "crowd" => Cue::Crowd,
            "small-arms" => Cue::SmallArms,
            "aggregate" => Cue::Aggregate,
            _ => return None,
        })
    }
}

/// What a rule is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RuleKind {
    Trigger {
        ty: TriggerType,
        role: Role,
        weight: f32,
    },
    Frame(FrameKind),
    Cue(Cue),
    /// A word that names an actor the lexicon does not list by that word: a nisba after a military noun
    /// ("غارات روسية"), generic security forces resolved by the report's country, "الأخير" (the latter). The
    /// actor (or `@police`, `@latter`) is in [`Rule::target`].
    ActorWord {
        nisba: bool,
        /// `bare`: the word names the actor only when no other actor is named right after it ("مسلحون" alone
        /// is an unidentified armed group; "مسلحون حوثيون", "مسلحين من داعش" are the group named).
        bare: bool,
    },
}

/// One row of a rule file.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The pattern as written in the file.
    pub pattern: String,
    /// The key-normalized pattern.
    pub key: String,
    pub kind: RuleKind,
    /// `stem`: any continuation of the word is allowed.
    pub stem: bool,
    /// `file:line`, for messages and reviews.
    pub origin: String,
    /// Actor words: the actor id, or `@police` / `@army` / `@coalition` / `@latter`; empty for other rules.
    pub target: String,
    /// A pattern written "head … tail" ("كسر … الحصار", "سلم … نفسه"): the key-normalized tail, which must
    /// follow the head within [`GAP_WORDS`] words (the subject of a verb-first clause sits between them). The hit
    /// is the head's span.
    pub tail: Option<String>,
}

/// The most words between the head and the tail of a "head … tail" pattern.
pub const GAP_WORDS: usize = 4;

/// A rule matched in a document: byte offsets into the ORIGINAL text, without proclitics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub rule: u32,
    /// The word carried the future prefix س before the pattern ("سيسيطر").
    pub future: bool,
}

/// The compiled rules: immutable, shared by every worker.
#[derive(Debug)]
pub struct Rules {
    rules: Vec<Rule>,
    /// Automaton patterns → (rule index, pattern needs a ل proclitic because its alef of ال was elided).
    pattern_rule: Vec<(u32, bool)>,
    automaton: AhoCorasick,
    words: Words,
}

impl Rules {
    /// The rules compiled into the binary.
    pub fn embedded() -> Result<Rules> {
        Rules::from_sources(&[
            ("data/events/triggers.tsv", TRIGGERS),
            ("data/events/frames.tsv", FRAMES),
            ("data/events/cues.tsv", CUES),
            ("data/events/actor_words.tsv", ACTOR_WORDS),
        ])
        .and_then(|r| r.with_words(Words::parse("data/events/words.tsv", WORDS)?))
    }

    /// These rules with the word lists `words`.
    pub fn with_words(self, words: Words) -> Result<Rules> {
        Ok(Rules { words, ..self })
    }

    /// Whether `key` (a key-normalized word) is in the word list `list`.
    pub fn word_in(&self, list: WordList, key: &str) -> bool {
        self.words.has(list, key)
    }

    /// Compiles rule files given as `(name, contents)`; the file kind is taken from the header.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Rules> {
        let mut rules = Vec::new();
        for (name, contents) in sources {
            parse_file(name, contents, &mut rules)?;
        }
        let mut patterns = Vec::with_capacity(rules.len() * 2);
        let mut pattern_rule = Vec::with_capacity(rules.len() * 2);
        for (i, r) in rules.iter().enumerate() {
            patterns.push(r.key.clone());
            pattern_rule.push((i as u32, false));
            // "للتحالف" = ل + التحالف with the alef of the article elided.
            if let Some(rest) = r.key.strip_prefix("ال")
                && !rest.is_empty()
            {
                patterns.push(format!("ل{rest}"));
                pattern_rule.push((i as u32, true));
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| Error::Rules(format!("cannot compile the rule automaton: {e}")))?;
        Ok(Rules {
            rules,
            pattern_rule,
            automaton,
            words: Words::default(),
        })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, i: u32) -> &Rule {
        &self.rules[i as usize]
    }

    /// Every boundary-respecting rule match in `norm` (the key-normalized text), with spans mapped back to
    /// `original`. Where matches of the same rule family overlap, the longest wins.
    pub fn find(&self, original: &str, norm: &rasd_text::Normalized, out: &mut Vec<Hit>) {
        out.clear();
        let text = norm.as_str();
        for m in self.automaton.find_overlapping_iter(text) {
            let (rule, needs_lam) = self.pattern_rule[m.pattern().as_usize()];
            let r = &self.rules[rule as usize];
            let Some(future) = boundary_ok(text, m.start(), m.end(), r.stem, needs_lam) else {
                continue;
            };
            if let Some(tail) = &r.tail {
                // The head word's own end, then the tail within the gap.
                let word_end = text[m.end()..]
                    .find(char::is_whitespace)
                    .map_or(text.len(), |i| m.end() + i);
                if !tail_follows(text, word_end, tail) {
                    continue;
                }
            }
            let span = norm.to_original(original, m.start(), m.end());
            if span.is_empty() {
                continue;
            }
            out.push(Hit {
                start: span.start,
                end: span.end,
                rule,
                future,
            });
        }
        // Keep the longest of overlapping hits within the same family (trigger, frame, cue, actor word). Cues of
        // different kinds on the very same words all stay ("شبان" is both a civilian victim and a crowd); a longer
        // cue still hides the shorter ones inside it ("رجل أمن", a combatant, hides "رجل", a civilian).
        // On the same words a "head … tail" rule is the more specific ("سلم … نفسه" over "سلم").
        let gapped = |h: &Hit| self.rules[h.rule as usize].tail.is_some();
        out.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then(b.end.cmp(&a.end))
                .then(gapped(b).cmp(&gapped(a)))
        });
        let family = |h: &Hit| match self.rules[h.rule as usize].kind {
            RuleKind::Trigger { .. } => 0u8,
            RuleKind::Frame(_) => 1,
            RuleKind::Cue(_) => 2,
            RuleKind::ActorWord { .. } => 3,
        };
        let mut last = [(0usize, 0usize); 4];
        out.retain(|h| {
            let f = family(h) as usize;
            if h.start < last[f].1 {
                return f == 2 && (h.start, h.end) == last[f];
            }
            last[f] = (h.start, h.end);
            true
        });
    }
}

fn parse_file(name: &str, contents: &str, rules: &mut Vec<Rule>) -> Result<()> {
    let mut lines = contents.lines().enumerate();
    let header = loop {
        match lines.next() {
            Some((_, l)) if l.starts_with('#') || l.trim().is_empty() => continue,
            Some((_, l)) => break l.to_string(),
            None => return Err(Error::Rules(format!("{name}: empty file"))),
        }
    };
    let cols: Vec<&str> = header.split('\t').collect();
    let kind_of_file = match cols.as_slice() {
        ["pattern", "sub_event_type", "match", "role", "weight", "source"] => 0,
        ["pattern", "kind", "match", "source"] => 1,
        ["pattern", "cue", "match", "source"] => 2,
        ["pattern", "actor", "match", "source"] => 3,
        _ => return Err(Error::Rules(format!("{name}:1: unknown header {header:?}"))),
    };
    for (no, line) in lines {
        let origin = format!("{name}:{}", no + 1);
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != cols.len() {
            return Err(Error::Rules(format!(
                "{origin}: expected {} columns, found {}",
                cols.len(),
                f.len()
            )));
        }
        if f[f.len() - 1].trim().is_empty() {
            return Err(Error::Rules(format!("{origin}: the source column is empty")));
        }
        let pattern = f[0].trim();
        let (head, tail) = match pattern.split_once('…') {
            Some((h, t)) => {
                let t = normalize_key(t.trim());
                if t.is_empty() || kind_of_file != 0 {
                    return Err(Error::Rules(format!(
                        "{origin}: a gap (…) needs a tail after it, and only triggers have one"
                    )));
                }
                (h.trim(), Some(t))
            }
            None => (pattern, None),
        };
        let key = normalize_key(head);
        if key.is_empty() {
            return Err(Error::Rules(format!("{origin}: empty pattern")));
        }
        let stem = match f[2] {
            "stem" => true,
            "word" => false,
            "nisba" | "bare" if kind_of_file == 3 => false,
            other => {
                return Err(Error::Rules(format!(
                    "{origin}: match must be word or stem, not {other:?}"
                )));
            }
        };
        let kind = match kind_of_file {
            0 => {
                let ty = match f[1] {
                    "TERRITORY" => TriggerType::Territory,
                    "CASUALTY" => TriggerType::Casualty,
                    s => {
                        TriggerType::Sub(SubEventType::from_str(s).map_err(|e| Error::Rules(format!("{origin}: {e}")))?)
                    }
                };
                let role = match f[3] {
                    "agent" => Role::Agent,
                    "gain" => Role::Gain,
                    "loss" => Role::Loss,
                    "withdraw" => Role::Withdraw,
                    "fall" => Role::Fall,
                    "passive" => Role::Passive,
                    "noun" => Role::Noun,
                    other => return Err(Error::Rules(format!("{origin}: unknown role {other:?}"))),
                };
                let weight: f32 = f[4]
                    .parse()
                    .map_err(|_| Error::Rules(format!("{origin}: weight {:?} is not a number", f[4])))?;
                if !(0.0..=1.0).contains(&weight) {
                    return Err(Error::Rules(format!("{origin}: weight must be within 0..1")));
                }
                RuleKind::Trigger { ty, role, weight }
            }
            1 => RuleKind::Frame(match f[1] {
                "say" => FrameKind::Say,
                "per" => FrameKind::Per,
                "deny" => FrameKind::Deny,
                "hedge" => FrameKind::Hedge,
                other => return Err(Error::Rules(format!("{origin}: unknown frame kind {other:?}"))),
            }),
            2 => RuleKind::Cue(
                Cue::parse(f[1]).ok_or_else(|| Error::Rules(format!("{origin}: unknown cue {:?}", f[1])))?,
            ),
            _ => {
                let t = f[1].trim();
                if t.is_empty() || (t.starts_with('@') && !matches!(t, "@police" | "@army" | "@coalition" | "@latter"))
                {
                    return Err(Error::Rules(format!("{origin}: unknown actor target {t:?}")));
                }
                RuleKind::ActorWord {
                    nisba: f[2] == "nisba",
                    bare: f[2] == "bare",
                }
            }
        };
        let target = if kind_of_file == 3 {
            f[1].trim().to_string()
        } else {
            String::new()
        };
        rules.push(Rule {
            pattern: pattern.to_string(),
            key,
            kind,
            stem,
            origin,
            target,
            tail,
        });
    }
    Ok(())
}

/// Whether the key-normalized `tail` starts a word of `text` after byte `from`, with at most [`GAP_WORDS`] words
/// before it, and ends on a word boundary.
fn tail_follows(text: &str, from: usize, tail: &str) -> bool {
    let rest = &text[from..];
    let mut at = 0usize;
    for _ in 0..=GAP_WORDS {
        // The start of the next word.
        let Some(skip) = rest[at..].find(|c: char| !c.is_whitespace()) else {
            return false;
        };
        at += skip;
        let here = &rest[at..];
        if let Some(after) = here.strip_prefix(tail)
            && !after.chars().next().is_some_and(is_arabic_letter)
        {
            return true;
        }
        // A sentence or clause end stops the search.
        let Some(end) = here.find(char::is_whitespace) else {
            return false;
        };
        if here[..end].contains(['.', '،', ',', '؛', ';', '؟', '?', '!']) {
            return false;
        }
        at += end;
    }
    false
}

fn prev_char(text: &str, at: usize) -> Option<char> {
    text[..at].chars().next_back()
}

/// Checks that `text[start..end]` sits on word boundaries, allowing proclitics before it. Returns whether the
/// proclitics included the future prefix س, or `None` when the boundaries do not hold.
fn boundary_ok(text: &str, start: usize, end: usize, stem: bool, needs_lam: bool) -> Option<bool> {
    // Start: the word's prefix before the match must be a proclitic chain.
    let mut word_start = start;
    while let Some(c) = prev_char(text, word_start) {
        if is_arabic_letter(c) {
            word_start -= c.len_utf8();
        } else {
            break;
        }
    }
    let mut prefix = &text[word_start..start];
    if needs_lam {
        prefix = prefix.strip_suffix('ل')?;
    }
    let future = proclitics(prefix)?;
    // End.
    let mut word_end = end;
    for c in text[end..].chars() {
        if is_arabic_letter(c) {
            word_end += c.len_utf8();
        } else {
            break;
        }
    }
    if !stem && !matches!(&text[end..word_end], "" | "ا" | "ه" | "ها" | "هم" | "هما" | "ي") {
        return None;
    }
    Some(future)
}

/// Is `prefix` a chain of proclitics: [و|ف]? ([س] | [ب|ل|ك]? [ال|ل]?)? Returns whether it holds the future س.
fn proclitics(prefix: &str) -> Option<bool> {
    let p = prefix.strip_prefix(['و', 'ف']).unwrap_or(prefix);
    if p == "س" {
        return Some(true);
    }
    let p = p.strip_prefix(['ب', 'ل', 'ك']).unwrap_or(p);
    matches!(p, "" | "ال" | "ل").then_some(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rasd_text::{Mode, Normalizer};

    fn hits(text: &str) -> Vec<(String, String)> {
        let rules = Rules::embedded().expect("embedded rules compile");
        let norm = Normalizer::new(Mode::Key).normalize(text).expect("small");
        let mut out = Vec::new();
        rules.find(text, &norm, &mut out);
        out.iter()
            .map(|h| (text[h.start..h.end].to_string(), rules.get(h.rule).pattern.clone()))
            .collect()
    }

    #[test]
    fn a_gapped_pattern_needs_its_tail_within_the_gap() {
        // "كسر … الحصار": the verb, its subject, then the siege.
        let h = hits("كسرت فصائل المعارضة الحصار عن المدينة");
        assert!(h.contains(&("كسر".into(), "كسر … الحصار".into())), "{h:?}");
        // No tail, a tail too far, or a tail past a clause end: no hit of that rule.
        for text in [
            "كسرت فصائل المعارضة خطوط الدفاع",
            "كسرت فصائل المعارضة في ريف حلب الجنوبي خطوط الدفاع الحصار",
            "كسرت فصائل المعارضة، الحصار",
        ] {
            let h = hits(text);
            assert!(!h.iter().any(|(_, p)| p == "كسر … الحصار"), "{text}: {h:?}");
        }
        // On the same words the gapped rule beats the plain one ("سلم … نفسه" is a surrender, "سلم" a handover).
        let h = hits("سلم قيادي في التنظيم نفسه للقوات العراقية");
        assert_eq!(h.iter().filter(|(w, _)| w == "سلم").count(), 1, "{h:?}");
        assert!(h.contains(&("سلم".into(), "سلم … نفسه".into())), "{h:?}");
        // A gap is for triggers only, and needs a tail.
        let bad = Rules::from_sources(&[(
            "t.tsv",
            "pattern\tsub_event_type\tmatch\trole\tweight\tsource\nكسر …\tArmed clash\tstem\tagent\t0.5\tx\n",
        )]);
        assert!(bad.is_err());
    }

    #[test]
    fn every_rule_file_row_is_valid_and_sourced() {
        let rules = Rules::embedded().expect("embedded rules compile");
        assert!(rules.rules().len() > 250, "{} rules", rules.rules().len());
        // All 25 sub-event types have at least one trigger, directly or through TERRITORY / CASUALTY.
        for t in SubEventType::ALL {
            let covered = rules.rules().iter().any(|r| match r.kind {
                RuleKind::Trigger {
                    ty: TriggerType::Sub(s),
                    ..
                } => s == *t,
                RuleKind::Trigger {
                    ty: TriggerType::Territory,
                    ..
                } => matches!(
                    t,
                    SubEventType::GovernmentRegainsTerritory | SubEventType::NonStateActorOvertakesTerritory
                ),
                _ => false,
            }) || *t == SubEventType::Other;
            assert!(covered, "no trigger for {t}");
        }
    }

    #[test]
    fn matches_respect_clitics_and_word_ends() {
        let h = hits("وسيطرت القوات على المدينة بعد المعارك وغارات للتحالف");
        let pats: Vec<&str> = h.iter().map(|(_, p)| p.as_str()).collect();
        assert!(pats.contains(&"سيطر"), "{h:?}");
        assert!(pats.contains(&"معارك"), "{h:?}");
        assert!(pats.contains(&"غارات"), "{h:?}");
        assert!(!hits("الحيوان").iter().any(|(_, p)| p == "حي"));
        assert!(hits("فضّ اعتصام").iter().any(|(_, p)| p == "فض"));
    }

    #[test]
    fn bad_rows_are_reported_with_file_and_line() {
        let bad = "pattern\tcue\tmatch\tsource\nقتل\tnonsense\tword\tx\n";
        let err = Rules::from_sources(&[("cues.tsv", bad)]).expect_err("unknown cue");
        assert!(err.to_string().contains("cues.tsv:2"), "{err}");
        let unsourced = "pattern\tkind\tmatch\tsource\nقال\tsay\tword\t \n";
        assert!(Rules::from_sources(&[("frames.tsv", unsourced)]).is_err());
        let words = "list\tword\tsource\nwounded\tجرحى\tx\nvictims\tمدني\tx\n";
        let err = Words::parse("words.tsv", words).expect_err("unknown list");
        assert!(
            err.to_string().contains("words.tsv:3") && err.to_string().contains("victims"),
            "{err}"
        );
        assert!(Words::parse("words.tsv", "list\tword\tsource\nwounded\tجرحى\t\n").is_err());
        assert!(Words::parse("words.tsv", "list\tword\tsource\nwounded\tقتلى كثر\tx\n").is_err());
    }

    #[test]
    fn word_lists_are_key_normalized_so_one_row_covers_every_spelling() {
        let rules = Rules::embedded().expect("embedded rules compile");
        // Written "جرحى" and "امرأة" in data/events/words.tsv; the stages look them up folded.
        assert!(rules.word_in(WordList::Wounded, "جرحي"));
        assert!(rules.word_in(WordList::OneVictim, "امراه"));
        assert!(rules.word_in(WordList::PlaceNoun, "قريه"));
        assert!(rules.word_in(WordList::NotAToll, "منذ"));
        // Written "عامًا" in the file: the tanween is folded away.
        assert!(rules.word_in(WordList::NotATollAfter, "عاما"));
        assert!(!rules.word_in(WordList::OneVictim, "جرحي"));
        for (list, _) in WordList::ALL {
            assert!(!rules.words.lists[list as usize].is_empty(), "{list:?} is empty");
        }
    }
}
