//! rasd-time's `DateFinder` over arbitrary text with a fixed anchor (and without one): no panic, every span
//! slices the original on character boundaries, and a resolved range is ordered.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use rasd_time::{DateFinder, find_publication_date};
use std::sync::OnceLock;

static FINDER: OnceLock<DateFinder> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let finder = FINDER.get_or_init(DateFinder::new);
    let anchor = NaiveDate::from_ymd_opt(2017, 11, 10);
    for a in [anchor, None] {
        for m in finder.find(text, a) {
            assert!(m.start <= m.end && m.end <= text.len());
            assert!(text.get(m.start..m.end).is_some(), "span on char boundaries");
            if let Some(r) = m.resolved {
                assert!(r.start <= r.end, "resolved range ordered: {r:?}");
            }
        }
    }
    let _ = finder.publication_date(text);
    let _ = find_publication_date(text);
});
