//! Invariants on arbitrary input: no panic, and every span slices the original text on character boundaries.

use proptest::prelude::*;
use rasd_time::{DateFinder, find_publication_date};

fn check(finder: &DateFinder, text: &str) {
    for anchor in [None, chrono::NaiveDate::from_ymd_opt(2019, 1, 25)] {
        for m in finder.find(text, anchor) {
            assert!(m.start <= m.end && m.end <= text.len());
            assert!(
                text.get(m.start..m.end).is_some(),
                "span {}..{} cuts a character",
                m.start,
                m.end
            );
            if let Some(r) = m.resolved {
                assert!(r.start <= r.end);
            }
        }
    }
    if let Some(p) = find_publication_date(text) {
        assert!(text.get(p.start..p.end).is_some());
    }
}

/// Words and marks that make date expressions, glued with separators, so generated strings hit the grammar.
const PIECES: &[&str] = &[
    "أمس",
    "الخميس",
    "الجمعة",
    "الماضي",
    "المقبل",
    "مساء",
    "أول",
    "من",
    "منذ",
    "خلال",
    "بين",
    "و",
    "حتى",
    "قبل",
    "يناير",
    "كانون",
    "الثاني",
    "تشرين",
    "الأول",
    "سبتمبر",
    "أيلول",
    "مارس",
    "شهر",
    "الشهر",
    "العام",
    "عام",
    "الأسبوع",
    "الحالي",
    "مطلع",
    "منتصف",
    "أيام",
    "عدة",
    "ساعة",
    "الـ",
    "هـ",
    "صفر",
    "رمضان",
    "جمادى",
    "الآخرة",
    "ذي",
    "الحجة",
    "اليوم",
    "غداً",
    "السادس",
    "عشر",
    "والعشرين",
    "1",
    "10",
    "24",
    "31",
    "2017",
    "2018",
    "1439",
    "48",
    "٢٠١٧",
    "١١",
    "/",
    "-",
    ".",
    ":",
    "(",
    ")",
    "،",
    " ",
    " ",
    "\u{064E}",
    "\u{0640}",
    "\u{200F}",
    "\u{FEFB}",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_unicode_never_panics(text in "\\PC{0,200}") {
        check(&DateFinder::new(), &text);
    }

    #[test]
    fn arabic_date_soup_spans_slice_exactly(pieces in prop::collection::vec(prop::sample::select(PIECES), 0..40)) {
        let text: String = pieces.concat();
        check(&DateFinder::new(), &text);
    }
}
