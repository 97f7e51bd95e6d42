//! Throughput of the text layer on ≥ 5 MB of Arabic news text: the team-written golden sentences, varied (group
//! `text`), and the real reports of `../shared/corpus` read at bench time, repeated to ≥ 5 MB (group
//! `text-corpus`; skipped with a message when the corpus is not there: its text is never copied into the repo).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rasd_text::{Mode, Normalized, Normalizer, Segmenter, Tokenizer, find_numbers, split_sentences};
use std::hint::black_box;

/// Builds about `bytes` of news-style text from the golden sentences, varying digits and joining paragraphs so
/// that no two paragraphs are identical.
fn corpus(bytes: usize) -> String {
    let sentences: Vec<&str> = include_str!("../tests/resources/sentences.txt")
        .lines()
        .filter(|l| !l.is_empty())
        .collect();
    let mut out = String::with_capacity(bytes + 4096);
    let mut i = 0usize;
    while out.len() < bytes {
        let s = sentences[i % sentences.len()];
        out.push_str(&s.replace("12", &(i % 97).to_string()));
        out.push(if i % 5 == 4 { '\n' } else { ' ' });
        i += 1;
    }
    out
}

/// The `text` of every report of `../shared/corpus/*.jsonl` (one report per line), repeated to at least `bytes`;
/// `None` when the corpus is not there.
fn real_reports(bytes: usize) -> Option<(String, usize)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let mut one = String::new();
    let mut reports = 0;
    for f in files {
        for line in std::fs::read_to_string(&f).ok()?.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if let Some(t) = v["text"].as_str().filter(|t| !t.trim().is_empty()) {
                one.extend(t.split_whitespace().flat_map(|w| [w, " "]));
                one.pop();
                one.push('\n');
                reports += 1;
            }
        }
    }
    if one.is_empty() {
        return None;
    }
    Some((one.repeat(bytes.div_ceil(one.len())), reports))
}

fn bench(c: &mut Criterion) {
    let text = corpus(5_500_000);
    run_group(c, "text", &text, true);
    match real_reports(5_500_000) {
        Some((real, n)) => {
            eprintln!(
                "text-corpus: {n} real reports of ../shared/corpus, repeated to {:.1} MB",
                real.len() as f64 / 1e6
            );
            run_group(c, "text-corpus", &real, false);
        }
        None => eprintln!("text-corpus: ../shared/corpus not found: skipping the benches on real reports"),
    }
}

/// The text-layer benches on `text`; `dense` text (the generated one) also asserts its token and number counts.
fn run_group(c: &mut Criterion, name: &str, text: &str, dense: bool) {
    let text = text.to_string();
    let normalizer = Normalizer::new(Mode::Match);
    let segmenter = Segmenter::new();
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(10);

    let mut norm = Normalized::default();
    g.bench_function("normalize", |b| {
        b.iter(|| {
            normalizer.normalize_into(black_box(&text), &mut norm).expect("fits");
            assert!(norm.len() > text.len() / 2);
        })
    });
    let mut tok = Tokenizer::new();
    g.bench_function("tokenize", |b| {
        b.iter(|| {
            let n = tok.tokenize(black_box(&text)).len();
            assert!(n > 500_000 || !dense);
        })
    });
    g.bench_function("normalize+tokenize", |b| {
        b.iter(|| {
            normalizer.normalize_into(black_box(&text), &mut norm).expect("fits");
            tok.tokenize(&text).len()
        })
    });
    let tokens = tok.tokenize(&text).to_vec();
    g.bench_function("segment (best per token)", |b| {
        b.iter(|| {
            let mut stems = 0usize;
            for t in &tokens {
                stems += segmenter.stem_start(&text, t) & 1;
            }
            stems
        })
    });
    g.bench_function("sentences+numbers", |b| {
        b.iter(|| {
            let mut numbers = 0usize;
            for s in split_sentences(&text, &tokens) {
                numbers += find_numbers(&text, &tokens[s.first_token..s.end_token]).len();
            }
            assert!(numbers > 10_000 || !dense);
            numbers
        })
    });
    g.bench_function("full: normalize+tokenize+sentences+segment+numbers", |b| {
        b.iter(|| {
            normalizer.normalize_into(black_box(&text), &mut norm).expect("fits");
            let tokens = tok.tokenize(&text);
            let mut stems = 0usize;
            let mut numbers = 0usize;
            for s in split_sentences(&text, tokens) {
                let toks = &tokens[s.first_token..s.end_token];
                for t in toks {
                    stems += segmenter.stem_start(&text, t) & 1;
                }
                numbers += find_numbers(&text, toks).len();
            }
            assert!(numbers > 10_000 || !dense);
            stems
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
