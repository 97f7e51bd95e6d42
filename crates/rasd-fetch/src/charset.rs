//! The text of a fetched body. The order: a byte-order mark; the charset of the Content-Type header; a charset
//! declared in the first 1024 bytes (`<meta charset>`, `<meta http-equiv content>`, `<?xml encoding?>`);
//! otherwise UTF-8 when the bytes are valid UTF-8 and windows-1256 when they are not (the legacy charset of
//! Arabic sites). A declared UTF-8 that is not valid UTF-8 but reads as Arabic in windows-1256 is read so (a
//! common misconfiguration); a declared charset that the bytes do not fit, or an unknown label on bytes that
//! are not UTF-8, is an error.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1256};

/// Where the charset came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Bom,
    Header,
    Document,
    /// Valid UTF-8, nothing declared.
    Utf8,
    /// Not UTF-8, nothing (usable) declared: windows-1256.
    Fallback,
}

/// A decoded body.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    /// The encoding's WHATWG name (`UTF-8`, `windows-1256`, …).
    pub encoding: &'static str,
    pub source: Source,
}

/// The `charset` parameter of a Content-Type value.
pub fn from_content_type(ct: &str) -> Option<&str> {
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']))
            .filter(|v| !v.is_empty())
    })
}

/// A charset declared in the first 1024 bytes of an HTML or XML document.
pub fn declared_in_document(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(1024)];
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let find = |pat: &[u8], from: usize| {
        lower[from..]
            .windows(pat.len())
            .position(|w| w == pat)
            .map(|p| p + from)
    };
    // <?xml version="1.0" encoding="windows-1256"?>
    if lower.trim_ascii_start().starts_with(b"<?xml")
        && let Some(end) = find(b"?>", 0)
        && let Some(p) = find(b"encoding", 0).filter(|&p| p < end)
    {
        return value_after(&head[p + 8..end]);
    }
    // <meta charset="…"> or <meta http-equiv="Content-Type" content="text/html; charset=…">
    let mut from = 0;
    while let Some(m) = find(b"<meta", from) {
        let end = find(b">", m).unwrap_or(lower.len());
        if let Some(p) = find(b"charset", m).filter(|&p| p < end) {
            return value_after(&head[p + 7..end]);
        }
        from = end.min(lower.len());
        if from >= lower.len() {
            break;
        }
    }
    None
}

/// The value after `=` in `="x"`, `='x'` or `=x`.
fn value_after(rest: &[u8]) -> Option<String> {
    let rest = rest.trim_ascii_start().strip_prefix(b"=")?.trim_ascii_start();
    let (quote, rest) = match rest.first() {
        Some(q @ (b'"' | b'\'')) => (Some(*q), &rest[1..]),
        _ => (None, rest),
    };
    let end = rest
        .iter()
        .position(|&b| match quote {
            Some(q) => b == q,
            None => b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b';' | b'>' | b'/'),
        })
        .unwrap_or(rest.len());
    let v = String::from_utf8_lossy(&rest[..end]).trim().to_string();
    (!v.is_empty()).then_some(v)
}

/// Decodes `bytes`; `header` is the charset of the Content-Type header, if any.
pub fn decode(bytes: &[u8], header: Option<&str>) -> Result<Decoded, String> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors && too_many_errors(&text) {
            return Err(format!("bytes are not valid {} (byte-order mark)", enc.name()));
        }
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
            source: Source::Bom,
        });
    }
    let declared = match header {
        Some(h) => Some((h.to_string(), Source::Header)),
        None => declared_in_document(bytes).map(|d| (d, Source::Document)),
    };
    let utf8 = std::str::from_utf8(bytes).ok();
    let Some((label, source)) = declared else {
        return Ok(match utf8 {
            Some(t) => Decoded {
                text: t.to_string(),
                encoding: UTF_8.name(),
                source: Source::Utf8,
            },
            None => Decoded {
                text: WINDOWS_1256.decode_without_bom_handling(bytes).0.into_owned(),
                encoding: WINDOWS_1256.name(),
                source: Source::Fallback,
            },
        });
    };
    let where_ = if source == Source::Header {
        "in the Content-Type header"
    } else {
        "in the document"
    };
    let Some(mut enc) = Encoding::for_label(label.as_bytes()) else {
        return match utf8 {
            // An unknown label on UTF-8 bytes: the bytes are unambiguous.
            Some(t) => Ok(Decoded {
                text: t.to_string(),
                encoding: UTF_8.name(),
                source: Source::Utf8,
            }),
            None => Err(format!(
                "unknown charset {label:?} declared {where_}, and the bytes are not UTF-8"
            )),
        };
    };
    // A document that can declare its charset in ASCII is not UTF-16 (the WHATWG rule).
    if source == Source::Document && (enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE) {
        enc = UTF_8;
    }
    if enc == encoding_rs::REPLACEMENT {
        return Err(format!("charset {label:?} declared {where_} cannot be decoded safely"));
    }
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if !had_errors || !too_many_errors(&text) {
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
            source,
        });
    }
    if enc == UTF_8 {
        let (alt, _) = WINDOWS_1256.decode_without_bom_handling(bytes);
        if mostly_arabic(&alt) {
            return Ok(Decoded {
                text: alt.into_owned(),
                encoding: WINDOWS_1256.name(),
                source: Source::Fallback,
            });
        }
    }
    Err(format!(
        "bytes are not valid {} (declared {where_} as {label:?})",
        enc.name()
    ))
}

/// More than one replacement character in a thousand.
fn too_many_errors(text: &str) -> bool {
    let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
    bad * 1000 > text.chars().count().max(1)
}

/// Whether most letters outside ASCII are Arabic.
fn mostly_arabic(text: &str) -> bool {
    let (mut arabic, mut other) = (0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_ascii() && c.is_alphabetic()) {
        if ('\u{0600}'..='\u{06FF}').contains(&c) {
            arabic += 1;
        } else {
            other += 1;
        }
    }
    arabic > 0 && arabic >= 4 * other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_then_meta_then_fallback() {
        let (bytes, _, _) = WINDOWS_1256.encode("<p>قصف مدفعي على البلدة</p>");
        assert_eq!(
            decode(&bytes, Some("windows-1256")).unwrap().text,
            "<p>قصف مدفعي على البلدة</p>"
        );
        let d = decode(&bytes, None).unwrap();
        assert_eq!((d.encoding, d.source), ("windows-1256", Source::Fallback));
        let mut page = b"<html><head><meta charset='windows-1256'></head><body>".to_vec();
        page.extend_from_slice(&bytes);
        let d = decode(&page, None).unwrap();
        assert_eq!(d.source, Source::Document);
        assert!(d.text.contains("قصف مدفعي"));
        // Declared UTF-8, sent windows-1256.
        assert_eq!(decode(&bytes, Some("utf-8")).unwrap().encoding, "windows-1256");
    }

    #[test]
    fn meta_http_equiv_and_xml_declaration() {
        let page = br#"<meta http-equiv="Content-Type" content="text/html; charset=Windows-1256">"#;
        assert_eq!(declared_in_document(page).as_deref(), Some("Windows-1256"));
        let xml = br#"<?xml version="1.0" encoding='ISO-8859-6'?><rss/>"#;
        assert_eq!(declared_in_document(xml).as_deref(), Some("ISO-8859-6"));
        assert_eq!(from_content_type("text/html; Charset=\"UTF-8\""), Some("UTF-8"));
        assert_eq!(from_content_type("text/html"), None);
    }

    #[test]
    fn unknown_label_is_an_error_unless_utf8() {
        assert!(decode("نص".as_bytes(), Some("x-klingon")).is_ok());
        let e = decode(&[0xC7, 0xE1, 0xDE], Some("x-klingon")).unwrap_err();
        assert!(e.contains("unknown charset \"x-klingon\""), "{e}");
        let e = decode(&[0x81, 0x20, 0x82, 0x20, 0xFD], Some("shift_jis")).unwrap_err();
        assert!(e.contains("not valid Shift_JIS"), "{e}");
    }
}
