//! Cutting long texts into windows at natural boundaries.

/// Splits `text` into consecutive windows of about `size` bytes, each cut after a line break when there is one in
/// its second half, else after a sentence end, else at white space, else at a character boundary.
///
/// Long inputs (a 50 MB file on one line) are processed window by window, so memory stays flat and time linear;
/// sentences, dates and names do not span a line or sentence end, so cutting there loses nothing. Each item is the
/// window's byte offset in `text` and the window itself.
pub fn windows(text: &str, size: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        if at >= text.len() {
            return None;
        }
        let start = at;
        let mut end = (start + size).min(text.len());
        if end < text.len() {
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let slice = &text[start..end];
            let half = slice.len() / 2;
            let after = |i: usize| i + slice[i..].chars().next().map_or(1, char::len_utf8);
            let cut = slice
                .rfind('\n')
                .filter(|&i| i >= half)
                .or_else(|| slice.rfind(['.', '؟', '!', '?']).filter(|&i| i >= half))
                .map(after)
                .or_else(|| slice.rfind(char::is_whitespace).filter(|&i| i > 0));
            if let Some(c) = cut {
                end = start + c;
            }
            if end == start {
                end = start + slice.chars().next().map_or(1, char::len_utf8);
            }
        }
        at = end;
        Some((start, &text[start..end]))
    })
}

#[cfg(test)]
mod tests {
    use super::windows;

    #[test]
    fn windows_cover_the_text_exactly() {
        for text in ["قتل خمسة. ".repeat(1000), "كلمة ".repeat(3000), "بلا_فراغ".repeat(500)] {
            let mut next = 0;
            for (base, w) in windows(&text, 100) {
                assert_eq!(base, next);
                assert!(!w.is_empty());
                assert_eq!(&text[base..base + w.len()], w);
                next = base + w.len();
            }
            assert_eq!(next, text.len());
        }
    }
}
