//! A local HTML page is read by the article reader `rasd watch` reads fetched pages with (rasd-fetch:
//! Readability via dom_smoothie): navigation, share bars, related links and the footer are dropped; the title,
//! publication date, canonical URL and site name are kept; spans are offsets into the stored text. The page is
//! written for this test in the style of a news site.

use assert_cmd::Command;
use std::path::Path;

const PAGE: &str = r##"<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<title>اشتباكات في ريف دير الزور | شبكة الفرات الإخبارية</title>
<meta property="og:title" content="اشتباكات عنيفة على أطراف بلدة الشحيل">
<meta property="og:site_name" content="شبكة الفرات">
<meta property="article:published_time" content="2017-11-12T09:15:00+03:00">
<link rel="canonical" href="https://furat.example.test/news/2017/11/12/shuhail">
</head>
<body>
<header class="site-header">
  <nav class="main-menu"><ul>
    <li><a href="/">الرئيسية</a></li><li><a href="/syria">سوريا</a></li>
    <li><a href="/iraq">العراق</a></li><li><a href="/sport">رياضة</a></li><li><a href="/contact">اتصل بنا</a></li>
  </ul></nav>
  <div class="breaking">عاجل: تابعوا تغطيتنا المباشرة على مدار الساعة</div>
</header>
<main>
<article class="post">
  <h1>اشتباكات عنيفة على أطراف بلدة الشحيل</h1>
  <div class="share-buttons"><a href="#">شارك على فيسبوك</a> <a href="#">شارك على تويتر</a></div>
  <p>قالت مصادر محلية إن اشتباكات عنيفة اندلعت فجر اليوم بين قوات سوريا الديمقراطية وعناصر تنظيم داعش على أطراف بلدة الشحيل في ريف دير الزور الشرقي.</p>
  <p>وأفاد المرصد السوري لحقوق الإنسان بمقتل 6 عناصر من التنظيم و3 من قوات سوريا الديمقراطية خلال الاشتباكات التي استمرت عدة ساعات.</p>
  <p>وأضاف المرصد أن طائرات التحالف الدولي شنت غارات على مواقع للتنظيم في محيط البلدة، دون ورود أنباء عن خسائر بشرية.</p>
  <aside class="related"><h3>اقرأ أيضا</h3><ul><li><a href="/a">أخبار متعلقة بالمنطقة الشرقية</a></li></ul></aside>
</article>
</main>
<footer class="site-footer"><p>جميع الحقوق محفوظة لشبكة الفرات الإخبارية 2017</p><p>سياسة الخصوصية | شروط الاستخدام</p></footer>
</body>
</html>
"##;

const BOILERPLATE: &[&str] = &[
    "الرئيسية",
    "رياضة",
    "اتصل بنا",
    "عاجل",
    "شارك على",
    "اقرأ أيضا",
    "جميع الحقوق محفوظة",
    "سياسة الخصوصية",
];

fn rasd(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("rasd").expect("binary");
    c.current_dir(dir);
    c
}

#[test]
fn a_local_html_page_is_read_like_a_fetched_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("shuhail.html"), PAGE).expect("write");

    // extract: records from the article only, spans quoting the article text.
    let out = rasd(dir.path())
        .args(["extract", "-q", "--unscored", "shuhail.html"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let records: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("record"))
        .collect();
    assert!(!records.is_empty(), "the clashes are found");
    for r in &records {
        assert_eq!(r["doc_id"], "shuhail");
        let ev = r["evidence"]["text"].as_str().expect("evidence");
        assert!(BOILERPLATE.iter().all(|b| !ev.contains(b)), "{ev}");
    }

    // ingest: the stored text is the article, with the page's metadata.
    let out = rasd(dir.path())
        .args(["ingest", "shuhail.html", "--db", "p.db", "-q"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let db = rusqlite::Connection::open(dir.path().join("p.db")).expect("db");
    let (text, title, published, url, outlet): (String, String, String, String, String) = db
        .query_row(
            "SELECT text, title, published, url, outlet FROM docs WHERE id = 'shuhail'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .expect("the page is stored");
    assert!(text.contains("اندلعت فجر اليوم بين قوات سوريا الديمقراطية"), "{text}");
    assert!(text.contains("دون ورود أنباء عن خسائر بشرية."), "{text}");
    for b in BOILERPLATE {
        assert!(!text.contains(b), "{b} in the stored text: {text}");
    }
    assert_eq!(title, "اشتباكات عنيفة على أطراف بلدة الشحيل");
    assert!(published.starts_with("2017-11-12"), "{published}");
    assert_eq!(url, "https://furat.example.test/news/2017/11/12/shuhail");
    assert_eq!(outlet, "شبكة الفرات");

    // Every stored event's span quotes the stored text.
    let mut stmt = db
        .prepare("SELECT json FROM events WHERE doc_id = 'shuhail'")
        .expect("events");
    let spans: Vec<(usize, usize, String)> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .expect("query")
        .map(|j| {
            let e: serde_json::Value = serde_json::from_str(&j.expect("row")).expect("json");
            let ev = &e["evidence"];
            (
                ev["start"].as_u64().expect("start") as usize,
                ev["end"].as_u64().expect("end") as usize,
                ev["text"].as_str().expect("text").to_string(),
            )
        })
        .collect();
    for (a, b, t) in spans {
        assert_eq!(text.get(a..b), Some(t.as_str()));
    }
}
