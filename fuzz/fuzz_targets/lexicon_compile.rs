//! Arbitrary source files through the compiler: a malformed row is an error with file:line, never a panic; a
//! compiled result always loads back, and matching arbitrary text with it never panics.
//! Input layout: the six source files and a text, separated by 0xFF bytes (never valid UTF-8 inside a file).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rasd_lexicon::Lexicon;
use rasd_lexicon::compile::{SOURCES, SourceText, compile_texts};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0xFF);
    let mut texts = Vec::new();
    for (rel, header) in SOURCES {
        let Some(part) = parts.next() else { break };
        let body = String::from_utf8_lossy(part);
        texts.push(SourceText {
            rel: rel.to_string(),
            display: rel.to_string(),
            text: format!("{header}\n{body}"),
        });
    }
    let text = parts
        .next()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .unwrap_or_default();
    let Ok(compiled) = compile_texts(&texts) else { return };
    let bytes = compiled.to_bytes().expect("a compiled lexicon serializes");
    let lex = Lexicon::from_bytes(&bytes).expect("a lexicon we wrote loads back");
    assert_eq!(lex.tables(), &compiled.tables);
    for e in lex.entities(&text) {
        assert!(e.clitic_start <= e.start && e.start < e.end && e.end <= text.len());
        assert!(text.is_char_boundary(e.start) && text.is_char_boundary(e.end));
    }
});
