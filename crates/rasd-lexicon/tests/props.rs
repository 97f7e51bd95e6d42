//! Property tests: spans always slice the original, no input panics, loading arbitrary bytes never panics.

use proptest::prelude::*;
use rasd_lexicon::Lexicon;

fn lex() -> &'static Lexicon {
    Lexicon::embedded().expect("embedded lexicon builds")
}

/// Text made of lexicon names, clitics, quotes, marks and noise, so that matches are frequent.
fn newsy() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "البوكمال",
        "البو كمال",
        "الرقة",
        "للرقة",
        "بالبوكمال",
        "لـ",
        "\"",
        "«",
        "»",
        "قسد",
        "داعش",
        "التنظيم",
        "القوات",
        "ريف",
        "دير الزور",
        "حلب",
        "و",
        "ب",
        " ",
        "، ",
        ". ",
        "\u{200F}",
        "\u{0640}",
        "\u{064E}",
        "ﻻ",
        "إدلب",
        "x",
        "SDF",
        "\n",
        "مدينة",
        "حماة",
        "في",
        "١٢",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn spans_slice_the_original(text in newsy()) {
        for e in lex().entities(&text) {
            prop_assert!(e.clitic_start <= e.start && e.start < e.end && e.end <= text.len());
            prop_assert!(text.is_char_boundary(e.start) && text.is_char_boundary(e.end));
            prop_assert!(text.is_char_boundary(e.clitic_start));
            prop_assert!(!text[e.start..e.end].trim().is_empty());
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = lex().entities(&text);
        let _ = lex().lookup(&text);
    }

    #[test]
    fn arbitrary_bytes_never_load(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(Lexicon::from_bytes(&bytes).is_err());
        let mut with_magic = rasd_lexicon::format::MAGIC.to_vec();
        with_magic.extend_from_slice(&bytes);
        prop_assert!(Lexicon::from_bytes(&with_magic).is_err());
    }

    #[test]
    fn damaged_embedded_bytes_are_rejected(at in 15usize..4096, xor in 1u8..=255) {
        let mut bytes = Lexicon::embedded_bytes().to_vec();
        let at = at.min(bytes.len() - 1);
        bytes[at] ^= xor;
        prop_assert!(Lexicon::from_bytes(&bytes).is_err());
    }
}

/// Rows of a source file made of plausible and broken cells.
fn rows() -> impl Strategy<Value = String> {
    let cell = prop::sample::select(vec![
        "",
        "x",
        "gn:1",
        "adm1:SY.07",
        "cur:a",
        "SY",
        "sy",
        "34.4",
        "-200",
        "NaN",
        "12",
        "-3",
        "P",
        "village",
        "town",
        "البوكمال",
        "الرقة|للرقة",
        "|||",
        "قسد|SDF",
        "rebel_group",
        "state_forces",
        "agency",
        "isis",
        "isis|rebel_group",
        "rasd",
        "\u{FEFF}",
        "#",
        "البو كمال",
        "ال",
        "«داعش»",
    ]);
    let row = prop::collection::vec(cell, 1..13).prop_map(|c| c.join("\t"));
    prop::collection::vec(row, 0..12).prop_map(|r| r.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn arbitrary_sources_compile_or_fail_cleanly(bodies in prop::collection::vec(rows(), 6), text in newsy()) {
        use rasd_lexicon::compile::{SOURCES, SourceText, compile_texts};
        let texts: Vec<SourceText> = SOURCES
            .iter()
            .zip(&bodies)
            .map(|((rel, header), body)| SourceText {
                rel: rel.to_string(),
                display: rel.to_string(),
                text: format!("{header}\n{body}"),
            })
            .collect();
        match compile_texts(&texts) {
            Err(e) => prop_assert!(!e.to_string().is_empty()),
            Ok(compiled) => {
                let bytes = compiled.to_bytes().expect("serializes");
                let lex = Lexicon::from_bytes(&bytes).expect("loads back");
                prop_assert_eq!(lex.tables(), &compiled.tables);
                for e in lex.entities(&text) {
                    prop_assert!(e.start < e.end && e.end <= text.len());
                }
            }
        }
    }
}
