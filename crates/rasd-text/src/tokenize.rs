//! Tokenization of mixed Arabic, Latin, digits, quotes and brackets, on the ORIGINAL text.
//!
//! Tokens are byte ranges of the original; nothing is copied. Tashkeel and tatweel stay inside the Arabic word
//! they decorate, and invisible bidi marks between words are skipped like white space.

use crate::normalize::{is_invisible, is_tashkeel};
use rasd_core::Span;
use serde::Serialize;

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A run of Arabic letters (with their tashkeel and tatweel).
    Arabic,
    /// A run of Latin letters, possibly with ASCII digits inside ("M4", "T4").
    Latin,
    /// Digits in any script, with decimal and thousands separators between digits ("1.7", "1,250", "١٢").
    Number,
    /// Sentence and clause punctuation: . , ، ; ؛ : ! ? ؟ … and dashes.
    Punct,
    /// Quotation marks: « » “ ” " ' ‘ ’ „.
    Quote,
    /// Brackets: ( ) [ ] { }.
    Bracket,
    /// Anything else that is not space: %, /, +, symbols, emoji, other scripts.
    Symbol,
}

/// One token: a byte range of the original text and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind,
}

impl Token {
    pub const fn span(&self) -> Span {
        Span::new(self.start, self.end)
    }

    /// The token's text in `original` (the text it was produced from).
    pub fn surface<'t>(&self, original: &'t str) -> &'t str {
        original.get(self.start..self.end).unwrap_or("")
    }
}

/// True for letters of the Arabic script (base letters, Persian/Urdu extensions, presentation forms).
pub fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0620}'..='\u{063F}' | '\u{0641}'..='\u{064A}' | '\u{066E}'..='\u{066F}' | '\u{0671}'..='\u{06D3}'
        | '\u{06D5}' | '\u{06EE}'..='\u{06EF}' | '\u{06FA}'..='\u{06FC}' | '\u{06FF}' | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08C9}' | '\u{FB50}'..='\u{FDFB}' | '\u{FE70}'..='\u{FEFC}')
}

/// True for characters that continue an Arabic word without being letters: tashkeel, tatweel, ZWJ/ZWNJ.
fn is_arabic_mark(c: char) -> bool {
    is_tashkeel(c) || c == '\u{0640}' || c == '\u{200C}' || c == '\u{200D}'
}

/// The numeric value of a digit in any script, if it is one.
pub fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '٠'..='٩' => Some(c as u32 - '٠' as u32),
        '۰'..='۹' => Some(c as u32 - '۰' as u32),
        _ => None,
    }
}

fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '\u{00C0}'..='\u{024F}') && c.is_alphabetic()
}

fn classify_single(c: char) -> TokenKind {
    match c {
        '.' | ',' | '،' | ';' | '؛' | ':' | '!' | '?' | '؟' | '…' | '-' | '–' | '—' | '۔' => TokenKind::Punct,
        '«' | '»' | '“' | '”' | '"' | '\'' | '‘' | '’' | '„' | '‹' | '›' => TokenKind::Quote,
        '(' | ')' | '[' | ']' | '{' | '}' | '﴾' | '﴿' => TokenKind::Bracket,
        _ => TokenKind::Symbol,
    }
}

/// A reusable tokenizer worker: it keeps its token buffer between documents.
#[derive(Debug, Default, Clone)]
pub struct Tokenizer {
    tokens: Vec<Token>,
}

impl Tokenizer {
    pub fn new() -> Self {
        Tokenizer::default()
    }

    /// Tokenizes `text`, replacing the previous result.
    pub fn tokenize(&mut self, text: &str) -> &[Token] {
        self.tokens.clear();
        tokenize_into(text, &mut self.tokens);
        &self.tokens
    }

    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }
}

/// Tokenizes `text` into a fresh vector.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5);
    tokenize_into(text, &mut out);
    out
}

/// Tokenizes `text`, appending to `out`. Linear in the input; every token is a non-empty slice of `text`.
pub fn tokenize_into(text: &str, out: &mut Vec<Token>) {
    let bytes = text.as_bytes();
    let mut iter = text.char_indices().peekable();
    while let Some((start, c)) = iter.next() {
        if c.is_whitespace() || is_invisible(c) || (c.is_control()) {
            continue;
        }
        let kind;
        let mut end = start + c.len_utf8();
        if is_arabic_letter(c) || is_arabic_mark(c) {
            kind = TokenKind::Arabic;
            while let Some(&(i, n)) = iter.peek() {
                if is_arabic_letter(n) || is_arabic_mark(n) {
                    end = i + n.len_utf8();
                    iter.next();
                } else {
                    break;
                }
            }
        } else if digit_value(c).is_some() {
            kind = TokenKind::Number;
            while let Some(&(i, n)) = iter.peek() {
                if digit_value(n).is_some() {
                    end = i + n.len_utf8();
                    iter.next();
                } else if matches!(n, '.' | ',' | '٫' | '٬') {
                    // A separator belongs to the number only when a digit follows it directly.
                    let after = i + n.len_utf8();
                    let next_is_digit = text[after..].chars().next().and_then(digit_value).is_some();
                    if next_is_digit {
                        end = after;
                        iter.next();
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
        } else if is_latin_letter(c) {
            kind = TokenKind::Latin;
            while let Some(&(i, n)) = iter.peek() {
                if is_latin_letter(n) || n.is_ascii_digit() {
                    end = i + n.len_utf8();
                    iter.next();
                } else if n == '\'' && i + 1 < bytes.len() && (bytes[i + 1] as char).is_ascii_alphabetic() {
                    // English contractions and names: "don't", "O'Brien".
                    end = i + 1;
                    iter.next();
                } else {
                    break;
                }
            }
        } else {
            kind = classify_single(c);
            if c == '.' {
                // An ellipsis written as dots is one token.
                while let Some(&(i, '.')) = iter.peek() {
                    end = i + 1;
                    iter.next();
                }
            }
        }
        out.push(Token { start, end, kind });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surfaces(text: &str) -> Vec<&str> {
        tokenize(text).iter().map(|t| t.surface(text)).collect()
    }

    #[test]
    fn splits_mixed_scripts_quotes_and_numbers() {
        let text = "قال «المرصد» إن 1.7 مليار دولار (SDF) صُرفت، و٢٥٠ M4؟";
        assert_eq!(
            surfaces(text),
            vec![
                "قال",
                "«",
                "المرصد",
                "»",
                "إن",
                "1.7",
                "مليار",
                "دولار",
                "(",
                "SDF",
                ")",
                "صُرفت",
                "،",
                "و",
                "٢٥٠",
                "M4",
                "؟"
            ]
        );
    }

    #[test]
    fn dates_and_prefixes_on_numbers() {
        assert_eq!(
            surfaces("11/11/2017 الـ48"),
            vec!["11", "/", "11", "/", "2017", "الـ", "48"]
        );
        assert_eq!(surfaces("1,250 قتيلاً."), vec!["1,250", "قتيلاً", "."]);
    }

    #[test]
    fn bidi_marks_are_skipped_and_offsets_stay_exact() {
        let text = "\u{200F}داعش\u{200E} \u{061C}قسد";
        let toks = tokenize(text);
        assert_eq!(toks.len(), 2);
        assert_eq!(toks[0].surface(text), "داعش");
        assert_eq!(toks[1].surface(text), "قسد");
    }
}
