//! Reading input files and standard input with clear errors for bad bytes.

use anyhow::{Context, Result, bail};
use std::io::Read;
use std::path::Path;

/// Where a text came from, for error messages.
pub fn display_name(path: &str) -> &str {
    if path == "-" { "<stdin>" } else { path }
}

/// Reads `path` (or standard input for "-") as raw bytes.
pub fn read_bytes(path: &str) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    if path == "-" {
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .context("reading standard input")?;
    } else {
        let p = Path::new(path);
        if p.is_dir() {
            bail!("{path}: is a directory (this command reads one file, or - for standard input)");
        }
        buf = std::fs::read(p).with_context(|| format!("cannot read {path}"))?;
    }
    Ok(buf)
}

/// Decodes UTF-8. Invalid bytes are an error naming the file and the byte offset, unless `lossy`, in which case
/// they become U+FFFD. A UTF-8 byte-order mark is dropped.
pub fn decode(name: &str, bytes: Vec<u8>, lossy: bool) -> Result<String> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            if lossy {
                return Ok(String::from_utf8_lossy(e.as_bytes()).into_owned());
            }
            let at = e.utf8_error().valid_up_to();
            bail!(
                "{}: invalid UTF-8 at byte offset {at} (rasd reads UTF-8 text; pass --lossy to replace bad bytes)",
                display_name(name)
            )
        }
    }
}

/// Reads and decodes one text input.
pub fn read_text(path: &str, lossy: bool) -> Result<String> {
    let bytes = read_bytes(path)?;
    decode(path, bytes, lossy)
}
