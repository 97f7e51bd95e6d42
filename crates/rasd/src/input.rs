//! Reading input files and standard input with clear errors for bad bytes.

use anyhow::{Context, Result, bail};
use rasd_store::read;
use std::io::Read;
use std::path::Path;

/// Where a text came from, for error messages.
pub fn display_name(path: &str) -> &str {
    if path == "-" { "<stdin>" } else { path }
}

/// Reads `path` (or standard input for "-") as raw bytes, up to [`read::MAX_WHOLE`] bytes: a larger input is
/// an error that names the limit (commands that read text of any size use [`text_windows`]).
pub fn read_bytes(path: &str) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let limit = read::MAX_WHOLE as u64 + 1;
    if path == "-" {
        std::io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut buf)
            .context("reading standard input")?;
    } else {
        let p = Path::new(path);
        if p.is_dir() {
            bail!("{path}: is a directory (this command reads one file, or - for standard input)");
        }
        std::fs::File::open(p)
            .and_then(|f| f.take(limit).read_to_end(&mut buf))
            .with_context(|| format!("cannot read {path}"))?;
    }
    if buf.len() > read::MAX_WHOLE {
        bail!(
            "{}: too large: over the {} MB limit of an input read whole by this command",
            display_name(path),
            read::MAX_WHOLE >> 20
        );
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
        Err(reason) => Err(bad_bytes(name, reason)),
    }
}

fn bad_bytes(name: &str, reason: String) -> anyhow::Error {
    if reason.starts_with("binary") {
        anyhow::anyhow!("{}: {reason}", display_name(name))
    } else {
        anyhow::anyhow!(
            "{}: {reason} (rasd reads UTF-8, UTF-16 with a byte-order mark and windows-1256; pass --lossy to \
             replace bad bytes)",
            display_name(name)
        )
    }
}

/// Reads and decodes one text input (up to [`read::MAX_WHOLE`] bytes).
pub fn read_text(path: &str, lossy: bool) -> Result<String> {
    let bytes = read_bytes(path)?;
    decode(path, bytes, lossy)
}

/// The windows of a text, each with its byte offset in the decoded text.
pub type Windows = Box<dyn Iterator<Item = Result<(usize, String)>>>;

/// The text of one input, window by window (cut as [`rasd_text::windows`] cuts with `size` bytes), with the
/// charset rules of [`decode`]. A file larger than [`read::LargeText::OVER`] bytes is read from disk window by
/// window, its charset checked over the whole file first, so memory does not grow with the file; a smaller file
/// and standard input (up to [`read::MAX_WHOLE`] bytes) are read whole. The windows are the same either way.
pub fn text_windows(path: &str, lossy: bool, size: usize) -> Result<Windows> {
    if path != "-" {
        let p = Path::new(path);
        if p.is_dir() {
            bail!("{path}: is a directory (this command reads one file, or - for standard input)");
        }
        let len = std::fs::metadata(p)
            .with_context(|| format!("cannot read {path}"))?
            .len();
        if len > read::LargeText::OVER as u64 {
            let opts = read_options(Some(read::Format::Text), lossy);
            if let Some(input) = read::read_input(p, opts).next() {
                match input {
                    read::Input::Text(t) => {
                        let name = path.to_string();
                        let windows = t.windows(size).with_context(|| format!("cannot read {path}"))?;
                        return Ok(Box::new(
                            windows.map(move |w| w.with_context(|| format!("cannot read on in {name}"))),
                        ));
                    }
                    read::Input::Item(item) => match item.doc {
                        Ok(d) => return Ok(owned_windows(d.text, size)),
                        Err(r) if r == "empty document" => return Ok(Box::new(std::iter::empty())),
                        Err(r) if item.unreadable => bail!("cannot read {path}: {r}"),
                        Err(r) => return Err(bad_bytes(path, r)),
                    },
                }
            }
        }
    }
    Ok(owned_windows(read_text(path, lossy)?, size))
}

fn owned_windows(text: String, size: usize) -> Windows {
    let windows: Vec<Result<(usize, String)>> = rasd_text::windows(&text, size)
        .map(|(base, w)| Ok((base, w.to_string())))
        .collect();
    Box::new(windows.into_iter())
}

/// How the commands read documents: by the file name or the content (pages and feeds by `rasd-fetch`'s
/// readers, as every reader of [`rasd_store::read`] does).
pub fn read_options(format: Option<read::Format>, lossy: bool) -> read::ReadOptions {
    read::ReadOptions { format, lossy }
}
