//! Reading documents from files: plain text, JSONL, HTML pages (main text and metadata) and RSS / Atom
//! feeds. A file that cannot be read becomes an [`Item`] carrying the reason, never an error that stops a batch.
//!
//! This module decides the format, decodes the charset and applies the size caps; the HTML and feed parsing is
//! `rasd-fetch`'s, the same as `rasd watch`'s: pages with [`rasd_fetch::extract_article`] (html5ever's DOM via
//! scraper, Readability via dom_smoothie, entities decoded by the HTML parser), feeds with
//! [`rasd_fetch::read_feed`] (feed-rs, one item at a time when the whole feed does not parse).

use chrono::NaiveDate;
use rasd_core::Doc;
use std::path::{Path, PathBuf};

/// The input format a document was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Jsonl,
    Html,
    Rss,
    Atom,
}

impl Format {
    /// The name stored in the `format` column.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Jsonl => "jsonl",
            Format::Html => "html",
            Format::Rss => "rss",
            Format::Atom => "atom",
        }
    }
}

/// One document read from an input, or the reason it could not be read. `origin` says where it came from
/// (`path`, `path:line`, `path#item`), so that a failure can be found and fixed.
#[derive(Debug, Clone)]
pub struct Item {
    pub origin: String,
    pub format: Option<Format>,
    pub doc: Result<Doc, String>,
    /// The input could not be opened or fetched at all (a missing file, an unreachable URL): the run reports it
    /// as an error, where a bad document is only skipped.
    pub unreadable: bool,
}

/// Every file under `paths`, directories walked recursively in name order; hidden files are skipped.
/// A path that does not exist is returned as is, so that reading it records the failure.
pub fn walk(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        walk_one(p, &mut out);
    }
    out
}

fn walk_one(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let Ok(rd) = std::fs::read_dir(p) else {
            out.push(p.to_path_buf());
            return;
        };
        let mut children: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        children.sort();
        for c in children {
            let name = c
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_ascii_lowercase();
            if !name.starts_with('.') && !is_not_a_document(&name) {
                walk_one(&c, out);
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
}

/// Files met in a directory walk that are documentation, databases or binaries, not reports: a collection's
/// README must not become a news document. (Named explicitly on the command line, they are still read.)
fn is_not_a_document(name: &str) -> bool {
    const SKIP: &[&str] = &[
        "md",
        "markdown",
        "db",
        "db-wal",
        "db-shm",
        "db-journal",
        "db-writer",
        "sqlite",
        "sqlite-writer",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "pdf",
        "zip",
        "gz",
    ];
    name.starts_with("readme")
        || name.starts_with("license")
        || name.rsplit_once('.').is_some_and(|(_, e)| SKIP.contains(&e))
}

/// How to read inputs: the format when detection is not wanted, and whether bytes that no charset explains
/// become U+FFFD instead of a reason to skip the input.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    pub format: Option<Format>,
    pub lossy: bool,
}

/// Reads one file into documents (the whole file; see [`read_path`] for the streaming reader).
pub fn read_file(path: &Path) -> Vec<Item> {
    read_path(path, ReadOptions::default()).collect()
}

/// An input that could not be opened or fetched at all: an error of the run, not a skipped document.
pub fn unreadable(origin: &str, reason: String) -> Item {
    Item {
        origin: origin.to_string(),
        format: None,
        doc: Err(reason),
        unreadable: true,
    }
}

/// The documents of the inputs `paths`, read lazily one input at a time: files, directories (walked as
/// [`walk`] does) and `-` for standard input. JSONL is streamed line by line, so memory does not grow with
/// the size of a JSONL file.
pub fn documents(paths: &[String], opts: ReadOptions) -> impl Iterator<Item = Item> + '_ {
    paths.iter().flat_map(move |p| -> Box<dyn Iterator<Item = Item>> {
        if p == "-" {
            read_stdin(opts)
        } else {
            Box::new(
                walk(&[PathBuf::from(p)])
                    .into_iter()
                    .flat_map(move |f| read_path(&f, opts)),
            )
        }
    })
}

/// The reason a binary input is refused.
const BINARY: &str = "binary file (NUL bytes)";

/// [`documents`], except that a plain-text file larger than [`LargeText::OVER`] comes as an [`Input::Text`], to
/// be read window by window ([`read_input`]).
pub fn inputs(paths: &[String], opts: ReadOptions) -> impl Iterator<Item = Input> + '_ {
    paths.iter().flat_map(move |p| -> Box<dyn Iterator<Item = Input>> {
        if p == "-" {
            Box::new(read_stdin(opts).map(Input::Item))
        } else {
            Box::new(
                walk(&[PathBuf::from(p)])
                    .into_iter()
                    .flat_map(move |f| read_input(&f, opts)),
            )
        }
    })
}

/// How much of an input decides its format when neither the options nor the file name do.
const SNIFF: usize = 8192;

/// Reads one file. A JSONL file that is UTF-8 without NUL bytes (checked in a first pass over the file, in
/// bounded memory) is streamed line by line; a plain-text file up to [`MAX_WHOLE`] bytes and every other file
/// up to that size is read whole and goes through [`read_bytes`], so the rules are the same either way. A
/// larger plain-text file is refused here (see [`read_input`], which streams it window by window), as is any
/// other file over [`MAX_WHOLE`] that cannot be streamed.
pub fn read_path(path: &Path, opts: ReadOptions) -> Box<dyn Iterator<Item = Item>> {
    Box::new(read_input(path, opts).map(|input| match input {
        Input::Item(item) => item,
        Input::Text(t) => t.whole(),
    }))
}

/// The largest input read whole into memory, and the largest JSONL line (one document) read: 32 MB. Larger
/// inputs are streamed (JSONL line by line, plain text window by window by [`read_input`]) or refused with a
/// reason that names this limit; memory then stays bounded whatever the input.
pub const MAX_WHOLE: usize = 32 << 20;

/// What [`read_input`] reads from a file: documents, or one plain-text document larger than a window, to be
/// read window by window from disk ([`LargeText::windows`]).
#[derive(Debug, Clone)]
pub enum Input {
    Item(Item),
    Text(LargeText),
}

/// [`read_path`], except that a plain-text file larger than [`LargeText::OVER`] bytes is not read: it comes back
/// as a [`LargeText`] (its id, its charset, already checked over the whole file) whose text is read window by
/// window, so that memory does not grow with the file.
pub fn read_input(path: &Path, opts: ReadOptions) -> Box<dyn Iterator<Item = Input>> {
    use std::io::Read;
    let origin = path.display().to_string();
    let item = |i: Item| -> Box<dyn Iterator<Item = Input>> { Box::new(std::iter::once(Input::Item(i))) };
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return item(unreadable(&origin, format!("cannot read: {e}"))),
    };
    let hint = opts.format.or_else(|| format_from_name(&origin));
    let mut head = Vec::with_capacity(SNIFF);
    if let Err(e) = (&mut file).take(SNIFF as u64).read_to_end(&mut head) {
        return item(unreadable(&origin, format!("cannot read: {e}")));
    }
    let jsonl = match hint {
        Some(f) => f == Format::Jsonl,
        None => sniff(&String::from_utf8_lossy(strip_utf8_bom(&head))) == Format::Jsonl,
    };
    if jsonl && head.len() == SNIFF && streamable(path).unwrap_or(false) {
        let lines = std::io::BufReader::with_capacity(1 << 16, std::io::Cursor::new(head).chain(file));
        return Box::new(JsonlLines::new(origin, lines, opts.lossy).map(Input::Item));
    }
    let len = file.metadata().map_or(0, |m| m.len());
    let text_hint = hint.is_none_or(|f| f == Format::Text);
    if !jsonl && text_hint && len > LargeText::OVER as u64 && !stem(&origin).is_empty() {
        match LargeText::plan(path, &origin, opts.lossy) {
            Ok(t) if hint.is_some() || sniff(&t.head) == Format::Text => {
                if t.blank {
                    return item(Item {
                        origin,
                        format: Some(Format::Text),
                        doc: Err("empty document".to_string()),
                        unreadable: false,
                    });
                }
                return Box::new(std::iter::once(Input::Text(t)));
            }
            Ok(_) => {}
            Err(reason) => {
                return item(Item {
                    origin,
                    format: hint,
                    doc: Err(reason),
                    unreadable: false,
                });
            }
        }
    }
    if len > MAX_WHOLE as u64 {
        return item(Item {
            origin,
            format: hint,
            doc: Err(too_large(len, "an input read whole (HTML, a feed, JSONL not in UTF-8)")),
            unreadable: true,
        });
    }
    let mut bytes = head;
    if let Err(e) = file.read_to_end(&mut bytes) {
        return item(unreadable(&origin, format!("cannot read: {e}")));
    }
    let hint = if jsonl { Some(Format::Jsonl) } else { hint };
    let opts = ReadOptions { format: hint, ..opts };
    Box::new(read_owned_opts(&origin, bytes, opts).into_iter().map(Input::Item))
}

/// The reason an input or a document over [`MAX_WHOLE`] is refused.
fn too_large(len: u64, what: &str) -> String {
    too_large_for(len, MAX_WHOLE, what)
}

fn too_large_for(len: u64, limit: usize, what: &str) -> String {
    format!(
        "too large: {:.1} MB, over the {} MB limit of {what}",
        len as f64 / 1e6,
        limit >> 20
    )
}

/// The largest HTML page read: 16 MB. A page's DOM (the article reader builds two) takes about six times the
/// page, so a larger page is refused with this limit (news pages are well under 2 MB).
pub const MAX_HTML: usize = 16 << 20;

/// A plain-text file larger than one window, its charset and content checked over the whole file in bounded
/// memory, by the rules of [`decode`]; its text is read window by window by [`LargeText::windows`]. Spans are
/// byte offsets into the decoded text, as for every input: for UTF-8 (with or without a byte-order mark, which
/// is not part of the text) they are offsets into the file after the mark; for UTF-16 and windows-1256 into
/// the UTF-8 text they decode to.
#[derive(Debug, Clone)]
pub struct LargeText {
    pub origin: String,
    pub path: PathBuf,
    /// The document's id: the file name without its extension.
    pub id: String,
    /// The file's size in bytes.
    pub len: u64,
    encoding: &'static encoding_rs::Encoding,
    /// Bytes of the byte-order mark, skipped.
    skip: usize,
    /// Bytes that no charset explains become U+FFFD.
    lossy: bool,
    /// The decoded start of the text (up to [`SNIFF`] bytes), to decide its format.
    head: String,
    /// No character but white space.
    blank: bool,
}

impl LargeText {
    /// Plain-text files larger than this (1 MB, the extraction window) are read window by window.
    pub const OVER: usize = 1 << 20;

    /// Checks the whole file in 1 MiB chunks, as [`decode`] would check it whole: the charset (a byte-order mark,
    /// else UTF-8, else windows-1256 Arabic, else refused unless `lossy`) and NUL bytes (binary).
    fn plan(path: &Path, origin: &str, lossy: bool) -> Result<LargeText, String> {
        use std::io::Read;
        let cannot = |e: std::io::Error| format!("cannot read: {e}");
        let mut file = std::fs::File::open(path).map_err(cannot)?;
        let len = file.metadata().map_err(cannot)?.len();
        let mut bom = [0u8; 3];
        let n = (&mut file).take(3).read(&mut bom).map_err(cannot)?;
        let (encoding, skip) = match encoding_rs::Encoding::for_bom(&bom[..n]) {
            Some((enc, skip)) => {
                let check = Self::scan(path, enc, skip, false)?;
                if check.errors && !lossy {
                    return Err(format!(
                        "invalid {} (malformed sequence after its byte-order mark)",
                        enc.name()
                    ));
                }
                if check.nul {
                    return Err(BINARY.to_string());
                }
                (enc, skip)
            }
            None => {
                let utf8 = Self::scan(path, encoding_rs::UTF_8, 0, true)?;
                if utf8.nul {
                    return Err(BINARY.to_string());
                }
                if !utf8.errors {
                    (encoding_rs::UTF_8, 0)
                } else {
                    // A full pass: NUL bytes after the first bad byte make the file binary too.
                    let w = Self::scan(path, encoding_rs::WINDOWS_1256, 0, false)?;
                    if w.nul {
                        return Err(BINARY.to_string());
                    }
                    if w.arabic >= 2 && w.arabic >= 9 * w.other {
                        (encoding_rs::WINDOWS_1256, 0)
                    } else if lossy {
                        (encoding_rs::UTF_8, 0)
                    } else {
                        return Err(format!(
                            "invalid UTF-8 at byte offset {} (and not windows-1256 Arabic)",
                            utf8.first_error
                        ));
                    }
                }
            }
        };
        let mut t = LargeText {
            origin: origin.to_string(),
            path: path.to_path_buf(),
            id: stem(origin),
            len,
            encoding,
            skip,
            lossy,
            head: String::new(),
            blank: true,
        };
        // The first window that is not all white space decides the format (white space before it does not).
        for w in t.windows(SNIFF).map_err(cannot)? {
            let (_, w) = w.map_err(|e| format!("cannot read on: {e}"))?;
            if w.chars().any(|c| !c.is_whitespace()) {
                t.head = w;
                t.blank = false;
                break;
            }
        }
        Ok(t)
    }

    /// One pass over the file decoded with `enc` from byte `skip`: decoding errors (and where the first one
    /// is, in input bytes), NUL characters, and for windows-1256 the count of Arabic and other non-ASCII
    /// characters. `stop` ends the pass at the first error.
    fn scan(path: &Path, enc: &'static encoding_rs::Encoding, skip: usize, stop: bool) -> Result<Scan, String> {
        use std::io::{Read, Seek};
        let cannot = |e: std::io::Error| format!("cannot read: {e}");
        let mut file = std::fs::File::open(path).map_err(cannot)?;
        file.seek(std::io::SeekFrom::Start(skip as u64)).map_err(cannot)?;
        let mut decoder = enc.new_decoder_without_bom_handling();
        let mut raw = vec![0u8; 1 << 20];
        let mut out = String::with_capacity(3 << 20);
        let mut scan = Scan::default();
        let mut offset = skip;
        let count = enc == encoding_rs::WINDOWS_1256;
        loop {
            let n = file.read(&mut raw).map_err(cannot)?;
            let last = n == 0;
            if memchr::memchr(0, &raw[..n]).is_some() && enc != encoding_rs::UTF_16LE && enc != encoding_rs::UTF_16BE {
                scan.nul = true;
            }
            let mut src = &raw[..n];
            loop {
                out.clear();
                let (res, read) = decoder.decode_to_string_without_replacement(src, &mut out, last);
                scan.nul |= out.contains('\0');
                if count {
                    for c in out.chars().filter(|c| !c.is_ascii()) {
                        if matches!(c, '\u{0600}'..='\u{06FF}' | '\u{200C}' | '\u{200D}' | '\u{00A0}') {
                            scan.arabic += 1;
                        } else {
                            scan.other += 1;
                        }
                    }
                }
                src = &src[read..];
                offset += read;
                match res {
                    encoding_rs::DecoderResult::InputEmpty => break,
                    encoding_rs::DecoderResult::OutputFull => {}
                    encoding_rs::DecoderResult::Malformed(bad, after) => {
                        if !scan.errors {
                            scan.errors = true;
                            scan.first_error = offset - bad as usize - after as usize;
                        }
                        if stop {
                            return Ok(scan);
                        }
                    }
                }
            }
            if last {
                return Ok(scan);
            }
        }
    }

    /// The windows of the text, read from the file as they are needed: each is the window's byte offset in the
    /// decoded text and the window, cut as [`rasd_text::windows`] cuts the whole text (so the windows are the
    /// same as those of the text read whole). Memory: about two windows.
    pub fn windows(&self, size: usize) -> std::io::Result<TextWindows> {
        use std::io::{Seek, SeekFrom};
        let mut file = std::fs::File::open(&self.path)?;
        file.seek(SeekFrom::Start(self.skip as u64))?;
        Ok(TextWindows {
            file,
            decoder: self.encoding.new_decoder_without_bom_handling(),
            raw: vec![0u8; 1 << 16],
            buf: Vec::with_capacity(size + (1 << 17)),
            size,
            base: 0,
            start: true,
            eof: false,
        })
    }

    /// The whole document, for readers that need its text in one piece: read whole up to [`MAX_WHOLE`] bytes,
    /// refused above (a stored document is held in memory).
    pub fn whole(self) -> Item {
        if self.len > MAX_WHOLE as u64 {
            let reason = too_large(self.len, "a document read whole");
            return Item {
                origin: self.origin,
                format: Some(Format::Text),
                doc: Err(format!(
                    "{reason}; `rasd extract` streams a plain-text file of any size"
                )),
                unreadable: true,
            };
        }
        self.read_all()
    }

    /// The whole document, whatever its size (for benchmarks that time documents held in memory).
    pub fn read_all(&self) -> Item {
        match std::fs::read(&self.path) {
            Ok(bytes) => {
                let mut items = read_owned_with(&self.origin, bytes, Some(Format::Text), self.lossy);
                items
                    .pop()
                    .unwrap_or_else(|| unreadable(&self.origin, "cannot read".to_string()))
            }
            Err(e) => unreadable(&self.origin, format!("cannot read: {e}")),
        }
    }
}

#[derive(Default)]
struct Scan {
    nul: bool,
    errors: bool,
    first_error: usize,
    arabic: usize,
    other: usize,
}

/// The windows of a [`LargeText`] (see [`LargeText::windows`]): `(offset, window)` in text order, or the error
/// that stopped reading.
pub struct TextWindows {
    file: std::fs::File,
    decoder: encoding_rs::Decoder,
    raw: Vec<u8>,
    /// Decoded text from `base` on.
    buf: Vec<u8>,
    size: usize,
    base: usize,
    /// Leading byte-order marks (U+FEFF) are still to be dropped.
    start: bool,
    eof: bool,
}

impl TextWindows {
    fn fill(&mut self) -> std::io::Result<()> {
        use std::io::Read;
        let n = loop {
            match self.file.read(&mut self.raw) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        let last = n == 0;
        let mut src = &self.raw[..n];
        loop {
            let room = self
                .decoder
                .max_utf8_buffer_length(src.len())
                .unwrap_or(src.len() * 3 + 16);
            let old = self.buf.len();
            self.buf.resize(old + room.max(16), 0);
            let (res, read, written, _) = self.decoder.decode_to_utf8(src, &mut self.buf[old..], last);
            self.buf.truncate(old + written);
            src = &src[read..];
            if res == encoding_rs::CoderResult::InputEmpty {
                break;
            }
        }
        self.eof = last;
        Ok(())
    }

    fn next_window(&mut self) -> std::io::Result<Option<(usize, String)>> {
        loop {
            while !self.eof && self.buf.len() <= self.size + 4 {
                self.fill()?;
            }
            if self.start {
                let boms = self.buf.chunks(3).take_while(|c| *c == b"\xEF\xBB\xBF").count();
                if boms > 0 {
                    self.buf.drain(..boms * 3);
                    continue;
                }
                self.start = self.buf.is_empty() && !self.eof;
                if self.start {
                    continue;
                }
            }
            break;
        }
        if self.buf.is_empty() {
            return Ok(None);
        }
        let text =
            std::str::from_utf8(&self.buf).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        // More than `size` bytes unless the text ends here: the first window is cut as in the whole text.
        let Some((_, w)) = rasd_text::windows(text, self.size).next() else {
            return Ok(None);
        };
        let window = w.to_string();
        self.buf.drain(..window.len());
        let base = self.base;
        self.base += window.len();
        Ok(Some((base, window)))
    }
}

impl Iterator for TextWindows {
    type Item = std::io::Result<(usize, String)>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_window().transpose()
    }
}

/// Whether a file can be streamed line by line under the whole-file rules: valid UTF-8 (so no other charset
/// is in play) with no NUL byte (so it is not binary). Reads the file once in 1 MiB chunks.
fn streamable(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut carry = 0usize;
    loop {
        let n = file.read(&mut buf[carry..])?;
        if n == 0 {
            return Ok(carry == 0);
        }
        let filled = carry + n;
        if memchr::memchr(0, &buf[carry..filled]).is_some() {
            return Ok(false);
        }
        match std::str::from_utf8(&buf[..filled]) {
            Ok(_) => carry = 0,
            // A character cut by the chunk's end: carry its bytes to the next chunk.
            Err(e) if e.error_len().is_none() => {
                let at = e.valid_up_to();
                buf.copy_within(at..filled, 0);
                carry = filled - at;
            }
            Err(_) => return Ok(false),
        }
    }
}

/// Reads standard input: JSONL (by `opts` or by its first bytes) is streamed line by line, where a line with a
/// NUL byte is binary and bytes that are not UTF-8 follow [`decode`]'s rule line by line; any other input is
/// read whole. A plain-text document from standard input gets a content id.
pub fn read_stdin(opts: ReadOptions) -> Box<dyn Iterator<Item = Item>> {
    use std::io::Read;
    let origin = "<stdin>";
    let mut head = Vec::with_capacity(SNIFF);
    if let Err(e) = std::io::stdin().lock().take(SNIFF as u64).read_to_end(&mut head) {
        return Box::new(std::iter::once(unreadable(
            origin,
            format!("cannot read standard input: {e}"),
        )));
    }
    let utf16 = head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF");
    let jsonl = match opts.format {
        Some(f) => f == Format::Jsonl,
        None => sniff(&String::from_utf8_lossy(strip_utf8_bom(&head))) == Format::Jsonl,
    };
    if jsonl && !utf16 {
        let lines = std::io::BufReader::with_capacity(1 << 16, std::io::Cursor::new(head).chain(std::io::stdin()));
        return Box::new(JsonlLines::new(origin.to_string(), lines, opts.lossy));
    }
    let mut bytes = head;
    let limit = (MAX_WHOLE + 1 - bytes.len().min(MAX_WHOLE)) as u64;
    if let Err(e) = std::io::stdin().lock().take(limit).read_to_end(&mut bytes) {
        return Box::new(std::iter::once(unreadable(
            origin,
            format!("cannot read standard input: {e}"),
        )));
    }
    if bytes.len() > MAX_WHOLE {
        let reason = format!(
            "too large: over the {} MB limit of standard input that is not JSONL in UTF-8; pass the file by name \
             (a plain-text file of any size is read window by window)",
            MAX_WHOLE >> 20
        );
        return Box::new(std::iter::once(Item {
            origin: origin.to_string(),
            format: opts.format,
            doc: Err(reason),
            unreadable: true,
        }));
    }
    Box::new(read_owned_opts(origin, bytes, opts).into_iter())
}

fn strip_utf8_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}

/// The format a file name promises by its extension (`.xml` and unknown extensions: none, the content decides).
pub fn format_from_name(name: &str) -> Option<Format> {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    match ext.as_str() {
        "txt" | "text" => Some(Format::Text),
        "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
        "html" | "htm" | "xhtml" => Some(Format::Html),
        "rss" => Some(Format::Rss),
        "atom" => Some(Format::Atom),
        _ => None,
    }
}

/// Decodes the bytes of one input into the text every span is an offset of. The one charset rule of every
/// reader:
/// - a byte-order mark decides: UTF-8, UTF-16 LE or UTF-16 BE (the mark is not part of the text);
/// - otherwise valid UTF-8 is UTF-8;
/// - otherwise windows-1256, when the bytes decode to Arabic under it (nine in ten non-ASCII letters Arabic);
/// - otherwise the input is refused, naming the byte offset of the first bad byte, unless `lossy`, in which
///   case bad bytes become U+FFFD.
///
/// An input holding a NUL byte (U+0000 after decoding) is binary and refused, lossy or not.
pub fn decode(bytes: &[u8], lossy: bool) -> Result<String, String> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        if errors && !lossy {
            return Err(format!(
                "invalid {} (malformed sequence after its byte-order mark)",
                enc.name()
            ));
        }
        if text.contains('\0') {
            return Err(BINARY.to_string());
        }
        return Ok(Doc::strip_bom(&text).to_string());
    }
    if memchr::memchr(0, bytes).is_some() {
        return Err(BINARY.to_string());
    }
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok(Doc::strip_bom(t).to_string()),
        Err(e) => {
            if let Some(t) = as_windows_1256(bytes) {
                return Ok(t);
            }
            if lossy {
                return Ok(Doc::strip_bom(&String::from_utf8_lossy(bytes)).to_string());
            }
            Err(format!(
                "invalid UTF-8 at byte offset {} (and not windows-1256 Arabic)",
                e.valid_up_to()
            ))
        }
    }
}

/// The text of `bytes` read as windows-1256, when that is Arabic: at least nine in ten of its non-ASCII
/// characters are Arabic letters or marks. (UTF-8 Arabic with a damaged byte read this way is about half
/// symbols and Latin letters, so it is not taken for windows-1256.)
fn as_windows_1256(bytes: &[u8]) -> Option<String> {
    let (text, _, _) = encoding_rs::WINDOWS_1256.decode(bytes);
    let (mut arabic, mut other) = (0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_ascii()) {
        if matches!(c, '\u{0600}'..='\u{06FF}' | '\u{200C}' | '\u{200D}' | '\u{00A0}') {
            arabic += 1;
        } else {
            other += 1;
        }
    }
    (arabic >= 2 && arabic >= 9 * other).then(|| text.into_owned())
}

/// Reads the bytes of one input. `hint` comes from the file name; without one (or for `.xml`) the content
/// decides.
pub fn read_bytes(origin: &str, bytes: &[u8], hint: Option<Format>) -> Vec<Item> {
    read_bytes_with(origin, bytes, hint, false)
}

/// [`read_bytes`], with `lossy` decoding (see [`decode`]).
pub fn read_bytes_with(origin: &str, bytes: &[u8], hint: Option<Format>, lossy: bool) -> Vec<Item> {
    read_bytes_opts(origin, bytes, ReadOptions { format: hint, lossy })
}

/// [`read_bytes`] under `opts` (its `format` is the hint).
pub fn read_bytes_opts(origin: &str, bytes: &[u8], opts: ReadOptions) -> Vec<Item> {
    let hint = opts.format;
    match decode(bytes, opts.lossy) {
        Ok(text) => read_text(origin, text, opts),
        Err(reason) => vec![Item {
            origin: origin.to_string(),
            format: hint,
            doc: Err(reason),
            unreadable: false,
        }],
    }
}

/// [`read_bytes_with`] on bytes it may keep: plain UTF-8 (no byte-order mark, no NUL byte) becomes the text
/// without a copy, so a large plain-text file is held once, not three times. Other bytes take the copying path.
pub fn read_owned_with(origin: &str, bytes: Vec<u8>, hint: Option<Format>, lossy: bool) -> Vec<Item> {
    read_owned_opts(origin, bytes, ReadOptions { format: hint, lossy })
}

/// [`read_owned_with`] under `opts` (its `format` is the hint).
fn read_owned_opts(origin: &str, bytes: Vec<u8>, opts: ReadOptions) -> Vec<Item> {
    if encoding_rs::Encoding::for_bom(&bytes).is_some() || memchr::memchr(0, &bytes).is_some() {
        return read_bytes_opts(origin, &bytes, opts);
    }
    match String::from_utf8(bytes) {
        Ok(text) => read_text(origin, text, opts),
        Err(e) => read_bytes_opts(origin, e.as_bytes(), opts),
    }
}

/// Reads decoded text: the format from `opts.format`, or sniffed from the text.
fn read_text(origin: &str, text: String, opts: ReadOptions) -> Vec<Item> {
    let (hint, lossy) = (opts.format, opts.lossy);
    let format = hint.unwrap_or_else(|| sniff(&text));
    let one = |doc: Result<Doc, String>| {
        vec![Item {
            origin: origin.to_string(),
            format: Some(format),
            doc,
            unreadable: false,
        }]
    };
    match format {
        Format::Text => one(text_doc(origin, text)),
        Format::Html if text.len() > MAX_HTML => vec![Item {
            origin: origin.to_string(),
            format: Some(format),
            doc: Err(too_large_for(text.len() as u64, MAX_HTML, "an HTML page")),
            unreadable: true,
        }],
        Format::Html => one(html_doc(origin, &text)),
        Format::Jsonl => {
            let mut lines = JsonlLines::new(origin.to_string(), std::io::Cursor::new(text.into_bytes()), lossy);
            lines.decoded = true;
            lines.collect()
        }
        Format::Rss | Format::Atom => match feed(origin, &text) {
            Ok((format, items)) if items.is_empty() => vec![Item {
                origin: origin.to_string(),
                format: Some(format),
                doc: Err("feed has no items".to_string()),
                unreadable: false,
            }],
            Ok((_, items)) => items,
            Err(e) => one(Err(e)),
        },
    }
}

fn sniff(text: &str) -> Format {
    let head = Doc::strip_bom(text).trim_start();
    let lower: String = head.chars().take(512).collect::<String>().to_ascii_lowercase();
    if head.starts_with('{') {
        Format::Jsonl
    } else if lower.contains("<rss") || lower.contains("<rdf:rdf") {
        Format::Rss
    } else if lower.contains("<feed") {
        Format::Atom
    } else if head.starts_with('<') {
        Format::Html
    } else {
        Format::Text
    }
}

fn stem(origin: &str) -> String {
    let name = origin.rsplit(['/', '\\']).next().unwrap_or(origin);
    name.rsplit_once('.').map_or(name, |(s, _)| s).to_string()
}

/// A plain-text document: its id is the file name without its extension, or a content id (standard input).
fn text_doc(origin: &str, text: String) -> Result<Doc, String> {
    if text.trim().is_empty() {
        return Err("empty document".to_string());
    }
    let id = if origin == "<stdin>" {
        String::new()
    } else {
        stem(origin)
    };
    let id = if id.is_empty() { Doc::content_id(&text) } else { id };
    Ok(Doc {
        id,
        text,
        ..Doc::default()
    })
}

/// One JSONL line as written: the id may be missing, empty, or a number.
#[derive(serde::Deserialize)]
struct Line {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    outlet: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    title: Option<String>,
    text: Option<String>,
}

/// Reads one JSONL line into a document. The rules: a line must be a JSON object with a non-empty `text`; a
/// missing, null or blank `id` becomes the content id of the text ([`Doc::content_id`]), a numeric id its
/// digits; `published` is an ISO or RFC 822 date ([`rasd_core::parse_published`]) or absent.
pub fn jsonl_doc(line: &str) -> Result<Doc, String> {
    let line = Doc::strip_bom(line);
    let v: Line = serde_json::from_str(line).map_err(|e| {
        if line.trim_start().starts_with('{') {
            format!("not JSON: {e}")
        } else {
            format!("not JSON: not an object ({e})")
        }
    })?;
    let text = Doc::strip_bom(v.text.as_deref().unwrap_or_default());
    if text.trim().is_empty() {
        return Err("empty `text`".to_string());
    }
    let id = match v.id {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s,
        Some(serde_json::Value::Number(n)) => n.to_string(),
        None | Some(serde_json::Value::Null) | Some(serde_json::Value::String(_)) => Doc::content_id(text),
        Some(other) => return Err(format!("not a document: `id` is {other}, not a string")),
    };
    let published = match v.published.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(
            rasd_core::parse_published(raw)
                .ok_or_else(|| format!("not a document: `published` {raw:?} is neither an ISO nor an RFC 822 date"))?,
        ),
    };
    Ok(Doc {
        id,
        url: v.url,
        outlet: v.outlet,
        published,
        title: v.title,
        text: text.to_string(),
    })
}

/// The documents of a JSONL input, one per non-blank line, read as they are needed: a bad line is an item
/// with its line number and reason, and reading goes on. Lines are decoded one by one (a NUL byte makes the
/// line binary; bytes that are not UTF-8 follow [`decode`]); readers that first checked the whole input
/// (UTF-8, no NUL) get the same result as reading it whole.
pub struct JsonlLines<R> {
    origin: String,
    reader: R,
    lossy: bool,
    /// The input is already decoded text.
    decoded: bool,
    line: usize,
    buf: Vec<u8>,
    any: bool,
    done: bool,
}

impl<R: std::io::BufRead> JsonlLines<R> {
    pub fn new(origin: String, reader: R, lossy: bool) -> Self {
        Self {
            origin,
            reader,
            lossy,
            decoded: false,
            line: 0,
            buf: Vec::new(),
            any: false,
            done: false,
        }
    }

    fn item(&self, doc: Result<Doc, String>) -> Item {
        Item {
            origin: format!("{}:{}", self.origin, self.line),
            format: Some(Format::Jsonl),
            doc,
            unreadable: false,
        }
    }
}

impl<R: std::io::BufRead> Iterator for JsonlLines<R> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        while !self.done {
            self.buf.clear();
            if self.buf.capacity() > 4 << 20 {
                self.buf.shrink_to(1 << 16);
            }
            match read_line_capped(&mut self.reader, &mut self.buf, MAX_WHOLE) {
                Ok((0, _)) => self.done = true,
                Ok((n, true)) => {
                    self.line += 1;
                    self.any = true;
                    let reason = too_large(n as u64, "one JSONL document");
                    return Some(self.item(Err(reason)));
                }
                Ok(_) => {
                    self.line += 1;
                    let raw = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
                    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
                    if raw.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    self.any = true;
                    let doc = match std::str::from_utf8(raw) {
                        Ok(line) if self.decoded || !line.contains('\0') => jsonl_doc(line),
                        _ => decode(raw, self.lossy).and_then(|line| jsonl_doc(&line)),
                    };
                    return Some(self.item(doc));
                }
                Err(e) => {
                    self.done = true;
                    self.any = true;
                    self.line += 1;
                    return Some(self.item(Err(format!("cannot read on: {e}"))));
                }
            }
        }
        if !self.any {
            self.any = true;
            return Some(Item {
                origin: self.origin.clone(),
                format: Some(Format::Jsonl),
                doc: Err("no documents".to_string()),
                unreadable: false,
            });
        }
        None
    }
}

/// Reads one line (up to and with its `\n`) into `buf`, unless it is longer than `cap` bytes: then the line is
/// read on to its end without being kept. Gives the bytes read and whether the line was too long.
fn read_line_capped(
    reader: &mut impl std::io::BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<(usize, bool)> {
    let (mut total, mut over) = (0usize, false);
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok((total, over));
        }
        let (used, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if !over && buf.len() + used > cap + 2 {
            over = true;
            *buf = Vec::new();
        }
        if !over {
            buf.extend_from_slice(&chunk[..used]);
        }
        reader.consume(used);
        total += used;
        if done {
            return Ok((total, over));
        }
    }
}

/// What a page says about itself, and its main text.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Page {
    pub title: Option<String>,
    pub site: Option<String>,
    pub url: Option<String>,
    pub published: Option<NaiveDate>,
    pub text: String,
}

/// Reads an HTML page with the article reader of `rasd-fetch` ([`rasd_fetch::extract_article`]: Readability
/// via dom_smoothie, then a heuristic; metadata from the page's meta tags; entities decoded by the HTML parser),
/// the one every command and `rasd watch` read pages with. A page whose only text is navigation, a header, a
/// footer, an aside or a form ([`rasd_fetch::has_main_text`]) has an empty text.
pub fn page(html: &str) -> Page {
    let a = rasd_fetch::extract_article(html);
    Page {
        title: a.title,
        site: a.site_name,
        url: a.canonical,
        published: a.published,
        text: a.text,
    }
}

fn html_doc(origin: &str, html: &str) -> Result<Doc, String> {
    let page = page(html);
    if page.text.trim().is_empty() {
        return Err("HTML page has no main text".to_string());
    }
    Ok(Doc {
        id: stem(origin),
        url: page.url,
        outlet: page.site,
        published: page.published,
        title: page.title,
        text: Doc::strip_bom(&page.text).to_string(),
    })
}

/// Reads the items of an RSS or Atom feed with [`rasd_fetch::read_feed`] (feed-rs): each item is a document
/// (`FILE#N`), or the reason it could not be read; a malformed item skips that item only.
fn feed(origin: &str, xml: &str) -> Result<(Format, Vec<Item>), String> {
    let f = rasd_fetch::read_feed(xml).map_err(|e| match e {
        rasd_fetch::Error::Feed(m) | rasd_fetch::Error::NotAFeed(m) => m,
        e => e.to_string(),
    })?;
    let format = if f.atom { Format::Atom } else { Format::Rss };
    let items = f
        .items
        .into_iter()
        .enumerate()
        .map(|(n, entry)| Item {
            origin: format!("{origin}#{}", n + 1),
            format: Some(format),
            doc: entry.and_then(|e| feed_doc(e, f.title.as_ref())),
            unreadable: false,
        })
        .collect();
    Ok((format, items))
}

/// A feed item as a document: id from the guid or id, else the link, else the content id of its text.
fn feed_doc(e: rasd_fetch::Entry, outlet: Option<&String>) -> Result<Doc, String> {
    let text = Doc::strip_bom(e.text.trim()).trim().to_string();
    if text.is_empty() {
        return Err("feed item has no text".to_string());
    }
    let id = e.id.clone().or_else(|| e.link.clone());
    Ok(Doc {
        id: id.unwrap_or_else(|| Doc::content_id(&text)),
        url: e.link,
        outlet: outlet.cloned(),
        published: e.published,
        title: e.title,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_keeps_the_article_and_its_metadata() {
        let html = r#"<html><head><title>x</title><meta property="og:title" content="الجيش يدخل البوكمال">
<meta property="og:site_name" content="sana"><meta property="article:published_time" content="2017-11-09T08:00:00+03:00">
<link rel="canonical" href="https://example.invalid/a1"></head><body><nav>الرئيسية | سياسة | اقتصاد | رياضة</nav>
<article><h1>الجيش يدخل البوكمال</h1><p>دخلت وحدات من الجيش العربي السوري مدينة البوكمال &amp; ريفها.</p>
<script>var x = "<p>لا</p>";</script><p>وتتواصل الاشتباكات.</p></article><footer>حقوق النشر محفوظة للموقع 2017</footer></body></html>"#;
        let p = page(html);
        assert_eq!(p.title.as_deref(), Some("الجيش يدخل البوكمال"));
        assert_eq!(p.site.as_deref(), Some("sana"));
        assert_eq!(p.url.as_deref(), Some("https://example.invalid/a1"));
        assert_eq!(p.published, NaiveDate::from_ymd_opt(2017, 11, 9));
        assert_eq!(
            p.text,
            "دخلت وحدات من الجيش العربي السوري مدينة البوكمال & ريفها.\n\nوتتواصل الاشتباكات."
        );
    }

    #[test]
    fn rss_and_atom_items_become_documents() {
        let rss = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>sohr</title>
<item><title>غارات على الميادين</title><link>https://example.invalid/1</link><guid>sohr-1</guid>
<pubDate>Sat, 11 Nov 2017 09:00:00 +0000</pubDate><description><![CDATA[<p>قتل 12 مدنيا في غارات على الميادين.</p>]]></description></item>
<item><title>ب</title><guid>sohr-2</guid><description>نص &amp; آخر</description></item></channel></rss>"#;
        let items = read_bytes("feed.xml", rss.as_bytes(), None);
        assert_eq!(items.len(), 2);
        let d = items[0].doc.as_ref().expect("doc");
        assert_eq!((d.id.as_str(), d.outlet.as_deref()), ("sohr-1", Some("sohr")));
        assert_eq!(d.published, NaiveDate::from_ymd_opt(2017, 11, 11));
        assert_eq!(d.text, "قتل 12 مدنيا في غارات على الميادين.");
        assert_eq!(items[1].doc.as_ref().map(|d| d.text.as_str()), Ok("نص & آخر"));
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>afp</title><entry><id>afp-1</id>
<link href="https://example.invalid/afp-1"/><published>2017-11-10T07:00:00Z</published><title>t</title>
<content type="html">&lt;p&gt;قال مصدر عسكري إن القوات دخلت المدينة.&lt;/p&gt;</content></entry></feed>"#;
        let items = read_bytes("f.atom", atom.as_bytes(), None);
        let d = items[0].doc.as_ref().expect("atom doc");
        assert_eq!(items[0].format, Some(Format::Atom));
        assert_eq!(d.url.as_deref(), Some("https://example.invalid/afp-1"));
        assert_eq!(d.text, "قال مصدر عسكري إن القوات دخلت المدينة.");
    }

    proptest::proptest! {
        /// The readers take whatever a crawler brings back: no input may panic them.
        #[test]
        fn no_input_panics(s in "(<[a-z/!]{0,8}[^>]{0,20}>|&[#a-z0-9]{0,6};?|[\\u0600-\\u06ff a-z{}\":,\\n]){0,60}") {
            for name in ["x.html", "x.rss", "x.atom", "x.jsonl", "x.txt", "x"] {
                let _ = read_bytes(name, s.as_bytes(), format_from_name(name));
            }
            let _ = page(&s);
        }
    }

    #[test]
    fn bad_inputs_are_items_with_reasons() {
        let items = read_bytes(
            "a.jsonl",
            b"{\"id\":\"a\",\"text\":\"x\"}\nnot json\n{\"text\":\"\"}\n",
            None,
        );
        assert!(items[0].doc.is_ok());
        assert!(items[1].doc.as_ref().is_err_and(|e| e.starts_with("not JSON")));
        assert_eq!(items[1].origin, "a.jsonl:2");
        assert!(items[2].doc.is_err());
        let bad = read_bytes("b.txt", b"abc \xff\xfd", None);
        assert!(bad[0].doc.as_ref().is_err_and(|e| e.contains("UTF-8")));
        let feed = read_bytes("c.rss", b"<rss><channel><item><title>x</title></channel>", None);
        assert!(feed[0].doc.is_err());
    }

    fn docs(items: &[Item]) -> Vec<&Doc> {
        items.iter().filter_map(|i| i.doc.as_ref().ok()).collect()
    }

    #[test]
    fn a_jsonl_file_is_jsonl_whatever_its_first_line_holds() {
        let input = "{\"id\": \"broken\", \"text\": \n{\"id\":\"b\",\"text\":\"قتل 3\"}\n\n[1]\n";
        let items = read_bytes("x.jsonl", input.as_bytes(), format_from_name("x.jsonl"));
        assert_eq!(items.len(), 3, "{items:?}");
        assert!(items[0].doc.as_ref().is_err_and(|e| e.starts_with("not JSON")));
        assert_eq!(items[0].origin, "x.jsonl:1");
        assert_eq!(items[1].doc.as_ref().map(|d| d.id.as_str()), Ok("b"));
        assert_eq!(items[2].origin, "x.jsonl:4", "line numbers count blank lines");
        assert!(items[2].doc.is_err());
    }

    #[test]
    fn a_jsonl_line_without_an_id_gets_the_content_id() {
        let items = read_bytes(
            "x.jsonl",
            "{\"text\":\"نص\"}\n{\"id\":\" \",\"text\":\"نص\"}\n{\"id\":null,\"text\":\"نص\"}\n{\"id\":7,\"text\":\"نص\"}\n{\"id\":[1],\"text\":\"نص\"}\n".as_bytes(),
            None,
        );
        let want = Doc::content_id("نص");
        for i in &items[..3] {
            assert_eq!(i.doc.as_ref().map(|d| d.id.clone()), Ok(want.clone()));
        }
        assert_eq!(items[3].doc.as_ref().map(|d| d.id.as_str()), Ok("7"));
        assert!(items[4].doc.is_err());
    }

    #[test]
    fn nul_bytes_make_a_file_binary_in_every_format() {
        for name in ["x.txt", "x.jsonl", "x.html", "x.rss", "x"] {
            let items = read_bytes(name, b"{\"id\":\"a\",\"text\":\"x\0y\"}\n", format_from_name(name));
            assert_eq!(items.len(), 1, "{name}");
            assert!(items[0].doc.as_ref().is_err_and(|e| e.starts_with("binary")), "{name}");
        }
    }

    #[test]
    fn charsets_are_detected_and_the_text_is_the_decoded_text() {
        let text = "قتل 12 مدنيا في غارات على الميادين.";
        let utf8 = read_bytes("a.txt", text.as_bytes(), None);
        let bom = read_bytes("a.txt", format!("\u{feff}{text}").as_bytes(), None);
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        let (cp1256, _, unmappable) = encoding_rs::WINDOWS_1256.encode(text);
        assert!(!unmappable);
        for bytes in [&le[..], &be[..], &cp1256[..]] {
            let items = read_bytes("a.txt", bytes, None);
            assert_eq!(docs(&items)[0].text, text);
        }
        assert_eq!(docs(&utf8)[0].text, text);
        assert_eq!(docs(&bom)[0].text, text);
        // UTF-8 with a damaged byte is not taken for windows-1256.
        let mut damaged = text.as_bytes().to_vec();
        damaged.insert(8, 0xFF);
        assert!(
            read_bytes("a.txt", &damaged, None)[0]
                .doc
                .as_ref()
                .is_err_and(|e| e.contains("byte offset 8"))
        );
        assert!(decode(&damaged, true).is_ok_and(|t| t.contains('\u{fffd}')));
        // Latin-1 French is not Arabic either.
        assert!(decode(b"caf\xe9 cr\xe8me br\xfbl\xe9e", false).is_err());
        // A UTF-16 file of JSON lines.
        let line = "{\"id\":\"u\",\"text\":\"نص\"}\n";
        let mut u16 = vec![0xFF, 0xFE];
        u16.extend(line.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(
            read_bytes("u.jsonl", &u16, Some(Format::Jsonl))[0]
                .doc
                .as_ref()
                .map(|d| d.text.as_str()),
            Ok("نص")
        );
    }

    #[test]
    fn a_malformed_feed_item_skips_that_item_only() {
        let rss = r#"<rss version="2.0"><channel><title>sohr</title>
<item><guid>a</guid><pubDate>Sat, 11 Nov 2017 09:00:00 GMT</pubDate><description>قتل 3 في الميادين</description></item>
<item><guid>b</guid><description>نص <b>مكسور</description></item>
<item><guid>c</guid><pubDate>2017-11-12T08:00:00+03:00</pubDate><description><![CDATA[<p>قتل ثلاثة مدنيين <item> في قصف على الميادين</p>]]></description></item>
<item><guid>d</guid><description>بلا نهاية</description>
</channel></rss>"#;
        let items = read_bytes("f.rss", rss.as_bytes(), None);
        let ids: Vec<Result<&str, &String>> = items.iter().map(|i| i.doc.as_ref().map(|d| d.id.as_str())).collect();
        assert_eq!(ids.len(), 4, "{items:#?}");
        assert_eq!(ids[0], Ok("a"));
        assert!(ids[1].is_err());
        assert_eq!(ids[2], Ok("c"));
        assert!(ids[3].is_err(), "an item that is never closed");
        let d = items[0].doc.as_ref().expect("a");
        assert_eq!(d.published, NaiveDate::from_ymd_opt(2017, 11, 11));
        assert_eq!(d.outlet.as_deref(), Some("sohr"));
        assert_eq!(
            items[2].doc.as_ref().map(|d| d.published),
            Ok(NaiveDate::from_ymd_opt(2017, 11, 12))
        );
        assert_eq!(items[2].origin, "f.rss#3");
    }

    /// A news page in the style of a small site, written for these tests: the article sits in `<div>`s (no
    /// `<article>` tag) between a menu, a sidebar and a footer.
    const DIV_PAGE: &str = r#"<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>أخبار الجنوب</title><meta property="og:title" content="اشتباكات قرب سد المدينة">
<meta property="article:published_time" content="2024-03-05T21:40:00+02:00"></head><body>
<div class="top"><div class="menu"><ul><li><a href="/">الصفحة الأولى</a></li><li><a href="/local">محليات</a></li>
<li><a href="/economy">اقتصاد ومال</a></li><li><a href="/about">من نحن</a></li></ul></div></div>
<div class="wrap"><div class="main"><div class="story">
<h1>اشتباكات قرب سد المدينة</h1>
<p>أفاد شهود عيان بأن اشتباكات مسلحة اندلعت مساء الثلاثاء قرب سد المدينة بين مجموعتين محليتين.</p>
<p>وقال مصدر طبي إن شخصين أصيبا بجروح ونقلا إلى المستشفى الوطني &amp; إن الهدوء عاد إلى المنطقة.</p>
<p>وذكر الشهود أن حرف&nbsp;&#1575;لألف كُتب على الجدار، وأن المتاجر أغلقت أبوابها حتى الصباح.</p>
</div></div><div class="side"><a href="/x">الأكثر قراءة اليوم</a></div></div>
<div class="bottom">حقوق النشر محفوظة لموقع أخبار الجنوب 2024</div></body></html>"#;

    #[test]
    fn an_article_in_divs_is_read_without_its_menu_and_footer() {
        let items = read_bytes("pages/sadd.html", DIV_PAGE.as_bytes(), None);
        assert_eq!(items[0].format, Some(Format::Html));
        let d = items[0].doc.as_ref().expect("a document");
        assert_eq!(d.id, "sadd");
        assert_eq!(d.title.as_deref(), Some("اشتباكات قرب سد المدينة"));
        assert_eq!(d.published, NaiveDate::from_ymd_opt(2024, 3, 5));
        assert!(d.text.starts_with("أفاد شهود عيان بأن اشتباكات"), "{}", d.text);
        assert!(d.text.contains("حتى الصباح."), "{}", d.text);
        for menu in [
            "الصفحة الأولى",
            "محليات",
            "اقتصاد ومال",
            "من نحن",
            "الأكثر قراءة",
            "حقوق النشر",
        ] {
            assert!(!d.text.contains(menu), "{menu} kept: {}", d.text);
        }
    }

    #[test]
    fn entities_are_decoded_by_the_html_parser() {
        let d = read_bytes("sadd.html", DIV_PAGE.as_bytes(), None)
            .remove(0)
            .doc
            .expect("a document");
        // &amp; is `&`, &#1575; is ا, &nbsp; is a space (white space is collapsed).
        assert!(d.text.contains("المستشفى الوطني & إن الهدوء"), "{}", d.text);
        assert!(d.text.contains("حرف الألف كُتب"), "{}", d.text);
        assert!(!d.text.contains("&amp;") && !d.text.contains("&#") && !d.text.contains("&nbsp;"));
        // The stored text is what spans are offsets into: a UTF-8 byte-order mark and windows-1256 give the
        // same text.
        let bom = read_bytes("sadd.html", format!("\u{feff}{DIV_PAGE}").as_bytes(), None);
        assert_eq!(bom[0].doc.as_ref().map(|b| &b.text), Ok(&d.text));
        let (cp1256, _, unmappable) = encoding_rs::WINDOWS_1256.encode(DIV_PAGE);
        assert!(!unmappable);
        let legacy = read_bytes("sadd.html", &cp1256, None);
        assert_eq!(legacy[0].doc.as_ref().map(|b| &b.text), Ok(&d.text));
        let mut le = vec![0xFF, 0xFE];
        le.extend(DIV_PAGE.encode_utf16().flat_map(u16::to_le_bytes));
        let utf16 = read_bytes("sadd.html", &le, None);
        assert_eq!(utf16[0].doc.as_ref().map(|b| &b.text), Ok(&d.text));
    }

    #[test]
    fn a_page_of_navigation_has_no_main_text() {
        let nav = r#"<html><head><title>الموقع</title></head><body>
<header><div class="logo">شبكة الأخبار المحلية</div><nav><a href="/">الرئيسية</a> <a href="/a">أخبار عاجلة</a>
<a href="/b">تقارير وتحقيقات مطولة من الميدان</a></nav></header>
<aside><ul><li><a href="/c">الأكثر قراءة هذا الأسبوع في كل الأقسام</a></li></ul></aside>
<form><label>اشترك في النشرة البريدية اليومية</label><input name="e"></form>
<script>document.write("نص من برنامج");</script><noscript>فعّل جافا سكربت</noscript>
<footer><p>جميع الحقوق محفوظة لشبكة الأخبار المحلية منذ عام ألفين وعشرة</p></footer></body></html>"#;
        let items = read_bytes("nav.html", nav.as_bytes(), None);
        assert_eq!(items.len(), 1);
        assert_eq!(
            items[0].doc.as_ref().map(|d| d.id.as_str()),
            Err(&"HTML page has no main text".to_string())
        );
        assert!(!items[0].unreadable);
    }

    #[test]
    fn a_malformed_rss_item_between_two_good_ones_is_the_only_one_skipped() {
        let rss = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>مرصد الساحل</title>
<item><title>قصف على ميناء البلدة</title><link>https://sahel.example.test/1</link><guid>sahel-1</guid>
<pubDate>Tue, 05 Mar 2024 23:30:00 -0500</pubDate>
<content:encoded><![CDATA[<p>استهدف قصف مدفعي ميناء البلدة فجر الثلاثاء.</p><p>ولم ترد أنباء عن إصابات.</p>]]></content:encoded>
<description>ملخص قصير</description></item>
<item><title>خبر مكسور</title><guid>sahel-2</guid><description>نص <b>غير مغلق</description></item>
<item><title>اعتقالات في الحي الشمالي</title><guid>sahel-3</guid><pubDate>2024-03-06T01:15:00+03:00</pubDate>
<description>&lt;p&gt;اعتقلت قوة أمنية ثلاثة شبان في الحي الشمالي &amp;amp; أفرجت عن أحدهم.&lt;/p&gt;</description></item>
</channel></rss>"#;
        let items = read_bytes("feeds/sahel.rss", rss.as_bytes(), None);
        assert_eq!(items.len(), 3, "{items:#?}");
        let a = items[0].doc.as_ref().expect("item 1");
        assert_eq!(a.id, "sahel-1");
        assert_eq!(a.url.as_deref(), Some("https://sahel.example.test/1"));
        assert_eq!(a.outlet.as_deref(), Some("مرصد الساحل"));
        assert_eq!(a.title.as_deref(), Some("قصف على ميناء البلدة"));
        assert_eq!(
            a.published,
            NaiveDate::from_ymd_opt(2024, 3, 5),
            "the day as written, not the UTC day"
        );
        assert_eq!(
            a.text,
            "استهدف قصف مدفعي ميناء البلدة فجر الثلاثاء.\n\nولم ترد أنباء عن إصابات."
        );
        assert_eq!(items[1].origin, "feeds/sahel.rss#2");
        assert!(
            items[1]
                .doc
                .as_ref()
                .is_err_and(|e| e.starts_with("malformed feed item")),
            "{:?}",
            items[1].doc
        );
        let c = items[2].doc.as_ref().expect("item 3");
        assert_eq!((c.id.as_str(), c.url.as_deref()), ("sahel-3", None));
        assert_eq!(c.published, NaiveDate::from_ymd_opt(2024, 3, 6));
        assert_eq!(c.outlet.as_deref(), Some("مرصد الساحل"));
        assert_eq!(c.text, "اعتقلت قوة أمنية ثلاثة شبان في الحي الشمالي & أفرجت عن أحدهم.");
        assert_eq!(items[2].origin, "feeds/sahel.rss#3");
        assert!(items.iter().all(|i| i.format == Some(Format::Rss)));
    }

    #[test]
    fn an_atom_feed_with_html_content_becomes_documents() {
        let atom = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>وكالة الوادي</title><id>urn:wadi</id>
<updated>2024-03-07T10:00:00Z</updated>
<entry><id>urn:wadi:77</id><title type="html">غارة &amp;lt;جوية&amp;gt; على الوادي</title>
<link rel="alternate" href="https://wadi.example.test/77"/><updated>2024-03-07T09:00:00+02:00</updated>
<summary>ملخص</summary>
<content type="html">&lt;div&gt;&lt;p&gt;شنت طائرات حربية غارة على أطراف الوادي &amp;amp; قتل مدنيان.&lt;/p&gt;&lt;p&gt;وقال الدفاع المدني إن فرقه انتشلت الجثتين.&lt;/p&gt;&lt;script&gt;track()&lt;/script&gt;&lt;/div&gt;</content></entry>
<entry><id>urn:wadi:78</id><title>بلا محتوى</title><updated>2024-03-07T11:00:00Z</updated>
<summary type="html">&lt;b&gt;نزوح&lt;/b&gt; عشرات العائلات من القرية</summary></entry>
</feed>"#;
        let items = read_bytes("wadi.xml", atom.as_bytes(), None);
        assert_eq!(items.len(), 2, "{items:#?}");
        assert!(items.iter().all(|i| i.format == Some(Format::Atom)));
        let d = items[0].doc.as_ref().expect("entry 1");
        assert_eq!(d.id, "urn:wadi:77");
        assert_eq!(d.url.as_deref(), Some("https://wadi.example.test/77"));
        assert_eq!(d.outlet.as_deref(), Some("وكالة الوادي"));
        assert_eq!(d.published, NaiveDate::from_ymd_opt(2024, 3, 7));
        assert_eq!(
            d.text,
            "شنت طائرات حربية غارة على أطراف الوادي & قتل مدنيان.\n\nوقال الدفاع المدني إن فرقه انتشلت الجثتين."
        );
        let e = items[1].doc.as_ref().expect("entry 2: the summary");
        assert_eq!(e.text, "نزوح عشرات العائلات من القرية");
    }

    #[test]
    fn a_feed_item_without_a_link_is_read_as_a_document() {
        let rss = r#"<rss version="2.0"><channel><title>نشرة محلية</title>
<item><guid isPermaLink="false">local-9</guid><title>حريق في السوق</title><description>اندلع حريق في السوق القديم ليلاً.</description></item>
<item><description>أغلقت السلطات الطريق الدولي بسبب السيول.</description></item>
</channel></rss>"#;
        let items = read_bytes("n.rss", rss.as_bytes(), None);
        let d = docs(&items);
        assert_eq!(d.len(), 2, "{items:#?}");
        assert_eq!((d[0].id.as_str(), d[0].url.as_deref()), ("local-9", None));
        assert_eq!(d[0].text, "اندلع حريق في السوق القديم ليلاً.");
        // No guid, no link: the content id of the text.
        assert_eq!(d[1].id, Doc::content_id("أغلقت السلطات الطريق الدولي بسبب السيول."));
        assert_eq!(d[1].url, None);
    }

    #[test]
    fn a_text_read_window_by_window_from_disk_has_the_windows_of_the_whole_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut text = String::new();
        for i in 0..400 {
            text.push_str(&format!("قتل {i} مدنيين في قصف على مدينة الميادين، بحسب المرصد. "));
            text.push_str(if i % 3 == 0 {
                "\n\n"
            } else {
                "وقالت مصادر محلية إن القصف تواصل "
            });
        }
        let (cp1256, _, _) = encoding_rs::WINDOWS_1256.encode(&text);
        let utf16 = |be: bool| {
            let mut b = if be { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
            for u in text.encode_utf16() {
                b.extend(if be { u.to_be_bytes() } else { u.to_le_bytes() });
            }
            b
        };
        for (name, bytes) in [
            ("utf8.txt", text.clone().into_bytes()),
            ("bom.txt", format!("\u{feff}\u{feff}{text}").into_bytes()),
            ("cp1256.txt", cp1256.into_owned()),
            ("le.txt", utf16(false)),
            ("be.txt", utf16(true)),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).expect("write");
            let whole = decode(&bytes, false).expect("decodes");
            assert_eq!(whole, text, "{name}");
            let t = LargeText::plan(&path, name, false).expect("plan");
            assert_eq!(t.id, name.trim_end_matches(".txt"));
            for size in [97, 1000, 4096] {
                let want: Vec<(usize, String)> = rasd_text::windows(&whole, size)
                    .map(|(b, w)| (b, w.to_string()))
                    .collect();
                let got: Vec<(usize, String)> = t.windows(size).expect("open").map(|w| w.expect("window")).collect();
                assert_eq!(got, want, "{name}, windows of {size}");
            }
        }
        // The whole-file rules, checked over the whole file before any window is read.
        let mut damaged = text.clone().into_bytes();
        damaged.insert(5001, 0xFF);
        let damaged_at = std::str::from_utf8(&damaged).expect_err("damaged").valid_up_to();
        let mut nul = text.clone().into_bytes();
        nul.push(0);
        let blank = " \n".repeat(3000).into_bytes();
        for (name, bytes) in [("d.txt", damaged.clone()), ("n.txt", nul), ("b.txt", blank)] {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).expect("write");
            let whole = decode(&bytes, false);
            match LargeText::plan(&path, name, false) {
                Ok(t) => assert!(t.blank && whole.is_ok_and(|w| w.trim().is_empty()), "{name}"),
                Err(reason) => assert_eq!(Err(reason), whole, "{name}"),
            }
        }
        assert!(
            decode(&damaged, false).is_err_and(|e| e.contains(&format!("byte offset {damaged_at}"))),
            "the offset of the first bad byte"
        );
        let path = dir.path().join("d.txt");
        let lossy = LargeText::plan(&path, "d.txt", true).expect("lossy");
        let got: String = lossy
            .windows(500)
            .expect("open")
            .map(|w| w.expect("window").1)
            .collect();
        assert_eq!(got, decode(&damaged, true).expect("lossy"));
    }

    #[test]
    fn streaming_a_file_gives_what_reading_it_whole_gives() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut jsonl = String::new();
        for i in 0..3000 {
            jsonl.push_str(&format!(
                "{{\"id\":\"d{i}\",\"text\":\"قتل {i} مدنيين في الميادين\"}}\n"
            ));
            if i % 700 == 0 {
                jsonl.push_str("{broken\n\n");
            }
        }
        let show = |items: Vec<Item>| -> Vec<String> {
            items
                .into_iter()
                .map(|i| format!("{} {:?}", i.origin, i.doc.map(|d| d.id)))
                .collect()
        };
        for (name, bytes) in [
            ("a.jsonl", jsonl.clone().into_bytes()),
            ("b.jsonl", format!("\u{feff}{jsonl}").into_bytes()),
            ("c.jsonl", format!("{jsonl}x\0y\n").into_bytes()),
            ("d.jsonl", [jsonl.as_bytes(), b"\xff\n"].concat()),
            ("e.jsonl", b"".to_vec()),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).expect("write");
            let origin = path.display().to_string();
            let whole = show(read_bytes(&origin, &bytes, Some(Format::Jsonl)));
            let streamed = show(read_path(&path, ReadOptions::default()).collect());
            assert_eq!(streamed, whole, "{name}");
        }
        let missing = read_file(&dir.path().join("missing.txt"));
        assert!(missing[0].unreadable && missing[0].doc.as_ref().is_err_and(|e| e.starts_with("cannot read")));
    }
}
