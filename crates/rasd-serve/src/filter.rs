//! The query-string parser: the CLI's filters (`type`, `actor`, `source`, `place`, `admin1`, `near`, `from`,
//! `to`), paging (`limit`, `cursor`) and a few per-endpoint knobs. Anything it does not know, or cannot read,
//! is an error with a message that names the parameter: never a silently empty answer.

use crate::{DEFAULT_PAGE, MAX_PAGE};
use chrono::NaiveDate;
use rasd_reconcile::ContradictionKind;
use rasd_store::{Filter, Store};

/// A query string that cannot be used, and why (answered with 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FilterError(pub String);

/// The parameters of one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub filter: Filter,
    pub limit: usize,
    /// Items to skip: where the previous page's `next` cursor left off (lists paged by offset).
    pub offset: usize,
    /// The sort key the previous page ended on (lists paged by key: contradictions, incidents).
    pub after: Option<Vec<String>>,
    /// Days a source's claim stays its view (timelines).
    pub horizon: i64,
    /// Leave out events an analyst marked wrong (exports, like `rasd export --exclude-corrected`).
    pub exclude_corrected: bool,
    /// The map summary's time bucket.
    pub bucket: Bucket,
}

/// The time bucket of the map summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Bucket {
    Day,
    /// Weeks starting on Monday.
    #[default]
    Week,
}

/// The longest value accepted for a text parameter.
const MAX_VALUE: usize = 256;
/// The longest cursor accepted (a key cursor holds a sort key: a date and an id).
const MAX_CURSOR: usize = 2048;

/// Parses `raw` (the part after `?`), accepting only the parameters in `allowed`.
pub fn parse_query(raw: Option<&str>, allowed: &[&str]) -> Result<Params, FilterError> {
    let mut p = Params {
        filter: Filter::default(),
        limit: DEFAULT_PAGE,
        offset: 0,
        after: None,
        horizon: 7,
        exclude_corrected: false,
        bucket: Bucket::Week,
    };
    let mut seen: Vec<String> = Vec::new();
    for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let key = key.into_owned();
        if !allowed.contains(&key.as_str()) {
            let shown: String = key.chars().take(40).collect();
            return Err(FilterError(format!(
                "unknown query parameter {shown:?}; this endpoint takes: {}",
                allowed.join(", ")
            )));
        }
        if seen.contains(&key) {
            return Err(FilterError(format!("query parameter {key:?} given twice")));
        }
        seen.push(key.clone());
        let value = value.trim();
        if value.is_empty() {
            return Err(FilterError(format!("query parameter {key:?} is empty")));
        }
        let max = if key == "cursor" { MAX_CURSOR } else { MAX_VALUE };
        if value.len() > max || value.chars().any(char::is_control) {
            return Err(FilterError(format!(
                "query parameter {key:?}: at most {max} bytes of printable text"
            )));
        }
        let text = Some(value.to_string());
        match key.as_str() {
            "type" => p.filter.kind = text,
            "actor" => p.filter.actor = text,
            "source" => p.filter.source = text,
            "place" => p.filter.place = text,
            "admin1" => p.filter.admin1 = text,
            "near" => p.filter.near = Some(near(value)?),
            "from" => p.filter.since = Some(date(&key, value)?),
            "to" => p.filter.until = Some(date(&key, value)?),
            "kind" => p.filter.contradiction = Some(kind(value)?),
            "limit" => p.limit = number(&key, value, 1, MAX_PAGE)?,
            "cursor" => match cursor(value)? {
                Cursor::Offset(n) => p.offset = n,
                Cursor::Key(k) => p.after = Some(k),
            },
            "exclude_corrected" => p.exclude_corrected = flag(&key, value)?,
            "bucket" => {
                p.bucket = match value.to_ascii_lowercase().as_str() {
                    "day" => Bucket::Day,
                    "week" => Bucket::Week,
                    _ => return Err(FilterError(format!("bucket={value:?} is not day or week"))),
                }
            }
            "horizon" => p.horizon = number(&key, value, 1, 365)? as i64,
            _ => return Err(FilterError(format!("query parameter {key:?} is not handled"))),
        }
    }
    if let (Some(s), Some(u)) = (p.filter.since, p.filter.until)
        && s > u
    {
        return Err(FilterError(format!("from={s} is after to={u}")));
    }
    Store::check_filter(&p.filter).map_err(|e| FilterError(e.to_string()))?;
    Ok(p)
}

fn date(key: &str, value: &str) -> Result<NaiveDate, FilterError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| FilterError(format!("{key}={value:?} is not a date YYYY-MM-DD")))
}

fn number(key: &str, value: &str, min: usize, max: usize) -> Result<usize, FilterError> {
    match value.parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(FilterError(format!(
            "{key}={value:?} is not a whole number from {min} to {max}"
        ))),
    }
}

fn near(value: &str) -> Result<(f64, f64, f64), FilterError> {
    let parts: Vec<Option<f64>> = value
        .split(',')
        .map(|p| p.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect();
    match parts.as_slice() {
        [Some(lat), Some(lon), Some(km)] => Ok((*lat, *lon, *km)),
        _ => Err(FilterError(format!(
            "near={value:?} is not LAT,LON,KM (e.g. 34.45,40.92,10)"
        ))),
    }
}

fn kind(value: &str) -> Result<ContradictionKind, FilterError> {
    ContradictionKind::ALL
        .iter()
        .copied()
        .find(|k| k.as_str() == value.to_ascii_lowercase())
        .ok_or_else(|| {
            let names: Vec<&str> = ContradictionKind::ALL.iter().map(|k| k.as_str()).collect();
            FilterError(format!("kind={value:?} is not one of {}", names.join(", ")))
        })
}

fn flag(key: &str, value: &str) -> Result<bool, FilterError> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(FilterError(format!("{key}={value:?} is not true or false"))),
    }
}

/// The cursor of the page that starts after `offset` items. Opaque to clients.
pub(crate) fn next_cursor(offset: usize) -> String {
    format!("o{offset}")
}

/// The cursor of the page that starts after the row with sort key `key`: `k` and the key's parts, joined by
/// U+001F, in hexadecimal. Opaque to clients.
pub(crate) fn key_cursor(key: &[String]) -> String {
    let joined = key.join("\u{1f}");
    let mut out = String::with_capacity(1 + 2 * joined.len());
    out.push('k');
    for b in joined.bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

enum Cursor {
    Offset(usize),
    Key(Vec<String>),
}

fn cursor(value: &str) -> Result<Cursor, FilterError> {
    let bad = || {
        FilterError(format!(
            "cursor={:?} is not a cursor this server gave (use `next`)",
            value.chars().take(40).collect::<String>()
        ))
    };
    if let Some(hex) = value.strip_prefix('k') {
        if hex.is_empty() || hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
            .collect::<Result<_, _>>()
            .map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        return Ok(Cursor::Key(text.split('\u{1f}').map(str::to_string).collect()));
    }
    value
        .strip_prefix('o')
        .filter(|d| !d.is_empty() && d.len() <= 12 && d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse().ok())
        .map(Cursor::Offset)
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[&str] = &[
        "type",
        "actor",
        "source",
        "place",
        "admin1",
        "near",
        "from",
        "to",
        "kind",
        "limit",
        "cursor",
        "horizon",
        "exclude_corrected",
        "bucket",
    ];

    #[test]
    fn key_cursors_round_trip_and_flags_parse() {
        let key = vec![
            "controller".to_string(),
            "2017-11-09".to_string(),
            "controller:a:b".to_string(),
        ];
        let c = key_cursor(&key);
        let p = parse_query(Some(&format!("cursor={c}&exclude_corrected=true&bucket=day")), ALL).expect("valid");
        assert_eq!(p.after.as_deref(), Some(key.as_slice()));
        assert!(p.exclude_corrected);
        assert_eq!(p.bucket, Bucket::Day);
        for (q, says) in [
            ("cursor=k0", "cursor="),
            ("cursor=kzz", "cursor="),
            ("cursor=kff", "cursor="),
            ("exclude_corrected=maybe", "exclude_corrected="),
            ("bucket=year", "bucket="),
        ] {
            let e = parse_query(Some(q), ALL).expect_err(q);
            assert!(e.0.contains(says), "{q}: {}", e.0);
        }
    }

    #[test]
    fn reads_the_cli_filters() {
        let p = parse_query(
            Some("type=Battles&actor=isis&place=%D8%A7%D9%84%D8%A8%D9%88%D9%83%D9%85%D8%A7%D9%84&from=2017-11-01&to=2017-11-30&limit=5&cursor=o10"),
            ALL,
        )
        .expect("valid");
        assert_eq!(p.filter.kind.as_deref(), Some("Battles"));
        assert_eq!(p.filter.place.as_deref(), Some("البوكمال"));
        assert_eq!(p.filter.since, NaiveDate::from_ymd_opt(2017, 11, 1));
        assert_eq!((p.limit, p.offset), (5, 10));
    }

    #[test]
    fn malformed_filters_are_errors_that_name_the_parameter() {
        for (q, says) in [
            ("from=2017-13-01", "from="),
            ("from=2017-11-10&to=2017-11-01", "after"),
            ("limit=0", "limit="),
            ("limit=100000", "limit="),
            ("cursor=abc", "cursor="),
            ("near=1,2", "near="),
            ("near=100,0,5", "out of range"),
            ("kind=weather", "kind="),
            ("colour=red", "unknown query parameter"),
            ("type=a&type=b", "twice"),
            ("type=", "empty"),
        ] {
            let e = parse_query(Some(q), ALL).expect_err(q);
            assert!(e.0.contains(says), "{q}: {}", e.0);
        }
        assert!(parse_query(Some("kind=existence"), &["type"]).is_err());
    }

    /// The parser answers every input with a value or an error, never a panic (a small deterministic fuzz).
    #[test]
    fn never_panics_on_arbitrary_input() {
        let alphabet: Vec<char> = "=&%;o0123456789-,.abcdefghijklmnopqrstuvwxyz+ \u{0627}\u{0644}\u{FFFD}\u{0}\n"
            .chars()
            .collect();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let keys = [
            "type=",
            "from=",
            "to=",
            "limit=",
            "cursor=",
            "near=",
            "kind=",
            "horizon=",
            "place=",
            "cursor=k",
            "bucket=",
            "exclude_corrected=",
        ];
        for _ in 0..20_000 {
            let mut s = String::new();
            let n = (seed % 40) as usize;
            for i in 0..n {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                if i % 9 == 0 {
                    s.push_str(keys[(seed % keys.len() as u64) as usize]);
                }
                s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let _ = parse_query(Some(&s), ALL);
        }
    }
}
