//! Names in, names out (issue 11): the real binary on the bundled Arabic samples. `admin1` is the division's
//! name with its code beside it; `--admin1` and `--place` take every name, alias and spelling the gazetteer
//! knows; `%` and `_` are literal; ids with tabs and line breaks keep tabular output in shape; the incident
//! counts of `demo`, `incidents`, CSV and GeoJSON agree or say what they leave out; a directory given as
//! `--db` and a huge place name get short, clear messages; a writer that gives up names the rasd process that
//! holds the lock.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn rasd(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("rasd").expect("binary");
    c.current_dir(dir);
    c
}

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

fn run(c: &mut Command) -> Output {
    c.output().expect("runs")
}

fn stdout_of(c: &mut Command) -> String {
    let out = run(c);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn json_lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// A database holding the bundled samples.
fn loaded() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("p.db");
    stdout_of(
        rasd(dir.path())
            .arg("ingest")
            .arg(samples())
            .arg("--db")
            .arg(&db)
            .arg("-q"),
    );
    (dir, db)
}

fn events(dir: &Path, db: &Path, flags: &[&str]) -> Vec<Value> {
    let out = run(rasd(dir).arg("events").args(flags).arg("--json").arg("--db").arg(db));
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_lines(&String::from_utf8(out.stdout).expect("utf-8"))
}

fn ids(events: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = events
        .iter()
        .map(|e| e["id"].as_str().unwrap_or("").to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn admin1_is_the_division_name_and_the_code_stays_beside_it() {
    let (dir, db) = loaded();
    let all = events(dir.path(), &db, &[]);
    let deir: Vec<&Value> = all.iter().filter(|e| e["location"]["admin1_code"] == "SY.07").collect();
    assert!(
        deir.len() >= 10,
        "the Albukamal reports are in Deir ez-Zor: {}",
        deir.len()
    );
    for e in &deir {
        assert_eq!(e["location"]["admin1"], "Deir ez-Zor Governorate", "{e}");
    }
    let hasakah = all
        .iter()
        .find(|e| e["location"]["admin1_code"] == "SY.01")
        .expect("Markadah is in al-Hasakah");
    assert_eq!(hasakah["location"]["admin1"], "Al-Hasakah Governorate");
    for e in &all {
        if let Some(code) = e["location"]["admin1_code"].as_str() {
            let name = e["location"]["admin1"].as_str().expect("a name");
            assert!(name != code && !name.contains('.'), "a name, not a code: {e}");
        }
    }

    // The JSONL export carries the same records.
    let jsonl = json_lines(&stdout_of(
        rasd(dir.path()).args(["export", "--format", "jsonl", "--db"]).arg(&db),
    ));
    assert_eq!(jsonl.len(), all.len());
    assert!(
        jsonl
            .iter()
            .any(|e| e["location"]["admin1"] == "Deir ez-Zor Governorate" && e["location"]["admin1_code"] == "SY.07")
    );

    // CSV: `admin1` is the name, `admin1_code` the code; `--format csv` is the ACLED CSV.
    let csv_text = stdout_of(rasd(dir.path()).args(["export", "--format", "csv", "--db"]).arg(&db));
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = r.headers().expect("header").iter().map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (a, c) = (col("admin1"), col("admin1_code"));
    let rows: Vec<csv::StringRecord> = r.records().collect::<Result<_, _>>().expect("rows");
    let deir_rows: Vec<&csv::StringRecord> = rows.iter().filter(|row| &row[c] == "SY.07").collect();
    assert!(!deir_rows.is_empty());
    assert!(deir_rows.iter().all(|row| &row[a] == "Deir ez-Zor Governorate"));
    assert!(
        rows.iter().all(|row| !row[a].starts_with("SY.")),
        "no code in the admin1 column"
    );

    // GeoJSON incident points carry both.
    let geo: Value = serde_json::from_str(&stdout_of(
        rasd(dir.path())
            .args(["export", "--format", "geojson", "--db"])
            .arg(&db),
    ))
    .expect("geojson");
    let features = geo["features"].as_array().expect("features");
    assert!(features.iter().any(|f| f["properties"]["kind"] == "incident"
        && f["properties"]["admin1"] == "Deir ez-Zor Governorate"
        && f["properties"]["admin1_code"] == "SY.07"));

    // Incidents and a shown document too.
    let inc = json_lines(&stdout_of(
        rasd(dir.path()).args(["incidents", "--json", "--db"]).arg(&db),
    ));
    assert!(inc.iter().any(|i| i["location"]["admin1"] == "Deir ez-Zor Governorate"));
    let doc = deir[0]["doc_id"].as_str().expect("doc id");
    let shown: Value = serde_json::from_str(&stdout_of(
        rasd(dir.path()).args(["show", doc, "--json", "--db"]).arg(&db),
    ))
    .expect("doc json");
    assert!(
        shown["events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["location"]["admin1"] == "Deir ez-Zor Governorate")
    );
}

#[test]
fn admin1_filter_takes_names_aliases_arabic_and_codes() {
    let (dir, db) = loaded();
    let all = events(dir.path(), &db, &[]);
    let expected: Vec<String> = ids(&all
        .iter()
        .filter(|e| e["location"]["admin1_code"] == "SY.07")
        .cloned()
        .collect::<Vec<_>>());
    assert!(expected.len() >= 10);
    for q in [
        "Deir ez-Zor",
        "deir ez-zor governorate",
        "Deir",
        "SY.07",
        "sy.07",
        "دير الزور",
        "محافظة دير الزور",
        "ريف دير الزور",
    ] {
        assert_eq!(
            ids(&events(dir.path(), &db, &["--admin1", q])),
            expected,
            "--admin1 {q:?}"
        );
    }
    // The country code gives every Syrian division; another name gives another division.
    let syria = events(dir.path(), &db, &["--admin1", "SY"]);
    assert!(syria.len() > expected.len());
    let hasakah = events(dir.path(), &db, &["--admin1", "الحسكة"]);
    assert!(!hasakah.is_empty() && hasakah.iter().all(|e| e["location"]["admin1_code"] == "SY.01"));
    // Unknown: nothing, exit 1, and a note.
    let out = run(rasd(dir.path())
        .args(["events", "--admin1", "Atlantis", "--db"])
        .arg(&db));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("names no first-level division"));

    // Exports take it too.
    let jsonl = json_lines(&stdout_of(
        rasd(dir.path())
            .args(["export", "--format", "jsonl", "--admin1", "Deir ez-Zor", "--db"])
            .arg(&db),
    ));
    assert_eq!(ids(&jsonl), expected);
    let csv_text = stdout_of(
        rasd(dir.path())
            .args(["export", "--format", "csv", "--admin1", "دير الزور", "--db"])
            .arg(&db),
    );
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().collect::<Result<_, _>>().expect("rows");
    assert!(!rows.is_empty());
    let inc = json_lines(&stdout_of(
        rasd(dir.path())
            .args(["incidents", "--json", "--admin1", "Deir ez-Zor", "--db"])
            .arg(&db),
    ));
    assert!(!inc.is_empty() && inc.iter().all(|i| i["location"]["admin1_code"] == "SY.07"));
}

#[test]
fn every_spelling_the_gazetteer_knows_finds_the_place() {
    let (dir, db) = loaded();
    // Albukamal: the stored Arabic name, aliases with and without the space, the English names and the id.
    let header = |q: &str| {
        let tl = stdout_of(rasd(dir.path()).args(["timeline", q, "--db"]).arg(&db));
        tl.lines().next().unwrap_or_default().to_string()
    };
    let reference = header("gn:174448");
    assert!(reference.contains("Control timeline of"), "{reference}");
    for q in [
        "البوكمال",
        "البو كمال",
        "بوكمال",
        "أبو كمال",
        "Abu Kamal",
        "Albu Kamal",
        "Al-Bukamal",
        "ABU KAMAL",
    ] {
        assert_eq!(header(q), reference, "timeline {q:?}");
    }
    let by_id = ids(&events(dir.path(), &db, &["--place", "gn:174448"]));
    assert!(by_id.len() >= 10);
    for q in ["Abu Kamal", "بوكمال", "Abou Kemal"] {
        assert_eq!(ids(&events(dir.path(), &db, &["--place", q])), by_id, "--place {q:?}");
    }

    // Markadah: stored as مرقدة; the reports write مركدة.
    let markadah = ids(&events(dir.path(), &db, &["--place", "gn:167208"]));
    assert!(!markadah.is_empty(), "the samples report the capture of Markadah");
    for q in ["مركدة", "مرقدة", "Markada", "Markadah"] {
        assert_eq!(
            ids(&events(dir.path(), &db, &["--place", q])),
            markadah,
            "--place {q:?}"
        );
    }
    let tl = run(rasd(dir.path()).args(["timeline", "مركدة", "--db"]).arg(&db));
    assert_ne!(tl.status.code(), Some(2), "{}", String::from_utf8_lossy(&tl.stderr));
    assert!(
        !String::from_utf8_lossy(&tl.stderr).contains("no stored event"),
        "{}",
        String::from_utf8_lossy(&tl.stderr)
    );

    // A place the gazetteer knows but the database has no events at: said so.
    let out = run(rasd(dir.path()).args(["events", "--place", "Aleppo", "--db"]).arg(&db));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the gazetteer knows it as") && err.contains("gn:170063"),
        "{err}"
    );
}

#[test]
fn percent_and_underscore_in_filters_match_literally() {
    let (dir, db) = loaded();
    let all = events(dir.path(), &db, &[]);
    // A lane "local-sources@alaraby" is found by its prefix before '@' …
    assert!(!events(dir.path(), &db, &["--source", "local-sources"]).is_empty());
    // … but a wildcard is not a wildcard.
    for (flag, q) in [
        ("--source", "%"),
        ("--source", "local%"),
        ("--source", "_ocal-sources"),
        ("--actor", "%"),
        ("--actor", "_sis"),
        ("--admin1", "%"),
        ("--admin1", "SY._7"),
        ("--admin1", "%Deir%"),
    ] {
        let out = run(rasd(dir.path()).args(["events", flag, q, "--db"]).arg(&db));
        assert_eq!(
            out.status.code(),
            Some(1),
            "{flag} {q:?} matched {} line(s) of {} events",
            String::from_utf8_lossy(&out.stdout).lines().count(),
            all.len()
        );
    }
    assert!(!events(dir.path(), &db, &["--actor", "isis"]).is_empty());
}

#[test]
fn ids_with_tabs_and_line_breaks_keep_tabular_output_in_shape() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("p.db");
    let docs = dir.path().join("odd.jsonl");
    let text = "قتل 12 مدنيا بقصف جوي روسي على مدينة البوكمال في ريف دير الزور الشرقي اليوم الجمعة.";
    let lines = [
        serde_json::json!({"id": "odd\tid\nwith breaks", "outlet": "sohr", "published": "2017-11-10", "text": text}),
        serde_json::json!({"id": "plain-id", "outlet": "sana", "published": "2017-11-10",
            "text": "أعلن الجيش السوري السيطرة الكاملة على مدينة الميادين في ريف دير الزور بعد معارك عنيفة مع تنظيم داعش."}),
    ];
    std::fs::write(&docs, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).expect("write");
    stdout_of(rasd(dir.path()).arg("ingest").arg(&docs).arg("--db").arg(&db).arg("-q"));
    let json = events(dir.path(), &db, &[]);
    assert!(
        json.iter().any(|e| e["doc_id"] == "odd\tid\nwith breaks"),
        "the odd document has events"
    );
    let text_out = stdout_of(rasd(dir.path()).args(["events", "--db"]).arg(&db));
    assert_eq!(text_out.lines().count(), json.len(), "one line per event:\n{text_out}");
    for line in text_out.lines() {
        assert_eq!(line.matches('\t').count(), 7, "eight columns: {line:?}");
    }
    assert!(text_out.contains("odd\\tid\\nwith breaks"), "{text_out}");

    let inc = stdout_of(rasd(dir.path()).args(["incidents", "--db"]).arg(&db));
    assert!(inc.contains("odd\\tid\\nwith breaks"), "{inc}");
    assert!(!inc.contains("odd\tid"), "{inc}");
    let show = stdout_of(rasd(dir.path()).args(["show", "odd\tid\nwith breaks", "--db"]).arg(&db));
    assert!(
        show.lines()
            .next()
            .is_some_and(|l| l == "id:        odd\\tid\\nwith breaks"),
        "{show}"
    );
}

#[test]
fn incident_counts_agree_or_each_output_says_what_it_leaves_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.db");
    let demo = stdout_of(rasd(dir.path()).args(["demo", "--db"]).arg(&db));
    let line = demo.lines().find(|l| l.starts_with("database:")).expect("summary line");
    let number_before = |s: &str, word: &str| -> u64 {
        let at = s.find(word).unwrap_or_else(|| panic!("{word:?} in {s:?}"));
        s[..at]
            .split_whitespace()
            .last()
            .and_then(|w| w.trim_start_matches('(').parse().ok())
            .unwrap_or_else(|| panic!("a number before {word:?} in {s:?}"))
    };
    let total = number_before(line, " incidents");
    assert!(total > 0);
    let note = demo
        .lines()
        .find(|l| l.contains("`rasd incidents` lists all"))
        .expect("the demo says what each output holds");
    let csv_rows_said = number_before(note, " that an independent source");
    let denied_said = number_before(note, " mentioned only by denials or republished copies");
    let points_said = number_before(note, " with a place");
    let unlocated_said = number_before(note, " without");
    assert_eq!(csv_rows_said + denied_said, total, "{note}");
    assert_eq!(points_said + unlocated_said, total, "{note}");

    let inc = json_lines(&stdout_of(
        rasd(dir.path()).args(["incidents", "--json", "--db"]).arg(&db),
    ));
    assert_eq!(
        inc.len() as u64,
        total,
        "`incidents` lists every incident the demo counts"
    );
    let denied = inc
        .iter()
        .filter(|i| i["sources"].as_array().is_some_and(Vec::is_empty))
        .count() as u64;
    let unlocated = inc.iter().filter(|i| i["location"].is_null()).count() as u64;
    assert_eq!((denied, unlocated), (denied_said, unlocated_said));

    let out = run(rasd(dir.path())
        .args(["export", "--format", "acled-csv", "--db"])
        .arg(&db));
    assert!(out.status.success());
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let rows = r.records().count() as u64;
    assert_eq!(rows, csv_rows_said);
    let err = String::from_utf8_lossy(&out.stderr);
    if denied > 0 {
        assert!(
            err.contains(&format!(
                "exported {rows} of {total} incidents; left out: {denied} that no independent source reports"
            )),
            "{err}"
        );
    } else {
        assert!(!err.contains("left out"), "{err}");
    }

    let out = run(rasd(dir.path())
        .args(["export", "--format", "geojson", "--db"])
        .arg(&db));
    assert!(out.status.success());
    let geo: Value = serde_json::from_slice(&out.stdout).expect("geojson");
    let points = geo["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| f["properties"]["kind"] == "incident")
        .count() as u64;
    assert_eq!(points, points_said);
    let counts = &geo["rasd_counts"];
    assert_eq!(counts["incidents"], total);
    assert_eq!(counts["incidents_written"], points);
    assert_eq!(counts["unlocated"], unlocated);
    let err = String::from_utf8_lossy(&out.stderr);
    if unlocated > 0 {
        assert!(err.contains(&format!("{unlocated} without a place")), "{err}");
    }
}

#[test]
fn a_directory_as_db_and_a_huge_place_name_get_short_clear_messages() {
    let (dir, db) = loaded();
    let samples = samples().to_string_lossy().to_string();
    for args in [
        vec!["events"],
        vec!["export", "--format", "jsonl"],
        vec!["timeline", "Albukamal"],
        vec!["ingest", samples.as_str()],
        vec!["reconcile"],
        vec!["demo"],
    ] {
        let out = run(rasd(dir.path()).args(&args).arg("--db").arg(dir.path()));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("is a directory, not a database file"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let huge = "البوكمال".repeat(300);
    for args in [
        vec!["events", "--place", huge.as_str()],
        vec!["timeline", huge.as_str()],
        vec!["events", "--admin1", huge.as_str()],
    ] {
        let out = run(rasd(dir.path()).args(&args).arg("--db").arg(&db));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.code() == Some(1), "{err}");
        assert!(err.len() < 400, "a short message, not {} bytes: {err}", err.len());
        assert!(err.contains("(2400 characters)"), "{err}");
    }
}

/// The writer that gives up names the rasd process that holds the lock: an ingest, stopped (SIGSTOP) while it
/// holds the write lock, is named with its pid and command; a lock held by another program is said to be unknown.
#[cfg(target_os = "linux")]
#[test]
fn a_writer_that_gives_up_names_the_rasd_process_holding_the_lock() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("p.db");
    stdout_of(
        rasd(dir.path())
            .arg("ingest")
            .arg(samples())
            .arg("--db")
            .arg(&db)
            .arg("-q"),
    );
    let big = dir.path().join("big.jsonl");
    let mut lines = String::new();
    for i in 0..6000 {
        lines.push_str(
            &serde_json::json!({"id": format!("b{i}"), "outlet": "sohr", "published": "2017-11-10",
                "text": format!("قتل {} مدنيين بقصف جوي على البوكمال اليوم في الغارة رقم {i}.", i % 50 + 2)})
            .to_string(),
        );
        lines.push('\n');
    }
    std::fs::write(&big, lines).expect("write");
    let mut holder = std::process::Command::new(assert_cmd::cargo::cargo_bin("rasd"))
        .current_dir(dir.path())
        .arg("ingest")
        .arg(&big)
        .arg("--db")
        .arg(&db)
        .arg("-q")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let pid = holder.id().to_string();
    let signal = |sig: &str| {
        std::process::Command::new("kill")
            .args([sig, &pid])
            .status()
            .expect("kill");
    };
    // Stop the ingest at a moment when it holds the write lock (it holds it while a batch is extracted) and has
    // recorded itself as its holder. (Between taking the lock and writing its record there is a moment, at the
    // start of the run, when nothing names it yet; a stop that lands there is let go and tried again.)
    let probe = rusqlite::Connection::open(&db).expect("open");
    probe.busy_timeout(Duration::ZERO).expect("no wait");
    let record = rasd_store::lock_holder_path(&db);
    let started = Instant::now();
    let mut stopped_holding = false;
    while started.elapsed() < Duration::from_secs(60) && holder.try_wait().expect("wait").is_none() {
        signal("-STOP");
        std::thread::sleep(Duration::from_millis(20));
        let locked = probe.execute_batch("BEGIN IMMEDIATE").is_err();
        let recorded = std::fs::read_to_string(&record).is_ok_and(|t| t.split('\t').next() == Some(pid.as_str()));
        if locked && recorded {
            stopped_holding = true;
            break;
        }
        if !locked {
            probe.execute_batch("ROLLBACK").expect("rollback");
        }
        signal("-CONT");
        std::thread::sleep(Duration::from_millis(30));
    }
    assert!(stopped_holding, "the ingest never held the lock when stopped");
    let out = run(rasd(dir.path())
        .arg("reconcile")
        .arg("--db")
        .arg(&db)
        .env("RASD_LOCK_TIMEOUT", "1"));
    signal("-CONT");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let _ = holder.wait();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("gave up after waiting 1 s"), "{err}");
    assert!(err.contains(&format!("process {pid} holds")), "{err}");
    assert!(err.contains("ingest") && err.contains("big.jsonl"), "{err}");

    // Another program holds it: rasd says it cannot tell which.
    drop(probe);
    let other = rusqlite::Connection::open(&db).expect("open");
    other.execute_batch("BEGIN IMMEDIATE").expect("lock");
    let out = run(rasd(dir.path())
        .arg("reconcile")
        .arg("--db")
        .arg(&db)
        .env("RASD_LOCK_TIMEOUT", "1"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("which one is not known"), "{err}");
    assert!(!err.contains(&format!("process {pid} holds")), "{err}");
    other.execute_batch("ROLLBACK").expect("release");
}

#[test]
fn lexicon_lookup_finds_places_by_their_latin_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    for q in ["Abu Kamal", "Albu Kamal", "ABU KAMAL", "البوكمال"] {
        let out = stdout_of(rasd(dir.path()).args(["lexicon", "lookup", q, "--json"]));
        let found = json_lines(&out);
        assert!(
            found.iter().any(|e| e["kind"] == "place" && e["id"] == "gn:174448"),
            "lookup {q:?}: {out}"
        );
        let ids: Vec<&str> = found.iter().filter_map(|e| e["id"].as_str()).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "each entry once: {out}");
    }
    let out = run(rasd(dir.path()).args(["lexicon", "lookup", "Qwzxv Plorb"]));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn geojson_control_points_honour_admin1() {
    let (dir, db) = loaded();
    let geo = |flags: &[&str]| -> Vec<Value> {
        let v: Value = serde_json::from_str(&stdout_of(
            rasd(dir.path())
                .args(["export", "--format", "geojson"])
                .args(flags)
                .arg("--db")
                .arg(&db),
        ))
        .expect("geojson");
        v["features"]
            .as_array()
            .expect("features")
            .iter()
            .filter(|f| f["properties"]["kind"] == "control")
            .cloned()
            .collect()
    };
    let place_ids = |fs: &[Value]| -> Vec<String> {
        let mut v: Vec<String> = fs
            .iter()
            .map(|f| f["properties"]["place_id"].as_str().expect("place id").to_string())
            .collect();
        v.sort();
        v
    };
    let all = place_ids(&geo(&[]));
    assert!(
        all.contains(&"gn:174448".to_string()),
        "Albukamal has control claims: {all:?}"
    );
    for (admin1, code) in [("Deir ez-Zor", "SY.07"), ("Al-Hasakah", "SY.01"), ("SY.07", "SY.07")] {
        let some = place_ids(&geo(&["--admin1", admin1]));
        // Every control point left is a place with events in that division.
        let mut in_division: Vec<String> = events(dir.path(), &db, &["--admin1", admin1])
            .iter()
            .filter(|e| e["location"]["admin1_code"] == code)
            .filter_map(|e| e["location"]["id"].as_str().map(str::to_string))
            .collect();
        in_division.sort();
        in_division.dedup();
        for p in &some {
            assert!(in_division.contains(p), "--admin1 {admin1:?}: {p} is not in {code}");
            assert!(all.contains(p));
        }
        assert_eq!(
            some.contains(&"gn:174448".to_string()),
            code == "SY.07",
            "--admin1 {admin1:?}: {some:?}"
        );
    }
}
