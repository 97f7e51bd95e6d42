//! `rasd_text::find_numbers` over the tokens of arbitrary text (the whole text at once, not sentence by
//! sentence as the `text` target does): no panic, spans slice the original, and a range is ordered.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rasd_text::{find_numbers, tokenize};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let tokens = tokenize(text);
    for m in find_numbers(text, &tokens) {
        assert!(m.start <= m.end && text.get(m.start..m.end).is_some());
        if let (Some(lo), Some(hi)) = (m.min, m.max) {
            assert!(lo <= hi || lo.is_nan() || hi.is_nan(), "range {lo}..{hi}");
        }
    }
});
