use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One news document as rasd reads it: the JSONL input format `{id, url, outlet, published, title, text}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Doc {
    pub id: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub outlet: Option<String>,
    /// Publication date, the anchor for relative dates. `None` when the metadata has none.
    #[serde(default, deserialize_with = "lenient_date")]
    pub published: Option<NaiveDate>,
    #[serde(default)]
    pub title: Option<String>,
    /// The text every span is a byte range of. A byte-order mark that leads it is not part of it (see
    /// [`Doc::strip_bom`]).
    #[serde(deserialize_with = "text_without_bom")]
    pub text: String,
}

/// Why a JSON line is not a usable document.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("not a JSON document object: {0}")]
    Json(#[from] serde_json::Error),
    #[error("document has an empty `id`")]
    EmptyId,
}

impl Doc {
    /// Parses one JSONL line. Accepts `published` as `YYYY-MM-DD` or an RFC 3339 timestamp (the date part is kept).
    pub fn from_json_line(line: &str) -> Result<Doc, DocError> {
        let doc: Doc = serde_json::from_str(line)?;
        if doc.id.trim().is_empty() {
            return Err(DocError::EmptyId);
        }
        Ok(doc)
    }

    /// `text` without the byte-order marks (U+FEFF) that lead it. Every reader forms document texts through
    /// this, so a report has the same text, hash and spans whether its file, its JSON string or its HTML body
    /// carried the mark or not.
    pub fn strip_bom(text: &str) -> &str {
        text.trim_start_matches('\u{feff}')
    }

    /// A stable content id, used when a document arrives without one: `blake3(text)` truncated to 16 hex digits.
    pub fn content_id(text: &str) -> String {
        let hash = blake3::hash(text.as_bytes());
        hash.to_hex()[..16].to_string()
    }
}

fn text_without_bom<'de, D>(de: D) -> Result<String, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let mut text = String::deserialize(de)?;
    let bom = text.len() - Doc::strip_bom(&text).len();
    text.drain(..bom);
    Ok(text)
}

fn lenient_date<'de, D>(de: D) -> Result<Option<NaiveDate>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw: Option<String> = Option::deserialize(de)?;
    let Some(raw) = raw else { return Ok(None) };
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    parse_published(raw).map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "`published` {raw:?} is neither an ISO date (YYYY-MM-DD…) nor an RFC 822 date"
        ))
    })
}

/// A publication date as JSONL files, pages and feeds write it: ISO 8601 (`2017-11-10`, `2017-11-10T07:00:00Z`)
/// or RFC 822/2822 (`Sat, 11 Nov 2017 09:00:00 +0000`, with a numeric zone, a named one or none, a two- or
/// four-digit year). The calendar date is kept as the writer wrote it (no conversion to UTC). Every reader
/// uses this one rule.
pub fn parse_published(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    if let Some(day) = raw.get(..10)
        && let Ok(d) = NaiveDate::parse_from_str(day, "%Y-%m-%d")
        && (raw.len() == 10 || raw[10..].starts_with(['T', 't', ' ']))
    {
        return Some(d);
    }
    if let Ok(d) = chrono::DateTime::parse_from_rfc2822(raw) {
        return Some(d.date_naive());
    }
    // RFC 822 as feeds write it in practice: an optional weekday, then day, month, year; the time and zone
    // (often a name chrono does not know) do not change the date the writer meant.
    let rest = raw.split_once(',').map_or(raw, |(wd, rest)| {
        if wd.trim().chars().all(|c| c.is_ascii_alphabetic()) {
            rest
        } else {
            raw
        }
    });
    let dmy: Vec<&str> = rest.split_whitespace().take(3).collect();
    if dmy.len() == 3 {
        let dmy = dmy.join(" ");
        for f in ["%d %b %Y", "%d %B %Y", "%d %b %y"] {
            if let Ok(d) = NaiveDate::parse_from_str(&dmy, f) {
                return Some(d);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_jsonl_document_with_timestamp() {
        let doc = Doc::from_json_line(
            r#"{"id":"a1","outlet":"sana","published":"2017-11-09T10:00:00Z","text":"سيطر الجيش على البوكمال"}"#,
        )
        .expect("valid doc");
        assert_eq!(doc.published, NaiveDate::from_ymd_opt(2017, 11, 9));
        assert_eq!(doc.outlet.as_deref(), Some("sana"));
    }

    #[test]
    fn a_leading_byte_order_mark_is_not_part_of_the_text() {
        let doc = Doc::from_json_line("{\"id\":\"a\",\"text\":\"\u{feff}قتل 3\"}").expect("valid doc");
        assert_eq!(doc.text, "قتل 3");
        assert_eq!(Doc::strip_bom("\u{feff}\u{feff}نص"), "نص");
        assert_eq!(Doc::strip_bom("نص\u{feff}"), "نص\u{feff}", "only a leading mark");
    }

    #[test]
    fn iso_and_rfc_822_dates_are_both_read() {
        let d = NaiveDate::from_ymd_opt(2017, 11, 11);
        for raw in [
            "2017-11-11",
            "2017-11-11T09:00:00Z",
            "2017-11-11 09:00",
            "Sat, 11 Nov 2017 09:00:00 +0000",
            "Sat, 11 Nov 2017 09:00:00 GMT",
            "11 Nov 2017 09:00 AST",
            "Sat, 11 November 2017",
            "Sat, 11 Nov 17 09:00:00 +0300",
        ] {
            assert_eq!(parse_published(raw), d, "{raw}");
        }
        for raw in ["", "yesterday", "9/11/2017", "2017-11-31", "2017-11-1112"] {
            assert_eq!(parse_published(raw), None, "{raw}");
        }
        let doc = Doc::from_json_line(r#"{"id":"a","published":"Sat, 11 Nov 2017 09:00:00 +0000","text":"x"}"#);
        assert_eq!(doc.expect("rfc 822 date").published, d);
    }

    #[test]
    fn rejects_bad_date_and_empty_id() {
        assert!(Doc::from_json_line(r#"{"id":"a","published":"9/11/2017","text":"x"}"#).is_err());
        assert!(Doc::from_json_line(r#"{"id":" ","text":"x"}"#).is_err());
        assert!(Doc::from_json_line("[1,2]").is_err());
    }
}
