//! `rasd dates`, `rasd eval dates` and `rasd bench dates` run as a user runs them, in a temp dir.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::PathBuf;

const REPORT: &str = "دمشق - السبت 11/نوفمبر/2017 - 12:04 ص\n\
قتل ثلاثة مدنيين أمس الجمعة في غارة على ريف البوكمال، بعد اشتباكات اندلعت مساء أول من أمس.\n\
وكان التنظيم قد سيطر على المدينة في يونيو/حزيران 2014.\n";

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    path
}

fn rasd() -> Command {
    Command::cargo_bin("rasd").expect("rasd binary")
}

#[test]
fn text_output_resolves_against_published() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(&dir, "report.txt", REPORT.as_bytes());
    rasd()
        .current_dir(dir.path())
        .args(["dates", "report.txt", "--published", "2017-11-11"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("أمس الجمعة\t")
                .and(predicate::str::contains("2017-11-10\tday\tweekday-yesterday")),
        )
        .stdout(
            predicate::str::contains("مساء أول من أمس")
                .and(predicate::str::contains("2017-11-09\tday\tday-before-yesterday")),
        )
        .stdout(predicate::str::contains(
            "2014-06-01..2014-06-30\tmonth\tmonth-year\tbackground",
        ));
    drop(f);
}

#[test]
fn json_spans_slice_the_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(&dir, "report.txt", REPORT.as_bytes());
    let out = rasd()
        .current_dir(dir.path())
        .args(["dates", "report.txt", "--json", "--anchor-from-text"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let mut lines = stdout.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().expect("anchor line")).expect("json");
    assert_eq!(header["anchor"], "2017-11-11");
    assert_eq!(header["anchor_rule"], "header-weekday-date");
    let mut n = 0;
    for line in lines {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        let (s, e) = (
            v["start"].as_u64().expect("start") as usize,
            v["end"].as_u64().expect("end") as usize,
        );
        assert_eq!(&REPORT[s..e], v["surface"].as_str().expect("surface"));
        n += 1;
    }
    assert!(n >= 4, "{stdout}");
    assert!(stdout.contains(r#""rule":"weekday-yesterday""#));
}

#[test]
fn without_anchor_expressions_stay_unresolved() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(&dir, "s.txt", "قصفت الطائرات البلدة أمس الخميس".as_bytes());
    rasd()
        .current_dir(dir.path())
        .args(["dates", "s.txt"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("أمس الخميس\t")
                .and(predicate::str::contains("\t-\tday\tweekday-yesterday:no-anchor")),
        );
}

#[test]
fn bad_published_and_missing_file_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(&dir, "s.txt", "أمس".as_bytes());
    rasd()
        .current_dir(dir.path())
        .args(["dates", "s.txt", "--published", "11/11/2017"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--published").and(predicate::str::contains("YYYY-MM-DD")));
    rasd()
        .current_dir(dir.path())
        .args(["dates", "missing.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.txt"));
    rasd()
        .current_dir(dir.path())
        .args(["dates", "s.txt", "--bogus"])
        .assert()
        .code(2);
}

#[test]
fn invalid_utf8_names_the_byte_offset_unless_lossy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = "أمس الخميس ".as_bytes().to_vec();
    let at = bytes.len();
    bytes.extend_from_slice(b"\xff\xfe");
    write(&dir, "bad.txt", &bytes);
    rasd()
        .current_dir(dir.path())
        .args(["dates", "bad.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("byte offset {at}")));
    rasd()
        .current_dir(dir.path())
        .args(["dates", "bad.txt", "--lossy"])
        .assert()
        .success();
}

#[test]
fn nothing_found_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(&dir, "s.txt", "قتل أحد عناصر الحركة".as_bytes());
    rasd().current_dir(dir.path()).args(["dates", "s.txt"]).assert().code(1);
}

#[test]
fn eval_scores_a_gold_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gold = "id\tanchor\ttext\tsurface\tstart\tend\tprecision\tclass\n\
a\t2017-11-10\tقتل ثلاثة أمس الخميس\tأمس الخميس\t2017-11-09\t\tday\tweekday-relative\n\
b\t2017-11-10\tقتل أحد عناصر الحركة\t\t\t\t\tnegative\n";
    write(&dir, "gold.tsv", gold.as_bytes());
    let out = rasd()
        .current_dir(dir.path())
        .args(["eval", "dates", "gold.tsv", "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["tp"], 1);
    assert_eq!(v["fp"], 0);
    assert_eq!(v["resolution_accuracy"], 1.0);
    write(&dir, "broken.tsv", b"id\tanchor\n1\t2017\n");
    rasd()
        .current_dir(dir.path())
        .args(["eval", "dates", "broken.tsv"])
        .assert()
        .code(2);
}

#[test]
fn bench_reports_throughput() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(&dir, "news.txt", REPORT.repeat(50).as_bytes());
    rasd()
        .current_dir(dir.path())
        .args(["bench", "dates", "news.txt", "--passes", "1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("MB/s"));
}
