//! Reading documents from files: plain text, JSONL, HTML pages (main text and metadata) and RSS 2.0 / Atom
//! feeds. A file that cannot be read becomes an [`Item`] carrying the reason, never an error that stops a batch.

use chrono::NaiveDate;
use quick_xml::events::Event as Xml;
use rasd_core::Doc;
use std::path::{Path, PathBuf};

/// The input format a document was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Jsonl,
    Html,
    Rss,
    Atom,
}

impl Format {
    /// The name stored in the `format` column.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Jsonl => "jsonl",
            Format::Html => "html",
            Format::Rss => "rss",
            Format::Atom => "atom",
        }
    }
}

/// One document read from an input, or the reason it could not be read. `origin` says where it came from
/// (`path`, `path:line`, `path#item`), so that a failure can be found and fixed.
#[derive(Debug, Clone)]
pub struct Item {
    pub origin: String,
    pub format: Option<Format>,
    pub doc: Result<Doc, String>,
}

/// Every file under `paths`, directories walked recursively in name order; hidden files are skipped.
/// A path that does not exist is returned as is, so that reading it records the failure.
pub fn walk(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        walk_one(p, &mut out);
    }
    out
}

fn walk_one(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let Ok(rd) = std::fs::read_dir(p) else {
            out.push(p.to_path_buf());
            return;
        };
        let mut children: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        children.sort();
        for c in children {
            let name = c
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_ascii_lowercase();
            if !name.starts_with('.') && !is_not_a_document(&name) {
                walk_one(&c, out);
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
}

/// Files met in a directory walk that are documentation, databases or binaries, not reports: a collection's
/// README must not become a news document. (Named explicitly on the command line, they are still read.)
fn is_not_a_document(name: &str) -> bool {
    const SKIP: &[&str] = &[
        "md", "markdown", "db", "db-wal", "db-shm", "sqlite", "png", "jpg", "jpeg", "gif", "pdf", "zip", "gz",
    ];
    name.starts_with("readme")
        || name.starts_with("license")
        || name.rsplit_once('.').is_some_and(|(_, e)| SKIP.contains(&e))
}

/// Reads one file into documents.
pub fn read_file(path: &Path) -> Vec<Item> {
    let origin = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => read_bytes(&origin, &bytes, format_from_name(&origin)),
        Err(e) => vec![Item {
            origin,
            format: None,
            doc: Err(format!("cannot read: {e}")),
        }],
    }
}

/// The format a file name promises by its extension (`.xml` and unknown extensions: none, the content decides).
pub fn format_from_name(name: &str) -> Option<Format> {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    match ext.as_str() {
        "txt" | "text" => Some(Format::Text),
        "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
        "html" | "htm" | "xhtml" => Some(Format::Html),
        "rss" => Some(Format::Rss),
        "atom" => Some(Format::Atom),
        _ => None,
    }
}

/// Reads the bytes of one input. `hint` comes from the file name; without one (or for `.xml`) the content
/// decides.
pub fn read_bytes(origin: &str, bytes: &[u8], hint: Option<Format>) -> Vec<Item> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let reason = format!("invalid UTF-8 at byte offset {}", e.valid_up_to());
            return vec![Item {
                origin: origin.to_string(),
                format: hint,
                doc: Err(reason),
            }];
        }
    };
    let format = hint.unwrap_or_else(|| sniff(text));
    let one = |doc: Result<Doc, String>| {
        vec![Item {
            origin: origin.to_string(),
            format: Some(format),
            doc,
        }]
    };
    match format {
        Format::Text => one(text_doc(origin, text)),
        Format::Html => one(html_doc(origin, text)),
        Format::Jsonl => jsonl(origin, text),
        Format::Rss | Format::Atom => match feed(origin, text) {
            Ok(items) if items.is_empty() => one(Err("feed has no items".to_string())),
            Ok(items) => items,
            Err(e) => one(Err(e)),
        },
    }
}

fn sniff(text: &str) -> Format {
    let head = text.trim_start();
    let lower: String = head.chars().take(512).collect::<String>().to_ascii_lowercase();
    if head.starts_with('{') {
        Format::Jsonl
    } else if lower.contains("<rss") || lower.contains("<rdf:rdf") {
        Format::Rss
    } else if lower.contains("<feed") {
        Format::Atom
    } else if head.starts_with('<') {
        Format::Html
    } else {
        Format::Text
    }
}

fn stem(origin: &str) -> String {
    let name = origin.rsplit(['/', '\\']).next().unwrap_or(origin);
    name.rsplit_once('.').map_or(name, |(s, _)| s).to_string()
}

fn text_doc(origin: &str, text: &str) -> Result<Doc, String> {
    if text.trim().is_empty() {
        return Err("empty document".to_string());
    }
    let id = stem(origin);
    let id = if id.is_empty() { Doc::content_id(text) } else { id };
    Ok(Doc {
        id,
        text: text.to_string(),
        ..Doc::default()
    })
}

fn jsonl(origin: &str, text: &str) -> Vec<Item> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let doc = serde_json::from_str::<serde_json::Value>(line)
            .map_err(|e| format!("not JSON: {e}"))
            .and_then(|mut v| {
                let obj = v.as_object_mut().ok_or("not a JSON object")?;
                // A document without an id gets its content id, so that it can still be stored idempotently.
                let has_id = obj
                    .get("id")
                    .and_then(|i| i.as_str())
                    .is_some_and(|s| !s.trim().is_empty());
                if !has_id {
                    let text = obj.get("text").and_then(|t| t.as_str()).unwrap_or_default();
                    let id = Doc::content_id(text);
                    obj.insert("id".to_string(), serde_json::Value::String(id));
                }
                serde_json::from_value::<Doc>(v).map_err(|e| format!("not a document: {e}"))
            })
            .and_then(|d| {
                if d.text.trim().is_empty() {
                    Err("empty `text`".to_string())
                } else {
                    Ok(d)
                }
            });
        out.push(Item {
            origin: format!("{origin}:{}", n + 1),
            format: Some(Format::Jsonl),
            doc,
        });
    }
    if out.is_empty() {
        out.push(Item {
            origin: origin.to_string(),
            format: Some(Format::Jsonl),
            doc: Err("no documents".to_string()),
        });
    }
    out
}

fn parse_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc2822(raw) {
        return Some(d.date_naive());
    }
    NaiveDate::parse_from_str(raw.get(..10)?, "%Y-%m-%d").ok()
}

/// Decodes the HTML character references that news pages use.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // Byte search: `;` is ASCII, so its position is a character boundary whatever precedes it.
        let end = rest.as_bytes()[..rest.len().min(12)].iter().position(|&b| b == b';');
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ if name.starts_with("#x") || name.starts_with("#X") => {
                    u32::from_str_radix(&name[2..], 16).ok().and_then(char::from_u32)
                }
                _ if name.starts_with('#') => name[1..].parse::<u32>().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a page says about itself, and its main text.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Page {
    pub title: Option<String>,
    pub site: Option<String>,
    pub url: Option<String>,
    pub published: Option<NaiveDate>,
    pub text: String,
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let after = lower[at + name.len()..].trim_start();
        if before_ok && after.starts_with('=') {
            let value_start = tag.len() - after.len() + 1;
            let v = tag[value_start..].trim_start();
            let q = v.chars().next()?;
            return if q == '"' || q == '\'' {
                v[1..].find(q).map(|e| &v[1..1 + e])
            } else {
                Some(
                    v.split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                        .next()
                        .unwrap_or(v),
                )
            };
        }
        from = at + name.len();
    }
    None
}

/// Extracts the main text and metadata of an HTML page without a DOM: text inside `<article>` when the page
/// has one (else the whole body), minus scripts, styles, navigation, headers, footers, asides and forms, cut
/// into paragraphs at block elements. Navigation-like lines (under four words outside an article) are dropped.
pub fn html_main_text(html: &str) -> Page {
    const SKIP: &[&str] = &[
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "nav",
        "header",
        "footer",
        "aside",
        "form",
        "figcaption",
        "button",
        "select",
    ];
    const BLOCK: &[&str] = &[
        "p",
        "div",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "article",
        "section",
        "blockquote",
        "tr",
        "table",
        "main",
        "figure",
    ];
    let mut page = Page::default();
    let has_article = html.to_ascii_lowercase().contains("<article");
    let mut paras: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut skip: Vec<String> = Vec::new();
    let mut article_depth = 0usize;
    let mut in_title = false;
    let mut title_buf = String::new();
    let mut rest = html;
    let flush = |cur: &mut String, paras: &mut Vec<String>, in_article: bool| {
        let t = cur.split_whitespace().collect::<Vec<_>>().join(" ");
        if !t.is_empty() && (in_article || t.split(' ').count() >= 4) {
            paras.push(t);
        }
        cur.clear();
    };
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skip.is_empty() && (!has_article || article_depth > 0) {
                cur.push_str(&decode_entities(rest));
            }
            break;
        };
        let textpart = &rest[..lt];
        if in_title {
            title_buf.push_str(textpart);
        } else if skip.is_empty() && (!has_article || article_depth > 0) {
            cur.push_str(&decode_entities(textpart));
        }
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            rest = rest.find("-->").map_or("", |e| &rest[e + 3..]);
            continue;
        }
        let Some(gt) = rest.find('>') else { break };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        let self_closing = tag.ends_with('/');
        match name.as_str() {
            "title" => {
                in_title = !closing;
                if closing && page.title.is_none() {
                    let t = decode_entities(title_buf.trim());
                    if !t.is_empty() {
                        page.title = Some(t);
                    }
                }
                continue;
            }
            "meta" => {
                let key = attr(tag, "property")
                    .or_else(|| attr(tag, "name"))
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let content = attr(tag, "content").map(|c| decode_entities(c.trim()));
                if let Some(c) = content.filter(|c| !c.is_empty()) {
                    match key.as_str() {
                        "og:title" => page.title = Some(c),
                        "og:site_name" | "application-name" => page.site = Some(c),
                        "og:url" => page.url = page.url.take().or(Some(c)),
                        "article:published_time" | "og:published_time" | "pubdate" | "date" | "dc.date" => {
                            page.published = page.published.or_else(|| parse_date(&c));
                        }
                        _ => {}
                    }
                }
                continue;
            }
            "link" if attr(tag, "rel").is_some_and(|r| r.eq_ignore_ascii_case("canonical")) => {
                if let Some(h) = attr(tag, "href") {
                    page.url = Some(decode_entities(h));
                }
                continue;
            }
            "time" if !closing && page.published.is_none() => {
                page.published = attr(tag, "datetime").and_then(parse_date);
            }
            _ => {}
        }
        if SKIP.contains(&name.as_str()) && !self_closing {
            if closing {
                if let Some(pos) = skip.iter().rposition(|s| s == &name) {
                    skip.truncate(pos);
                }
            } else {
                skip.push(name.clone());
            }
            continue;
        }
        if BLOCK.contains(&name.as_str()) {
            flush(&mut cur, &mut paras, article_depth > 0);
        }
        if name == "article" {
            if closing {
                article_depth = article_depth.saturating_sub(1);
            } else if !self_closing {
                article_depth += 1;
            }
        }
    }
    flush(&mut cur, &mut paras, article_depth > 0 || has_article);
    page.text = paras.join("\n\n");
    page
}

fn html_doc(origin: &str, html: &str) -> Result<Doc, String> {
    let page = html_main_text(html);
    if page.text.trim().is_empty() {
        return Err("HTML page has no main text".to_string());
    }
    Ok(Doc {
        id: stem(origin),
        url: page.url,
        outlet: page.site,
        published: page.published,
        title: page.title,
        text: page.text,
    })
}

#[derive(Default)]
struct FeedItem {
    title: String,
    link: String,
    guid: String,
    date: String,
    updated: String,
    summary: String,
    content: String,
}

/// Reads the items of an RSS 2.0 or Atom feed. Item bodies may be HTML (escaped or CDATA); their text is kept.
fn feed(origin: &str, xml: &str) -> Result<Vec<Item>, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut items: Vec<FeedItem> = Vec::new();
    let mut cur: Option<FeedItem> = None;
    let mut feed_title = String::new();
    let mut is_atom = false;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| format!("malformed feed at byte {}: {e}", reader.buffer_position()))?;
        match ev {
            Xml::Start(ref s) | Xml::Empty(ref s) => {
                let is_start = matches!(ev, Xml::Start(_));
                let name = String::from_utf8_lossy(s.name().as_ref()).to_ascii_lowercase();
                if name == "feed" {
                    is_atom = true;
                }
                if name == "item" || name == "entry" {
                    cur = Some(FeedItem::default());
                }
                if let (Some(it), "link") = (cur.as_mut(), name.as_str()) {
                    for a in s.attributes().flatten() {
                        if a.key.as_ref() == b"href" && it.link.is_empty() {
                            it.link = String::from_utf8_lossy(&a.value).into_owned();
                        }
                    }
                }
                if is_start {
                    stack.push(name);
                }
            }
            Xml::End(_) => {
                if let Some(name) = stack.pop()
                    && (name == "item" || name == "entry")
                    && let Some(it) = cur.take()
                {
                    items.push(it);
                }
            }
            Xml::Text(t) => {
                let raw = String::from_utf8_lossy(t.as_ref()).into_owned();
                let text = decode_entities(&raw);
                push_text(&mut cur, &stack, &mut feed_title, &text);
            }
            Xml::CData(t) => {
                let text = String::from_utf8_lossy(t.as_ref()).into_owned();
                push_text(&mut cur, &stack, &mut feed_title, &text);
            }
            Xml::GeneralRef(r) => {
                let raw = format!("&{};", String::from_utf8_lossy(r.as_ref()));
                push_text(&mut cur, &stack, &mut feed_title, &decode_entities(&raw));
            }
            Xml::Eof => break,
            _ => {}
        }
    }
    let format = if is_atom { Format::Atom } else { Format::Rss };
    let outlet = (!feed_title.trim().is_empty()).then(|| feed_title.trim().to_string());
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(n, it)| {
            let body = if it.content.trim().is_empty() {
                &it.summary
            } else {
                &it.content
            };
            let text = if body.contains('<') {
                html_main_text(body).text
            } else {
                body.trim().to_string()
            };
            let id = [&it.guid, &it.link]
                .into_iter()
                .find(|s| !s.trim().is_empty())
                .map(|s| s.trim().to_string());
            let doc = if text.trim().is_empty() {
                Err("feed item has no text".to_string())
            } else {
                Ok(Doc {
                    id: id.unwrap_or_else(|| Doc::content_id(&text)),
                    url: (!it.link.is_empty()).then(|| it.link.trim().to_string()),
                    outlet: outlet.clone(),
                    published: parse_date(&it.date).or_else(|| parse_date(&it.updated)),
                    title: (!it.title.trim().is_empty()).then(|| it.title.trim().to_string()),
                    text,
                })
            };
            Item {
                origin: format!("{origin}#{}", n + 1),
                format: Some(format),
                doc,
            }
        })
        .collect())
}

fn push_text(cur: &mut Option<FeedItem>, stack: &[String], feed_title: &mut String, text: &str) {
    let Some(top) = stack.last() else { return };
    match cur.as_mut() {
        Some(it) => match top.as_str() {
            "title" => it.title.push_str(text),
            "link" => it.link.push_str(text),
            "guid" | "id" => it.guid.push_str(text),
            "pubdate" | "published" | "dc:date" => it.date.push_str(text),
            "updated" => it.updated.push_str(text),
            "description" | "summary" => it.summary.push_str(text),
            "content:encoded" | "content" => it.content.push_str(text),
            _ => {}
        },
        None if top == "title" && stack.len() <= 3 => feed_title.push_str(text),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_keeps_the_article_and_its_metadata() {
        let html = r#"<html><head><title>x</title><meta property="og:title" content="الجيش يدخل البوكمال">
<meta property="og:site_name" content="sana"><meta property="article:published_time" content="2017-11-09T08:00:00+03:00">
<link rel="canonical" href="https://example.invalid/a1"></head><body><nav>الرئيسية | سياسة | اقتصاد | رياضة</nav>
<article><h1>الجيش يدخل البوكمال</h1><p>دخلت وحدات من الجيش العربي السوري مدينة البوكمال &amp; ريفها.</p>
<script>var x = "<p>لا</p>";</script><p>وتتواصل الاشتباكات.</p></article><footer>حقوق النشر محفوظة للموقع 2017</footer></body></html>"#;
        let p = html_main_text(html);
        assert_eq!(p.title.as_deref(), Some("الجيش يدخل البوكمال"));
        assert_eq!(p.site.as_deref(), Some("sana"));
        assert_eq!(p.url.as_deref(), Some("https://example.invalid/a1"));
        assert_eq!(p.published, NaiveDate::from_ymd_opt(2017, 11, 9));
        assert_eq!(
            p.text,
            "الجيش يدخل البوكمال\n\nدخلت وحدات من الجيش العربي السوري مدينة البوكمال & ريفها.\n\nوتتواصل الاشتباكات."
        );
    }

    #[test]
    fn rss_and_atom_items_become_documents() {
        let rss = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>sohr</title>
<item><title>غارات على الميادين</title><link>https://example.invalid/1</link><guid>sohr-1</guid>
<pubDate>Sat, 11 Nov 2017 09:00:00 +0000</pubDate><description><![CDATA[<p>قتل 12 مدنيا في غارات على الميادين.</p>]]></description></item>
<item><title>ب</title><guid>sohr-2</guid><description>نص &amp; آخر</description></item></channel></rss>"#;
        let items = read_bytes("feed.xml", rss.as_bytes(), None);
        assert_eq!(items.len(), 2);
        let d = items[0].doc.as_ref().expect("doc");
        assert_eq!((d.id.as_str(), d.outlet.as_deref()), ("sohr-1", Some("sohr")));
        assert_eq!(d.published, NaiveDate::from_ymd_opt(2017, 11, 11));
        assert_eq!(d.text, "قتل 12 مدنيا في غارات على الميادين.");
        assert_eq!(items[1].doc.as_ref().map(|d| d.text.as_str()), Ok("نص & آخر"));
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>afp</title><entry><id>afp-1</id>
<link href="https://example.invalid/afp-1"/><published>2017-11-10T07:00:00Z</published><title>t</title>
<content type="html">&lt;p&gt;قال مصدر عسكري إن القوات دخلت المدينة.&lt;/p&gt;</content></entry></feed>"#;
        let items = read_bytes("f.atom", atom.as_bytes(), None);
        let d = items[0].doc.as_ref().expect("atom doc");
        assert_eq!(items[0].format, Some(Format::Atom));
        assert_eq!(d.url.as_deref(), Some("https://example.invalid/afp-1"));
        assert_eq!(d.text, "قال مصدر عسكري إن القوات دخلت المدينة.");
    }

    proptest::proptest! {
        /// The readers take whatever a crawler brings back: no input may panic them.
        #[test]
        fn no_input_panics(s in "(<[a-z/!]{0,8}[^>]{0,20}>|&[#a-z0-9]{0,6};?|[\\u0600-\\u06ff a-z{}\":,\\n]){0,60}") {
            for name in ["x.html", "x.rss", "x.atom", "x.jsonl", "x.txt", "x"] {
                let _ = read_bytes(name, s.as_bytes(), format_from_name(name));
            }
            let _ = decode_entities(&s);
        }
    }

    #[test]
    fn bad_inputs_are_items_with_reasons() {
        let items = read_bytes(
            "a.jsonl",
            b"{\"id\":\"a\",\"text\":\"x\"}\nnot json\n{\"text\":\"\"}\n",
            None,
        );
        assert!(items[0].doc.is_ok());
        assert!(items[1].doc.as_ref().is_err_and(|e| e.starts_with("not JSON")));
        assert_eq!(items[1].origin, "a.jsonl:2");
        assert!(items[2].doc.is_err());
        let bad = read_bytes("b.txt", b"\xff\xfe", None);
        assert!(bad[0].doc.as_ref().is_err_and(|e| e.contains("UTF-8")));
        let feed = read_bytes("c.rss", b"<rss><channel><item><title>x</title></channel>", None);
        assert!(feed[0].doc.is_err());
    }
}
