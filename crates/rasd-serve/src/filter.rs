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
    /// Items to skip: where the previous page's `next` cursor left off.
    pub offset: usize,
    /// Days a source's claim stays its view (timelines).
    pub horizon: i64,
}

/// The longest value accepted for a text parameter.
const MAX_VALUE: usize = 256;

/// Parses `raw` (the part after `?`), accepting only the parameters in `allowed`.
pub fn parse_query(raw: Option<&str>, allowed: &[&str]) -> Result<Params, FilterError> {
    let mut p = Params {
        filter: Filter::default(),
        limit: DEFAULT_PAGE,
        offset: 0,
        horizon: 7,
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
        if value.len() > MAX_VALUE || value.chars().any(char::is_control) {
            return Err(FilterError(format!(
                "query parameter {key:?}: at most {MAX_VALUE} bytes of printable text"
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
            "cursor" => p.offset = cursor(value)?,
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

/// The cursor of the page that starts after `offset` items. Opaque to clients.
pub(crate) fn next_cursor(offset: usize) -> String {
    format!("o{offset}")
}

fn cursor(value: &str) -> Result<usize, FilterError> {
    value
        .strip_prefix('o')
        .filter(|d| !d.is_empty() && d.len() <= 12 && d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| {
            FilterError(format!(
                "cursor={value:?} is not a cursor this server gave (use `next`)"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[&str] = &[
        "type", "actor", "source", "place", "admin1", "near", "from", "to", "kind", "limit", "cursor", "horizon",
    ];

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
            "type=", "from=", "to=", "limit=", "cursor=", "near=", "kind=", "horizon=", "place=",
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
