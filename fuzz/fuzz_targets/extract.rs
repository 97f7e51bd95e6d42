//! `extract` on arbitrary bytes: the embedded extractor (built once) on a document made of the lossy-decoded
//! input, with and without a publication date. No panic, and every evidence span slices the text.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use rasd_core::Doc;
use rasd_events::{Extractor, Options};
use std::sync::OnceLock;

static EXTRACTOR: OnceLock<Extractor> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let ex = EXTRACTOR.get_or_init(|| Extractor::default_embedded().expect("the embedded extractor loads"));
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(bytes).into_owned();
    let doc = Doc {
        id: "fuzz".to_string(),
        outlet: (sel & 1 != 0).then(|| "sohr".to_string()),
        published: (sel & 2 != 0).then(|| NaiveDate::from_ymd_opt(2017, 11, 10)).flatten(),
        text,
        ..Doc::default()
    };
    let opts = Options {
        sentences: sel & 4 != 0,
        keep_weak: sel & 8 != 0,
        unscored: sel & 16 != 0,
        ..Options::default()
    };
    for e in ex.extract(&doc, &opts) {
        for ev in std::iter::once(&e.evidence).chain(e.field_evidence.values()) {
            assert_eq!(
                doc.text.get(ev.start..ev.end),
                Some(ev.text.as_str()),
                "evidence slices the text"
            );
        }
    }
});
