//! The normalizer, tokenizer, sentence splitter, segmenter and number reader on arbitrary bytes: no panic, and every
//! span slices the original.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rasd_text::{Mode, Normalizer, Segmenter, find_numbers, split_sentences, tokenize};
use std::sync::OnceLock;

static SEGMENTER: OnceLock<Segmenter> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    for mode in [Mode::Match, Mode::Key] {
        let n = Normalizer::new(mode).normalize(text).expect("small input");
        for i in 0..=n.len() {
            assert!(text.is_char_boundary(n.original_offset(i)));
        }
    }
    let seg = SEGMENTER.get_or_init(Segmenter::new);
    let tokens = tokenize(text);
    for s in split_sentences(text, &tokens) {
        let toks = &tokens[s.first_token..s.end_token];
        for t in toks {
            assert!(text.get(t.start..t.end).is_some());
            for c in seg.candidates(text, t) {
                for p in c.pieces {
                    assert!(text.get(p.start..p.end).is_some());
                }
            }
        }
        for m in find_numbers(text, toks) {
            assert!(text.get(m.start..m.end).is_some());
        }
    }
});
