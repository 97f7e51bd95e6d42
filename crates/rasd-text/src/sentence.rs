//! Sentence splitting over tokens.
//!
//! A sentence ends at ؟ ! ? … or a full stop, and at every line break (news copy puts headlines, datelines and
//! paragraphs on their own lines, often without a final stop). A full stop does not end a sentence inside a
//! number ("1.7 مليار" is one token already), after a one-letter abbreviation ("د.", "U.S."), or after a known
//! abbreviation ("م.", "ق.م", "هـ.", "Dr.").

use crate::tokenize::{Token, TokenKind};
use rasd_core::Span;
use serde::Serialize;

/// A sentence: its byte span in the original and the range of token indices it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    /// Index of the first token in the token slice the sentence was built from.
    pub first_token: usize,
    /// One past the index of the last token.
    pub end_token: usize,
}

impl Sentence {
    pub const fn span(&self) -> Span {
        Span::new(self.start, self.end)
    }
}

/// Abbreviations after which a full stop does not end the sentence (compared after removing tashkeel).
const ABBREVIATIONS: &[&str] = &[
    "د", "م", "ق", "ه", "هـ", "ص", "ب", "ج", "أ", "ا", "ش", "ت", "ف", "ك", "كم", "مم", "Dr", "Mr", "Mrs", "Ms", "St",
    "Jr", "Prof", "Gen", "Col", "Lt", "No", "vs", "etc",
];

fn is_terminal(surface: &str) -> bool {
    matches!(surface, "?" | "؟" | "!" | "…" | "۔") || surface.starts_with('.')
}

fn is_abbreviation(prev: Option<&Token>, text: &str) -> bool {
    let Some(prev) = prev else { return false };
    if !matches!(prev.kind, TokenKind::Arabic | TokenKind::Latin) {
        return false;
    }
    let word = prev.surface(text);
    let bare: String = word.chars().filter(|&c| !crate::normalize::is_tashkeel(c)).collect();
    // Single Latin capitals ("U.S.", "J. Smith").
    if bare.chars().count() == 1 {
        return true;
    }
    ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(&bare))
}

fn has_newline(text: &str, from: usize, to: usize) -> bool {
    text.get(from..to).is_some_and(|gap| gap.contains('\n'))
}

/// Splits `tokens` (of `text`) into sentences. Every token belongs to exactly one sentence.
pub fn split_sentences(text: &str, tokens: &[Token]) -> Vec<Sentence> {
    let mut out = Vec::new();
    split_sentences_into(text, tokens, &mut out);
    out
}

/// Like [`split_sentences`], appending to `out`.
pub fn split_sentences_into(text: &str, tokens: &[Token], out: &mut Vec<Sentence>) {
    let mut first = 0usize;
    let mut i = 0usize;
    while i < tokens.len() {
        let tok = &tokens[i];
        // A line break before this token closes the previous sentence.
        if i > first && has_newline(text, tokens[i - 1].end, tok.start) {
            push(out, tokens, first, i);
            first = i;
        }
        let surface = tok.surface(text);
        let mut close = false;
        if tok.kind == TokenKind::Punct && is_terminal(surface) {
            close = true;
            if surface == "." && is_abbreviation(i.checked_sub(1).map(|p| &tokens[p]), text) {
                // "د. أحمد": keep going unless a line break follows.
                close = tokens.get(i + 1).is_none_or(|n| has_newline(text, tok.end, n.start));
            }
        }
        if close {
            // Closing quotes and brackets, and further terminals ("؟!"), stay with the sentence.
            let mut j = i + 1;
            while let Some(n) = tokens.get(j) {
                let s = n.surface(text);
                let trailing = matches!(n.kind, TokenKind::Quote)
                    || matches!(s, ")" | "]" | "}")
                    || (n.kind == TokenKind::Punct && is_terminal(s));
                if trailing && !has_newline(text, tokens[j - 1].end, n.start) {
                    j += 1;
                } else {
                    break;
                }
            }
            push(out, tokens, first, j);
            first = j;
            i = j;
            continue;
        }
        i += 1;
    }
    if first < tokens.len() {
        push(out, tokens, first, tokens.len());
    }
}

fn push(out: &mut Vec<Sentence>, tokens: &[Token], first: usize, end: usize) {
    if end > first {
        out.push(Sentence {
            start: tokens[first].start,
            end: tokens[end - 1].end,
            first_token: first,
            end_token: end,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::tokenize;

    fn sentences(text: &str) -> Vec<&str> {
        let toks = tokenize(text);
        split_sentences(text, &toks)
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect()
    }

    #[test]
    fn keeps_decimals_dates_and_abbreviations() {
        let text = "خصص البنك 1.7 مليار دولار في 11/11/2017. وقال د. أحمد إن الوضع صعب! هل انتهى؟ نعم";
        assert_eq!(
            sentences(text),
            vec![
                "خصص البنك 1.7 مليار دولار في 11/11/2017.",
                "وقال د. أحمد إن الوضع صعب!",
                "هل انتهى؟",
                "نعم"
            ]
        );
    }

    #[test]
    fn splits_on_lines_and_keeps_closing_quotes() {
        let text = "عنوان الخبر\n\nقال المرصد: \"سيطر التنظيم على البلدة.\" وأضاف أن القتال مستمر";
        assert_eq!(
            sentences(text),
            vec![
                "عنوان الخبر",
                "قال المرصد: \"سيطر التنظيم على البلدة.\"",
                "وأضاف أن القتال مستمر"
            ]
        );
    }
}
