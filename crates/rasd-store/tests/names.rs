//! Names in, names out, at the library level: admin-1 names and codes from the embedded gazetteer, literal
//! filter values, tab-separated cells, shortened names, and who holds the write lock.

use rasd_store::{admin1_by_code, admin1_divisions, like_escape, lock_holder, lock_holder_path, short_text, tsv_cell};

#[test]
fn admin1_codes_have_names_and_names_find_codes() {
    let deir = admin1_by_code("SY.07").expect("SY.07 is in the gazetteer");
    assert_eq!(deir.name, "Deir ez-Zor Governorate");
    assert_eq!(deir.name_ar, "محافظة دير الزور");
    assert!(admin1_by_code("SY.99").is_none());
    let codes = |q: &str| -> Vec<String> { admin1_divisions(q).into_iter().map(|a| a.code).collect() };
    for q in [
        "Deir ez-Zor",
        "deir",
        "SY.07",
        "دير الزور",
        "ديرالزور",
        "ريف دير الزور",
        "محافظه دير الزور",
    ] {
        assert_eq!(codes(q), ["SY.07"], "{q:?}");
    }
    assert_eq!(
        codes("Abu Dhabi"),
        ["AE.01"],
        "a name at any word of 'Emirate of Abu Dhabi'"
    );
    assert!(codes("SY").len() >= 14 && codes("SY").iter().all(|c| c.starts_with("SY.")));
    for q in ["", "%", "SY._7", "%Deir%", "Atlantis"] {
        assert!(codes(q).is_empty(), "{q:?}: {:?}", codes(q));
    }
}

#[test]
fn filter_values_are_literal_and_cells_stay_on_one_line() {
    assert_eq!(like_escape(r"50%_a\b"), r"50\%\_a\\b");
    assert_eq!(tsv_cell("plain id"), "plain id");
    assert_eq!(tsv_cell("a\tb\nc\rd\u{1b}"), r"a\tb\nc\rd\u{1b}");
    assert_eq!(short_text("short", 10), "short");
    let long = "ب".repeat(2000);
    let s = short_text(&long, 60);
    assert!(s.chars().count() < 90 && s.ends_with("(2000 characters)"), "{s}");
}

#[test]
fn the_lock_holder_is_named_only_when_it_can_be_known() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("p.db");
    assert!(lock_holder(&db).contains("which one is not known"), "no record");

    // A writer records itself while it holds the lock, and forgets itself when it closes.
    let store = rasd_store::Store::open(&db).expect("open");
    let record = std::fs::read_to_string(lock_holder_path(&db)).expect("a record while open");
    assert!(record.starts_with(&format!("{}\t", std::process::id())), "{record}");
    drop(store);
    assert!(!lock_holder_path(&db).exists(), "forgotten when closed");

    // A live process (this test's parent is alive; `sleep` is a child we control) is named.
    let mut child = std::process::Command::new("sleep").arg("30").spawn().expect("sleep");
    std::fs::write(
        lock_holder_path(&db),
        format!("{}\t1764950000\trasd ingest big.jsonl\n", child.id()),
    )
    .expect("write");
    let named = lock_holder(&db);
    if std::path::Path::new("/proc/self").exists() {
        assert!(
            named.starts_with(&format!("process {} holds", child.id())) && named.contains("`rasd ingest big.jsonl`"),
            "{named}"
        );
    }
    // Once it has exited, rasd says it cannot tell.
    child.kill().expect("kill");
    child.wait().expect("wait");
    let gone = lock_holder(&db);
    if std::path::Path::new("/proc/self").exists() {
        assert!(
            gone.contains("which one is not known") && gone.contains("has exited"),
            "{gone}"
        );
    }
    std::fs::write(lock_holder_path(&db), "garbage").expect("write");
    assert!(lock_holder(&db).contains("unreadable"));
}

#[test]
fn a_directory_walk_skips_the_database_and_its_lock_holder_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in ["report.txt", "p.db", "p.db-wal", "p.db-shm", "p.db-writer"] {
        std::fs::write(dir.path().join(f), "قصف على البوكمال").expect("write");
    }
    let found = rasd_store::read::walk(&[dir.path().to_path_buf()]);
    assert_eq!(found, [dir.path().join("report.txt")]);
}
