//! Throughput of the text layer on ≥ 5 MB of real-style Arabic news text (the golden sentences, varied).

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

fn bench(c: &mut Criterion) {
    let text = corpus(5_500_000);
    let normalizer = Normalizer::new(Mode::Match);
    let segmenter = Segmenter::new();
    let mut g = c.benchmark_group("text");
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
            assert!(n > 500_000);
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
            assert!(numbers > 10_000);
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
            assert!(numbers > 10_000);
            stems
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
