//! `rasd watch` and `rasd status` as a user runs them, against a local HTTP server on 127.0.0.1 started inside
//! the test and serving fixture feeds and pages written for these tests. No test reaches the internet. The last
//! test watches into PostgreSQL too (the server `RASD_DB` names; skipped with a notice when it is not set).

#[path = "../../rasd-fetch/tests/support/server.rs"]
mod server;

mod pg_samples;

use assert_cmd::Command;
use server::{Body, Reply, Server, gzip_zeros};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

fn rasd(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("rasd").expect("binary");
    // The database is always given with --db (RASD_DB names the PostgreSQL server of the last test).
    c.current_dir(dir)
        .env_remove("RASD_DB")
        .timeout(Duration::from_secs(120));
    c
}

/// A news article page in the shape of an Arabic news site (team-written text).
fn article(title: &str, date: &str, paragraphs: &[&str]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        "<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\"><title>{title} - الموقع</title>\
<meta property=\"og:title\" content=\"{title}\"><meta property=\"article:published_time\" content=\"{date}T09:15:00+03:00\">\
</head><body><header><nav><a href=\"/\">الرئيسية</a><a href=\"/sy\">سوريا</a></nav></header>\
<article><h1>{title}</h1>{body}</article><aside class=\"related\">اقرأ أيضاً</aside><footer>حقوق النشر</footer></body></html>"
    )
}

const P1: &[&str] = &[
    "قال مراسلنا في ريف حلب الشمالي إن قصفاً مدفعياً استهدف صباح الثلاثاء أطراف بلدة تل رفعت، ما أدى إلى مقتل مدنيين اثنين وإصابة أربعة آخرين.",
    "وأضاف أن فرق الدفاع المدني عملت على نقل المصابين إلى المستشفى الوطني في المدينة.",
];
const P2: &[&str] = &[
    "أعلنت مصادر محلية في محافظة درعا أن مسلحين مجهولين اغتالوا رئيس بلدية في بلدة طفس مساء الاثنين.",
    "ولم تتبن أي جهة المسؤولية عن العملية حتى ساعة إعداد هذا التقرير.",
];
const P3: &[&str] = &[
    "شنت طائرات حربية غارات جوية على قرى في جبل الزاوية جنوبي إدلب، وفق ما أفاد ناشطون، دون ورود أنباء عن إصابات.",
    "وتأتي الغارات بعد أيام من هدوء حذر شهدته المنطقة.",
];

fn rss(base: &str, items: &[(&str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(path, title)| {
            format!(
                "<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid>\
<pubDate>Tue, 03 Mar 2026 07:00:00 GMT</pubDate><description>ملخص: {title}</description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>أخبار الميدان</title>\
<link>{base}/</link><description>تغطية</description>{items}</channel></rss>"
    )
}

fn write_sources(dir: &Path, sources: &[(&str, String, &str, &str)]) -> std::path::PathBuf {
    let mut s = String::new();
    for (name, url, kind, every) in sources {
        s.push_str(&format!(
            "[[source]]\nname = \"{name}\"\nurl = \"{url}\"\nkind = \"{kind}\"\nevery = \"{every}\"\n\n"
        ));
    }
    let p = dir.join("sources.toml");
    std::fs::write(&p, s).unwrap();
    p
}

fn status(dir: &Path, db: &Path) -> serde_json::Value {
    let out = rasd(dir).args(["status", "--json", "--db"]).arg(db).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn source<'a>(status: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    status["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .expect(name)
}

fn docs(db: &Path) -> Vec<(String, String)> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare("SELECT coalesce(outlet, ''), text FROM docs ORDER BY seq")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn watch_once(dir: &Path, sources: &Path, db: &Path) -> std::process::Output {
    rasd(dir)
        .arg("watch")
        .arg(sources)
        .arg("--once")
        .arg("--db")
        .arg(db)
        .output()
        .unwrap()
}

#[test]
fn new_items_are_stored_once_and_repeated_items_add_nothing() {
    let third = Arc::new(AtomicBool::new(false));
    let t = Arc::clone(&third);
    let s = Server::start(move |r| {
        let base = r.headers.get("host").map(|h| format!("http://{h}")).unwrap_or_default();
        match r.path.as_str() {
            "/feed" => {
                // The same item twice in one feed, and again in every later poll.
                let mut items = vec![
                    ("/a/1", "قصف على تل رفعت"),
                    ("/a/2", "اغتيال في طفس"),
                    ("/a/1", "قصف على تل رفعت"),
                ];
                if t.load(Ordering::SeqCst) {
                    items.push(("/a/3", "غارات على جبل الزاوية"));
                }
                Reply::ok("application/rss+xml", rss(&base, &items))
            }
            "/a/1" => Reply::ok("text/html; charset=utf-8", article("قصف على تل رفعت", "2026-03-03", P1)),
            "/a/2" => Reply::ok("text/html; charset=utf-8", article("اغتيال في طفس", "2026-03-02", P2)),
            "/a/3" => Reply::ok(
                "text/html; charset=utf-8",
                article("غارات على جبل الزاوية", "2026-03-03", P3),
            ),
            _ => Reply::status(404),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let src = write_sources(dir.path(), &[("maydan", s.url("/feed"), "feed", "10m")]);
    let out = watch_once(dir.path(), &src, &db);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("rasd watch: maydan: 2 new item(s), 2 document(s)"),
        "{err}"
    );
    let d = docs(&db);
    assert_eq!(d.len(), 2);
    assert!(d.iter().all(|(outlet, _)| outlet == "maydan"));
    assert!(d[0].1.starts_with("قال مراسلنا في ريف حلب"), "{}", d[0].1);
    assert!(!d[0].1.contains("الرئيسية") && !d[0].1.contains("اقرأ أيضاً"));

    // The same feed again: nothing new, no article fetched again.
    let out = watch_once(dir.path(), &src, &db);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("maydan: 0 new item(s)"));
    assert_eq!(docs(&db).len(), 2);
    assert_eq!((s.hits("/a/1"), s.hits("/a/2")), (1, 1));

    // One new item among the repeated ones.
    third.store(true, Ordering::SeqCst);
    let out = watch_once(dir.path(), &src, &db);
    assert!(String::from_utf8_lossy(&out.stderr).contains("maydan: 1 new item(s)"));
    assert_eq!(docs(&db).len(), 3);
    assert_eq!((s.hits("/a/1"), s.hits("/a/3")), (1, 1));
    let st = status(dir.path(), &db);
    let m = source(&st, "maydan");
    assert_eq!(
        (m["items"].as_u64(), m["docs"].as_u64(), m["polls"].as_u64()),
        (Some(3), Some(3), Some(3))
    );
    assert!(st["last_reconcile"].as_i64().is_some());
    assert!(st["database_bytes"].as_u64().unwrap() > 0);
    let text = rasd(dir.path()).args(["status", "--db"]).arg(&db).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("last reconcile: 20") && text.contains("maydan\tfeed\t20"),
        "{text}"
    );
}

#[test]
fn not_modified_costs_no_work() {
    let not_modified = Arc::new(AtomicUsize::new(0));
    let n = Arc::clone(&not_modified);
    let s = Server::start(move |r| {
        let base = r.headers.get("host").map(|h| format!("http://{h}")).unwrap_or_default();
        match r.path.as_str() {
            "/feed" if r.headers.get("if-none-match").map(String::as_str) == Some("\"f1\"") => {
                n.fetch_add(1, Ordering::SeqCst);
                Reply::status(304)
            }
            "/feed" => {
                Reply::ok("application/rss+xml", rss(&base, &[("/a/1", "قصف على تل رفعت")])).header("ETag", "\"f1\"")
            }
            "/a/1" => Reply::ok("text/html", article("قصف على تل رفعت", "2026-03-03", P1)),
            _ => Reply::status(404),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let src = write_sources(dir.path(), &[("maydan", s.url("/feed"), "feed", "10m")]);
    assert!(watch_once(dir.path(), &src, &db).status.success());
    let before = s.total();
    let out = watch_once(dir.path(), &src, &db);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("maydan: not modified"), "{err}");
    assert!(!err.contains("stored"), "{err}");
    assert_eq!(not_modified.load(Ordering::SeqCst), 1);
    assert_eq!(s.total(), before + 1, "one conditional request, nothing else");
    let st = status(dir.path(), &db);
    assert_eq!(source(&st, "maydan")["not_modified"], 1);
    assert_eq!(docs(&db).len(), 1);
}

#[test]
fn a_windows_1256_page_reads_correctly() {
    let html =
        article("اشتباكات في ريف دير الزور", "2026-03-01", P2).replace("charset=\"utf-8\"", "charset=\"windows-1256\"");
    let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(&html);
    let bytes = bytes.into_owned();
    let s = Server::start(move |r| match r.path.as_str() {
        "/meta" => Reply::ok("text/html", bytes.clone()),
        "/header" => Reply::ok("text/html; charset=windows-1256", bytes.clone()),
        _ => Reply::status(404),
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let src = write_sources(
        dir.path(),
        &[
            ("old-site", s.url("/meta"), "page", "1h"),
            ("old-site-2", s.url("/header"), "page", "1h"),
        ],
    );
    let out = watch_once(dir.path(), &src, &db);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let d = docs(&db);
    // The same text from both: stored once (content hash).
    assert_eq!(d.len(), 1);
    assert!(d[0].1.starts_with("أعلنت مصادر محلية في محافظة درعا"), "{}", d[0].1);
    // A page re-read unchanged adds nothing.
    assert!(watch_once(dir.path(), &src, &db).status.success());
    assert_eq!(docs(&db).len(), 1);
}

#[test]
fn server_errors_and_timeouts_back_off() {
    let s = Server::start(|r| match r.path.as_str() {
        "/500" => Reply::status(500),
        "/slow" => Reply::ok("application/rss+xml", "<rss/>").delay(Duration::from_secs(4)),
        _ => Reply::status(404),
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    // A timeout, with --once.
    let src = write_sources(dir.path(), &[("slow", s.url("/slow"), "feed", "1m")]);
    let out = rasd(dir.path())
        .arg("watch")
        .arg(&src)
        .args(["--once", "--timeout", "1", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("slow: error:") && err.contains("timed out") && err.contains("next try in 120 s"),
        "{err}"
    );

    // A 500, every second, running until SIGTERM: the tries thin out (1 s × 2^failures).
    let src = write_sources(dir.path(), &[("broken", s.url("/500"), "feed", "1s")]);
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rasd"))
        .current_dir(dir.path())
        .arg("watch")
        .arg(&src)
        .arg("--db")
        .arg(&db)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(4500));
    let killed = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "a clean stop on SIGTERM: {err}");
    let hits = s.hits("/500");
    assert!((1..=3).contains(&hits), "{hits} requests in 4.5 s: no backoff?\n{err}");
    assert!(
        err.contains("broken: error:") && err.contains("HTTP status 500"),
        "{err}"
    );
    let st = status(dir.path(), &db);
    let b = source(&st, "broken");
    assert_eq!(b["errors"].as_u64(), Some(hits as u64));
    assert_eq!(b["consecutive_errors"].as_u64(), Some(hits as u64));
}

#[test]
fn bad_sources_fail_alone() {
    let bomb = gzip_zeros(64 * 1024 * 1024);
    let s = Server::start(move |r| {
        let base = r.headers.get("host").map(|h| format!("http://{h}")).unwrap_or_default();
        let p = r.path.as_str();
        match p {
            "/good" => Reply::ok("application/rss+xml", rss(&base, &[("/a/1", "قصف على تل رفعت")])),
            "/a/1" => Reply::ok("text/html", article("قصف على تل رفعت", "2026-03-03", P1)),
            "/html-feed" => Reply::ok("text/html", article("ليست خلاصة", "2026-03-03", P3)),
            "/huge" => Reply {
                status: 200,
                headers: vec![("Content-Type".into(), "text/html".into())],
                body: Body::Stream {
                    fill: b' ',
                    len: 100 * 1024 * 1024,
                },
                delay: Duration::ZERO,
            },
            "/bomb" => Reply::ok("application/rss+xml", bomb.clone()).header("Content-Encoding", "gzip"),
            "/charset" => Reply::ok(
                "text/html; charset=x-mystery",
                vec![0xC7, 0xE1, 0xDE, 0xD5, 0xDD, 0x20, 0xC7],
            ),
            "/entities" => Reply::ok(
                "application/rss+xml",
                "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>\
<rss version=\"2.0\"><channel><title>&b;</title></channel></rss>",
            ),
            _ if p.starts_with("/loop/") => {
                let n: u64 = p[6..].parse().unwrap_or(0);
                Reply::status(302).header("Location", &format!("/loop/{}", n + 1))
            }
            _ => Reply::status(404),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let src = write_sources(
        dir.path(),
        &[
            ("html-feed", s.url("/html-feed"), "feed", "10m"),
            ("huge", s.url("/huge"), "page", "10m"),
            ("bomb", s.url("/bomb"), "feed", "10m"),
            ("loop", s.url("/loop/0"), "feed", "10m"),
            ("charset", s.url("/charset"), "page", "10m"),
            ("entities", s.url("/entities"), "feed", "10m"),
            ("good", s.url("/good"), "feed", "10m"),
        ],
    );
    let out = rasd(dir.path())
        .arg("watch")
        .arg(&src)
        .args(["--once", "--max-bytes", "4000000", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("good: 1 new item(s), 1 document(s)"), "{err}");
    assert_eq!(docs(&db).len(), 1);
    let st = status(dir.path(), &db);
    for (name, says) in [
        ("html-feed", "HTML page, not RSS"),
        ("huge", "larger than the limit of 4000000 bytes"),
        ("bomb", "larger than the limit"),
        ("loop", "more than 5 redirects"),
        ("charset", "unknown charset \"x-mystery\""),
        ("entities", "declares XML entities"),
    ] {
        let e = source(&st, name)["last_error"].as_str().unwrap_or_default().to_string();
        assert!(e.contains(says), "{name}: {e}");
        assert!(err.contains(&format!("rasd watch: {name}: error:")), "{err}");
    }
}

#[test]
fn unknown_keys_name_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("sources.toml");
    std::fs::write(
        &src,
        "[[source]]\nname = \"a\"\nurl = \"http://127.0.0.1:9/feed\"\nkind = \"feed\"\nevry = \"10m\"\n",
    )
    .unwrap();
    let out = rasd(dir.path()).arg("watch").arg(&src).arg("--once").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("sources.toml:5: unknown field `evry`"), "{err}");
    assert!(
        !dir.path().join("rasd.db").exists(),
        "nothing is created for a bad sources file"
    );
}

#[test]
fn ingest_of_a_url_fetches_in_process() {
    let html = article("اغتيال في طفس", "2026-03-02", P2);
    let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(&html);
    let bytes = bytes.into_owned();
    let s = Server::start(move |r| match r.path.as_str() {
        "/news/tafas.html" => Reply::ok("text/html; charset=windows-1256", bytes.clone()),
        "/moved" => Reply::status(301).header("Location", "/news/tafas.html"),
        _ => Reply::status(404),
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("i.db");
    let out = rasd(dir.path())
        .arg("ingest")
        .arg(s.url("/moved"))
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let d = docs(&db);
    assert_eq!(d.len(), 1);
    assert!(d[0].1.contains("اغتالوا رئيس بلدية"), "{}", d[0].1);
    let out = rasd(dir.path())
        .arg("ingest")
        .arg(s.url("/gone.html"))
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("fetch failed: "),
        "{:?}",
        out
    );
}

#[test]
fn a_new_contradiction_is_one_alert_line_naming_both_claims() {
    let beta_has_it = Arc::new(AtomicBool::new(false));
    let b = Arc::clone(&beta_has_it);
    let s = Server::start(move |r| {
        let base = r.headers.get("host").map(|h| format!("http://{h}")).unwrap_or_default();
        match r.path.as_str() {
            "/alpha/feed" => Reply::ok("application/rss+xml", rss(&base, &[("/alpha/1", "السيطرة على كفرنبل")])),
            "/beta/feed" if b.load(Ordering::SeqCst) => {
                Reply::ok("application/rss+xml", rss(&base, &[("/beta/1", "معارك كفرنبل")]))
            }
            "/beta/feed" => Reply::ok("application/rss+xml", rss(&base, &[])),
            "/alpha/1" => Reply::ok(
                "text/html",
                article(
                    "السيطرة على كفرنبل",
                    "2026-03-03",
                    &[
                        "سيطرت هيئة تحرير الشام على بلدة كفرنبل في ريف إدلب الجنوبي بعد اشتباكات مع قوات النظام يوم الثلاثاء.",
                    ],
                ),
            ),
            "/beta/1" => Reply::ok(
                "text/html",
                article(
                    "معارك كفرنبل",
                    "2026-03-03",
                    &["سيطرت قوات النظام على بلدة كفرنبل في ريف إدلب الجنوبي بعد معارك مع فصائل المعارضة يوم الثلاثاء."],
                ),
            ),
            _ => Reply::status(404),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let alerts = dir.path().join("alerts.jsonl");
    let src = write_sources(
        dir.path(),
        &[
            ("alpha", s.url("/alpha/feed"), "feed", "10m"),
            ("beta", s.url("/beta/feed"), "feed", "10m"),
        ],
    );
    let run = || {
        let out = rasd(dir.path())
            .arg("watch")
            .arg(&src)
            .arg("--once")
            .arg("--alerts")
            .arg(&alerts)
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        std::fs::read_to_string(&alerts).unwrap_or_default()
    };
    assert_eq!(run(), "", "one source alone contradicts nobody");
    beta_has_it.store(true, Ordering::SeqCst);
    let lines = run();
    assert_eq!(lines.lines().count(), 1, "{lines}");
    let a: serde_json::Value = serde_json::from_str(lines.trim()).unwrap();
    assert_eq!(
        (a["alert"].as_str(), a["kind"].as_str()),
        (Some("contradiction"), Some("controller"))
    );
    let sides = [&a["a"], &a["b"]];
    let mut sources: Vec<&str> = sides.iter().map(|s| s["source"].as_str().unwrap()).collect();
    sources.sort();
    assert_eq!(sources, ["alpha", "beta"]);
    for side in sides {
        assert!(side["claim"].as_str().is_some_and(|c| !c.is_empty()), "{a}");
        assert!(side["doc_id"].as_str().is_some_and(|d| !d.is_empty()), "{a}");
    }
    // Nothing new: no new alert.
    assert_eq!(run(), lines);
}

/// The alert goes to a webhook as a POST of one JSON object (received by a server inside the test), is stored,
/// and is listed by `rasd alerts --since`; a second run delivers nothing again.
#[test]
fn alerts_are_posted_to_a_webhook_and_listed_by_rasd_alerts() {
    let beta_has_it = Arc::new(AtomicBool::new(false));
    // Each POST the webhook received: method, content type, body.
    type Post = (String, String, Vec<u8>);
    let posts: Arc<std::sync::Mutex<Vec<Post>>> = Arc::default();
    let (b, p) = (Arc::clone(&beta_has_it), Arc::clone(&posts));
    let s = Server::start(move |r| {
        let base = r.headers.get("host").map(|h| format!("http://{h}")).unwrap_or_default();
        match r.path.as_str() {
            "/hook" => {
                let ct = r.headers.get("content-type").cloned().unwrap_or_default();
                p.lock().unwrap().push((r.method.clone(), ct, r.body.clone()));
                Reply::ok("text/plain", "ok")
            }
            "/alpha/feed" => Reply::ok("application/rss+xml", rss(&base, &[("/alpha/1", "السيطرة على كفرنبل")])),
            "/beta/feed" if b.load(Ordering::SeqCst) => {
                Reply::ok("application/rss+xml", rss(&base, &[("/beta/1", "معارك كفرنبل")]))
            }
            "/beta/feed" => Reply::ok("application/rss+xml", rss(&base, &[])),
            "/alpha/1" => Reply::ok(
                "text/html",
                article(
                    "السيطرة على كفرنبل",
                    "2026-03-03",
                    &[
                        "سيطرت هيئة تحرير الشام على بلدة كفرنبل في ريف إدلب الجنوبي بعد اشتباكات مع قوات النظام يوم الثلاثاء.",
                    ],
                ),
            ),
            "/beta/1" => Reply::ok(
                "text/html",
                article(
                    "معارك كفرنبل",
                    "2026-03-03",
                    &["سيطرت قوات النظام على بلدة كفرنبل في ريف إدلب الجنوبي بعد معارك مع فصائل المعارضة يوم الثلاثاء."],
                ),
            ),
            _ => Reply::status(404),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let src = write_sources(
        dir.path(),
        &[
            ("alpha", s.url("/alpha/feed"), "feed", "10m"),
            ("beta", s.url("/beta/feed"), "feed", "10m"),
        ],
    );
    let run = || {
        let out = rasd(dir.path())
            .arg("watch")
            .arg(&src)
            .arg("--once")
            .arg("--webhook")
            .arg(s.url("/hook"))
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    run();
    assert!(posts.lock().unwrap().is_empty(), "one source alone contradicts nobody");
    beta_has_it.store(true, Ordering::SeqCst);
    run();
    let got = posts.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    let (method, content_type, body) = &got[0];
    assert_eq!((method.as_str(), content_type.as_str()), ("POST", "application/json"));
    let a: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(
        (a["alert"].as_str(), a["kind"].as_str()),
        (Some("contradiction"), Some("controller"))
    );
    let mut sides: Vec<(&str, &str, &str)> = [&a["a"], &a["b"]]
        .iter()
        .map(|c| {
            (
                c["source"].as_str().unwrap(),
                c["url"].as_str().unwrap_or(""),
                c["stance"].as_str().unwrap_or(""),
            )
        })
        .collect();
    sides.sort();
    assert_eq!(sides[0].0, "alpha");
    assert!(sides[0].1.ends_with("/alpha/1"), "{a}");
    assert_eq!(sides[1].0, "beta");
    assert!(sides[1].1.ends_with("/beta/1"), "{a}");
    for side in [&a["a"], &a["b"]] {
        assert!(side["controller"].as_str().is_some_and(|c| !c.is_empty()), "{a}");
        assert!(side["date"].as_str().is_some(), "{a}");
        assert!(side["doc_id"].as_str().is_some_and(|d| !d.is_empty()), "{a}");
    }
    run();
    assert_eq!(posts.lock().unwrap().len(), 1, "an alert is delivered once");
    let listed = rasd(dir.path())
        .args(["alerts", "--since", "1d", "--json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0], a);
    let later = rasd(dir.path())
        .args(["alerts", "--since", "2999-01-01", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(later.status.success() && later.stdout.is_empty());
    let bad = rasd(dir.path())
        .args(["alerts", "--since", "soon", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// In a pipe (as here: stderr is not a terminal), ingest, reprocess and reconcile draw no progress bar: no
/// carriage return, no escape sequence, no spinner on standard error.
#[test]
fn long_commands_are_quiet_in_pipes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples");
    for args in [
        vec!["ingest".to_string(), samples.display().to_string()],
        vec!["reprocess".to_string(), "--all".to_string()],
        vec!["reconcile".to_string(), "--full".to_string()],
    ] {
        let out = rasd(dir.path()).args(&args).arg("--db").arg(&db).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains('\r')
                && !err.contains('\u{1b}')
                && !err.contains("ingesting")
                && !err.contains("reconciling"),
            "{args:?}: {err:?}"
        );
    }
}

#[test]
fn sigkill_mid_round_then_restart_loses_and_doubles_nothing() {
    const N: usize = 6;
    let s = Server::start(|r| {
        let base = r.headers.get("host").map(|h| format!("http://{h}")).unwrap_or_default();
        let paths: Vec<String> = (0..N).map(|i| format!("/k/{i}")).collect();
        match r.path.as_str() {
            "/feed" => {
                let items: Vec<(&str, &str)> = paths.iter().map(|p| (p.as_str(), "تقرير ميداني")).collect();
                Reply::ok("application/rss+xml", rss(&base, &items))
            }
            p if p.starts_with("/k/") => {
                let n = &p[3..];
                let para = format!("أفاد مراسل ميداني في التقرير رقم {n} بأن اشتباكات متقطعة دارت قرب الطريق الدولي.");
                Reply::ok("text/html", article("تقرير ميداني", "2026-03-04", &[&para]))
                    .delay(Duration::from_millis(250))
            }
            _ => Reply::status(404),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let src = write_sources(dir.path(), &[("maydan", s.url("/feed"), "feed", "1s")]);
    // Killed while it fetches the article pages (and, with a slow machine, maybe while it ingests).
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rasd"))
        .current_dir(dir.path())
        .arg("watch")
        .arg(&src)
        .arg("--db")
        .arg(&db)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(900));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(s.hits("/k/0") >= 1, "the kill came after some page fetches");
    for _ in 0..2 {
        let out = watch_once(dir.path(), &src, &db);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let d = docs(&db);
        assert_eq!(d.len(), N, "each article stored exactly once");
    }
}

/// `rasd watch --db postgres://…` (issue 14): the same feeds watched into SQLite and into a fresh PostgreSQL
/// database store the same rows (less the times of polls), deliver the same alert, and add nothing on a repeat.
#[test]
fn watch_on_postgres_stores_and_alerts_as_on_sqlite() {
    let Some(pg) = rasd_pg::testkit::server("watch_on_postgres_stores_and_alerts_as_on_sqlite") else {
        return;
    };
    let beta_has_it = Arc::new(AtomicBool::new(false));
    let b = Arc::clone(&beta_has_it);
    let s = Server::start(move |r| {
        let base = r.headers.get("host").map(|h| format!("http://{h}")).unwrap_or_default();
        match r.path.as_str() {
            "/alpha/feed" => Reply::ok(
                "application/rss+xml",
                rss(
                    &base,
                    &[("/alpha/1", "قصف على تل رفعت"), ("/alpha/2", "السيطرة على سراقب")],
                ),
            ),
            "/beta/feed" if b.load(Ordering::SeqCst) => {
                Reply::ok("application/rss+xml", rss(&base, &[("/beta/1", "معارك سراقب")]))
            }
            "/beta/feed" => Reply::ok("application/rss+xml", rss(&base, &[])),
            "/alpha/1" => Reply::ok("text/html; charset=utf-8", article("قصف على تل رفعت", "2026-03-03", P1)),
            "/alpha/2" => Reply::ok(
                "text/html",
                article(
                    "السيطرة على سراقب",
                    "2026-03-04",
                    &[
                        "أعلنت هيئة تحرير الشام سيطرتها على مدينة سراقب في ريف إدلب الشرقي بعد اشتباكات مع قوات النظام يوم الأربعاء.",
                    ],
                ),
            ),
            "/beta/1" => Reply::ok(
                "text/html",
                article(
                    "معارك سراقب",
                    "2026-03-04",
                    &[
                        "قالت وزارة الدفاع إن قوات النظام سيطرت على مدينة سراقب في ريف إدلب الشرقي بعد معارك مع الفصائل يوم الأربعاء.",
                    ],
                ),
            ),
            _ => Reply::status(404),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("w.db");
    let db = rasd_pg::testkit::Scratch::new(&pg, "cli_watch");
    let src = write_sources(
        dir.path(),
        &[
            ("alpha", s.url("/alpha/feed"), "feed", "10m"),
            ("beta", s.url("/beta/feed"), "feed", "10m"),
        ],
    );
    // One run on each database; the alert lines it appended, less the time each was raised.
    let run = |target: &str, alerts: &str| {
        let file = dir.path().join(alerts);
        let out = rasd(dir.path())
            .args(["watch", "--once", "--alerts"])
            .arg(&file)
            .args(["--db", target])
            .arg(&src)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success() && !err.contains("panicked"), "{target}: {err}");
        let lines = std::fs::read_to_string(&file).unwrap_or_default();
        let alerts: Vec<serde_json::Value> = lines
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("at");
                v
            })
            .collect();
        (alerts, err)
    };
    let sqlite_db = sqlite.display().to_string();
    let both = || {
        let (a, _) = run(&sqlite_db, "sqlite.jsonl");
        let (b, err) = run(&db.url, "pg.jsonl");
        assert_eq!(a, b, "the alerts delivered");
        // The same rows, less when the polls ran (and the time of the last reconcile).
        let timed = [
            ("watch_sources", "last_poll"),
            ("watch_sources", "last_ok"),
            ("watch_seen", "seen_at"),
            ("watch_meta", "value"),
        ];
        let (sd, sa) = pg_samples::sqlite_state(&sqlite);
        let (pd, pa) = pg_samples::postgres_state(&db.url);
        let (sd, pd) = (
            rasd_pg::dump::normalise(sd, &timed),
            rasd_pg::dump::normalise(pd, &timed),
        );
        if let Some(d) = rasd_pg::dump::difference("sqlite", &sd, "postgres", &pd) {
            panic!("{d}");
        }
        assert_eq!(sa, pa, "the stored alerts");
        assert_eq!(pd["watch_seen"].len(), sd["watch_seen"].len());
        (b, err, pd)
    };
    let (alerts, err, first) = both();
    assert!(alerts.is_empty(), "one source alone contradicts nobody: {alerts:?}");
    assert!(err.contains("rasd watch: alpha: 2 new item(s), 2 document(s)"), "{err}");
    assert_eq!(first["docs"].len(), 2);
    beta_has_it.store(true, Ordering::SeqCst);
    let (alerts, err, second) = both();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["kind"], "controller", "{alerts:?}");
    assert!(err.contains("beta: 1 new item(s), 1 document(s)"), "{err}");
    assert_eq!(second["docs"].len(), 3);
    // Nothing new: no document, no alert, no article fetched again.
    let (alerts, err, third) = both();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(
        err.contains("alpha: 0 new item(s)") && err.contains("beta: 0 new item(s)"),
        "{err}"
    );
    assert_eq!(third["docs"], second["docs"]);
    assert_eq!(
        (s.hits("/alpha/1"), s.hits("/beta/1")),
        (2, 2),
        "one fetch per database"
    );
    // `rasd status` on PostgreSQL shows the sources.
    let st = rasd(dir.path())
        .args(["status", "--json", "--db", &db.url])
        .output()
        .unwrap();
    let st: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    let alpha = source(&st, "alpha");
    assert_eq!(
        (alpha["items"].as_u64(), alpha["docs"].as_u64(), alpha["polls"].as_u64()),
        (Some(2), Some(2), Some(3))
    );
    assert!(st["last_reconcile"].as_i64().is_some(), "{st}");
}
