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

/// Decodes one input by the charset rule of every reader ([`rasd_store::read::decode`]): a byte-order mark
/// (UTF-8, UTF-16 LE/BE), else UTF-8, else windows-1256 Arabic; a NUL byte makes the input binary. Bytes that no
/// charset explains are an error naming the file and the byte offset, unless `lossy`, in which case they become
/// U+FFFD. Leading byte-order marks are dropped: spans are offsets into the decoded text without them.
pub fn decode(name: &str, bytes: Vec<u8>, lossy: bool) -> Result<String> {
    match rasd_store::read::decode(&bytes, lossy) {
        Ok(text) => Ok(text),
        Err(reason) if reason.starts_with("binary") => bail!("{}: {reason}", display_name(name)),
        Err(reason) => bail!(
            "{}: {reason} (rasd reads UTF-8, UTF-16 with a byte-order mark and windows-1256; pass --lossy to \
             replace bad bytes)",
            display_name(name)
        ),
    }
}

/// Reads and decodes one text input.
pub fn read_text(path: &str, lossy: bool) -> Result<String> {
    let bytes = read_bytes(path)?;
    decode(path, bytes, lossy)
}
