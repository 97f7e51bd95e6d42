//! Behaviour on the small fixture lexicon in tests/resources/data: matching rules, disambiguation, coreference,
//! the compiled format and build errors.

use rasd_lexicon::compile::{SourceText, compile_dir, compile_texts};
use rasd_lexicon::{EntityKind, Error, Lexicon};
use std::path::Path;
use std::sync::OnceLock;

fn data_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/resources/data"))
}

fn lex() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| Lexicon::from_data_dir(data_dir()).expect("fixture compiles"))
}

/// (surface, kind, id) of every entity, checking that each span slices the original.
fn found(text: &str) -> Vec<(String, &'static str, String)> {
    lex()
        .entities(text)
        .into_iter()
        .map(|e| {
            assert!(e.clitic_start <= e.start && e.start < e.end && e.end <= text.len());
            (text[e.start..e.end].to_string(), e.kind.as_str(), e.id)
        })
        .collect()
}

fn ids(text: &str) -> Vec<String> {
    found(text).into_iter().map(|(_, _, id)| id).collect()
}

#[test]
fn clitics_and_the_lam_alef_contraction() {
    assert_eq!(ids("اشتباكات بالبوكمال والرقة"), vec!["gn:1", "gn:2"]);
    assert_eq!(found("وصلت تعزيزات للرقة")[0].0, "لرقة");
    assert_eq!(ids("وصلت تعزيزات للرقة"), vec!["gn:2"]);
    assert_eq!(ids("وصل الجيش للاذقية"), vec!["gn:8"]);
    // The contracted key alone is not a name: "لرقة" without a preceding ل finds nothing.
    assert!(ids("كلمة لرقة").is_empty());
    // A proclitic run must be a real one: "كالبوكمال" is fine, "سالبوكمال" is not.
    assert_eq!(ids("مدينة كالبوكمال"), vec!["gn:1"]);
    assert!(ids("سالبوكمال").is_empty());
}

#[test]
fn quotes_tatweel_and_spelling_variants() {
    let text = "هجوم لـ\"قسد\" على «داعش» في البو كمال وأبوكمال";
    let f = found(text);
    assert_eq!(
        f.iter().map(|x| x.2.as_str()).collect::<Vec<_>>(),
        vec!["sdf", "isis", "gn:1", "gn:1"]
    );
    assert_eq!(f[0].0, "قسد");
    let e = &lex().entities(text)[0];
    assert_eq!(&text[e.clitic_start..e.start], "لـ\"");
    // Hamza and ta marbuta variants.
    assert_eq!(ids("تنظيم الدوله الاسلاميه"), vec!["isis"]);
    assert_eq!(ids("SDF"), vec!["sdf"]);
}

#[test]
fn names_end_at_a_word_end() {
    assert!(ids("الرقةي").is_empty());
    assert!(ids("قسدي").is_empty());
}

#[test]
fn homonyms_follow_document_context() {
    let sy = lex().entities("قصفت قوات النظام بلدة الحميدية قرب طرطوس");
    let h = sy
        .iter()
        .find(|e| e.kind == EntityKind::Place && e.id.starts_with("gn:4") || e.id == "gn:5");
    let h = h.expect("a Hamidiyah");
    assert_eq!(h.id, "gn:4");
    assert_eq!(h.runners_up[0].0, "gn:5");
    let iq = lex().entities("اشتباكات في الحميدية شرقي الرمادي");
    assert_eq!(iq[0].id, "gn:5");
    assert!(iq[0].confidence > 0.5);
}

#[test]
fn geo_precision() {
    let e = lex().entities("غارات على ريف دير الزور الشرقي");
    assert_eq!((e[0].id.as_str(), e[0].geo_precision), ("gn:3", Some(2)));
    let e = lex().entities("معارك في محافظة دير الزور");
    assert_eq!((e[0].id.as_str(), e[0].geo_precision), ("adm1:SY.07", Some(3)));
    let e = lex().entities("سيطر الجيش على البوكمال");
    assert_eq!(e[0].geo_precision, Some(1));
    let e = lex().entities("قتلى قرب الباغوز");
    assert_eq!((e[0].id.as_str(), e[0].geo_precision), ("cur:baghuz", Some(2)));
}

#[test]
fn coreference_resolves_to_the_last_compatible_actor() {
    let text = "سيطرت قسد على الباغوز بعد معارك مع داعش، وقال التنظيم إن القوات تراجعت.";
    let e = lex().entities(text);
    let corefs: Vec<(&str, &str)> = e
        .iter()
        .filter(|e| e.coreference)
        .map(|e| (&text[e.start..e.end], e.id.as_str()))
        .collect();
    assert_eq!(corefs, vec![("التنظيم", "isis"), ("القوات", "isis")]);
    // No antecedent, and "القوات" names only types: dropped.
    assert!(lex().entities("تراجعت القوات").is_empty());
}

#[test]
fn outlets_and_party_media() {
    let text = "وقالت وكالة أعماق إن التنظيم صد هجوما";
    let e = lex().entities(text);
    assert_eq!((e[0].kind, e[0].id.as_str()), (EntityKind::Outlet, "amaq"));
    // The party outlet's actor is the antecedent of "التنظيم".
    assert_eq!((e[1].id.as_str(), e[1].coreference), ("isis", true));
}

#[test]
fn lookup_by_name() {
    let l = lex();
    assert_eq!(
        l.lookup("البوكمال").iter().map(|e| e.id()).collect::<Vec<_>>(),
        vec!["gn:1"]
    );
    assert_eq!(
        l.lookup("بالبوكمال").iter().map(|e| e.id()).collect::<Vec<_>>(),
        vec!["gn:1"]
    );
    assert_eq!(
        l.lookup("للرقة").iter().map(|e| e.id()).collect::<Vec<_>>(),
        vec!["gn:2"]
    );
    assert_eq!(l.lookup("الحميدية").len(), 2);
    assert!(l.lookup("سوريا").is_empty());
    assert_eq!(l.place("gn:2").map(|p| p.name.as_str()), Some("Raqqa"));
    assert_eq!(l.actor("sdf").map(|a| a.to_ref(false).id), Some("sdf".to_string()));
    assert_eq!(l.outlet("amaq").map(|o| o.to_ref().kind.as_str()), Some("party"));
    assert_eq!(l.place("gn:1").map(|p| p.to_location(1).geo_precision), Some(1));
}

#[test]
fn written_and_read_back_equals_the_original() {
    let compiled = compile_dir(data_dir()).expect("fixture compiles");
    let bytes = compiled.to_bytes().expect("serializes");
    let back = Lexicon::from_bytes(&bytes).expect("loads");
    assert_eq!(back.tables(), &compiled.tables);
    assert_eq!(back.keys(), compiled.keys);
    // Deterministic: compiling twice gives the same bytes.
    assert_eq!(
        compile_dir(data_dir()).and_then(|c| c.to_bytes()).expect("compiles"),
        bytes
    );
}

#[test]
fn wrong_version_truncated_and_damaged_files_are_rejected() {
    let bytes = compile_dir(data_dir()).and_then(|c| c.to_bytes()).expect("compiles");
    assert!(matches!(Lexicon::from_bytes(b"hello"), Err(Error::NotALexicon)));
    assert!(matches!(Lexicon::from_bytes(&[]), Err(Error::NotALexicon)));
    // A file of format 1 (before the country table was part of the file) and one of a later format.
    for v in [b'1', b'3'] {
        let mut other = bytes.clone();
        other[13] = v;
        let err = Lexicon::from_bytes(&other).expect_err("other version");
        assert!(matches!(err, Error::WrongVersion { .. }), "{err}");
        assert!(err.to_string().contains("rasd lexicon build"));
    }
    for cut in [16, 40, 60, bytes.len() / 2, bytes.len() - 1] {
        let err = Lexicon::from_bytes(&bytes[..cut]).expect_err("truncated");
        assert!(matches!(err, Error::Corrupt(_)), "cut at {cut}: {err}");
    }
    for at in [60, bytes.len() / 3, bytes.len() - 5] {
        let mut bad = bytes.clone();
        bad[at] ^= 0x55;
        let err = Lexicon::from_bytes(&bad).expect_err("damaged");
        assert!(err.to_string().contains("checksum"), "{err}");
    }
}

fn source(rel: &str, text: &str) -> SourceText {
    SourceText {
        rel: rel.to_string(),
        display: format!("data/{rel}"),
        text: text.to_string(),
    }
}

#[test]
fn malformed_rows_stop_the_build_with_file_and_line() {
    let header = "id\tname_en\tname_ar\taliases\ttype\tcountry\tparent\tsource\n";
    let cases = [
        (
            format!("{header}# c\nisis\tIS\tداعش\t\trebel_group\t\t\t\n"),
            3,
            "source",
        ),
        (
            format!("{header}isis\tIS\tداعش\t\trebels\t\t\tx\n"),
            2,
            "unknown actor type",
        ),
        (format!("{header}isis\tIS\tداعش\trebel_group\t\t\tx\n"), 2, "expected 8"),
        (
            format!("{header}isis\tIS\tداعش\t\trebel_group\t\t\tx\nisis\tIS\tداعش\t\trebel_group\t\t\tx\n"),
            3,
            "duplicate",
        ),
        ("id\tname\n".to_string(), 1, "header"),
    ];
    for (text, line, reason) in cases {
        let err = compile_texts(&[source("lexicon/actors.tsv", &text)]).expect_err("malformed");
        let msg = err.to_string();
        assert!(msg.starts_with(&format!("data/lexicon/actors.tsv:{line}: ")), "{msg}");
        assert!(msg.contains(reason), "{msg}");
    }
    let geo = "id\tname\tname_ar\taliases\tcountry\tadmin1\tlat\tlon\tpopulation\tfeature\tsource\n\
               gn:1\tX\tاكس\t\tSY\t\t134.0\t40.0\t10\tP\tx\n";
    let msg = compile_texts(&[source("gazetteer/geonames.tsv", geo)])
        .expect_err("bad lat")
        .to_string();
    assert!(msg.starts_with("data/gazetteer/geonames.tsv:2: coordinates"), "{msg}");
}

#[test]
fn the_country_table_is_compiled_and_bad_rows_stop_the_build_with_file_and_line() {
    let l = lex();
    let iso2: Vec<&str> = l.countries().iter().map(|c| c.iso2.as_str()).collect();
    assert_eq!(iso2, ["SY", "IQ", "PS"]);
    let sy = &l.countries()[0];
    assert_eq!(sy.place_names, ["سوريا", "سورية"]);
    assert_eq!(sy.point, Some((35.0, 38.5)));
    assert_eq!(l.countries()[2].point, None);
    // Country names are context, not entities.
    assert!(l.lookup("غزة").is_empty());

    let header = "iso2\tname\tname_ar\tplace_names\tcontext_names\tlat\tlon\tcapital\tsource\n";
    let ok = "SY\tSyria\tسوريا\tسوريا\tسوريا|السوري\t35.0\t38.5\t-\tx\n";
    assert!(compile_texts(&[source("lexicon/countries.tsv", &format!("{header}{ok}"))]).is_ok());
    let cases = [
        (
            format!("{header}# c\nSYR\tSyria\tسوريا\tسوريا\t-\t35.0\t38.5\t-\tx\n"),
            3,
            "ISO 3166",
        ),
        (
            format!("{header}SY\tSyria\tسوريا\tسوريا\t-\t95.0\t38.5\t-\tx\n"),
            2,
            "lat",
        ),
        (
            format!("{header}SY\tSyria\tسوريا\tسوريا\t-\t-\t-\t-\tx\n"),
            2,
            "go together",
        ),
        (
            format!("{header}SY\tSyria\tسوريا\t-\t-\t35.0\t38.5\t-\tx\n"),
            2,
            "go together",
        ),
        (
            format!("{header}SY\tSyria\tسوريا\tسوريا\t-\t35.0\t38.5\t-\t\n"),
            2,
            "source",
        ),
        (
            format!("{header}SY\tSyria\tسوريا\tسوريا\t35.0\t38.5\t-\tx\n"),
            2,
            "expected 9",
        ),
        (format!("{header}{ok}{ok}"), 3, "listed twice"),
        ("iso2\tname\n".to_string(), 1, "header"),
    ];
    for (text, line, reason) in cases {
        let err = compile_texts(&[source("lexicon/countries.tsv", &text)]).expect_err("malformed");
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("data/lexicon/countries.tsv:{line}: ")),
            "{msg}"
        );
        assert!(msg.contains(reason), "{msg}");
    }
    // A capital must be a gazetteer place.
    let geo = "id\tname\tname_ar\taliases\tcountry\tadmin1\tlat\tlon\tpopulation\tfeature\tsource\n\
               gn:1\tTunis\tتونس\t\tTN\t\t36.8\t10.2\t10\tP\tx\n";
    let tn = |capital: &str| format!("{header}TN\tTunisia\tتونس\tتونس\t-\t34.0\t9.0\t{capital}\tx\n");
    let texts = |capital: &str| {
        [
            source("gazetteer/geonames.tsv", geo),
            source("lexicon/countries.tsv", &tn(capital)),
        ]
    };
    let compiled = compile_texts(&texts("gn:1")).expect("a known capital");
    assert_eq!(compiled.tables.countries[0].capital.as_deref(), Some("gn:1"));
    let msg = compile_texts(&texts("gn:2")).expect_err("unknown capital").to_string();
    assert!(
        msg.starts_with("data/lexicon/countries.tsv:2: capital \"gn:2\""),
        "{msg}"
    );
}

#[test]
fn the_embedded_lexicon_loads_and_knows_the_canonical_ids() {
    let l = Lexicon::embedded().expect("embedded lexicon builds");
    for id in ["syria-gov", "isis", "sdf", "hts", "houthis", "rsf", "hamas"] {
        assert!(l.actor(id).is_some(), "actor {id}");
    }
    for id in ["sana", "amaq", "sohr", "reuters", "local-sources"] {
        assert!(l.outlet(id).is_some(), "outlet {id}");
    }
    assert!(l.places().len() > 1000);
    let sy = l.countries().iter().find(|c| c.iso2 == "SY").expect("Syria");
    assert!(sy.point.is_some() && sy.context_names.iter().any(|n| n == "السوري"));
}

#[test]
fn the_lexicon_is_shared_across_threads_and_the_worker_reuses_buffers() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Lexicon>();
    let mut m = rasd_lexicon::Matcher::new(lex());
    for text in ["اشتباكات بالبوكمال", "وصلت تعزيزات للرقة", ""] {
        assert_eq!(m.entities(text), lex().entities(text));
    }
}

#[test]
fn a_file_load_equals_a_bytes_load_and_damaged_files_fail() {
    let bytes = compile_dir(data_dir()).and_then(|c| c.to_bytes()).expect("compiles");
    let dir = std::env::temp_dir().join(format!("rasd-lexicon-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("fixture.lex");
    std::fs::write(&path, &bytes).expect("write");
    let from_file = Lexicon::load(&path).expect("loads");
    let from_bytes = Lexicon::from_bytes(&bytes).expect("loads");
    assert_eq!(from_file.tables(), from_bytes.tables());
    assert_eq!(from_file.keys(), from_bytes.keys());
    assert_eq!(
        from_file.entities("اشتباكات بالبوكمال"),
        from_bytes.entities("اشتباكات بالبوكمال")
    );
    for (what, data) in [
        ("truncated", bytes[..bytes.len() - 3].to_vec()),
        ("damaged", {
            let mut b = bytes.clone();
            let at = b.len() - 10;
            b[at] ^= 1;
            b
        }),
        ("longer", [bytes.as_slice(), b"xx"].concat()),
    ] {
        std::fs::write(&path, &data).expect("write");
        let err = Lexicon::load(&path).expect_err(what);
        assert!(matches!(err, Error::Corrupt(_)), "{what}: {err}");
    }
    std::fs::write(&path, b"rasd-lexicon 7\n").expect("write");
    assert!(matches!(Lexicon::load(&path), Err(Error::WrongVersion { .. })));
    assert!(matches!(Lexicon::load(&dir.join("missing.lex")), Err(Error::Io { .. })));
    let _ = std::fs::remove_dir_all(&dir);
}
