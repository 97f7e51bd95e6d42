//! A plain-text file larger than one extraction window (1 MB) is read from disk window by window, so memory does
//! not grow with the file. These tests pin that the streamed path gives exactly what the whole-text path gives
//! (standard input is read whole), that every span quotes the decoded text, and that the windows are found the
//! same way in UTF-8 with or without a byte-order mark and in windows-1256. The sentences are written for these
//! tests in the style of real reports.

use assert_cmd::Command;
use std::path::Path;

const SENTENCES: &[&str] = &[
    "قصفت مدفعية النظام بلدة معرة النعمان في ريف إدلب الجنوبي فجر اليوم، ما أدى إلى مقتل 4 مدنيين بينهم طفلان.",
    "وقال مصدر عسكري لوكالة سانا إن وحدات الجيش سيطرت على قرية الحويجة بعد اشتباكات مع عناصر تنظيم داعش.",
    "وأفاد المرصد السوري لحقوق الإنسان بأن غارات جوية استهدفت أطراف مدينة الرقة وأسفرت عن سقوط 9 قتلى.",
    "ونفت وكالة أعماق أن يكون مقاتلو التنظيم قد انسحبوا من حي الجبيلة في مدينة دير الزور.",
    "وخرج عشرات المتظاهرين في مدينة الحسكة احتجاجا على اعتقال ناشطين من قبل قوات الأمن.",
    "وانفجرت سيارة مفخخة قرب حاجز للشرطة في مدينة كركوك، بحسب مصادر أمنية عراقية، ما أسفر عن مقتل 3 عناصر.",
    "وذكرت مصادر محلية أن مسلحين مجهولين اختطفوا مدرسا في بلدة الشحيل شرق دير الزور.",
    "وشن طيران التحالف الدولي غارات على مواقع للتنظيم قرب مدينة القائم الحدودية، وفق بيان للتحالف.",
];

fn rasd(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("rasd").expect("binary");
    c.current_dir(dir);
    c
}

fn ok_stdout(c: &mut Command) -> String {
    let out = c.output().expect("runs");
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// A report of about `bytes` bytes: paragraphs of the sentences above with varying numbers, some paragraphs
/// one long line (so that some windows are cut at a sentence end, not a line break).
fn long_report(bytes: usize) -> String {
    let mut text = String::from("دير الزور - 10 نوفمبر 2017\n\n");
    let mut k = 0usize;
    while text.len() < bytes {
        let n = 3 + k % 5;
        for j in 0..n {
            let s = SENTENCES[(k * 3 + j) % SENTENCES.len()];
            text.push_str(&s.replace('4', &(2 + k % 40).to_string()));
            text.push(' ');
        }
        text.push_str(if k.is_multiple_of(7) { " " } else { "\n\n" });
        k += 1;
    }
    text
}

/// The start and end of every span of every record (evidence and field evidence), checked against `text`.
fn spans(text: &str, stdout: &str) -> (usize, usize) {
    let (mut n, mut max) = (0usize, 0usize);
    for line in stdout.lines() {
        let r: serde_json::Value = serde_json::from_str(line).expect("record");
        let mut all = vec![&r["evidence"]];
        if let Some(f) = r["field_evidence"].as_object() {
            all.extend(f.values());
        }
        for s in all {
            let (a, b) = (
                s["start"].as_u64().expect("start") as usize,
                s["end"].as_u64().expect("end") as usize,
            );
            assert_eq!(text.get(a..b), s["text"].as_str(), "span {a}..{b}");
            n += 1;
            max = max.max(b);
        }
    }
    (n, max)
}

fn extract_file(dir: &Path, name: &str) -> String {
    ok_stdout(rasd(dir).args([
        "extract",
        "-q",
        "--threads",
        "1",
        "--doc-id",
        "long",
        "--published",
        "2017-11-10",
        name,
    ]))
}

fn extract_stdin(dir: &Path, bytes: &[u8]) -> String {
    ok_stdout(
        rasd(dir)
            .args([
                "extract",
                "-q",
                "--threads",
                "1",
                "--input-format",
                "text",
                "--doc-id",
                "long",
                "--published",
                "2017-11-10",
                "-",
            ])
            .write_stdin(bytes.to_vec()),
    )
}

#[test]
fn a_long_file_streamed_window_by_window_gives_what_the_whole_text_gives() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = long_report(2_600_000);
    std::fs::write(dir.path().join("long.txt"), &text).expect("write");

    let streamed = extract_file(dir.path(), "long.txt");
    let (n, last) = spans(&text, &streamed);
    assert!(n > 50, "{n} spans");
    assert!(last > 2 << 20, "records in the third window (last span ends at {last})");
    let ids: std::collections::HashSet<&str> = streamed
        .lines()
        .map(|l| {
            l.split("\"id\":\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or("")
        })
        .collect();
    assert_eq!(ids.len(), streamed.lines().count(), "ids are distinct");
    // Standard input is read whole and extracted window by window from memory: the same records.
    assert_eq!(streamed, extract_stdin(dir.path(), text.as_bytes()));

    // A byte-order mark is not part of the text: spans are offsets after it, as for the text read whole.
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend_from_slice(text.as_bytes());
    std::fs::write(dir.path().join("bom.txt"), &bom).expect("write");
    assert_eq!(extract_file(dir.path(), "bom.txt"), streamed);

    // windows-1256: spans are offsets into the decoded (UTF-8) text, which is the text above.
    let (cp1256, _, unmappable) = encoding_rs::WINDOWS_1256.encode(&text);
    assert!(!unmappable);
    std::fs::write(dir.path().join("legacy.txt"), &cp1256).expect("write");
    assert_eq!(extract_file(dir.path(), "legacy.txt"), streamed);

    // The date finder reads the same windows from the file as from the text read whole.
    let dates = |args: &[&str], stdin: Option<&[u8]>| {
        let mut c = rasd(dir.path());
        c.args(["dates", "--json", "--published", "2017-11-10"]).args(args);
        if let Some(b) = stdin {
            c.write_stdin(b.to_vec());
        }
        ok_stdout(&mut c)
    };
    let from_file = dates(&["long.txt"], None);
    assert!(from_file.lines().count() > 100);
    assert_eq!(from_file, dates(&["-"], Some(text.as_bytes())));
}

#[test]
fn bad_bytes_in_a_long_file_are_found_before_any_window_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = long_report(1_300_000);
    // A damaged byte near the end of UTF-8 Arabic: refused with its offset, before any record is written.
    let mut damaged = text.clone().into_bytes();
    let at = damaged.len() - 1000;
    let at = (at..).find(|&i| damaged[i] >= 0xC0).expect("a lead byte");
    damaged.insert(at, 0xFF);
    std::fs::write(dir.path().join("damaged.txt"), &damaged).expect("write");
    let out = rasd(dir.path())
        .args(["extract", "damaged.txt"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no record before the check");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("invalid UTF-8 at byte offset {at}")), "{err}");
    // With --lossy the bad byte becomes U+FFFD and the rest is extracted.
    let lossy = ok_stdout(rasd(dir.path()).args(["extract", "-q", "--lossy", "damaged.txt"]));
    let decoded = String::from_utf8_lossy(&damaged);
    assert!(spans(&decoded, &lossy).0 > 10);
    // A NUL byte after the first megabyte makes the file binary.
    let mut binary = text.into_bytes();
    binary.push(0);
    std::fs::write(dir.path().join("binary.txt"), &binary).expect("write");
    let out = rasd(dir.path()).args(["extract", "binary.txt"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("binary"));
}

#[test]
fn a_document_over_the_stored_limit_is_refused_by_ingest_and_streamed_by_extract() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Just over 32 MB, mostly blank lines (cheap to extract), with reports at both ends.
    let head = long_report(20_000);
    let mut text = head.clone();
    text.push_str(&"\n".repeat((32 << 20) + 1000));
    text.push_str(&head);
    std::fs::write(dir.path().join("huge.txt"), &text).expect("write");
    let out = rasd(dir.path())
        .args(["ingest", "huge.txt", "--db", "h.db", "-q"])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("huge.txt") && err.contains("32 MB limit"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // extract streams it: records from both ends, spans exact.
    let records = ok_stdout(rasd(dir.path()).args(["extract", "-q", "--threads", "1", "huge.txt"]));
    let (n, last) = spans(&text, &records);
    assert!(n > 10 && last > 32 << 20, "{n} spans, last ends at {last}");
}
