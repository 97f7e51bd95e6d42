//! One way to read a document: `extract` and `ingest` read the same files through the one reader
//! (`rasd_store::read`) and so agree on every rule: JSONL by extension, bad lines with their number, ids for
//! lines without one, binary files, malformed feed items, dates, charsets. The texts are written for these
//! tests in the style of real reports.

use assert_cmd::Command;
use std::path::Path;

const REPORT: &str = "أفادت مصادر محلية بمقتل 7 مدنيين في قصف جوي استهدف مدينة الميادين صباح اليوم، بحسب المرصد.";
const STRIKE: &str = "قتل سبعة أشخاص بينهم امرأة وطفل في غارة جوية على مدينة تعز، بحسب مصادر طبية.";

fn rasd(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("rasd").expect("binary");
    c.current_dir(dir);
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn records(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("record"))
        .collect()
}

/// Every span of every record quotes `text` exactly.
fn spans_exact(text: &str, recs: &[serde_json::Value]) -> usize {
    let mut n = 0;
    for r in recs {
        let mut spans = vec![&r["evidence"]];
        if let Some(f) = r["field_evidence"].as_object() {
            spans.extend(f.values());
        }
        for s in spans {
            let (a, b) = (
                s["start"].as_u64().unwrap() as usize,
                s["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(text.get(a..b), s["text"].as_str(), "span {a}..{b}");
            n += 1;
        }
    }
    n
}

fn write_inputs(dir: &Path) {
    let line =
        |id: &str, text: &str| serde_json::json!({"id": id, "published": "2017-11-09", "text": text}).to_string();
    // A .jsonl file whose first line is broken is still JSONL.
    std::fs::write(
        dir.join("broken_first.jsonl"),
        format!("{{\"id\": \"broken\", \"text\": \n{}\n", line("b", REPORT)),
    )
    .unwrap();
    // A line without an id, and one with an RFC 822 date.
    std::fs::write(
        dir.join("noid.jsonl"),
        format!(
            "{}\n{}\n",
            serde_json::json!({"published": "2015-09-28", "text": STRIKE}),
            serde_json::json!({"id": "rfc", "published": "Mon, 28 Sep 2015 10:00:00 +0300", "text": STRIKE.replace("سبعة", "ستة")})
        ),
    )
    .unwrap();
    // NUL bytes: binary.
    std::fs::write(dir.join("nul.txt"), [REPORT.as_bytes(), b"\0\x01\x02"].concat()).unwrap();
    // UTF-16 LE with its byte-order mark, and windows-1256 without one.
    let mut le = vec![0xFF, 0xFE];
    le.extend(REPORT.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(dir.join("utf16.txt"), le).unwrap();
    let (cp, _, bad) = encoding_rs::WINDOWS_1256.encode(REPORT);
    assert!(!bad);
    std::fs::write(dir.join("arabic1256.txt"), &cp[..]).unwrap();
    // A feed with one malformed item between two good ones.
    std::fs::write(
        dir.join("feed.rss"),
        format!(
            "<rss version=\"2.0\"><channel><title>sohr</title>\
<item><guid>f1</guid><pubDate>Thu, 09 Nov 2017 09:00:00 GMT</pubDate><description>{REPORT}</description></item>\
<item><guid>f2</guid><description>نص <b>مكسور</description></item>\
<item><guid>f3</guid><pubDate>Mon, 28 Sep 2015 10:00:00 +0300</pubDate><description>{STRIKE}</description></item>\
</channel></rss>"
        ),
    )
    .unwrap();
}

#[test]
fn extract_and_ingest_read_every_file_by_the_same_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_inputs(dir.path());
    let files = [
        "broken_first.jsonl",
        "noid.jsonl",
        "nul.txt",
        "utf16.txt",
        "arabic1256.txt",
        "feed.rss",
    ];
    let (code, out, err) = run(rasd(dir.path())
        .args(["extract", "--published", "2017-11-09"])
        .args(files));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("broken_first.jsonl:1: malformed JSONL line skipped: not JSON"),
        "{err}"
    );
    assert!(err.contains("nul.txt: binary file (NUL bytes), skipped"), "{err}");
    assert!(err.contains("feed.rss#2: malformed feed item"), "{err}");
    let recs = records(&out);
    let mut ids: Vec<&str> = recs.iter().map(|r| r["doc_id"].as_str().unwrap()).collect();
    ids.dedup();
    let noid = rasd_core::Doc::content_id(STRIKE);
    for want in ["b", noid.as_str(), "rfc", "utf16", "arabic1256", "f1", "f3"] {
        assert!(ids.contains(&want), "{want} in {ids:?}");
    }
    for id in ["b", "utf16", "arabic1256", "f1"] {
        let of: Vec<serde_json::Value> = recs.iter().filter(|r| r["doc_id"] == id).cloned().collect();
        assert!(
            spans_exact(REPORT, &of) > 0,
            "{id}: spans are offsets into the decoded text"
        );
    }
    // RFC 822 dates anchor relative dates, in JSONL and in feeds alike.
    for id in ["rfc", "f3"] {
        let r = recs.iter().find(|r| r["doc_id"] == id).expect("record");
        assert!(
            r["event_date"].as_str().is_some_and(|d| d.starts_with("2015-09-2")),
            "{r:#}"
        );
    }

    // Ingest reads the same documents, and records the same skips with the same reasons.
    let (code, out, err) = run(rasd(dir.path())
        .args(["ingest", "--db", "p.db", "--report"])
        .args(files));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("broken_first.jsonl:1\tnot JSON"), "{out}");
    assert!(out.contains("nul.txt\tbinary file (NUL bytes)"), "{out}");
    assert!(out.contains("feed.rss#2\tmalformed feed item"), "{out}");
    for id in ["b", noid.as_str(), "rfc", "utf16", "arabic1256", "f1", "f3"] {
        let (code, show, err) = run(rasd(dir.path()).args(["show", id, "--json", "--db", "p.db"]));
        assert_eq!(code, 0, "{id}: {err}");
        let doc: serde_json::Value = serde_json::from_str(show.trim()).expect("doc");
        if ["b", "utf16", "arabic1256", "f1"].contains(&id) {
            assert_eq!(doc["text"], REPORT, "{id}: stored as decoded");
            let events = doc["events"].as_array().expect("events");
            assert!(spans_exact(REPORT, events) > 0, "{id}");
        }
    }
}

#[test]
fn ingest_of_a_missing_file_or_unreachable_url_exits_2_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("good.txt"), REPORT).unwrap();
    let (code, out, err) = run(rasd(dir.path()).args(["ingest", "good.txt", "missing.txt", "--db", "p.db"]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("missing.txt: cannot read"), "{err}");
    assert!(
        out.contains("1 new document(s)"),
        "the readable input is still stored: {out}"
    );
    // A URL nothing answers at (a reserved port on the loopback).
    let (code, _, err) = run(rasd(dir.path()).args(["ingest", "http://127.0.0.1:9/feed.rss", "--db", "p.db", "-q"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("http://127.0.0.1:9/feed.rss: fetch failed"), "{err}");
}

#[test]
fn a_jsonl_file_on_standard_input_is_streamed_by_the_same_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = format!(
        "{{broken\n{}\n",
        serde_json::json!({"published": "2015-09-28", "text": STRIKE})
    );
    let (code, out, err) = {
        let out = rasd(dir.path())
            .args(["extract", "-"])
            .write_stdin(input)
            .output()
            .expect("runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("<stdin>:1: malformed JSONL line skipped"), "{err}");
    let recs = records(&out);
    assert!(!recs.is_empty());
    assert!(
        recs.iter()
            .all(|r| r["doc_id"] == rasd_core::Doc::content_id(STRIKE).as_str())
    );
}
