//! Compiles `data/` into the lexicon the library embeds. Never downloads anything: the sources are in the repo.
//!
//! A malformed source row must not break the workspace build (every crate depends on this one), so a failed
//! compile writes an empty lexicon plus the error message; `Lexicon::embedded()` returns that error with
//! `file:line`, and cargo prints it as a warning.

#![allow(dead_code)]

#[path = "src/compile.rs"]
mod compile;
#[path = "src/error.rs"]
mod error;
#[path = "src/format.rs"]
mod format;
#[path = "src/model.rs"]
mod model;

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let data = manifest.join("../../data");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    for dir in ["gazetteer", "lexicon"] {
        println!("cargo:rerun-if-changed={}", data.join(dir).display());
    }
    for (rel, _) in compile::SOURCES {
        println!("cargo:rerun-if-changed={}", data.join(rel).display());
    }
    println!("cargo:rerun-if-changed={}", manifest.join("src").display());
    println!(
        "cargo:rerun-if-changed={}",
        manifest.join("../../data/text/stems.tsv").display()
    );
    let (bytes, err) = match compile::compile_dir(&data).and_then(|c| c.to_bytes()) {
        Ok(b) => (b, String::new()),
        Err(e) => {
            println!("cargo:warning=rasd-lexicon: embedded lexicon not built: {e}");
            (Vec::new(), e.to_string())
        }
    };
    std::fs::write(out.join("rasd.lex"), bytes).expect("OUT_DIR is writable");
    std::fs::write(out.join("latin_places.tsv"), latin_place_names(&data)).expect("OUT_DIR is writable");
    std::fs::write(out.join("rasd.lex.err"), err).expect("OUT_DIR is writable");
}

/// The Latin-script names and aliases of every gazetteer place, one `name<TAB>id` per line: the compiled lexicon
/// indexes places by their Arabic names only (Latin place names are too often English words in running text),
/// but a user who asks for "Abu Kamal" by name must find it (`Lexicon::lookup_places`).
fn latin_place_names(data: &std::path::Path) -> String {
    let mut out = String::new();
    for rel in [
        "gazetteer/geonames.tsv",
        "gazetteer/admin1.tsv",
        "gazetteer/curated.tsv",
    ] {
        let Ok(text) = std::fs::read_to_string(data.join(rel)) else {
            continue;
        };
        for line in text.lines().skip(1).filter(|l| !l.starts_with('#')) {
            let c: Vec<&str> = line.split('\t').collect();
            if c.len() < 4 {
                continue;
            }
            for name in std::iter::once(c[1]).chain(c[3].split('|')) {
                let name = name.trim();
                let latin = name.chars().any(|ch| ch.is_ascii_alphabetic())
                    && !name.chars().any(|ch| ('\u{0600}'..='\u{06FF}').contains(&ch));
                if latin && !name.contains('\t') {
                    out.push_str(name);
                    out.push('\t');
                    out.push_str(c[0]);
                    out.push('\n');
                }
            }
        }
    }
    out
}
