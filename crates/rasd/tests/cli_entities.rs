//! `rasd entities`, `rasd lexicon build|lookup` and `rasd eval entities` run as the real binary in a temp dir.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

fn rasd() -> Command {
    Command::cargo_bin("rasd").expect("binary built")
}

const TEXT: &str = "قال المرصد السوري لحقوق الإنسان إن اشتباكات اندلعت بالبوكمال بين قوات النظام و\"داعش\"، وإن التنظيم انسحب نحو الباغوز في ريف دير الزور الشرقي.\n";

fn fixture_data() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rasd-lexicon/tests/resources/data"
    ))
}

#[test]
fn json_spans_slice_the_input_and_carry_names_and_coordinates() {
    let out = rasd()
        .args(["entities", "--json", "-"])
        .write_stdin(TEXT)
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).expect("utf-8");
    let rows: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON per line"))
        .collect();
    for v in &rows {
        let (a, b) = (
            v["start"].as_u64().unwrap() as usize,
            v["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&TEXT[a..b], v["surface"].as_str().unwrap());
        assert!(v["confidence"].as_f64().unwrap() > 0.0);
    }
    let ids: Vec<&str> = rows.iter().map(|v| v["id"].as_str().unwrap()).collect();
    for want in ["sohr", "syria-gov", "isis"] {
        assert!(ids.contains(&want), "{want} in {ids:?}");
    }
    let boukamal = rows
        .iter()
        .find(|v| v["surface"] == "البوكمال")
        .expect("Albukamal found");
    assert_eq!(boukamal["kind"], "place");
    assert!((boukamal["lat"].as_f64().unwrap() - 34.45).abs() < 0.1);
    assert!((boukamal["lon"].as_f64().unwrap() - 40.93).abs() < 0.1);
    assert!(boukamal["name"].as_str().is_some_and(|n| !n.is_empty()));
    let coref = rows
        .iter()
        .find(|v| v["surface"] == "التنظيم")
        .expect("coreference kept");
    assert_eq!(
        (coref["id"].as_str(), coref["coreference"].as_bool()),
        (Some("isis"), Some(true))
    );
    let deir = rows.iter().find(|v| v["surface"] == "دير الزور").expect("Deir ez-Zor");
    assert_eq!(deir["geo_precision"], 2);
}

#[test]
fn text_output_and_exit_code_one_when_nothing_is_found() {
    rasd()
        .args(["entities", "-"])
        .write_stdin(TEXT)
        .assert()
        .success()
        .stdout(predicate::str::contains("البوكمال\t").and(predicate::str::contains("\tplace\t")));
    rasd()
        .args(["entities", "-"])
        .write_stdin("لا شيء هنا.\n")
        .assert()
        .code(1);
}

#[test]
fn bad_utf8_is_an_error_unless_lossy() {
    let mut bytes = TEXT.as_bytes().to_vec();
    bytes.insert(3, 0xFF);
    rasd()
        .args(["entities", "-"])
        .write_stdin(bytes.clone())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid UTF-8"));
    rasd()
        .args(["entities", "--lossy", "-"])
        .write_stdin(bytes)
        .assert()
        .success();
}

#[test]
fn build_then_use_a_user_lexicon() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lex = dir.path().join("small.lex");
    rasd()
        .current_dir(dir.path())
        .args(["lexicon", "build", "--data"])
        .arg(fixture_data())
        .arg("-o")
        .arg(&lex)
        .assert()
        .success()
        .stdout(predicate::str::contains("places").and(predicate::str::contains("wrote")));
    let out = rasd()
        .args(["entities", "--json", "--lexicon"])
        .arg(&lex)
        .arg("-")
        .write_stdin("هجوم لـ\"قسد\" في الحميدية قرب طرطوس\n")
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).expect("utf-8");
    assert!(stdout.contains("\"id\":\"sdf\""), "{stdout}");
    assert!(stdout.contains("\"id\":\"gn:4\""), "{stdout}");
    rasd()
        .args(["lexicon", "lookup", "--json", "--lexicon"])
        .arg(&lex)
        .arg("بالحميدية")
        .assert()
        .success()
        .stdout(predicate::str::contains("gn:4").and(predicate::str::contains("gn:5")));
}

#[test]
fn lookup_in_the_embedded_lexicon() {
    rasd()
        .args(["lexicon", "lookup", "قسد"])
        .assert()
        .success()
        .stdout(predicate::str::contains("actor\tsdf"));
    rasd().args(["lexicon", "lookup", "كلمةلاتوجد"]).assert().code(1);
}

#[test]
fn malformed_source_row_stops_the_build_with_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lexdir = dir.path().join("data/lexicon");
    std::fs::create_dir_all(&lexdir).expect("mkdir");
    std::fs::write(
        lexdir.join("actors.tsv"),
        "id\tname_en\tname_ar\taliases\ttype\tcountry\tparent\tsource\nisis\tIS\tداعش\t\tterrorists\t\t\tx\n",
    )
    .expect("write");
    rasd()
        .current_dir(dir.path())
        .args(["lexicon", "build"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("actors.tsv:2: unknown actor type"));
}

#[test]
fn corrupt_and_foreign_lexicon_files_are_rejected_clearly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let foreign = dir.path().join("foreign.lex");
    std::fs::write(&foreign, b"PK\x03\x04 not a lexicon").expect("write");
    rasd()
        .args(["entities", "--lexicon"])
        .arg(&foreign)
        .arg("-")
        .write_stdin(TEXT)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a compiled rasd lexicon"));
    let old = dir.path().join("old.lex");
    std::fs::write(&old, b"rasd-lexicon 0\nxxxxxxxx").expect("write");
    rasd()
        .args(["entities", "--lexicon"])
        .arg(&old)
        .arg("-")
        .write_stdin(TEXT)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("format version"));
}

#[test]
fn eval_entities_scores_a_gold_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let gold = dir.path().join("gold.jsonl");
    let line = serde_json::json!({"id": "t1", "text": TEXT.trim_end(), "mentions": [
        {"surface": "البوكمال", "occurrence": 1, "kind": "place", "lat": 34.45, "lon": 40.93, "country": "SY"},
        {"surface": "داعش", "occurrence": 1, "kind": "actor", "id": "isis"},
        {"surface": "المرصد السوري لحقوق الإنسان", "occurrence": 1, "kind": "outlet", "id": "sohr"}]});
    std::fs::write(&gold, format!("{line}\n")).expect("write");
    let out = rasd()
        .args(["eval", "entities", "--json"])
        .arg(&gold)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("JSON");
    assert_eq!(v["place"]["recall"], 1.0);
    assert_eq!(v["place"]["within_10km"], 1.0);
    assert_eq!(v["actor"]["id_accuracy"], 1.0);
    assert_eq!(v["outlet"]["recall"], 1.0);
}
