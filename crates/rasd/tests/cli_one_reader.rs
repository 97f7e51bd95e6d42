//! One way to read a document (issue 11): `rasd extract page.html` and `rasd ingest feed.rss` read a page and a
//! feed exactly as `rasd serve`'s upload path (POST /api/ingest) does: same documents, same text, so spans are
//! offsets into the same stored text. The page and the feed are written for this test.

mod serve_child;

use assert_cmd::Command;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Stdio;

const PAGE: &str = r#"<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>مواجهات في البلدة | صوت الريف</title>
<meta property="og:title" content="مواجهات مسلحة في بلدة العين">
<meta property="og:site_name" content="صوت الريف">
<meta property="article:published_time" content="2024-04-02T18:00:00+03:00">
<link rel="canonical" href="https://rif.example.test/2024/04/02/ain"></head><body>
<div class="header"><ul class="menu"><li><a href="/">الرئيسية</a></li><li><a href="/n">أخبار المحافظات</a></li></ul></div>
<div class="container"><div class="post-body">
<p>قُتل ثلاثة مسلحين وأصيب مدني في اشتباكات اندلعت مساء الثلاثاء بين مجموعتين مسلحتين في بلدة العين &amp; محيطها.</p>
<p>وقال مصدر محلي إن قوة أمنية انتشرت في البلدة بعد الاشتباكات، واعتقلت خمسة أشخاص.</p>
</div></div><div class="footer">جميع الحقوق محفوظة لصوت الريف</div></body></html>"#;

const FEED: &str = r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>صوت الريف</title>
<item><title>قصف على قرية الحمراء</title><link>https://rif.example.test/h1</link><guid>rif-h1</guid>
<pubDate>Wed, 03 Apr 2024 07:00:00 +0300</pubDate>
<description><![CDATA[<p>قتل مدنيان في قصف مدفعي استهدف قرية الحمراء صباح الأربعاء.</p>]]></description></item>
<item><title>مكسور</title><guid>rif-h2</guid><description>نص <i>مكسور</description></item>
<item><guid>rif-h3</guid><description>اعتقلت قوة أمنية أربعة أشخاص في بلدة العين.</description></item>
</channel></rss>"#;

fn rasd(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("rasd").expect("binary");
    c.current_dir(dir);
    c
}

/// The stored documents of `db`, by id: (text, title, url, outlet, published).
type Row = (String, Option<String>, Option<String>, Option<String>, Option<String>);

fn stored(db: &Path, ids: &[&str]) -> Vec<Row> {
    let db = rusqlite::Connection::open(db).expect("db");
    ids.iter()
        .map(|id| {
            db.query_row(
                "SELECT text, title, url, outlet, published FROM docs WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap_or_else(|e| panic!("{id} stored: {e}"))
        })
        .collect()
}

/// Starts `rasd serve` on `db` with writes on; gives the child and its address.
fn serve(db: &Path, token: &str) -> (std::process::Child, String) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rasd"))
        .args(["serve", "--addr", "127.0.0.1:0", "--token", token, "--db"])
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start rasd serve");
    let (_, addr) = serve_child::address(&mut child);
    (child, addr)
}

fn upload(addr: &str, token: &str, name: &str, body: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "POST /api/ingest?name={name} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("request");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("answer");
    answer
}

#[test]
fn extract_and_ingest_read_pages_and_feeds_as_serve_uploads_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("ain.html"), PAGE).expect("write");
    std::fs::write(dir.path().join("rif.rss"), FEED).expect("write");

    // The command line: ingest the page and the feed into one database, extract the page.
    let out = rasd(dir.path())
        .args(["ingest", "ain.html", "rif.rss", "--db", "cli.db", "-q", "--report"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("rif.rss#2\tmalformed feed item"),
        "the malformed item is reported with its origin: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let extract = rasd(dir.path())
        .args(["extract", "-q", "--unscored", "ain.html"])
        .output()
        .expect("runs");
    assert!(extract.status.success(), "{}", String::from_utf8_lossy(&extract.stderr));

    // The server: the same files uploaded to an empty database.
    rasd(dir.path())
        .args(["ingest", "--db", "serve.db", "-q", "-"])
        .write_stdin("{\"id\":\"seed\",\"text\":\"نص أول\"}\n")
        .assert()
        .success();
    let token = "token-for-the-reader-test";
    let (mut child, addr) = serve(&dir.path().join("serve.db"), token);
    let page = upload(&addr, token, "ain.html", PAGE);
    let feed = upload(&addr, token, "rif.rss", FEED);
    let _ = child.kill();
    let _ = child.wait();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(feed.starts_with("HTTP/1.1 200"), "{feed}");

    let ids = ["ain", "rif-h1", "rif-h3"];
    let cli = stored(&dir.path().join("cli.db"), &ids);
    let up = stored(&dir.path().join("serve.db"), &ids);
    assert_eq!(cli, up, "the same documents either way");
    let (text, title, url, outlet, _) = &cli[0];
    assert!(
        text.starts_with("قُتل ثلاثة مسلحين") && text.contains("بلدة العين & محيطها"),
        "{text}"
    );
    assert!(!text.contains("الرئيسية") && !text.contains("جميع الحقوق"), "{text}");
    assert_eq!(title.as_deref(), Some("مواجهات مسلحة في بلدة العين"));
    assert_eq!(url.as_deref(), Some("https://rif.example.test/2024/04/02/ain"));
    assert_eq!(outlet.as_deref(), Some("صوت الريف"));
    assert_eq!(cli[1].0, "قتل مدنيان في قصف مدفعي استهدف قرية الحمراء صباح الأربعاء.");
    assert_eq!(cli[2].2, None, "an item without a link is a document");
    let broken = rusqlite::Connection::open(dir.path().join("serve.db"))
        .expect("db")
        .query_row("SELECT count(*) FROM docs WHERE id = 'rif-h2'", [], |r| {
            r.get::<_, i64>(0)
        })
        .expect("count");
    assert_eq!(broken, 0, "the malformed item is skipped");

    // extract's spans are offsets into the text the server stored.
    let records: Vec<serde_json::Value> = String::from_utf8_lossy(&extract.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("record"))
        .collect();
    assert!(!records.is_empty(), "events are found in the page");
    for r in &records {
        assert_eq!(r["doc_id"], "ain");
        let ev = &r["evidence"];
        let (start, end) = (
            ev["start"].as_u64().expect("start") as usize,
            ev["end"].as_u64().expect("end") as usize,
        );
        assert_eq!(up[0].0.get(start..end), ev["text"].as_str(), "{r}");
    }
}
