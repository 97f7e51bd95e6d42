//! Conservative clitic segmentation.
//!
//! Arabic attaches conjunctions, prepositions and the article to the front of a word (و ف ب ل ك س ال, and
//! their combinations: وب، فل، وال، بال، لل) and pronouns to its end (ه ها هم هما هن ك كم نا ي). Cutting them
//! lets "بالبوكمال" match "البوكمال", but a wrong cut destroys a name: "بيان" is not ب+يان and "لبنان" is not
//! ل+بنان. So the segmenter is conservative:
//! - a word found whole in the known-word list is never cut;
//! - a cut whose stem is a known word wins;
//! - otherwise a lone proclitic needs a stem of at least four letters, the article at least two, and pronoun
//!   suffixes are cut only when the stem is known, or the suffix is two letters or longer;
//! - the article is recognised only on a plain alef: "ألمانيا" and "إلغاء" never start with ال.
//!
//! Every candidate keeps byte offsets into the original text.

use crate::normalize::{Mode, fold_char, normalize_key};
use crate::tokenize::{Token, TokenKind, is_arabic_letter};
use serde::Serialize;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: the known-word set is probed several times per token with short keys, where SipHash's setup cost
/// dominates. The keys come from our own data files, so hash flooding is not a concern.
#[derive(Default, Clone, Copy)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type KnownSet = HashSet<String, BuildHasherDefault<Fnv>>;

/// The role of a piece of a segmented word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Proclitic,
    Stem,
    Enclitic,
}

/// One piece of a word: a byte range of the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Piece {
    pub start: usize,
    pub end: usize,
    pub role: Role,
}

/// A segmentation of one word: proclitics, a stem and at most one enclitic, in text order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Segmentation {
    pub pieces: Vec<Piece>,
    /// Why this candidate ranks where it does ("known-word", "known-stem", "length-rule", "unsegmented").
    pub rule: &'static str,
}

impl Segmentation {
    /// The stem piece.
    pub fn stem(&self) -> Piece {
        self.pieces
            .iter()
            .copied()
            .find(|p| p.role == Role::Stem)
            .unwrap_or(Piece {
                start: 0,
                end: 0,
                role: Role::Stem,
            })
    }

    /// Byte offset where the stem starts (after all proclitics).
    pub fn stem_start(&self) -> usize {
        self.stem().start
    }

    pub fn is_segmented(&self) -> bool {
        self.pieces.len() > 1
    }

    /// "و+ال+رقة" style rendering against the original text.
    pub fn render(&self, original: &str) -> String {
        let mut s = String::new();
        for (i, p) in self.pieces.iter().enumerate() {
            if i > 0 {
                s.push('+');
            }
            s.push_str(original.get(p.start..p.end).unwrap_or(""));
        }
        s
    }
}

/// The bundled known-word list (`data/text/stems.tsv`): words that look like clitic+stem but are whole, and
/// common stems, so that cuts can be checked against real words.
const BUNDLED_WORDS: &str = include_str!("../../../data/text/stems.tsv");

/// An immutable, shareable segmenter with its known-word list.
#[derive(Debug, Clone)]
pub struct Segmenter {
    known: KnownSet,
}

impl Default for Segmenter {
    fn default() -> Self {
        Segmenter::new()
    }
}

/// A letter of the word: its byte range in the original and its raw character.
#[derive(Debug, Clone, Copy)]
struct Letter {
    start: usize,
    end: usize,
    raw: char,
}

const MAX_LETTERS: usize = 24;
const MAX_CUTS: usize = 24;

/// Why a candidate ranks where it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rule {
    KnownWord,
    KnownStem,
    ByLength,
    Unsegmented,
    Alternative,
}

impl Rule {
    const fn as_str(self) -> &'static str {
        match self {
            Rule::KnownWord => "known-word",
            Rule::KnownStem => "known-stem",
            Rule::ByLength => "length-rule",
            Rule::Unsegmented => "unsegmented",
            Rule::Alternative => "alternative",
        }
    }
}

/// One candidate cut, in letter indices: proclitic boundaries, then an enclitic length.
#[derive(Debug, Clone, Copy)]
struct Cut {
    bounds: [u8; 4],
    nb: u8,
    enclitic: u8,
    rule: Rule,
}

impl Cut {
    const WHOLE: Cut = Cut {
        bounds: [0; 4],
        nb: 0,
        enclitic: 0,
        rule: Rule::Unsegmented,
    };

    fn bounds(&self) -> &[u8] {
        &self.bounds[..self.nb as usize]
    }

    /// Ranking key: known stems first (fewest pieces), then length-rule cuts (most pieces), then the rest.
    fn rank(&self) -> (Rule, usize) {
        let pieces = self.nb as usize + usize::from(self.enclitic > 0);
        match self.rule {
            Rule::ByLength => (self.rule, usize::MAX - pieces),
            _ => (self.rule, pieces),
        }
    }
}

/// A word's letters with their key-normalized spelling, on the stack.
struct Word {
    letters: [Letter; MAX_LETTERS],
    n: usize,
    key: [u8; 4 * MAX_LETTERS],
    key_off: [u16; MAX_LETTERS + 1],
}

impl Word {
    /// Reads the Arabic letters of `token`; `None` when it has none or too many to segment.
    fn read(text: &str, token: &Token) -> Option<Word> {
        let surface = token.surface(text);
        let mut w = Word {
            letters: [Letter {
                start: 0,
                end: 0,
                raw: ' ',
            }; MAX_LETTERS],
            n: 0,
            key: [0; 4 * MAX_LETTERS],
            key_off: [0; MAX_LETTERS + 1],
        };
        let mut kb = 0usize;
        for (i, c) in surface.char_indices() {
            if !is_arabic_letter(c) {
                // Tashkeel and tatweel extend the previous letter's range.
                if w.n > 0 {
                    w.letters[w.n - 1].end = token.start + i + c.len_utf8();
                }
                continue;
            }
            if w.n == MAX_LETTERS {
                return None;
            }
            let key = fold_char(c, Mode::Key).unwrap_or(c);
            w.letters[w.n] = Letter {
                start: token.start + i,
                end: token.start + i + c.len_utf8(),
                raw: c,
            };
            w.key_off[w.n] = kb as u16;
            kb += key.encode_utf8(&mut w.key[kb..]).len();
            w.n += 1;
        }
        w.key_off[w.n] = kb as u16;
        (w.n > 0).then_some(w)
    }

    fn key(&self, from: usize, to: usize) -> &str {
        std::str::from_utf8(&self.key[self.key_off[from] as usize..self.key_off[to] as usize]).unwrap_or("")
    }

    fn k(&self, i: usize) -> char {
        self.key(i.min(self.n), (i + 1).min(self.n))
            .chars()
            .next()
            .unwrap_or('\0')
    }

    fn is_article_at(&self, i: usize) -> bool {
        i + 1 < self.n && matches!(self.letters[i].raw, 'ا' | 'ٱ') && self.k(i + 1) == 'ل'
    }
}

impl Segmenter {
    /// A segmenter with the bundled known-word list.
    pub fn new() -> Self {
        let mut s = Segmenter {
            known: KnownSet::default(),
        };
        s.add_words(BUNDLED_WORDS.lines().filter_map(|line| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("word\t") {
                return None;
            }
            line.split('\t').next()
        }));
        s
    }

    /// A segmenter with no known words (length rules only). Useful to see what the lexicon contributes.
    pub fn empty() -> Self {
        Segmenter {
            known: KnownSet::default(),
        }
    }

    /// Adds known words (names from a lexicon, for instance). Multi-word names add each word.
    pub fn add_words<'a>(&mut self, words: impl IntoIterator<Item = &'a str>) {
        for w in words {
            for part in w.split_whitespace() {
                let key = normalize_key(part);
                if !key.is_empty() {
                    self.known.insert(key);
                }
            }
        }
    }

    /// True when `word` (any spelling) is a known word.
    pub fn is_known(&self, word: &str) -> bool {
        self.known.contains(&normalize_key(word))
    }

    pub fn known_len(&self) -> usize {
        self.known.len()
    }

    /// The best segmentation of `token` (of `text`).
    pub fn best(&self, text: &str, token: &Token) -> Segmentation {
        match self.analyse(text, token) {
            Some((word, cuts, n)) => {
                let best = cuts[..n].iter().min_by_key(|c| c.rank()).copied().unwrap_or(Cut::WHOLE);
                build(&word, token, &best)
            }
            None => build_whole(token),
        }
    }

    /// Where the stem of `token` starts under the best segmentation, without allocating.
    pub fn stem_start(&self, text: &str, token: &Token) -> usize {
        // Most words cannot carry a proclitic at all: skip the analysis for them.
        if !token.surface(text).starts_with(['و', 'ف', 'ب', 'ك', 'ل', 'ا', 'ٱ']) {
            return token.start;
        }
        match self.analyse(text, token) {
            Some((word, cuts, n)) => {
                let best = cuts[..n].iter().min_by_key(|c| c.rank()).copied().unwrap_or(Cut::WHOLE);
                match best.bounds().last() {
                    Some(&b) => word.letters[b as usize].start,
                    None => token.start,
                }
            }
            None => token.start,
        }
    }

    /// All plausible segmentations of `token`, best first. Non-Arabic tokens have one, unsegmented.
    pub fn candidates(&self, text: &str, token: &Token) -> Vec<Segmentation> {
        match self.analyse(text, token) {
            Some((word, mut cuts, n)) => {
                let cuts = &mut cuts[..n];
                cuts.sort_by_key(|c| c.rank());
                cuts.iter().map(|c| build(&word, token, c)).collect()
            }
            None => vec![build_whole(token)],
        }
    }

    /// Reads the word and enumerates its candidate cuts (the whole word included).
    fn analyse(&self, text: &str, token: &Token) -> Option<(Word, [Cut; MAX_CUTS], usize)> {
        if token.kind != TokenKind::Arabic {
            return None;
        }
        let word = Word::read(text, token)?;
        let mut cuts = [Cut::WHOLE; MAX_CUTS];
        let whole_known = self.known.contains(word.key(0, word.n));
        cuts[0].rule = if whole_known {
            Rule::KnownWord
        } else {
            Rule::Unsegmented
        };
        let mut n = 1;
        self.push_cuts(&word, whole_known, &mut cuts, &mut n);
        Some((word, cuts, n))
    }

    /// Enumerates proclitic/enclitic cuts. With `whole_known`, every cut is a weaker alternative.
    fn push_cuts(&self, w: &Word, whole_known: bool, cuts: &mut [Cut; MAX_CUTS], count: &mut usize) {
        let n = w.n;
        // Proclitic sequences as boundary lists (letter indices where a clitic ends) and whether the article
        // is among them.
        let mut prefixes: [([u8; 4], u8, bool); 16] = [([0; 4], 0, false); 16];
        let mut np = 0usize;
        let mut add = |b: &[usize], article: bool| {
            if np < prefixes.len() && b.iter().all(|&x| x < n) {
                let mut arr = [0u8; 4];
                for (i, &x) in b.iter().enumerate() {
                    arr[i] = x as u8;
                }
                prefixes[np] = (arr, b.len() as u8, article);
                np += 1;
            }
        };
        add(&[], false);
        let conj: &[usize] = if matches!(w.k(0), 'و' | 'ف') { &[0, 1] } else { &[0] };
        for &at in conj {
            let base: &[usize] = if at == 1 { &[1] } else { &[] };
            if !base.is_empty() {
                add(base, false);
            }
            if w.is_article_at(at) {
                add(&[base, &[at + 2]].concat(), true);
            }
            match w.k(at) {
                'ب' | 'ك' | 'ل' => {
                    add(&[base, &[at + 1]].concat(), false);
                    if w.is_article_at(at + 1) {
                        add(&[base, &[at + 1, at + 3]].concat(), true);
                    }
                    // ل + ال contracted to لل: the article's alef is not written.
                    if w.k(at) == 'ل' && w.k(at + 1) == 'ل' {
                        add(&[base, &[at + 1, at + 2]].concat(), true);
                    }
                }
                'س' if at == 1 && matches!(w.k(at + 1), 'ي' | 'ت' | 'ن' | 'ا') => {
                    add(&[base, &[at + 1]].concat(), false);
                }
                _ => {}
            }
        }
        for &(arr, nb, article) in &prefixes[..np] {
            let bounds = &arr[..nb as usize];
            let stem_from = bounds.last().map_or(0, |&b| b as usize);
            for enclitic in 0..=3usize {
                if *count == MAX_CUTS {
                    return;
                }
                if enclitic > 0 && (article || !ends_with_enclitic(w, enclitic)) {
                    continue;
                }
                if bounds.is_empty() && enclitic == 0 {
                    continue;
                }
                if n < enclitic + stem_from + 1 {
                    continue;
                }
                let stem_to = n - enclitic;
                let stem_len = stem_to - stem_from;
                let known = self.known.contains(w.key(stem_from, stem_to));
                let by_length = if article {
                    stem_len >= 2
                } else {
                    !bounds.is_empty() && stem_len >= 4
                };
                let enclitic_ok = enclitic == 0 || known || (enclitic >= 2 && stem_len >= 3);
                let rule = if whole_known {
                    Rule::Alternative
                } else if known && enclitic_ok {
                    Rule::KnownStem
                } else if (by_length || (bounds.is_empty() && stem_len >= 3)) && enclitic_ok {
                    if bounds.is_empty() {
                        Rule::Alternative
                    } else {
                        Rule::ByLength
                    }
                } else {
                    Rule::Alternative
                };
                if rule == Rule::Alternative && !known && stem_len < 2 {
                    continue;
                }
                let mut c = Cut {
                    bounds: arr,
                    nb,
                    enclitic: enclitic as u8,
                    rule,
                };
                c.bounds = arr;
                cuts[*count] = c;
                *count += 1;
            }
        }
    }
}

fn build_whole(token: &Token) -> Segmentation {
    Segmentation {
        pieces: vec![Piece {
            start: token.start,
            end: token.end,
            role: Role::Stem,
        }],
        rule: "unsegmented",
    }
}

fn build(w: &Word, token: &Token, cut: &Cut) -> Segmentation {
    let mut pieces = Vec::with_capacity(cut.nb as usize + 2);
    let mut from = 0usize;
    for &b in cut.bounds() {
        let b = b as usize;
        pieces.push(Piece {
            start: if from == 0 { token.start } else { w.letters[from].start },
            end: w.letters[b - 1].end,
            role: Role::Proclitic,
        });
        from = b;
    }
    let stem_to = w.n - cut.enclitic as usize;
    let stem_start = if from == 0 { token.start } else { w.letters[from].start };
    let stem_end = if cut.enclitic == 0 {
        token.end
    } else {
        w.letters[stem_to - 1].end
    };
    pieces.push(Piece {
        start: stem_start,
        end: stem_end,
        role: Role::Stem,
    });
    if cut.enclitic > 0 {
        pieces.push(Piece {
            start: w.letters[stem_to].start,
            end: token.end,
            role: Role::Enclitic,
        });
    }
    Segmentation {
        pieces,
        rule: cut.rule.as_str(),
    }
}

/// True when the last `len` letters form a pronoun suffix.
fn ends_with_enclitic(w: &Word, len: usize) -> bool {
    w.n > len
        && matches!(
            w.key(w.n - len, w.n),
            "ه" | "ها" | "هم" | "هما" | "هن" | "ك" | "كم" | "كن" | "نا" | "ي"
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::tokenize;

    fn best(word: &str) -> String {
        let seg = Segmenter::new();
        let toks = tokenize(word);
        seg.best(word, &toks[0]).render(word)
    }

    #[test]
    fn cuts_clitics_before_names() {
        assert_eq!(best("بالبوكمال"), "ب+ال+بوكمال");
        assert_eq!(best("والرقة"), "و+ال+رقة");
        assert_eq!(best("للرقة"), "ل+ل+رقة");
        assert_eq!(best("وبمدينة"), "و+ب+مدينة");
    }

    #[test]
    fn never_cuts_known_words_or_hamzated_alef() {
        assert_eq!(best("بيان"), "بيان");
        assert_eq!(best("لبنان"), "لبنان");
        assert_eq!(best("ألمانيا"), "ألمانيا");
        assert_eq!(best("إلغاء"), "إلغاء");
        assert_eq!(best("وزير"), "وزير");
    }

    #[test]
    fn candidates_keep_offsets() {
        let text = "قال وبالبوكمال";
        let toks = tokenize(text);
        for cand in Segmenter::new().candidates(text, &toks[1]) {
            let joined: String = cand.pieces.iter().map(|p| &text[p.start..p.end]).collect();
            assert_eq!(joined, "وبالبوكمال");
        }
    }
}
