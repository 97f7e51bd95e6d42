//! Normalization for matching, with an alignment back to the original bytes.
//!
//! Arabic news spells the same word many ways: with or without tashkeel, with tatweel for justification,
//! with any of four alefs, with Persian lookalike letters pasted from other keyboards, with Arabic-Indic
//! digits. Matching folds all of that away, but every span rasd reports must point at the ORIGINAL bytes, so the
//! normalizer records, for each normalized byte, the original byte it came from.

use rasd_core::Span;

/// How far to fold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Folding for scanning running text: diacritics, tatweel, alef/ya variants, Persian lookalikes, digits,
    /// Arabic punctuation and invisible marks. Ta marbuta is kept, so "مدينة" stays distinct from "مدينه".
    #[default]
    Match,
    /// Everything in `Match`, plus the folds used only in lexicon keys: ta marbuta → ha, hamza on waw/ya → waw/ya,
    /// ASCII lower case. Lexicon names and the text they are matched in go through this same mode.
    Key,
}

/// A normalized copy of a text plus its alignment to the original.
///
/// `offsets[i]` is the byte offset in the original of the character that produced normalized byte `i`;
/// `offsets[len]` is the original length. Offsets are `u32`: inputs over 4 GiB are refused by [`Normalizer`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    text: String,
    offsets: Vec<u32>,
}

impl Normalized {
    /// The normalized text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The original byte offset for a normalized byte offset (`0..=len`).
    ///
    /// Offsets past the end clamp to the original length.
    pub fn original_offset(&self, normalized: usize) -> usize {
        let i = normalized.min(self.offsets.len().saturating_sub(1));
        self.offsets.get(i).map_or(0, |&o| o as usize)
    }

    /// Maps a normalized byte range back to the original text.
    ///
    /// The end is the end of the original character that produced the last normalized character, so marks that
    /// were deleted after it (tashkeel, bidi marks) are left outside the span unless they sit inside it.
    pub fn to_original(&self, original: &str, start: usize, end: usize) -> Span {
        let o_start = self.original_offset(start);
        if end <= start {
            return Span::new(o_start, o_start);
        }
        // Start of the last normalized character in the range.
        let mut last = end.min(self.text.len()).saturating_sub(1);
        while last > start && !self.text.is_char_boundary(last) {
            last -= 1;
        }
        let o_last = self.original_offset(last);
        let o_end = original
            .get(o_last..)
            .and_then(|rest| rest.chars().next())
            .map_or(o_last, |c| o_last + c.len_utf8());
        Span::new(o_start, o_end.max(o_start))
    }

    fn clear(&mut self) {
        self.text.clear();
        self.offsets.clear();
    }

    fn push(&mut self, c: char, origin: usize) {
        let before = self.text.len();
        self.text.push(c);
        // `origin` fits in u32: the Normalizer refuses longer inputs up front.
        let origin = origin as u32;
        self.offsets
            .extend(std::iter::repeat_n(origin, self.text.len() - before));
    }
}

/// Error for inputs the alignment cannot represent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("input of {0} bytes is too large to align (the limit is 4 GiB)")]
pub struct TooLarge(pub usize);

/// A reusable normalizer: call [`Normalizer::normalize_into`] with the same output buffer across documents.
#[derive(Debug, Clone, Copy, Default)]
pub struct Normalizer {
    mode: Mode,
}

impl Normalizer {
    pub const fn new(mode: Mode) -> Self {
        Normalizer { mode }
    }

    pub const fn mode(&self) -> Mode {
        self.mode
    }

    /// Normalizes `original` into `out`, reusing its buffers.
    pub fn normalize_into(&self, original: &str, out: &mut Normalized) -> Result<(), TooLarge> {
        if original.len() >= u32::MAX as usize {
            return Err(TooLarge(original.len()));
        }
        out.clear();
        out.text.reserve(original.len());
        out.offsets.reserve(original.len() + 1);
        let bytes = original.as_bytes();
        let key = self.mode == Mode::Key;
        let mut i = 0usize;
        while i < bytes.len() {
            // Most of a news text is characters that fold to themselves (Arabic base letters, ASCII): copy such
            // runs whole, with their offsets, instead of folding character by character.
            let run = i;
            while i < bytes.len() {
                let b = bytes[i];
                if b < 0x80 {
                    if (b >= 0x20 && b != 0x7F && !(key && b.is_ascii_uppercase())) || b == b'\n' {
                        i += 1;
                        continue;
                    }
                    break;
                }
                if (b == 0xD8 || b == 0xD9) && i + 1 < bytes.len() {
                    let c = (u32::from(b & 0x1F) << 6) | u32::from(bytes[i + 1] & 0x3F);
                    if is_identity_arabic(c, key) {
                        i += 2;
                        continue;
                    }
                }
                break;
            }
            if i > run {
                out.text.push_str(&original[run..i]);
                let mut start = run as u32;
                for (j, &b) in bytes[run..i].iter().enumerate() {
                    if b & 0xC0 != 0x80 {
                        start = (run + j) as u32;
                    }
                    out.offsets.push(start);
                }
                continue;
            }
            let Some(c) = original[i..].chars().next() else { break };
            match fold(c, self.mode) {
                Fold::Drop => {}
                Fold::One(n) => out.push(n, i),
                Fold::Two(a, b) => {
                    out.push(a, i);
                    out.push(b, i);
                }
            }
            i += c.len_utf8();
        }
        out.offsets.push(original.len() as u32);
        Ok(())
    }

    /// Convenience wrapper allocating a fresh [`Normalized`].
    pub fn normalize(&self, original: &str) -> Result<Normalized, TooLarge> {
        let mut out = Normalized::default();
        self.normalize_into(original, &mut out)?;
        Ok(out)
    }
}

/// True for the Arabic base letters (as code points) that [`fold`] leaves unchanged in this mode.
#[inline]
fn is_identity_arabic(c: u32, key: bool) -> bool {
    matches!(c, 0x0621..=0x063A | 0x0641..=0x064A)
        && !matches!(c, 0x0622 | 0x0623 | 0x0625 | 0x0649)
        && !(key && matches!(c, 0x0624 | 0x0626 | 0x0629))
}

/// Normalizes a lexicon key or a short string without keeping the alignment (for building keys).
pub fn normalize_key(s: &str) -> String {
    fold_str(s, Mode::Key)
}

/// Normalizes a short string in `mode` without keeping the alignment.
pub fn fold_str(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_folded(c, mode, &mut out);
    }
    out
}

/// Appends the normalized form of one character (none, one or two characters) to `out`, without allocating.
#[inline]
pub fn push_folded(c: char, mode: Mode, out: &mut String) {
    match fold(c, mode) {
        Fold::Drop => {}
        Fold::One(n) => out.push(n),
        Fold::Two(a, b) => {
            out.push(a);
            out.push(b);
        }
    }
}

/// The normalized form of one character when it is a single character (the common case); `None` when the
/// character is dropped or expands.
#[inline]
pub fn fold_char(c: char, mode: Mode) -> Option<char> {
    match fold(c, mode) {
        Fold::One(n) => Some(n),
        Fold::Drop | Fold::Two(..) => None,
    }
}

enum Fold {
    Drop,
    One(char),
    Two(char, char),
}

/// True for the combining marks that Arabic writes above and below letters (tashkeel and Quranic marks).
pub fn is_tashkeel(c: char) -> bool {
    matches!(c, '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}' | '\u{06E7}' | '\u{06E8}' | '\u{06EA}'..='\u{06ED}' | '\u{08D3}'..='\u{08FF}')
}

/// True for invisible formatting characters that carry no letters: bidi marks and embeddings, zero-width
/// characters, the BOM, soft hyphen.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}'
        | '\u{061C}' | '\u{FEFF}' | '\u{00AD}')
}

#[inline]
fn fold(c: char, mode: Mode) -> Fold {
    if c.is_ascii() {
        return match c {
            '\t' | '\r' | '\x0B' | '\x0C' => Fold::One(' '),
            '\n' => Fold::One('\n'),
            c if c.is_ascii_control() => Fold::Drop,
            c if mode == Mode::Key => Fold::One(c.to_ascii_lowercase()),
            c => Fold::One(c),
        };
    }
    let key = mode == Mode::Key;
    // Fast path for the Arabic base letters, which are most of the text: no case, no marks.
    if matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}') {
        return Fold::One(match c {
            'أ' | 'إ' | 'آ' => 'ا',
            'ى' => 'ي',
            'ة' if key => 'ه',
            'ؤ' if key => 'و',
            'ئ' if key => 'ي',
            c => c,
        });
    }
    if is_tashkeel(c) || is_invisible(c) || c == '\u{0640}' {
        return Fold::Drop;
    }
    let n = match c {
        'أ' | 'إ' | 'آ' | 'ٱ' | '\u{0672}' | '\u{0673}' => 'ا',
        'ى' | 'ی' | 'ې' | 'ۍ' => 'ي',
        'ک' | 'ڪ' => 'ك',
        'ۀ' => {
            if key {
                'ه'
            } else {
                'ة'
            }
        }
        'ە' | 'ھ' | 'ہ' => 'ه',
        'ة' if key => 'ه',
        'ؤ' if key => 'و',
        'ئ' if key => 'ي',
        '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
        '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
        '،' => ',',
        '؛' => ';',
        '؟' => '?',
        '٪' => '%',
        '٫' => '.',
        '٬' => ',',
        '«' | '»' | '“' | '”' | '„' | '″' => '"',
        '‘' | '’' | '′' => '\'',
        // Lam-alef ligatures from presentation forms.
        '\u{FEF5}'..='\u{FEFC}' => return Fold::Two('ل', 'ا'),
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => ' ',
        '\u{2028}' | '\u{2029}' | '\u{0085}' => '\n',
        c if c.is_control() => return Fold::Drop,
        c if key && c < '\u{0590}' && c.is_uppercase() => {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) => l,
                _ => c,
            }
        }
        c => c,
    };
    Fold::One(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str, mode: Mode) -> Normalized {
        Normalizer::new(mode).normalize(s).expect("small input")
    }

    #[test]
    fn folds_tashkeel_tatweel_alef_and_digits() {
        let n = norm("أَعلنَ الجيـــشُ إسقاطَ ٣ طائراتٍ في ۱۲ آذار", Mode::Match);
        assert_eq!(n.as_str(), "اعلن الجيش اسقاط 3 طائرات في 12 اذار");
    }

    #[test]
    fn key_mode_folds_ta_marbuta_and_hamza_seats() {
        assert_eq!(normalize_key("مدينة الرقة"), "مدينه الرقه");
        assert_eq!(normalize_key("المؤسسة الرئاسية"), "الموسسه الرياسيه");
        assert_eq!(normalize_key("SDF Forces"), "sdf forces");
        assert_eq!(fold_str("مدينة", Mode::Match), "مدينة");
    }

    #[test]
    fn persian_lookalikes_and_punctuation() {
        assert_eq!(fold_str("کابل، یا؟ ۴۵٪", Mode::Match), "كابل, يا? 45%");
    }

    #[test]
    fn alignment_maps_back_to_original_word() {
        let original = "\u{200F}قُتِلَ خمسةٌ في البوكمال";
        let n = norm(original, Mode::Match);
        let at = n.as_str().find("خمسة").expect("present");
        let span = n.to_original(original, at, at + "خمسة".len());
        assert_eq!(&original[span.start..span.end], "خمسةٌ".trim_end_matches('\u{064C}'));
        let at = n.as_str().find("قتل").expect("present");
        let span = n.to_original(original, at, at + "قتل".len());
        // The deleted trailing fatha stays outside; the inner kasra is inside.
        assert_eq!(&original[span.start..span.end], "قُتِل");
    }

    #[test]
    fn ligature_expands_with_both_halves_aligned() {
        let original = "\u{FEFB}جئ";
        let n = norm(original, Mode::Match);
        assert_eq!(n.as_str(), "لاجئ");
        let span = n.to_original(original, 0, "لا".len());
        assert_eq!(&original[span.start..span.end], "\u{FEFB}");
    }
}
