//! An article page's metadata and main text, read from scraper's DOM (html5ever: the browsers' parsing rules,
//! entities decoded by the parser).
//!
//! Metadata, first found wins:
//! - title: `og:title`, `twitter:title`, the first `<h1>`, `<title>`;
//! - byline: `<meta name=author>`, `article:author` (unless a URL), `[itemprop=author]`, `[rel=author]`,
//!   `.byline`, `.author`;
//! - publication date: `article:published_time`, `datePublished` (itemprop or meta), `pubdate`,
//!   `publish-date`, `date`, `dc.date`, `<time datetime>`;
//! - canonical URL: `<link rel=canonical>`, `og:url`;
//! - language: `<html lang>`, `content-language`, `og:locale`.
//!
//! Main text: [dom_smoothie](https://crates.io/crates/dom_smoothie), a maintained Rust port of Mozilla's
//! Readability.js (the reader view of Firefox), picks and cleans the article's content; metadata it finds (from
//! JSON-LD and meta tags) fills what the rules above left empty. The text is then read from its cleaned content:
//! the blocks (`p`, `h2`–`h4`, `li`, `blockquote`, `pre` without nested blocks) in document order, each with its
//! whitespace collapsed, one paragraph per line pair, except those inside `nav`, `aside`, `footer`, `header`,
//! `form`, `script`, `style`, `figure` (captions). Before Readability runs, elements whose class or id names an
//! advert, share buttons, a newsletter or a promotion and that hold no paragraph are removed (Readability has no
//! rule for them). This text is what rasd stores, and event spans are byte offsets into it.
//!
//! When Readability finds nothing, or the page has more than [`READABILITY_MAX_ELEMENTS`] elements (its passes
//! cost several times the parse), a heuristic reads the page instead: the container is the first of
//! `[itemprop=articleBody]`, `<article>`, `<main>`, `[role=main]` that holds paragraph text, otherwise the element
//! whose direct `<p>` children hold the most text not inside links, and its blocks are read as above, also
//! skipping those inside an element whose class or id names comments, related links, sharing or a newsletter.

use crate::feed::collapse;
use chrono::NaiveDate;
use ego_tree::NodeRef;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node, Selector};
use std::collections::HashMap;

/// What was read from a page.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Article {
    pub title: Option<String>,
    pub byline: Option<String>,
    /// The publication date as written in the page.
    pub published_raw: Option<String>,
    pub published: Option<NaiveDate>,
    pub canonical: Option<String>,
    pub lang: Option<String>,
    pub site_name: Option<String>,
    /// The main text: paragraphs separated by blank lines.
    pub text: String,
}

fn sel(s: &str) -> Selector {
    // The selectors are literals of this file, all valid.
    Selector::parse(s).unwrap_or_else(|_| Selector::parse("*").expect("universal selector"))
}

fn first_attr(doc: &Html, selectors: &[&str], attr: &str) -> Option<String> {
    selectors.iter().find_map(|s| {
        doc.select(&sel(s))
            .filter_map(|e| e.value().attr(attr))
            .map(collapse)
            .find(|v| !v.is_empty())
    })
}

fn first_text(doc: &Html, selectors: &[&str]) -> Option<String> {
    selectors.iter().find_map(|s| {
        doc.select(&sel(s))
            .map(|e| collapse(&e.text().collect::<String>()))
            .find(|v| !v.is_empty())
    })
}

/// A date as pages write it: RFC 3339, `YYYY-MM-DD…`, RFC 2822.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(d.date_naive());
    }
    if let Some(d) = s.get(..10).and_then(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").ok()) {
        return Some(d);
    }
    chrono::DateTime::parse_from_rfc2822(s).ok().map(|d| d.date_naive())
}

const SKIP_TAGS: &[&str] = &[
    "nav", "aside", "footer", "header", "form", "script", "style", "noscript", "figure", "template", "iframe",
];
const SKIP_WORDS: &[&str] = &[
    "comment",
    "related",
    "share",
    "sharing",
    "newsletter",
    "promo",
    "sidebar",
    "advert",
];
const BLOCKS: &[&str] = &["p", "h2", "h3", "h4", "li", "blockquote", "pre"];

/// Whether `e` or an ancestor (up to and excluding `stop`) is boilerplate.
fn skipped(e: ElementRef<'_>, stop: Option<ego_tree::NodeId>) -> bool {
    let mut node = Some(*e);
    while let Some(n) = node {
        if Some(n.id()) == stop {
            return false;
        }
        if let Some(el) = n.value().as_element() {
            if SKIP_TAGS.contains(&el.name()) {
                return true;
            }
            let names = format!("{} {}", el.attr("class").unwrap_or(""), el.attr("id").unwrap_or("")).to_lowercase();
            if SKIP_WORDS.iter().any(|w| names.contains(w)) {
                return true;
            }
        }
        node = n.parent();
    }
    false
}

/// Text of `n` outside links, in characters.
fn text_outside_links(n: NodeRef<'_, Node>) -> usize {
    match n.value() {
        Node::Text(t) => t.trim().chars().count(),
        Node::Element(e) if e.name() == "a" => 0,
        _ => n.children().map(text_outside_links).sum(),
    }
}

fn container(doc: &Html) -> Option<ElementRef<'_>> {
    let p = sel("p");
    for s in ["[itemprop=articleBody]", "article", "main", "[role=main]"] {
        if let Some(c) = doc
            .select(&sel(s))
            .filter(|c| !skipped(*c, None))
            .max_by_key(|c| c.select(&p).map(|p| text_outside_links(*p)).sum::<usize>())
            .filter(|c| c.select(&p).any(|p| text_outside_links(*p) > 0))
        {
            return Some(c);
        }
    }
    let mut score: HashMap<ego_tree::NodeId, usize> = HashMap::new();
    for para in doc.select(&p).filter(|e| !skipped(*e, None)) {
        if let Some(parent) = para.parent() {
            *score.entry(parent.id()).or_default() += text_outside_links(*para);
        }
    }
    let best = score.into_iter().max_by_key(|&(id, s)| (s, std::cmp::Reverse(id)))?.0;
    doc.tree.get(best).and_then(ElementRef::wrap)
}

/// Elements above which Readability is not run and the heuristic reads the page.
pub const READABILITY_MAX_ELEMENTS: usize = 100_000;

/// Class or id words of page furniture Readability.js has no rule for (its "unlikely candidates" already cover
/// comments, related links, menus, sidebars, headers and footers).
const PRE_DROP_WORDS: &[&str] = &["advert", "adsbygoogle", "share", "sharing", "newsletter", "promo"];

/// Readability's article, or `None` when it finds none (or the page is too large for it). Elements whose class or
/// id names an advert, share buttons, a newsletter or a promotion, and that hold no paragraph, are removed first:
/// Readability would keep their label ("إعلان") as a paragraph of the article.
fn readability(html: &str) -> Option<dom_smoothie::Article> {
    let doc = dom_query::Document::from(html);
    for n in doc.select("[class],[id]").nodes() {
        let names = format!(
            "{} {}",
            n.attr("class").as_deref().unwrap_or(""),
            n.attr("id").as_deref().unwrap_or("")
        )
        .to_lowercase();
        if PRE_DROP_WORDS.iter().any(|w| names.contains(w)) && !dom_query::Selection::from(*n).select("p").exists() {
            n.remove_from_parent();
        }
    }
    let cfg = dom_smoothie::Config {
        max_elements_to_parse: READABILITY_MAX_ELEMENTS,
        ..Default::default()
    };
    dom_smoothie::Readability::with_document(doc, None, Some(cfg))
        .ok()?
        .parse()
        .ok()
}

/// The text of Readability's cleaned content, read block by block.
fn readability_text(a: &dom_smoothie::Article) -> String {
    let frag = Html::parse_fragment(&a.content);
    let text = block_text(frag.root_element());
    if text.is_empty() {
        collapse(&a.text_content)
    } else {
        text
    }
}

/// The heuristic's main text.
fn main_text(doc: &Html) -> String {
    let Some(root) = container(doc) else {
        let body = doc.select(&sel("body")).next();
        return body
            .map(|b| collapse(&b.text().collect::<String>()))
            .unwrap_or_default();
    };
    block_text(root)
}

/// The blocks of `root` not inside boilerplate, one paragraph per line pair.
fn block_text(root: ElementRef<'_>) -> String {
    let blocks = sel(&BLOCKS.join(","));
    let inner = sel("p,li,blockquote,pre");
    let mut out: Vec<String> = Vec::new();
    for b in root.select(&blocks) {
        if skipped(b, Some(root.id())) || b.select(&inner).next().is_some() {
            continue;
        }
        // A <p> inside a <li> or <blockquote> is the block; the outer element is skipped above.
        let t = collapse(&b.text().collect::<String>());
        if !t.is_empty() {
            out.push(t);
        }
    }
    out.join("\n\n")
}

/// Elements whose text is never a page's main text.
const NOT_MAIN: &[&str] = &[
    "nav", "header", "footer", "aside", "form", "script", "style", "noscript", "template", "head", "title",
];

/// Whether the page has text outside navigation, headers, footers, asides, forms, scripts, styles and
/// `noscript`. A page without (a menu, a cookie wall) has no main text: Readability and the heuristic would
/// otherwise fall back to the menu's words.
pub fn has_main_text(doc: &Html) -> bool {
    // Iterative: a page may nest elements deeper than the stack would allow recursion.
    let mut skipping = 0usize;
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(n) => match n.value() {
                Node::Element(e) if NOT_MAIN.contains(&e.name()) => skipping += 1,
                Node::Text(t) if skipping == 0 && !t.trim().is_empty() => return true,
                _ => {}
            },
            Edge::Close(n) => {
                if n.value().as_element().is_some_and(|e| NOT_MAIN.contains(&e.name())) {
                    skipping -= 1;
                }
            }
        }
    }
    false
}

/// Elements that end a paragraph in [`fragment_text`].
const BREAKS: &[&str] = &[
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
    "pre",
    "hr",
    "dd",
    "dt",
];

/// The text of an HTML fragment (a feed item's content or summary): every text node but those of scripts,
/// styles and templates, entities decoded by the HTML parser, one paragraph per line pair (block elements and
/// `<br>` end a paragraph), each with its white space collapsed. Text without markup is its collapsed self.
pub fn fragment_text(html: &str) -> String {
    const DROP: &[&str] = &["script", "style", "template", "noscript"];
    fn flush(cur: &mut String, out: &mut Vec<String>) {
        let t = collapse(cur);
        if !t.is_empty() {
            out.push(t);
        }
        cur.clear();
    }
    if !html.contains('<') && !html.contains('&') {
        return collapse(html);
    }
    let frag = Html::parse_fragment(html);
    let (mut cur, mut out) = (String::new(), Vec::new());
    let mut dropping = 0usize;
    for edge in frag.tree.root().traverse() {
        let (n, open) = match edge {
            Edge::Open(n) => (n, true),
            Edge::Close(n) => (n, false),
        };
        match n.value() {
            Node::Text(t) if open && dropping == 0 => cur.push_str(t),
            Node::Element(e) if DROP.contains(&e.name()) => {
                if open {
                    dropping += 1;
                } else {
                    dropping -= 1;
                }
            }
            Node::Element(e) if dropping == 0 && BREAKS.contains(&e.name()) => flush(&mut cur, &mut out),
            _ => {}
        }
    }
    flush(&mut cur, &mut out);
    out.join("\n\n")
}

/// Reads an HTML page. A page without main text (see [`has_main_text`]) has an empty `text`.
pub fn extract_article(html: &str) -> Article {
    let doc = Html::parse_document(html);
    let read = readability(html);
    let meta = |f: fn(&dom_smoothie::Article) -> Option<&str>| {
        read.as_ref().and_then(f).map(collapse).filter(|v| !v.is_empty())
    };
    let published_raw = first_attr(
        &doc,
        &[
            "meta[property='article:published_time']",
            "meta[itemprop=datePublished]",
            "meta[name=datePublished]",
            "meta[name=pubdate]",
            "meta[name=publish-date]",
            "meta[name='dc.date']",
            "meta[name=date]",
        ],
        "content",
    )
    .or_else(|| first_attr(&doc, &["[itemprop=datePublished]", "time[datetime]"], "datetime"));
    let byline = first_attr(&doc, &["meta[name=author]"], "content")
        .or_else(|| {
            first_attr(&doc, &["meta[property='article:author']"], "content").filter(|a| !a.starts_with("http"))
        })
        .or_else(|| first_text(&doc, &["[itemprop=author]", "[rel=author]", ".byline", ".author"]));
    let published_raw = published_raw.or_else(|| meta(|a| a.published_time.as_deref()));
    let text = if has_main_text(&doc) {
        read.as_ref()
            .map(readability_text)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| main_text(&doc))
    } else {
        String::new()
    };
    Article {
        title: first_attr(
            &doc,
            &["meta[property='og:title']", "meta[name='twitter:title']"],
            "content",
        )
        .or_else(|| first_text(&doc, &["h1", "title"]))
        .or_else(|| meta(|a| Some(a.title.as_str()))),
        byline: byline.or_else(|| meta(|a| a.byline.as_deref())),
        published: published_raw.as_deref().and_then(parse_date),
        published_raw,
        canonical: first_attr(&doc, &["link[rel=canonical]"], "href")
            .or_else(|| first_attr(&doc, &["meta[property='og:url']"], "content"))
            .or_else(|| meta(|a| a.url.as_deref())),
        lang: first_attr(&doc, &["html"], "lang")
            .or_else(|| first_attr(&doc, &["meta[http-equiv='content-language' i]"], "content"))
            .or_else(|| first_attr(&doc, &["meta[property='og:locale']"], "content"))
            .or_else(|| meta(|a| a.lang.as_deref())),
        site_name: first_attr(&doc, &["meta[property='og:site_name']"], "content")
            .or_else(|| meta(|a| a.site_name.as_deref())),
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>عنوان الصفحة | الموقع</title>
<meta property="og:title" content="قصف على أطراف البلدة الشرقية &amp; نزوح">
<meta property="article:published_time" content="2026-02-14T08:30:00+02:00">
<meta name="author" content="مراسل الشمال">
<link rel="canonical" href="https://news.example.test/2026/02/14/qasf">
</head><body>
<header><nav><a href="/">الرئيسية</a> <a href="/world">العالم</a></nav></header>
<div class="share-bar">شارك الخبر</div>
<article><h1>قصف على أطراف البلدة</h1>
<p>قالت مصادر محلية إن قصفاً مدفعياً استهدف الأطراف الشرقية للبلدة صباح اليوم.</p>
<figure><figcaption>صورة أرشيفية</figcaption></figure>
<p>وأضافت المصادر أن الأهالي نزحوا نحو القرى المجاورة &quot;خوفاً من تجدد القصف&quot;.</p>
<aside class="related">اقرأ أيضاً: أخبار أخرى</aside>
<ul><li>لا إصابات مؤكدة حتى الآن</li></ul>
</article>
<footer>جميع الحقوق محفوظة</footer></body></html>"#;

    #[test]
    fn metadata_and_main_text() {
        let a = extract_article(PAGE);
        assert_eq!(a.title.as_deref(), Some("قصف على أطراف البلدة الشرقية & نزوح"));
        assert_eq!(a.byline.as_deref(), Some("مراسل الشمال"));
        assert_eq!(a.published, NaiveDate::from_ymd_opt(2026, 2, 14));
        assert_eq!(
            a.canonical.as_deref(),
            Some("https://news.example.test/2026/02/14/qasf")
        );
        assert_eq!(a.lang.as_deref(), Some("ar"));
        assert!(a.text.starts_with("قالت مصادر محلية"), "{}", a.text);
        assert!(a.text.contains("\"خوفاً من تجدد القصف\""));
        assert!(a.text.contains("لا إصابات مؤكدة"));
        for junk in ["الرئيسية", "شارك", "اقرأ أيضاً", "صورة أرشيفية", "محفوظة"] {
            assert!(!a.text.contains(junk), "{junk} in {}", a.text);
        }
    }

    #[test]
    fn navigation_only_pages_have_no_main_text() {
        let nav = r#"<html><head><title>عنوان</title></head><body><header>شعار الموقع</header>
<nav><a href="/">الرئيسية</a> <a href="/a">أخبار</a></nav><aside>الأكثر قراءة</aside>
<form>اشترك</form><script>x()</script><style>p{}</style><noscript>فعّل</noscript><footer>الحقوق</footer></body></html>"#;
        let doc = Html::parse_document(nav);
        assert!(!has_main_text(&doc));
        assert_eq!(extract_article(nav).text, "");
        assert!(has_main_text(&Html::parse_document(
            "<body><nav>قائمة</nav><div>خبر</div></body>"
        )));
        let deep = format!("{}خبر", "<div>".repeat(10_000));
        assert!(has_main_text(&Html::parse_document(&deep)));
    }

    #[test]
    fn fragments_are_read_paragraph_by_paragraph() {
        assert_eq!(fragment_text("نص  بلا   وسوم"), "نص بلا وسوم");
        assert_eq!(
            fragment_text("<p>الأولى &amp; &#1575;لثانية</p>سطر<br>آخر<script>x()</script>"),
            "الأولى & الثانية\n\nسطر\n\nآخر"
        );
        assert_eq!(fragment_text("a &nbsp; b"), "a b");
    }

    #[test]
    fn densest_paragraphs_without_article_tag() {
        let html = r#"<html><body><div id="menu"><p><a href="/">رابط</a> <a href="/b">رابط آخر</a></p></div>
<div class="content"><p>الفقرة الأولى من الخبر وفيها تفاصيل كثيرة عن الاشتباكات.</p><p>الفقرة الثانية.</p></div>
<div id="comments"><p>تعليق القارئ الطويل جداً جداً جداً جداً جداً جداً جداً جداً جداً جداً جداً</p></div></body></html>"#;
        let a = extract_article(html);
        assert_eq!(
            a.text,
            "الفقرة الأولى من الخبر وفيها تفاصيل كثيرة عن الاشتباكات.\n\nالفقرة الثانية."
        );
        assert_eq!(a.title, None);
        assert_eq!(
            parse_date("Sat, 14 Feb 2026 08:30:00 +0000"),
            NaiveDate::from_ymd_opt(2026, 2, 14)
        );
    }
}
