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

    /// A stable content id, used when a document arrives without one: `blake3(text)` truncated to 16 hex digits.
    pub fn content_id(text: &str) -> String {
        let hash = blake3::hash(text.as_bytes());
        hash.to_hex()[..16].to_string()
    }
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
    let day = raw.get(..10).unwrap_or(raw);
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map(Some)
        .map_err(|e| serde::de::Error::custom(format!("`published` {raw:?} is not YYYY-MM-DD: {e}")))
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
    fn rejects_bad_date_and_empty_id() {
        assert!(Doc::from_json_line(r#"{"id":"a","published":"9/11/2017","text":"x"}"#).is_err());
        assert!(Doc::from_json_line(r#"{"id":" ","text":"x"}"#).is_err());
        assert!(Doc::from_json_line("[1,2]").is_err());
    }
}
