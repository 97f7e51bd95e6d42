//! Property tests: the invariants every later stage relies on.

use proptest::prelude::*;
use rasd_text::{Mode, Normalizer, Segmenter, find_numbers, fold_str, split_sentences, tokenize};

/// Strings rich in what Arabic news holds: letters, tashkeel, tatweel, digits of three scripts, Arabic and Latin
/// punctuation, quotes, bidi marks, ligatures, Persian letters, line breaks.
fn arabic_like() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        4 => prop::sample::select(vec![
            "ال", "و", "ب", "ل", "لل", "بال", "وال", "ف", "ك", "س", "ها", "هم", "ة", "ى", "أ", "إ", "آ", "ٱ", "ی", "ک", "ۀ",
        ]).prop_map(str::to_string),
        6 => "[\u{0621}-\u{064A}]{1,6}",
        2 => "[\u{064B}-\u{0652}\u{0640}]{1,2}",
        2 => "[0-9\u{0660}-\u{0669}\u{06F0}-\u{06F9}]{1,4}",
        3 => prop::sample::select(vec![
            " ", "  ", "\n", "\n\n", ".", "،", "؛", "؟", "!", "«", "»", "\"", "“", "”", "(", ")", "%", "٪", "/", "-", ":",
            "\u{200E}", "\u{200F}", "\u{061C}", "\u{FEFB}", "\u{200D}", "\t", "\r\n", "...", "1.7", "11/11/2017",
            "في المئة", "عشرات", "نحو", "أكثر من", "على الأقل", "بين", "و", "ألف", "آلاف", "مليون",
        ]).prop_map(str::to_string),
        1 => "[a-zA-Z]{1,5}",
    ];
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![arabic_like(), any::<String>()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn tokens_slice_the_original_in_order(text in any_text()) {
        let toks = tokenize(&text);
        let mut prev_end = 0;
        for t in &toks {
            prop_assert!(t.start < t.end);
            prop_assert!(t.start >= prev_end);
            let surface = &text[t.start..t.end];
            prop_assert_eq!(t.surface(&text), surface);
            prop_assert!(!surface.chars().any(char::is_whitespace));
            prev_end = t.end;
        }
    }

    #[test]
    fn normalization_is_idempotent(text in any_text()) {
        for mode in [Mode::Match, Mode::Key] {
            let once = fold_str(&text, mode);
            prop_assert_eq!(fold_str(&once, mode), once.clone());
            let n = Normalizer::new(mode).normalize(&text).unwrap();
            prop_assert_eq!(n.as_str(), once.as_str());
        }
    }

    #[test]
    fn alignment_is_monotonic_and_maps_to_char_boundaries(text in any_text()) {
        let n = Normalizer::new(Mode::Key).normalize(&text).unwrap();
        let mut prev = 0;
        for i in 0..=n.len() {
            let o = n.original_offset(i);
            prop_assert!(o >= prev);
            prop_assert!(text.is_char_boundary(o));
            prev = o;
        }
        prop_assert_eq!(n.original_offset(n.len()), text.len());
        // Any char-aligned normalized range maps to a valid original slice.
        let bounds: Vec<usize> = n.as_str().char_indices().map(|(i, _)| i).chain([n.len()]).collect();
        for w in bounds.windows(2).step_by(3) {
            let span = n.to_original(&text, w[0], w[1]);
            prop_assert!(span.start <= span.end);
            prop_assert!(text.get(span.start..span.end).is_some());
        }
    }

    #[test]
    fn every_normalized_char_points_at_the_char_it_came_from(text in any_text()) {
        for mode in [Mode::Match, Mode::Key] {
            let n = Normalizer::new(mode).normalize(&text).unwrap();
            for (i, c) in n.as_str().char_indices() {
                let o = n.original_offset(i);
                let source = text[o..].chars().next().expect("offset inside the text");
                prop_assert!(fold_str(&source.to_string(), mode).contains(c), "{:?} from {:?}", c, source);
            }
        }
    }

    #[test]
    fn sentences_partition_tokens(text in any_text()) {
        let toks = tokenize(&text);
        let sents = split_sentences(&text, &toks);
        let mut next = 0;
        for s in &sents {
            prop_assert_eq!(s.first_token, next);
            prop_assert!(s.end_token > s.first_token);
            prop_assert_eq!(s.start, toks[s.first_token].start);
            prop_assert_eq!(s.end, toks[s.end_token - 1].end);
            next = s.end_token;
        }
        prop_assert_eq!(next, toks.len());
    }

    #[test]
    fn segment_pieces_rebuild_the_token(text in arabic_like()) {
        let seg = Segmenter::new();
        let toks = tokenize(&text);
        for t in &toks {
            for cand in seg.candidates(&text, t) {
                let mut at = t.start;
                for p in &cand.pieces {
                    prop_assert_eq!(p.start, at);
                    prop_assert!(p.end > p.start);
                    at = p.end;
                }
                prop_assert_eq!(at, t.end);
            }
        }
    }

    #[test]
    fn numbers_have_valid_spans_and_ordered_bounds(text in arabic_like()) {
        let toks = tokenize(&text);
        for m in find_numbers(&text, &toks) {
            prop_assert!(text.get(m.start..m.end).is_some());
            if let (Some(lo), Some(hi)) = (m.min, m.max) {
                prop_assert!(lo <= hi);
            }
        }
    }
}
