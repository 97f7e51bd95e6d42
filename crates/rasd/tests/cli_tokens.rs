//! `rasd tokens` run as a real binary.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::io::Write;

fn rasd() -> Command {
    Command::cargo_bin("rasd").expect("binary built")
}

const SENTENCE: &str = "قال المرصد إن «داعش» استعاد بالبوكمال أكثر من 40 في المئة، وقُتل ١٢ عنصراً.\n";

fn span(v: &Value) -> (usize, usize) {
    (
        v["start"].as_u64().expect("start") as usize,
        v["end"].as_u64().expect("end") as usize,
    )
}

#[test]
fn json_spans_slice_the_input_exactly() {
    let out = rasd()
        .args(["tokens", "--json", "-"])
        .write_stdin(SENTENCE)
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).expect("utf-8");
    let mut n_tokens = 0;
    let mut numbers = Vec::new();
    for line in stdout.lines() {
        let v: Value = serde_json::from_str(line).expect("one JSON object per line");
        let (a, b) = span(&v["sentence"]);
        assert_eq!(&SENTENCE[a..b], v["sentence"]["surface"].as_str().unwrap());
        for t in v["tokens"].as_array().unwrap() {
            let (a, b) = span(t);
            assert_eq!(&SENTENCE[a..b], t["surface"].as_str().unwrap());
            for p in t["segments"].as_array().unwrap() {
                let (a, b) = span(p);
                assert_eq!(&SENTENCE[a..b], p["surface"].as_str().unwrap());
            }
            n_tokens += 1;
        }
        numbers.extend(v["numbers"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(n_tokens, 18);
    assert_eq!(numbers.len(), 2);
    assert_eq!(numbers[0]["surface"], "أكثر من 40 في المئة");
    assert_eq!(numbers[0]["min"], 40.0);
    assert_eq!(numbers[0]["max"], Value::Null);
    assert_eq!(numbers[1]["value"], 12.0);
}

#[test]
fn text_output_shows_segments() {
    rasd()
        .args(["tokens", "-"])
        .write_stdin(SENTENCE)
        .assert()
        .success()
        .stdout(predicate::str::contains("بالبوكمال\t").and(predicate::str::contains("ب+ال+بوكمال")));
}

#[test]
fn invalid_utf8_names_file_and_offset_and_lossy_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.txt");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all("قصف ".as_bytes()).unwrap();
    f.write_all(&[0xFF, 0xFE]).unwrap();
    f.write_all(" حلب".as_bytes()).unwrap();
    drop(f);
    rasd()
        .args(["tokens", path.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.txt").and(predicate::str::contains("byte offset 7")));
    rasd()
        .args(["tokens", "--lossy", path.to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("حلب"));
}

#[test]
fn empty_input_gives_empty_output() {
    rasd()
        .args(["tokens", "-"])
        .write_stdin("")
        .assert()
        .success()
        .stdout("");
    rasd()
        .args(["tokens", "--json", "-"])
        .write_stdin("")
        .assert()
        .success()
        .stdout("");
}

#[test]
fn wrong_flags_and_missing_files_exit_2() {
    rasd().args(["tokens", "--no-such-flag", "-"]).assert().code(2);
    rasd()
        .args(["tokens", "/no/such/file.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/no/such/file.txt"));
    rasd().args(["frobnicate"]).assert().code(2);
}

#[test]
fn help_documents_every_command() {
    rasd()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("tokens"));
    rasd()
        .args(["help", "tokens"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--json"));
}

#[test]
fn long_single_line_is_processed_window_by_window() {
    // 3 MB on one line, no newline: the output must still cover every token, in order.
    let unit = "سيطرت القوات على البوكمال، وقُتل ١٢ عنصراً. ";
    let reps = 3_000_000 / unit.len();
    let text = unit.repeat(reps);
    let out = rasd()
        .args(["tokens", "--json", "-"])
        .write_stdin(text.clone())
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let mut last_end = 0;
    let mut count = 0;
    for line in stdout.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        for t in v["tokens"].as_array().unwrap() {
            let (a, b) = span(t);
            assert!(a >= last_end);
            assert_eq!(&text[a..b], t["surface"].as_str().unwrap());
            last_end = b;
            count += 1;
        }
    }
    assert_eq!(count, rasd_text::tokenize(unit).len() * reps);
}
