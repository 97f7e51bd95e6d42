//! `rasd serve`'s query-string parser (`rasd_serve::parse_query`) on arbitrary bytes: a value or a 400 error
//! naming the parameter, never a panic. The input is the raw query string (the part after `?`), read lossily as
//! UTF-8 the way a request line may carry it; it is parsed against every endpoint's parameter list and against
//! all parameters at once. Seeds: `fuzz/seeds/serve_filter`, the query strings of the API tests.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rasd_serve::parse_query;

const KEY_SETS: &[&[&str]] = &[
    &[
        "type", "actor", "source", "place", "admin1", "near", "from", "to", "limit", "cursor",
    ],
    &["type", "actor", "source", "place", "admin1", "near", "from", "to"],
    &["kind", "source", "place", "from", "to", "limit", "cursor"],
    &["horizon"],
    &[
        "type", "actor", "source", "place", "admin1", "near", "from", "to", "kind", "limit", "cursor", "horizon",
    ],
];

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    for keys in KEY_SETS {
        if let Ok(p) = parse_query(Some(&raw), keys) {
            // What the parser lets through is within the documented bounds.
            assert!((1..=rasd_serve::MAX_PAGE).contains(&p.limit));
            assert!((1..=365).contains(&p.horizon));
            if let (Some(s), Some(u)) = (p.filter.since, p.filter.until) {
                assert!(s <= u);
            }
        }
    }
});
