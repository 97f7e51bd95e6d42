//! RSS 0.9x/1.0/2.0, Atom and JSON feeds, parsed by feed-rs.
//!
//! Two readers share the same checks and the same reading of an entry:
//! - [`parse_feed`], for `rasd watch`: a fetched body (charset decoded first, see [`crate::charset`]); an HTML
//!   page served as a feed is refused, and an item without an http(s) link is skipped and counted, not a
//!   failure of the feed.
//! - [`read_feed`], for documents read from files, bytes and standard input (`rasd_store::read`): the text is
//!   already decoded; an item needs no link; dates are read as written (the day the writer meant, not the UTC
//!   day); and a malformed item fails alone: when the whole feed does not parse, its items are found by a scan
//!   ([`item_ranges`], a splitter, not a parser) and each is parsed by feed-rs in an envelope of its own.
//!
//! Refused by both before parsing, with a clear error: any document type declaration that defines entities
//! (`<!ENTITY`: the "billion laughs" expansion and external entities). Titles are plain text and contents are
//! read as HTML ([`plain`], [`crate::article::fragment_text`]): tags removed, entities decoded by the HTML
//! parser.

use crate::{Error, Result, article, charset};
use chrono::{DateTime, NaiveDate, Utc};

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
    refuse_entities(body)?;
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
        let link = link_of(&e)
            .or_else(|| Some(e.id.trim().to_string()))
            .filter(|l| l.starts_with("http://") || l.starts_with("https://"));
        let Some(link) = link else {
            out.skipped += 1;
            continue;
        };
        let title = title_of(&e);
        let summary = e
            .summary
            .map(|s| s.content)
            .or_else(|| e.content.and_then(|c| c.body))
            .map(|s| plain(&s))
            .filter(|s| !s.is_empty());
        out.items.push(FeedItem {
            id: if e.id.trim().is_empty() { link.clone() } else { e.id },
            link,
            title,
            published: e.published.or(e.updated),
            summary,
        });
    }
    Ok(out)
}

/// Refuses a feed that declares XML entities.
fn refuse_entities(body: &[u8]) -> Result<()> {
    if contains(body, b"<!ENTITY") || contains(body, b"<!entity") {
        return Err(Error::Feed(
            "the feed declares XML entities (<!ENTITY): refused, since expanding them can exhaust memory".into(),
        ));
    }
    Ok(())
}

/// An entry's link: the first `alternate` (or unqualified) link, else the first; `None` when empty.
fn link_of(e: &feed_rs::model::Entry) -> Option<String> {
    e.links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(e.links.first())
        .map(|l| l.href.trim().to_string())
        .filter(|l| !l.is_empty())
}

/// An entry's title as plain text; `None` when empty.
fn title_of(e: &feed_rs::model::Entry) -> Option<String> {
    e.title.as_ref().map(|t| plain(&t.content)).filter(|t| !t.is_empty())
}

/// One entry of a feed read as a document (see [`read_feed`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// The guid (RSS) or id (Atom) as written; `None` when the item has none.
    pub id: Option<String>,
    /// The item's link, if any (not necessarily http).
    pub link: Option<String>,
    pub title: Option<String>,
    /// The publication date as written: `pubDate`, `dc:date`, `published`, else `updated`; RFC 822 or ISO 8601.
    pub published: Option<NaiveDate>,
    /// The content, else the summary, as text ([`crate::article::fragment_text`]): paragraphs separated by
    /// blank lines. May be empty.
    pub text: String,
}

/// A feed read as documents: its title, whether it is Atom, and each item (by position) or the reason it
/// could not be read.
#[derive(Debug, Clone, Default)]
pub struct EntryFeed {
    pub title: Option<String>,
    pub atom: bool,
    pub items: Vec<std::result::Result<Entry, String>>,
}

/// A date as written in a feed, the day the writer meant (not converted to UTC): ISO 8601 (`YYYY-MM-DD…`) or
/// RFC 822 (with an optional weekday, and a time zone name chrono may not know). Midnight UTC of that day,
/// since feed-rs keeps a `DateTime<Utc>`.
fn written_date(raw: &str) -> Option<DateTime<Utc>> {
    rasd_core::parse_published(raw)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

/// The feed-rs parser of [`read_feed`]: no id is made up for an item without one, dates as written.
fn entry_parser() -> feed_rs::parser::Parser {
    feed_rs::parser::Builder::new()
        .id_generator(|_, _, _| String::new())
        .timestamp_parser(written_date)
        .build()
}

fn entry_of(e: feed_rs::model::Entry) -> Entry {
    let link = link_of(&e);
    let title = title_of(&e);
    let content = e.content.and_then(|c| c.body).map(|b| article::fragment_text(&b));
    let summary = e.summary.map(|s| article::fragment_text(&s.content));
    let text = content.filter(|t| !t.is_empty()).or(summary).unwrap_or_default();
    // A character reference to U+0000 is not text (a NUL byte makes an input binary).
    let text = if text.contains('\0') {
        text.replace('\0', "\u{fffd}")
    } else {
        text
    };
    let title = title.map(|t| t.replace('\0', "\u{fffd}"));
    let id = e.id.trim();
    Entry {
        id: (!id.is_empty()).then(|| id.to_string()),
        link,
        title,
        published: e.published.or(e.updated).map(|d| d.date_naive()),
        text,
    }
}

/// The envelope an item is parsed in when it is parsed alone, without the feed's own head: an RSS 2.0 channel
/// or an Atom feed, with the namespaces items commonly use.
const RSS_ENVELOPE: (&str, &str) = (
    "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
     xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:atom=\"http://www.w3.org/2005/Atom\" \
     xmlns:media=\"http://search.yahoo.com/mrss/\" \
     xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><channel>",
    "</channel></rss>",
);
const ATOM_ENVELOPE: (&str, &str) = ("<feed xmlns=\"http://www.w3.org/2005/Atom\">", "</feed>");

/// The closing tags of the feed's root elements opened in `head` (the text before the first item) and not
/// closed there, innermost first.
fn closers(head: &str) -> String {
    let mut open: Vec<(usize, &str)> = ["rdf:RDF", "rss", "channel", "feed"]
        .into_iter()
        .filter_map(|name| {
            let at = find_tag(head, &format!("<{name}"))?;
            find_tag(head, &format!("</{name}")).is_none().then_some((at, name))
        })
        .collect();
    open.sort();
    open.iter().rev().map(|(_, n)| format!("</{n}>")).collect()
}

/// Where a tag `<name` (followed by `>`, `/` or white space) first appears in `s`.
fn find_tag(s: &str, start: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find(start) {
        let at = from + i;
        match s.as_bytes().get(at + start.len()) {
            Some(b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n') => return Some(at),
            _ => from = at + start.len(),
        }
    }
    None
}

/// The feed with `version="2.0"` added to an `<rss>` root that has no version (feed-rs reads an RSS root by its
/// version; the old readers of local files took any).
fn rss_version(text: String) -> String {
    let Some(at) = find_tag(&text, "<rss") else {
        return text;
    };
    let end = text[at..].find('>').map_or(text.len(), |e| at + e);
    if text[at..end].contains("version") {
        return text;
    }
    format!("{} version=\"2.0\"{}", &text[..at + 4], &text[at + 4..])
}

/// Reads a feed (RSS 0.9x/1.0/2.0 or Atom, already decoded to `text`) as documents, for readers of files:
/// each item becomes an [`Entry`] whatever its link. The whole feed is parsed by feed-rs; when that fails,
/// each item found by [`item_ranges`] is parsed alone (in the feed's own head when that parses, else in a
/// minimal envelope), so that a malformed item is the reason of that item only and the others are read. An
/// item with no closing tag is malformed. An error: the feed declares entities, or it is not a feed and has no
/// items to read one by one.
pub fn read_feed(text: &str) -> Result<EntryFeed> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(Error::NotAFeed("the input is empty".into()));
    }
    refuse_entities(text.as_bytes())?;
    let text = rss_version(utf8_declaration(text));
    let parser = entry_parser();
    let whole = match parser.parse(text.as_bytes()) {
        Ok(feed) => {
            return Ok(EntryFeed {
                title: feed.title.map(|t| plain(&t.content)).filter(|t| !t.is_empty()),
                atom: feed.feed_type == feed_rs::model::FeedType::Atom,
                items: feed.entries.into_iter().map(|e| Ok(entry_of(e))).collect(),
            });
        }
        Err(e) => e,
    };
    let ranges = item_ranges(&text);
    let Some(&(first, _, _)) = ranges.first() else {
        return Err(Error::Feed(format!("malformed feed: {whole}")));
    };
    let head = &text[..first];
    let atom = find_tag(head, "<feed").is_some();
    // The feed's head, when it parses, keeps its namespaces and gives its title.
    let own = (head.to_string(), closers(head));
    let titled = parser
        .parse(format!("{}{}", own.0, own.1).as_bytes())
        .ok()
        .filter(|f| !matches!(f.feed_type, feed_rs::model::FeedType::JSON));
    let title = titled
        .as_ref()
        .and_then(|f| f.title.as_ref())
        .map(|t| plain(&t.content))
        .filter(|t| !t.is_empty());
    let (open, close) = if titled.is_some() {
        (own.0.as_str(), own.1.as_str())
    } else if atom {
        ATOM_ENVELOPE
    } else {
        RSS_ENVELOPE
    };
    let items = ranges
        .iter()
        .map(|&(from, to, closed)| {
            if !closed {
                return Err("malformed feed item: not closed".to_string());
            }
            let one = format!("{open}{}{close}", &text[from..to]);
            match parser.parse(one.as_bytes()) {
                Ok(f) => f
                    .entries
                    .into_iter()
                    .next()
                    .map(entry_of)
                    .ok_or_else(|| "malformed feed item: not an item".to_string()),
                Err(e) => Err(format!("malformed feed item: {e}")),
            }
        })
        .collect();
    Ok(EntryFeed { title, atom, items })
}

/// Where each item (`<item>`, `<entry>`) of a feed starts and ends, and whether it is closed, found by a scan
/// that steps over comments and CDATA sections (a splitter for [`read_feed`], not a parser). An item with no
/// closing tag ends where the next one starts (or at the end).
pub fn item_ranges(xml: &str) -> Vec<(usize, usize, bool)> {
    let b = xml.as_bytes();
    let is_tag = |at: usize, name: &[u8]| {
        b.len() > at + name.len()
            && b[at..at + name.len()].eq_ignore_ascii_case(name)
            && matches!(b[at + name.len()], b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n')
    };
    let mut starts: Vec<usize> = Vec::new();
    let mut ends: Vec<Option<usize>> = Vec::new();
    let mut i = 0;
    while let Some(off) = b.get(i..).and_then(|rest| rest.iter().position(|&c| c == b'<')) {
        let at = i + off;
        let rest = &xml[at..];
        if rest.starts_with("<![CDATA[") {
            i = rest.find("]]>").map_or(b.len(), |e| at + e + 3);
            continue;
        }
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(b.len(), |e| at + e + 3);
            continue;
        }
        if is_tag(at + 1, b"item") || is_tag(at + 1, b"entry") {
            starts.push(at);
            ends.push(None);
        } else if (is_tag(at + 2, b"item") || is_tag(at + 2, b"entry"))
            && b[at + 1] == b'/'
            && let Some(last) = ends.last_mut().filter(|e| e.is_none())
        {
            *last = Some(b[at..].iter().position(|&c| c == b'>').map_or(b.len(), |e| at + e + 1));
        }
        i = at + 1;
    }
    (0..starts.len())
        .map(|k| {
            let next = starts.get(k + 1).copied().unwrap_or(b.len());
            match ends[k] {
                Some(end) if end <= next => (starts[k], end, true),
                _ => (starts[k], next, false),
            }
        })
        .collect()
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
    fn read_feed_keeps_items_without_links_and_the_written_dates() {
        let rss = r#"<?xml version="1.0" encoding="windows-1256"?><rss version="2.0"><channel><title>نشرة</title>
<item><guid>g1</guid><pubDate>Tue, 05 Mar 2024 23:30:00 -0500</pubDate><description>نص أول</description></item>
<item><title>بلا معرف</title><description>&lt;p&gt;فقرة&lt;/p&gt;&lt;p&gt;ثانية&lt;/p&gt;</description></item>
</channel></rss>"#;
        let f = read_feed(rss).unwrap();
        assert_eq!(f.title.as_deref(), Some("نشرة"));
        assert!(!f.atom);
        let a = f.items[0].as_ref().unwrap();
        assert_eq!((a.id.as_deref(), a.link.as_deref()), (Some("g1"), None));
        assert_eq!(a.published, NaiveDate::from_ymd_opt(2024, 3, 5));
        let b = f.items[1].as_ref().unwrap();
        assert_eq!((b.id.as_deref(), b.text.as_str()), (None, "فقرة\n\nثانية"));
    }

    #[test]
    fn read_feed_reads_the_good_items_of_a_broken_feed() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>أ</title>
<entry><id>1</id><content type="html">&lt;p&gt;نص&lt;/p&gt;</content></entry>
<entry><id>2</id><content>نص <b>مكسور</content></entry>
<entry><id>3</id><summary>نص ثالث</summary></entry>
<entry><id>4</id><summary>بلا نهاية</summary>
</feed>"#;
        let f = read_feed(atom).unwrap();
        assert!(f.atom);
        assert_eq!(f.title.as_deref(), Some("أ"));
        let ids: Vec<_> = f.items.iter().map(|i| i.as_ref().map(|e| e.id.clone())).collect();
        assert_eq!(ids.len(), 4);
        assert_eq!(ids[0], Ok(Some("1".into())));
        assert!(ids[1].as_ref().is_err_and(|e| e.starts_with("malformed feed item")));
        assert_eq!(ids[2], Ok(Some("3".into())));
        assert_eq!(ids[3], Err(&"malformed feed item: not closed".to_string()));
        assert!(read_feed("not a feed").is_err());
        let bare = read_feed(
            "<rss><channel><title>ن</title><item><guid>x</guid><description>نص</description></item></channel></rss>",
        )
        .unwrap();
        assert_eq!(
            (bare.title.as_deref(), bare.items.len()),
            (Some("ن"), 1),
            "an <rss> root without a version"
        );
        assert!(read_feed("  ").is_err());
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss version="2.0"><channel><item><description>&a;</description></item></channel></rss>"#;
        assert!(read_feed(bomb).is_err_and(|e| e.to_string().contains("<!ENTITY")));
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
