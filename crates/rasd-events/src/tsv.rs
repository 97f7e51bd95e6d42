//! The reviewed tables under `data/events/` that are not rule files: a header line, `#` comments, then rows of
//! tab-separated columns whose last column names the row's source.

use crate::{Error, Result};

/// The rows of `contents` (the file `name`), each with its 1-based line number, after checking the header is
/// `header` and that every row has its columns and a source.
pub(crate) fn rows<'a>(name: &str, contents: &'a str, header: &[&str]) -> Result<Vec<(usize, Vec<&'a str>)>> {
    let mut out = Vec::new();
    let mut seen_header = false;
    for (no, line) in contents.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').map(str::trim).collect();
        if !seen_header {
            if f != header {
                return Err(Error::Rules(format!("{name}:{}: unknown header {line:?}", no + 1)));
            }
            seen_header = true;
            continue;
        }
        if f.len() != header.len() || f.last().is_none_or(|s| s.is_empty()) {
            return Err(Error::Rules(format!(
                "{name}:{}: expected {} columns with a source",
                no + 1,
                header.len()
            )));
        }
        out.push((no + 1, f));
    }
    Ok(out)
}
