//! `rasd export --format parquet` on the bundled sample collection (through the real extractor): the file is
//! read back with the parquet crate's reader and every row and column is compared with the JSONL export of the
//! same database.

use assert_cmd::Command;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn rasd(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("rasd").expect("binary");
    c.current_dir(dir);
    c
}

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

fn stdout_of(c: &mut Command) -> String {
    let out = c.output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A database of the bundled samples.
fn sample_db(dir: &Path) -> PathBuf {
    let db = dir.join("p.db");
    let out = stdout_of(rasd(dir).arg("ingest").arg(samples()).arg("--db").arg(&db));
    assert!(out.contains("31 new document(s)"), "{out}");
    db
}

/// The column names, and the rows as JSON values, of a Parquet file; the number of row groups.
fn read_parquet(path: &Path) -> (Vec<String>, Vec<Vec<Value>>, usize) {
    let reader = SerializedFileReader::new(std::fs::File::open(path).expect("open")).expect("a Parquet file");
    let groups = reader.metadata().num_row_groups();
    let names: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("date");
    let rows = reader
        .get_row_iter(None)
        .expect("rows")
        .map(|row| {
            row.expect("row")
                .get_column_iter()
                .map(|(_, field)| match field {
                    Field::Null => Value::Null,
                    Field::Bool(b) => json!(b),
                    Field::Long(n) => json!(n),
                    Field::Double(x) => json!(x),
                    Field::Str(s) => json!(s),
                    // DATE: days since 1970-01-01, shown as JSONL writes dates.
                    Field::Date(d) => json!((epoch + chrono::Duration::days(i64::from(*d))).to_string()),
                    other => panic!("unexpected Parquet value {other:?}"),
                })
                .collect()
        })
        .collect();
    (names, rows, groups)
}

/// What each column holds, written out from the JSONL record (independently of the exporter's own table).
fn expected(column: &str, r: &Value) -> Value {
    let at = |p: &str| r.pointer(p).cloned().unwrap_or(Value::Null);
    let join = |p: &str, key: &str| match r.pointer(p).and_then(Value::as_array) {
        Some(items) if !items.is_empty() => json!(
            items
                .iter()
                .map(|i| i[key].as_str().expect("text").to_string())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        _ => Value::Null,
    };
    let flag = |p: &str, key: &str| match r.pointer(p) {
        Some(Value::Object(m)) => json!(m.get(key).and_then(Value::as_bool).unwrap_or(false)),
        _ => Value::Null,
    };
    let json_text = |p: &str| match r.pointer(p) {
        None | Some(Value::Null) => Value::Null,
        Some(Value::Object(m)) if m.is_empty() => Value::Null,
        Some(v) => json!(v.to_string()),
    };
    match column {
        "id" | "doc_id" | "incident_id" | "event_type" | "sub_event_type" | "event_date" | "date_precision"
        | "date_text" | "date_rule" | "source" | "outlet" | "stance" | "confidence" => at(&format!("/{column}")),
        "actor1" | "actor2" => at(&format!("/{column}/name")),
        "actor1_id" | "actor2_id" => at(&format!("/{}/id", &column[..6])),
        "actor1_ar" | "actor2_ar" => at(&format!("/{}/name_ar", &column[..6])),
        "actor1_type" | "actor2_type" => at(&format!("/{}/type", &column[..6])),
        "assoc_actor_1" | "assoc_actor_2" => join(&format!("/{column}"), "name"),
        "assoc_actor_1_ids" | "assoc_actor_2_ids" => join(&format!("/{}", &column[..13]), "id"),
        "location" => at("/location/name"),
        "location_id" => at("/location/id"),
        "location_ar" => at("/location/name_ar"),
        "country" | "admin1" | "admin1_code" | "geo_precision" => at(&format!("/location/{column}")),
        "latitude" => at("/location/lat"),
        "longitude" => at("/location/lon"),
        "location_carried" => flag("/location", "carried"),
        "fatalities" => at("/fatalities/value"),
        "fatalities_min" => at("/fatalities/min"),
        "fatalities_max" => at("/fatalities/max"),
        "fatalities_text" => at("/fatalities/text"),
        "fatalities_cumulative" => flag("/fatalities", "cumulative"),
        "territory_share_min" => at("/territory_share/min"),
        "territory_share_max" => at("/territory_share/max"),
        "reported_by" => join("/reported_by", "name"),
        "reported_by_ids" => join("/reported_by", "id"),
        "reported_by_kinds" => join("/reported_by", "kind"),
        "background" => flag("", "background"),
        "evidence" => at("/evidence/text"),
        "evidence_start" => at("/evidence/start"),
        "evidence_end" => at("/evidence/end"),
        "field_evidence" | "corrections" => json_text(&format!("/{column}")),
        other => panic!("column {other} is not checked: add it here"),
    }
}

/// Every key of the JSONL records is some column's source (nested objects are flattened into several).
const JSONL_KEYS: &[&str] = &[
    "id",
    "doc_id",
    "incident_id",
    "event_type",
    "sub_event_type",
    "event_date",
    "date_precision",
    "date_text",
    "date_rule",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "location",
    "fatalities",
    "territory_share",
    "reported_by",
    "source",
    "outlet",
    "stance",
    "background",
    "evidence",
    "field_evidence",
    "confidence",
    "corrections",
];

fn assert_rows_match_jsonl(names: &[String], rows: &[Vec<Value>], jsonl: &[Value]) {
    assert_eq!(rows.len(), jsonl.len(), "one row per JSONL record");
    for (row, record) in rows.iter().zip(jsonl) {
        assert_eq!(row.len(), names.len());
        for (name, got) in names.iter().zip(row) {
            let want = expected(name, record);
            match (got.as_f64(), want.as_f64()) {
                // serde_json's default float parsing (of the JSONL text) can be one unit in the last place off.
                (Some(a), Some(b)) if got.is_f64() || want.is_f64() => assert!(
                    (a - b).abs() <= 4.0 * f64::EPSILON * a.abs().max(1.0),
                    "column {name} of event {}: {a} in Parquet, {b} in JSONL",
                    record["id"]
                ),
                _ => assert_eq!(got, &want, "column {name} of event {}", record["id"]),
            }
        }
        for key in record.as_object().expect("object").keys() {
            assert!(JSONL_KEYS.contains(&key.as_str()), "the JSONL key {key} has no column");
        }
    }
}

#[test]
fn parquet_holds_every_row_and_column_of_the_jsonl_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sample_db(dir.path());
    let jsonl: Vec<Value> = stdout_of(rasd(dir.path()).args(["export", "--format", "jsonl", "--db"]).arg(&db))
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert!(jsonl.len() > 20, "the samples give many events: {}", jsonl.len());

    let file = dir.path().join("events.parquet");
    let out = rasd(dir.path())
        .args(["export", "--format", "parquet", "--out"])
        .arg(&file)
        .arg("--db")
        .arg(&db)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("wrote {} record(s)", jsonl.len())),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (names, rows, groups) = read_parquet(&file);
    assert_eq!(groups, 1, "a small export is one row group");
    assert_eq!(names.len(), rasd_store::export::parquet::PARQUET_COLUMNS.len());
    for n in [
        "id",
        "event_date",
        "latitude",
        "fatalities",
        "evidence_start",
        "evidence_end",
        "confidence",
    ] {
        assert!(names.iter().any(|c| c == n), "column {n}");
    }
    assert_rows_match_jsonl(&names, &rows, &jsonl);
    // The samples exercise the typed and nullable columns.
    let col = |n: &str| names.iter().position(|c| c == n).expect("column");
    let some = |n: &str| rows.iter().filter(|r| !r[col(n)].is_null()).count();
    for n in [
        "event_date",
        "latitude",
        "geo_precision",
        "fatalities",
        "admin1_code",
        "reported_by",
    ] {
        assert!(some(n) > 0, "some rows have {n}");
    }
    assert!(some("actor2") < rows.len(), "some rows have no actor2 (null)");

    // Filters apply as in the other formats.
    let since = "2017-11-10";
    let filtered = dir.path().join("since.parquet");
    stdout_of(
        rasd(dir.path())
            .args(["export", "--format", "parquet", "--since", since, "--output"])
            .arg(&filtered)
            .arg("--db")
            .arg(&db),
    );
    let jsonl_since: Vec<Value> = stdout_of(
        rasd(dir.path())
            .args(["export", "--format", "jsonl", "--since", since, "--db"])
            .arg(&db),
    )
    .lines()
    .map(|l| serde_json::from_str(l).expect("json"))
    .collect();
    assert!(jsonl_since.len() < jsonl.len());
    let (names, rows, _) = read_parquet(&filtered);
    assert_rows_match_jsonl(&names, &rows, &jsonl_since);

    // Nothing but the two exports and the database is left beside them (no temporary files).
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("p.db"))
        .collect();
    left.sort();
    assert_eq!(left, ["events.parquet", "since.parquet"]);
}

#[test]
fn row_groups_are_bounded_and_hold_the_same_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sample_db(dir.path());
    let store = rasd_store::Store::open_read_only(&db).expect("store");
    let filter = rasd_store::Filter::default();
    let opts = rasd_store::export::ExportOptions::default();
    let whole = dir.path().join("whole.parquet");
    let n = store
        .export_parquet_with(&filter, opts, std::fs::File::create(&whole).expect("create"))
        .expect("export");
    let grouped = dir.path().join("grouped.parquet");
    let m = store
        .export_parquet_grouped(&filter, opts, std::fs::File::create(&grouped).expect("create"), 7)
        .expect("export");
    assert_eq!(n, m);
    let (names_a, rows_a, groups_a) = read_parquet(&whole);
    let (names_b, rows_b, groups_b) = read_parquet(&grouped);
    assert_eq!(groups_a, 1);
    assert_eq!(groups_b as u64, n.div_ceil(7), "row groups of 7 rows");
    assert_eq!((names_a, rows_a.len() as u64), (names_b, n));
    assert_eq!(rows_a, rows_b);
}

#[test]
fn parquet_needs_a_file_and_replaces_it_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sample_db(dir.path());
    let out = rasd(dir.path())
        .args(["export", "--format", "parquet", "--db"])
        .arg(&db)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--output FILE"), "{err}");

    // An export replaces the file only when it is complete; a failed one leaves it as it was.
    let file = dir.path().join("e.parquet");
    std::fs::write(&file, b"the previous export").expect("write");
    let failed = rasd(dir.path())
        .args(["export", "--format", "parquet", "--out"])
        .arg(&file)
        .arg("--db")
        .arg(dir.path().join("missing.db"))
        .output()
        .expect("runs");
    assert_eq!(failed.status.code(), Some(2));
    assert_eq!(std::fs::read(&file).expect("read"), b"the previous export");
    stdout_of(
        rasd(dir.path())
            .args(["export", "--format", "parquet", "--out"])
            .arg(&file)
            .arg("--db")
            .arg(&db),
    );
    let (_, rows, _) = read_parquet(&file);
    assert!(!rows.is_empty());
    let partial = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter(|e| {
            e.as_ref()
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .ends_with(".partial")
        })
        .count();
    assert_eq!(partial, 0, "no temporary file is left");
}
