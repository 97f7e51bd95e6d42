//! RSS 0.9x/1.0/2.0, Atom and JSON feeds, parsed by feed-rs.
//!
//! Refused before parsing, each with a clear error: an HTML page served as a feed, and any document type
//! declaration that defines entities (`<!ENTITY`: the "billion laughs" expansion and external entities). A
//! body that is not UTF-8 is decoded first (see [`crate::charset`]). An item without an http(s) link is
//! skipped and counted, not a failure of the feed.

use crate::{Error, Result, charset};
use chrono::{DateTime, Utc};

/// One usable feed item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    /// The item's guid or id (feed-rs makes one when the feed has none).
    pub id: String,
    /// The article's URL.
    pub link: String,
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
    /// The summary or content as plain text (tags removed, entities decoded).
    pub summary: Option<String>,
}

/// A parsed feed.
#[derive(Debug, Clone, Default)]
pub struct ParsedFeed {
    pub title: Option<String>,
    pub items: Vec<FeedItem>,
    /// Items skipped for want of a usable link.
    pub skipped: usize,
}

/// Parses a feed body; `header_charset` is the Content-Type's charset, `base` the feed's URL (for relative
/// links).
pub fn parse_feed(bytes: &[u8], header_charset: Option<&str>, base: Option<&str>) -> Result<ParsedFeed> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head: Vec<u8> = body
        .trim_ascii_start()
        .iter()
        .take(1024)
        .map(u8::to_ascii_lowercase)
        .collect();
    if head.is_empty() {
        return Err(Error::NotAFeed("the body is empty".into()));
    }
    if head.starts_with(b"<!doctype html") || head.starts_with(b"<html") || contains(&head, b"<html") {
        return Err(Error::NotAFeed(
            "the response is an HTML page, not RSS, Atom or JSON".into(),
        ));
    }
    if contains(body, b"<!ENTITY") || contains(body, b"<!entity") {
        return Err(Error::Feed(
            "the feed declares XML entities (<!ENTITY): refused, since expanding them can exhaust memory".into(),
        ));
    }
    let decoded;
    let input: &[u8] = if head.starts_with(b"<") && std::str::from_utf8(body).is_err() {
        let d = charset::decode(body, header_charset).map_err(Error::Charset)?;
        decoded = utf8_declaration(&d.text);
        decoded.as_bytes()
    } else {
        body
    };
    let feed = feed_rs::parser::Builder::new()
        .base_uri(base)
        .build()
        .parse(input)
        .map_err(|e| Error::Feed(e.to_string()))?;
    let mut out = ParsedFeed {
        title: feed.title.map(|t| plain(&t.content)),
        ..ParsedFeed::default()
    };
    for e in feed.entries {
        let link = e
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or(e.links.first())
            .map(|l| l.href.trim().to_string())
            .or_else(|| Some(e.id.trim().to_string()))
            .filter(|l| l.starts_with("http://") || l.starts_with("https://"));
        let Some(link) = link else {
            out.skipped += 1;
            continue;
        };
        let summary = e
            .summary
            .map(|s| s.content)
            .or_else(|| e.content.and_then(|c| c.body))
            .map(|s| plain(&s))
            .filter(|s| !s.is_empty());
        out.items.push(FeedItem {
            id: if e.id.trim().is_empty() { link.clone() } else { e.id },
            link,
            title: e.title.map(|t| plain(&t.content)).filter(|t| !t.is_empty()),
            published: e.published.or(e.updated),
            summary,
        });
    }
    Ok(out)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Text re-labelled as UTF-8: the XML declaration's encoding (now wrong) is replaced.
fn utf8_declaration(text: &str) -> String {
    let t = text.trim_start();
    if let Some(rest) = t.strip_prefix("<?xml")
        && let Some(end) = rest.find("?>")
    {
        return format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}", &rest[end + 2..]);
    }
    text.to_string()
}

/// HTML or text content as plain text: tags removed, entities decoded by the HTML parser, spaces collapsed.
pub fn plain(s: &str) -> String {
    if !s.contains('<') && !s.contains('&') {
        return collapse(s);
    }
    let frag = scraper::Html::parse_fragment(s);
    collapse(&frag.root_element().text().collect::<String>())
}

pub(crate) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_items_and_skips() {
        let rss = r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>أخبار</title>
<item><title>اشتباكات في &amp; حول البلدة</title><link>https://example.test/a/1</link><guid>a1</guid>
<pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate><description>&lt;p&gt;نص &lt;b&gt;الخبر&lt;/b&gt;&lt;/p&gt;</description></item>
<item><title>بلا رابط</title><guid isPermaLink="false">x</guid></item>
</channel></rss>"#;
        let f = parse_feed(rss.as_bytes(), None, None).unwrap();
        assert_eq!(f.title.as_deref(), Some("أخبار"));
        assert_eq!(f.items.len(), 1);
        assert_eq!(f.skipped, 1);
        assert_eq!(f.items[0].title.as_deref(), Some("اشتباكات في & حول البلدة"));
        assert_eq!(f.items[0].summary.as_deref(), Some("نص الخبر"));
        assert_eq!(f.items[0].link, "https://example.test/a/1");
    }

    #[test]
    fn atom_and_json() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>f</id><updated>2026-03-03T10:00:00Z</updated>
<entry><id>e1</id><title>عنوان</title><updated>2026-03-03T10:00:00Z</updated><link href="https://example.test/e1"/></entry></feed>"#;
        let f = parse_feed(atom.as_bytes(), None, None).unwrap();
        assert_eq!(f.items[0].link, "https://example.test/e1");
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[
            {"id":"1","url":"https://example.test/j1","title":"خبر","content_text":"نص"},{"id":"2"}]}"#;
        let f = parse_feed(json.as_bytes(), None, None).unwrap();
        assert_eq!((f.items.len(), f.skipped), (1, 1));
    }

    #[test]
    fn html_and_entities_are_refused() {
        let e = parse_feed(b"<!DOCTYPE html><html><body>x</body></html>", None, None).unwrap_err();
        assert!(matches!(e, Error::NotAFeed(_)), "{e}");
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>
<rss><channel><item><title>&lol2;</title></item></channel></rss>"#;
        let e = parse_feed(bomb.as_bytes(), None, None).unwrap_err();
        assert!(e.to_string().contains("<!ENTITY"), "{e}");
        assert!(parse_feed(b"   ", None, None).is_err());
        assert!(parse_feed(b"<rss><channel><item>", None, None).is_err());
    }

    #[test]
    fn windows_1256_feed() {
        let xml = r#"<?xml version="1.0" encoding="windows-1256"?><rss version="2.0"><channel><title>مصدر</title>
<item><title>غارة جوية</title><link>https://example.test/w</link></item></channel></rss>"#;
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(xml);
        let f = parse_feed(&bytes, None, None).unwrap();
        assert_eq!(f.items[0].title.as_deref(), Some("غارة جوية"));
    }
}
