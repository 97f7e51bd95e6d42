//! One linear pass over the normalized text that keeps only what the date grammar can use.
//!
//! Every token (word, digit run, punctuation mark) gets a running index, but only the tokens the grammar knows
//! become atoms: vocabulary words, digit runs and punctuation. Ordinary words cost one hash lookup and leave a
//! gap in the index, which the grammar reads as "not adjacent". News text is mostly ordinary words, so the atom
//! list stays short and the grammar never looks at most of the text.

use crate::lexicon::{Lx, Vocabulary};

/// What an atom is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum K {
    W(Lx),
    /// A run of ASCII digits (Arabic-Indic digits are folded by the normalizer). `v` saturates.
    Num {
        v: u32,
        digits: u8,
    },
    P(char),
}

/// A token the grammar can use: its index among all tokens and its byte range in the NORMALIZED text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Atom {
    pub tok: u32,
    pub start: usize,
    pub end: usize,
    pub kind: K,
    /// The word carried the conjunction "و" as a proclitic ("و8" is two tokens; "والخميس" is one).
    pub conj: bool,
}

/// Appends the atoms of `text` (already normalized) to `out`.
pub(crate) fn atoms(vocab: &Vocabulary, text: &str, out: &mut Vec<Atom>) {
    let bytes = text.as_bytes();
    let mut tok: u32 = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b.is_ascii_digit() {
            let start = i;
            let mut v: u32 = 0;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                v = v.saturating_mul(10).saturating_add(u32::from(bytes[i] - b'0'));
                i += 1;
            }
            let digits = u8::try_from(i - start).unwrap_or(u8::MAX);
            out.push(Atom {
                tok,
                start,
                end: i,
                kind: K::Num { v, digits },
                conj: false,
            });
            tok = tok.wrapping_add(1);
            continue;
        }
        if b.is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            tok = tok.wrapping_add(1);
            continue;
        }
        if b.is_ascii() {
            out.push(Atom {
                tok,
                start: i,
                end: i + 1,
                kind: K::P(char::from(b)),
                conj: false,
            });
            tok = tok.wrapping_add(1);
            i += 1;
            continue;
        }
        // A non-ASCII character: `i` is always on a boundary here because we only step over whole characters.
        let Some(c) = text.get(i..).and_then(|r| r.chars().next()) else {
            break;
        };
        if is_word_char(c) {
            let start = i;
            i += c.len_utf8();
            while i < bytes.len() {
                // Fast path for the two-byte Arabic block, which is nearly all of a news text's letters.
                let b = bytes[i];
                if (0xD8..=0xDB).contains(&b) && i + 1 < bytes.len() {
                    let cp = (u32::from(b & 0x1F) << 6) | u32::from(bytes[i + 1] & 0x3F);
                    match char::from_u32(cp) {
                        Some(c) if is_word_char(c) => i += 2,
                        _ => break,
                    }
                    continue;
                }
                match text.get(i..).and_then(|r| r.chars().next()) {
                    Some(c) if !c.is_ascii() && is_word_char(c) => i += c.len_utf8(),
                    _ => break,
                }
            }
            let word = &text[start..i];
            if let Some((lx, peeled, conj)) = vocab.lookup(word) {
                out.push(Atom {
                    tok,
                    start: start + peeled,
                    end: i,
                    kind: K::W(lx),
                    conj,
                });
            }
            tok = tok.wrapping_add(1);
            continue;
        }
        if !c.is_whitespace() {
            out.push(Atom {
                tok,
                start: i,
                end: i + c.len_utf8(),
                kind: K::P(c),
                conj: false,
            });
            tok = tok.wrapping_add(1);
        }
        i += c.len_utf8();
    }
}

/// Letters that continue a word: Arabic letters first (a table-free range test), then any other alphabetic.
fn is_word_char(c: char) -> bool {
    rasd_text::tokenize::is_arabic_letter(c) || (!matches!(c, '\u{0600}'..='\u{06FF}') && c.is_alphabetic())
}
