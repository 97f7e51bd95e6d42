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

use crate::normalize::{Mode, fold_str, normalize_key};
use crate::tokenize::{Token, TokenKind, is_arabic_letter};
use serde::Serialize;
use std::collections::HashSet;

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
    known: HashSet<String>,
}

impl Default for Segmenter {
    fn default() -> Self {
        Segmenter::new()
    }
}

/// A letter of the word: its byte range in the original and its key-normalized form.
#[derive(Debug, Clone, Copy)]
struct Letter {
    start: usize,
    end: usize,
    raw: char,
    key: char,
}

const MAX_LETTERS: usize = 48;

impl Segmenter {
    /// A segmenter with the bundled known-word list.
    pub fn new() -> Self {
        let mut s = Segmenter {
            known: HashSet::new(),
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
            known: HashSet::new(),
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
        let mut c = self.candidates(text, token);
        if c.is_empty() {
            return Segmentation {
                pieces: vec![Piece {
                    start: token.start,
                    end: token.end,
                    role: Role::Stem,
                }],
                rule: "unsegmented",
            };
        }
        c.swap_remove(0)
    }

    /// Where the stem of `token` starts under the best segmentation, without allocating candidates.
    pub fn stem_start(&self, text: &str, token: &Token) -> usize {
        self.best(text, token).stem_start()
    }

    /// All plausible segmentations of `token`, best first. Non-Arabic tokens have one, unsegmented.
    pub fn candidates(&self, text: &str, token: &Token) -> Vec<Segmentation> {
        let whole = || Segmentation {
            pieces: vec![Piece {
                start: token.start,
                end: token.end,
                role: Role::Stem,
            }],
            rule: "unsegmented",
        };
        if token.kind != TokenKind::Arabic {
            return vec![whole()];
        }
        let surface = token.surface(text);
        let mut letters = [Letter {
            start: 0,
            end: 0,
            raw: ' ',
            key: ' ',
        }; MAX_LETTERS];
        let mut n = 0usize;
        for (i, c) in surface.char_indices() {
            if !is_arabic_letter(c) {
                // Tashkeel and tatweel extend the previous letter's range.
                if n > 0 {
                    letters[n - 1].end = token.start + i + c.len_utf8();
                }
                continue;
            }
            if n == MAX_LETTERS {
                return vec![whole()];
            }
            let key = fold_str(c.encode_utf8(&mut [0; 4]), Mode::Key)
                .chars()
                .next()
                .unwrap_or(c);
            letters[n] = Letter {
                start: token.start + i,
                end: token.start + i + c.len_utf8(),
                raw: c,
                key,
            };
            n += 1;
        }
        let letters = &letters[..n];
        if n == 0 {
            return vec![whole()];
        }
        let whole_key: String = letters.iter().map(|l| l.key).collect();
        if self.known.contains(&whole_key) {
            let mut w = whole();
            w.rule = "known-word";
            let mut out = vec![w];
            self.push_cuts(letters, token, &mut out, true);
            return out;
        }
        let mut out = Vec::new();
        self.push_cuts(letters, token, &mut out, false);
        // Rank: known stems first, then length-rule cuts, unsegmented last among the non-known.
        out.sort_by_key(|s| match s.rule {
            "known-stem" => (0, s.pieces.len()),
            "length-rule" => (1, usize::MAX - s.pieces.len()),
            _ => (2, 0),
        });
        if out
            .first()
            .is_none_or(|s| s.rule != "known-stem" && s.rule != "length-rule")
        {
            out.insert(0, whole());
        } else {
            out.push(whole());
        }
        out
    }

    /// Enumerates proclitic/enclitic cuts of `letters` into `out`. With `all_weak`, every cut is marked as a
    /// weaker alternative (the whole word is known).
    fn push_cuts(
        &self,
        letters: &[Letter],
        token: &Token,
        out: &mut Vec<Segmentation>,
        all_weak: bool,
    ) {
        let n = letters.len();
        // Proclitic boundaries: a list of letter indices where a clitic ends.
        let mut prefixes: Vec<(Vec<usize>, bool)> = vec![(Vec::new(), false)];
        let k = |i: usize| letters.get(i).map_or('\0', |l| l.key);
        let is_article_at = |i: usize| {
            letters.get(i).is_some_and(|l| l.raw == 'ا' || l.raw == 'ٱ') && k(i + 1) == 'ل'
        };
        let mut i0_options: Vec<(Vec<usize>, usize)> = vec![(Vec::new(), 0)];
        if matches!(k(0), 'و' | 'ف') {
            i0_options.push((vec![1], 1));
        }
        for (bounds, at) in i0_options {
            // Preposition-like single letters.
            let mut after_prep: Vec<(Vec<usize>, usize, bool)> = vec![(bounds.clone(), at, false)];
            match k(at) {
                'ب' | 'ك' => {
                    after_prep.push(([bounds.clone(), vec![at + 1]].concat(), at + 1, false))
                }
                'ل' => {
                    after_prep.push(([bounds.clone(), vec![at + 1]].concat(), at + 1, false));
                    // ل + ال contracted to لل: the article's alef is not written.
                    if k(at + 1) == 'ل' {
                        after_prep.push((
                            [bounds.clone(), vec![at + 1, at + 2]].concat(),
                            at + 2,
                            true,
                        ));
                    }
                }
                'س' if matches!(k(at + 1), 'ي' | 'ت' | 'ن' | 'ا') && !bounds.is_empty() => {
                    after_prep.push(([bounds.clone(), vec![at + 1]].concat(), at + 1, false));
                }
                _ => {}
            }
            for (b, at2, contracted) in after_prep {
                prefixes.push((b.clone(), contracted));
                if !contracted && is_article_at(at2) {
                    prefixes.push(([b, vec![at2 + 2]].concat(), true));
                }
            }
        }
        prefixes.sort();
        prefixes.dedup();
        for (bounds, has_article) in prefixes {
            let stem_from = bounds.last().copied().unwrap_or(0);
            for enclitic in [0usize, 1, 2, 3] {
                if enclitic > 0 && (has_article || !ends_with_enclitic(letters, enclitic)) {
                    continue;
                }
                if bounds.is_empty() && enclitic == 0 {
                    continue;
                }
                let stem_to = n - enclitic;
                if stem_to <= stem_from {
                    continue;
                }
                let stem_len = stem_to - stem_from;
                let stem_key: String = letters[stem_from..stem_to].iter().map(|l| l.key).collect();
                let known = self.known.contains(&stem_key);
                let allowed_by_length = if has_article {
                    stem_len >= 2
                } else if bounds.is_empty() {
                    false
                } else {
                    stem_len >= 4
                };
                let enclitic_ok = enclitic == 0 || known || (enclitic >= 2 && stem_len >= 3);
                let rule = if all_weak {
                    "alternative"
                } else if known && enclitic_ok {
                    "known-stem"
                } else if allowed_by_length && enclitic_ok && (enclitic == 0 || enclitic >= 2) {
                    "length-rule"
                } else {
                    "alternative"
                };
                if rule == "alternative" && !known && !(allowed_by_length || stem_len >= 2) {
                    continue;
                }
                let mut pieces = Vec::with_capacity(bounds.len() + 2);
                let mut from = 0usize;
                for &b in &bounds {
                    pieces.push(Piece {
                        start: if from == 0 {
                            token.start
                        } else {
                            letters[from].start
                        },
                        end: letters[b - 1].end,
                        role: Role::Proclitic,
                    });
                    from = b;
                }
                let stem_start = if stem_from == 0 {
                    token.start
                } else {
                    letters[stem_from].start
                };
                let stem_end = if enclitic == 0 {
                    token.end
                } else {
                    letters[stem_to - 1].end
                };
                pieces.push(Piece {
                    start: stem_start,
                    end: stem_end,
                    role: Role::Stem,
                });
                if enclitic > 0 {
                    pieces.push(Piece {
                        start: letters[stem_to].start,
                        end: token.end,
                        role: Role::Enclitic,
                    });
                }
                out.push(Segmentation { pieces, rule });
            }
        }
    }
}

/// True when the last `len` letters form a pronoun suffix.
fn ends_with_enclitic(letters: &[Letter], len: usize) -> bool {
    if letters.len() < len {
        return false;
    }
    let tail: String = letters[letters.len() - len..]
        .iter()
        .map(|l| l.key)
        .collect();
    matches!(
        tail.as_str(),
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
