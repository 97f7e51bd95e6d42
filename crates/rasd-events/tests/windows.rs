//! A document longer than `extract::WINDOW` (1 MB) is extracted window by window: spans stay exact byte offsets into the
//! whole text, ids are those of the document spans, and each window gives what it gives alone, shifted.

use rasd_core::Doc;
use rasd_events::{Extractor, Options, event_id};

/// `extract::WINDOW`: the largest document extracted in one piece.
const WINDOW: usize = 1 << 20;

/// Sentences written for this test (as in scripts/make_big_doc.py): actors, places, tolls, dates.
const SENTENCES: &[&str] = &[
    "قصفت طائرات حربية روسية مواقع لتنظيم داعش في ريف دير الزور الشرقي صباح اليوم.",
    "وقال المرصد السوري لحقوق الإنسان إن 12 مدنيا قتلوا في الغارات على بلدة الميادين.",
    "واشتبكت قوات النظام مع عناصر التنظيم على أطراف مدينة البوكمال، وأكد الأخير أنه صد الهجوم.",
    "واعتقلت قوات الأمن 12 شخصا في مدينة البصرة بعد احتجاجات على انقطاع الكهرباء.",
    "وانفجرت عبوة ناسفة بدورية للشرطة في مدينة الموصل ما أدى إلى إصابة 12 عنصرا.",
];

fn big_text(bytes: usize) -> String {
    let mut out = String::new();
    let mut i = 0usize;
    while out.len() < bytes {
        let s = SENTENCES[i % SENTENCES.len()].replace("12", &(i % 89 + 2).to_string());
        out.push_str(&s);
        out.push(if i % 4 == 3 { '\n' } else { ' ' });
        i += 1;
    }
    out
}

fn doc(id: &str, text: String) -> Doc {
    Doc {
        id: id.to_string(),
        published: chrono::NaiveDate::from_ymd_opt(2024, 3, 5),
        text,
        ..Doc::default()
    }
}

#[test]
fn a_long_document_is_extracted_window_by_window_with_exact_spans() {
    let x = Extractor::default_embedded().expect("extractor");
    let opts = Options::default();
    let text = big_text(WINDOW + 300_000);
    let whole = doc("big", text.clone());
    let events = x.worker().extract(&whole, &opts);
    assert!(events.len() >= 4, "{}", events.len());
    for e in &events {
        assert_eq!(&text[e.evidence.start..e.evidence.end], e.evidence.text, "{}", e.id);
        for (field, ev) in &e.field_evidence {
            assert_eq!(&text[ev.start..ev.end], ev.text, "{} {field}", e.id);
        }
        let place = e.location.as_ref().map_or("", |l| l.id.as_str());
        let id = event_id(
            "big",
            e.evidence.start,
            e.evidence.end,
            e.sub_event_type.name(),
            e.stance.as_str(),
            place,
        );
        assert_eq!(e.id, id);
    }
    assert!(events.iter().any(|e| e.evidence.start > WINDOW));

    // Each window alone gives the same records, at offsets shifted by the window's start.
    let windows: Vec<(usize, &str)> = rasd_text::windows(&text, WINDOW).collect();
    assert_eq!(windows.len(), 2);
    let mut alone = Vec::new();
    for (base, w) in windows {
        for e in x.worker().extract(&doc("big", w.to_string()), &opts) {
            alone.push((
                e.evidence.start + base,
                e.evidence.end + base,
                e.sub_event_type.name().to_string(),
                e.fatalities.map(|f| f.value),
                e.location.map(|l| l.id),
            ));
        }
    }
    let got: Vec<_> = events
        .iter()
        .map(|e| {
            (
                e.evidence.start,
                e.evidence.end,
                e.sub_event_type.name().to_string(),
                e.fatalities.as_ref().map(|f| f.value),
                e.location.as_ref().map(|l| l.id.clone()),
            )
        })
        .collect();
    assert_eq!(got, alone);
}

#[test]
fn a_document_up_to_the_window_is_extracted_whole() {
    let x = Extractor::default_embedded().expect("extractor");
    let opts = Options::default();
    // Just under the window: one piece, so `الأخير` and the current place may reach back across the whole text.
    let text = big_text(50_000);
    let events = x.worker().extract(&doc("small", text.clone()), &opts);
    assert!(!events.is_empty());
    let rows = x
        .worker()
        .training_rows(&doc("small", text), &Options { unscored: true, ..opts });
    assert!(!rows.is_empty());
}
