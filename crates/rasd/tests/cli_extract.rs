//! `rasd extract` and `rasd eval events`, run as the real binary in a temp dir, on sentences written in the style
//! of real reports.

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;
use std::fs;

const REPORT: &str = "أعلنت وكالة سانا أمس الخميس أن قوات النظام سيطرت على مدينة البوكمال بعد معارك مع تنظيم داعش.";
const STRIKE: &str = "قتل سبعة أشخاص بينهم امرأة وطفل في غارة جوية على مدينة تعز، بحسب مصادر طبية.";
const HISTORY: &str = "وكان تنظيم داعش قد سيطر على مدينة الرقة عام 2014.";

fn rasd() -> Command {
    Command::cargo_bin("rasd").expect("binary built")
}

fn records(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is a JSON record"))
        .collect()
}

fn doc_line(id: &str, text: &str) -> String {
    serde_json::json!({"id": id, "outlet": "alaraby", "published": "2017-11-10", "text": text}).to_string()
}

#[test]
fn jsonl_documents_give_attributed_records_with_exact_evidence() {
    let out = rasd()
        .args(["extract", "-"])
        .write_stdin(doc_line("d1", REPORT) + "\n")
        .assert()
        .success();
    let recs = records(&out.get_output().stdout);
    assert_eq!(recs.len(), 1, "{recs:#?}");
    let r = &recs[0];
    assert_eq!(r["sub_event_type"], "Government regains territory");
    assert_eq!(r["event_type"], "Battles");
    assert_eq!(r["event_date"], "2017-11-09");
    assert_eq!(r["actor1"]["id"], "syria-gov");
    assert_eq!(r["reported_by"][0]["id"], "sana");
    assert_eq!(r["reported_by"][1]["id"], "alaraby");
    assert_eq!(r["stance"], "asserted");
    let (s, e) = (
        r["evidence"]["start"].as_u64().unwrap() as usize,
        r["evidence"]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&REPORT[s..e], r["evidence"]["text"].as_str().unwrap());
    for (k, v) in r["field_evidence"].as_object().expect("field evidence") {
        let (s, e) = (
            v["start"].as_u64().unwrap() as usize,
            v["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&REPORT[s..e], v["text"].as_str().unwrap(), "field {k}");
    }
}

#[test]
fn malformed_line_is_skipped_with_its_line_number() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("docs.jsonl");
    fs::write(
        &f,
        format!(
            "{}\n{{\"id\": \"broken\", \"text\": \n{}\n",
            doc_line("a", REPORT),
            doc_line("b", STRIKE)
        ),
    )
    .unwrap();
    let out = rasd()
        .args(["extract", f.to_str().unwrap()])
        .assert()
        .success()
        .stderr(contains("docs.jsonl:2: malformed JSONL line skipped"))
        .stderr(contains("2 documents"));
    let recs = records(&out.get_output().stdout);
    let docs: Vec<&str> = recs.iter().map(|r| r["doc_id"].as_str().unwrap()).collect();
    assert!(docs.contains(&"a") && docs.contains(&"b"), "{docs:?}");
}

#[test]
fn binary_file_is_reported_and_skipped_and_all_bad_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("image.bin");
    fs::write(&bin, [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    let txt = dir.path().join("report.txt");
    fs::write(&txt, STRIKE).unwrap();
    rasd()
        .args([
            "extract",
            bin.to_str().unwrap(),
            txt.to_str().unwrap(),
            "--published",
            "2015-09-28",
        ])
        .assert()
        .success()
        .stderr(contains("binary file"))
        .stdout(contains("Air/drone strike"));
    rasd()
        .args(["extract", bin.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(contains("no readable document"));
}

#[test]
fn unreadable_input_and_bad_flags_exit_2() {
    rasd()
        .args(["extract", "/nonexistent/rasd-input.txt"])
        .assert()
        .code(2)
        .stderr(contains("cannot read"));
    rasd()
        .args(["extract", "--published", "yesterday", "-"])
        .write_stdin(REPORT)
        .assert()
        .code(2);
    rasd().args(["extract", "--no-such-flag"]).assert().code(2);
}

#[test]
fn directories_are_read_recursively_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("b/c")).unwrap();
    fs::write(dir.path().join("a.jsonl"), doc_line("first", REPORT) + "\n").unwrap();
    fs::write(dir.path().join("b/c/deep.jsonl"), doc_line("second", STRIKE) + "\n").unwrap();
    let out = rasd()
        .args(["extract", dir.path().to_str().unwrap()])
        .assert()
        .success();
    let recs = records(&out.get_output().stdout);
    let docs: Vec<&str> = recs.iter().map(|r| r["doc_id"].as_str().unwrap()).collect();
    assert_eq!(docs.first(), Some(&"first"));
    assert!(docs.contains(&"second"), "{docs:?}");
}

#[test]
fn sentences_mode_reads_each_line_as_its_own_report() {
    // The second line names no place: alone, it must not inherit the first line's city.
    let text = "اندلعت اشتباكات عنيفة بين قوات النظام وتنظيم داعش في مدينة البوكمال.\nواعتقلت قوات النظام عشرة من عناصر التنظيم.\n";
    let out = rasd()
        // Every record, whatever its confidence: this is about what carries across lines, not about the cut.
        .args([
            "extract",
            "--sentences",
            "--min-confidence",
            "0",
            "--published",
            "2017-11-10",
            "-",
        ])
        .write_stdin(text)
        .assert()
        .success();
    let recs = records(&out.get_output().stdout);
    let arrest = recs
        .iter()
        .find(|r| r["sub_event_type"] == "Arrests")
        .expect("an arrest");
    assert!(arrest["location"].is_null(), "{arrest:#}");
    let out = rasd()
        .args(["extract", "--min-confidence", "0", "--published", "2017-11-10", "-"])
        .write_stdin(text)
        .assert()
        .success();
    let recs = records(&out.get_output().stdout);
    let arrest = recs
        .iter()
        .find(|r| r["sub_event_type"] == "Arrests")
        .expect("an arrest");
    assert_eq!(arrest["location"]["carried"], true);
}

#[test]
fn table_format_and_no_background() {
    let text = format!("{REPORT}\n{HISTORY}\n");
    rasd()
        // Every record, whatever its confidence: the history sentence's record is background.
        .args([
            "extract",
            "--format",
            "table",
            "--min-confidence",
            "0",
            "--published",
            "2017-11-10",
            "-",
        ])
        .write_stdin(text.clone())
        .assert()
        .success()
        .stdout(contains("Government regains territory"))
        .stdout(contains("[background]"));
    let out = rasd()
        .args(["extract", "--no-background", "--published", "2017-11-10", "-"])
        .write_stdin(text)
        .assert()
        .success();
    let recs = records(&out.get_output().stdout);
    assert!(
        recs.iter()
            .all(|r| r["background"].is_null() || r["background"] == false),
        "{recs:#?}"
    );
    assert!(!recs.is_empty());
}

#[test]
fn a_report_with_no_event_gives_empty_output_and_exit_0() {
    rasd()
        .args(["extract", "-"])
        .write_stdin("تراجعت أسعار الذهب في الأسواق المحلية اليوم مع ارتفاع سعر صرف الدولار.")
        .assert()
        .success()
        .stdout("");
}

#[test]
fn eval_events_scores_a_gold_file() {
    let dir = tempfile::tempdir().unwrap();
    let gold = serde_json::json!({
        "id": "g1", "published": "2017-11-10", "outlet": "alaraby", "title": null, "text": REPORT,
        "events": [{
            "event_type": "Battles", "sub_event_type": "Government regains territory",
            "event_date": "2017-11-09", "date_precision": "day", "actor1": "syria-gov", "actor2": "isis",
            "location": {"name_ar": "البوكمال", "lat": 34.4537, "lon": 40.936, "geo_precision": 1},
            "fatalities": null, "fatalities_cumulative": false, "territory_share": null,
            "reported_by": ["sana", "alaraby"], "stance": "asserted", "background": false,
            "evidence": "سيطرت على مدينة البوكمال"
        }]
    });
    let f = dir.path().join("gold.jsonl");
    fs::write(&f, format!("{gold}\n")).unwrap();
    let out = rasd()
        .args(["eval", "events", f.to_str().unwrap(), "--json"])
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("JSON report");
    assert_eq!(v["matched"], 1);
    assert_eq!(v["events"]["f1"], 1.0);
    assert_eq!(v["fields"]["reported_by[0]"]["f1"], 1.0);
    rasd()
        .args(["eval", "events", f.to_str().unwrap()])
        .assert()
        .success()
        .stdout(contains("confusion"));
}

#[test]
fn generic_security_forces_take_the_country_of_the_report() {
    // The lexicon lists "قوات الأمن" under Egypt's police; in a report from Basra they are Iraq's.
    let out = rasd()
        .args(["extract", "--published", "2018-09-08", "-"])
        .write_stdin("واعتقلت قوات الأمن عشرات المحتجين في البصرة ليل الجمعة.\n")
        .assert()
        .success();
    let recs = records(&out.get_output().stdout);
    let arrest = recs
        .iter()
        .find(|r| r["sub_event_type"] == "Arrests")
        .expect("an arrest");
    assert_eq!(arrest["actor1"]["id"], "iraq-police", "{arrest:#}");
}

/// A document longer than the extraction window (1 MB) is extracted window by window: records of every window,
/// spans exact byte offsets into the whole file, each id once, and a closed pipe is still not an error.
#[test]
fn a_document_longer_than_a_window_gives_exact_spans_in_every_window() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.txt");
    let mut text = String::new();
    let mut i = 0usize;
    while text.len() < 1_400_000 {
        let s = [REPORT, STRIKE, HISTORY][i % 3].replace("سبعة", &format!("{}", i % 50 + 2));
        text.push_str(&s);
        text.push(if i % 6 == 5 { '\n' } else { ' ' });
        i += 1;
    }
    fs::write(&path, &text).expect("write");
    // Every record, whatever its confidence: this is about windows and spans, not about the scorer's cut.
    let out = rasd()
        .args(["extract", "-q", "--min-confidence", "0", "--published", "2017-11-10"])
        .arg(&path)
        .assert()
        .success();
    let recs = records(&out.get_output().stdout);
    assert!(!recs.is_empty());
    let mut ids = std::collections::HashSet::new();
    for r in &recs {
        let (s, e) = (
            r["evidence"]["start"].as_u64().expect("start") as usize,
            r["evidence"]["end"].as_u64().expect("end") as usize,
        );
        assert_eq!(&text[s..e], r["evidence"]["text"].as_str().expect("text"));
        assert!(ids.insert(r["id"].as_str().expect("id").to_string()), "{r}");
    }
    assert!(
        recs.iter()
            .any(|r| r["evidence"]["start"].as_u64().is_some_and(|s| s > 1 << 20)),
        "records from the second window"
    );
}
