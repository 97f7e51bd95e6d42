//! The one document reader (`rasd_store::read`) on arbitrary bytes, under every format it detects or is told:
//! content sniffing, text, JSONL, HTML, RSS and Atom, strict and lossy. A bad input is an `Item` carrying its
//! reason, never a panic. Pages and feeds are read by rasd-fetch's readers (scraper/html5ever, dom_smoothie,
//! feed-rs), which are fuzzed here on the same input too. The first byte picks the format hint and the lossy flag; the rest is the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rasd_store::read::{Format, decode, jsonl_doc, page, read_bytes_with};

const HINTS: [Option<Format>; 6] = [
    None,
    Some(Format::Text),
    Some(Format::Jsonl),
    Some(Format::Html),
    Some(Format::Rss),
    Some(Format::Atom),
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let hint = HINTS[usize::from(sel) % HINTS.len()];
    let lossy = sel & 0x80 != 0;
    for item in read_bytes_with("fuzz.input", bytes, hint, lossy) {
        assert!(!item.unreadable, "bytes in memory are never unreadable");
        if let Ok(doc) = item.doc {
            assert!(!doc.id.is_empty(), "a document read has an id");
            assert!(!doc.text.contains('\0'), "NUL bytes are binary, never text");
        }
    }
    // The pieces the readers are made of, on the same input.
    if let Ok(text) = decode(bytes, true) {
        let _ = jsonl_doc(&text);
        let page = page(&text);
        let _ = page.text.len();
        let _ = rasd_fetch::fragment_text(&text);
        if let Ok(feed) = rasd_fetch::read_feed(&text) {
            for entry in feed.items.into_iter().flatten() {
                assert!(!entry.text.contains('\0'), "NUL bytes are binary, never text");
            }
        }
        for (from, to, _) in rasd_fetch::feed::item_ranges(&text) {
            assert!(from <= to && text.is_char_boundary(from) && text.is_char_boundary(to));
        }
    }
});
