//! Golden snapshots of the text layer on real-style Arabic news sentences (see resources/README.md).
//! Each token is one line: `surface<TAB>start..end<TAB>segments`.

use rasd_text::{Segmenter, find_numbers, split_sentences, tokenize};
use std::fmt::Write;

const SENTENCES: &str = include_str!("resources/sentences.txt");

fn lines() -> impl Iterator<Item = &'static str> {
    SENTENCES.lines().filter(|l| !l.trim().is_empty())
}

#[test]
fn golden_tokens_and_segments() {
    let seg = Segmenter::new();
    let mut out = String::new();
    for (n, line) in lines().enumerate() {
        writeln!(out, "## {}", n + 1).unwrap();
        for t in tokenize(line) {
            let surface = &line[t.start..t.end];
            assert_eq!(t.surface(line), surface);
            writeln!(
                out,
                "{surface}\t{}..{}\t{}",
                t.start,
                t.end,
                seg.best(line, &t).render(line)
            )
            .unwrap();
        }
    }
    insta::assert_snapshot!(out);
}

#[test]
fn golden_numbers() {
    let mut out = String::new();
    for (n, line) in lines().enumerate() {
        let toks = tokenize(line);
        for m in find_numbers(line, &toks) {
            let f = |v: Option<f64>| v.map_or("-".to_string(), |v| v.to_string());
            writeln!(
                out,
                "{}\t{}\t{}..{}\tvalue={}\tmin={}\tmax={}\t{:?}{}",
                n + 1,
                &line[m.start..m.end],
                m.start,
                m.end,
                f(m.value),
                f(m.min),
                f(m.max),
                m.kind,
                if m.vague { "\tvague" } else { "" }
            )
            .unwrap();
        }
    }
    insta::assert_snapshot!(out);
}

#[test]
fn golden_sentence_split_of_the_whole_file_as_one_paragraph() {
    // Joined with spaces into one paragraph, the sentences must come back one by one: decimals ("1.7"),
    // dates ("11/11/2017"), abbreviations ("د.") and inner quotes never split.
    let para: String = lines().collect::<Vec<_>>().join(" ");
    let toks = tokenize(&para);
    let got: Vec<&str> = split_sentences(&para, &toks)
        .iter()
        .map(|s| &para[s.start..s.end])
        .collect();
    let want: Vec<&str> = lines().collect();
    assert_eq!(got, want);
}
