//! The compiled file format: header, checksum and sections.
//!
//! ```text
//! b"rasd-lexicon 2\n"          magic and format version (a different version is rejected by name)
//! [32]  blake3 of the body       checked before anything in the body is parsed
//! [u64] body length
//! body: three sections, each [u64 length][bytes]:
//!   1. tables     places, actors, outlets, coreference words, countries, and per key the list of entries it names
//!   2. automaton  daachorse CharwiseDoubleArrayAhoCorasick<u32> over the normalized keys (value = key id)
//!   3. fst        fst::Map from normalized key to key id, for `lookup`
//! ```
//!
//! All integers are little-endian. The table section is decoded with bounds checks everywhere, so a damaged
//! file gives [`Error::Corrupt`]. The automaton is loaded with daachorse's `deserialize_unchecked` (daachorse
//! has no checked loader); the checksum over the whole body is what guards it, so a file damaged on disk or
//! in transit is rejected before daachorse sees it. A file crafted to carry a valid checksum over a malformed
//! automaton is trusted, as vibrato trusts its own dictionaries: load only lexicons you built.

use crate::error::{Error, Result};
use crate::model::{Actor, Coref, Country, Outlet, Place, Posting, Target};
use rasd_core::{ActorType, SourceKind};

/// Magic prefix shared by every format version.
pub const MAGIC_PREFIX: &[u8] = b"rasd-lexicon ";
/// The format version this code writes and reads. 2: the country table is part of the file (it was compiled
/// into the code).
pub const VERSION: &str = "2";
/// The full header line.
pub const MAGIC: &[u8] = b"rasd-lexicon 2\n";

/// The decoded entry tables of a lexicon.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tables {
    pub places: Vec<Place>,
    pub actors: Vec<Actor>,
    pub outlets: Vec<Outlet>,
    pub corefs: Vec<Coref>,
    pub countries: Vec<Country>,
    /// `postings[key_offsets[k]..key_offsets[k + 1]]` are the entries key `k` names; `len = keys + 1`.
    pub key_offsets: Vec<u32>,
    pub postings: Vec<Posting>,
}

impl Tables {
    /// Number of distinct keys.
    pub fn num_keys(&self) -> usize {
        self.key_offsets.len().saturating_sub(1)
    }

    /// The entries named by key `k` (empty for an unknown key id).
    pub fn postings_of(&self, k: u32) -> &[Posting] {
        let k = k as usize;
        match (self.key_offsets.get(k), self.key_offsets.get(k + 1)) {
            (Some(&a), Some(&b)) => self.postings.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// Assembles a compiled file from its three sections.
pub fn assemble(tables: &[u8], automaton: &[u8], fst: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(tables.len() + automaton.len() + fst.len() + 24);
    for s in [tables, automaton, fst] {
        body.extend_from_slice(&(s.len() as u64).to_le_bytes());
        body.extend_from_slice(s);
    }
    let mut out = Vec::with_capacity(body.len() + 64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(blake3::hash(&body).as_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// The three sections of a compiled file, after the header and checksum are verified.
pub struct Sections<'a> {
    pub tables: &'a [u8],
    pub automaton: &'a [u8],
    pub fst: &'a [u8],
}

/// Checks the magic line at the start of `bytes`, naming the version found when it is another one.
fn check_magic(bytes: &[u8]) -> Result<()> {
    if bytes.starts_with(MAGIC) {
        return Ok(());
    }
    if let Some(after) = bytes.strip_prefix(MAGIC_PREFIX) {
        let line = after.split(|&b| b == b'\n').next().unwrap_or(&[]);
        let found: String = String::from_utf8_lossy(&line[..line.len().min(32)]).into_owned();
        return Err(Error::WrongVersion {
            found,
            expected: VERSION.to_string(),
        });
    }
    Err(Error::NotALexicon)
}

/// Checks magic, version and checksum, and splits the body into its sections.
pub fn split(bytes: &[u8]) -> Result<Sections<'_>> {
    check_magic(bytes)?;
    let rest = &bytes[MAGIC.len()..];
    let mut r = Reader::new(rest);
    let sum = r.bytes(32)?;
    let len = r.len_u64()?;
    let body = r.bytes(len)?;
    if !r.is_empty() {
        return Err(Error::Corrupt(format!(
            "{} trailing bytes after the body",
            r.remaining()
        )));
    }
    if blake3::hash(body).as_bytes() != sum {
        return Err(Error::Corrupt(
            "checksum mismatch (the file is damaged or truncated)".into(),
        ));
    }
    let mut b = Reader::new(body);
    let mut section = |name: &str| -> Result<&[u8]> {
        let n = b
            .len_u64()
            .map_err(|_| Error::Corrupt(format!("missing {name} section")))?;
        b.bytes(n)
            .map_err(|_| Error::Corrupt(format!("truncated {name} section")))
    };
    let tables = section("tables")?;
    let automaton = section("automaton")?;
    let fst = section("fst")?;
    Ok(Sections { tables, automaton, fst })
}

/// A compiled file read from disk section by section: the decoded tables and the (checksum-verified) bytes of
/// the automaton and the fst.
pub struct FileParts {
    pub tables: Tables,
    pub automaton: Vec<u8>,
    pub fst: Vec<u8>,
}

/// Reads a compiled file without holding all of it in memory: the table section is decoded (with bounds checks,
/// so before the checksum is known) and dropped before the next section is read, and the checksum is computed
/// while reading. Peak memory is the decoded lexicon plus the automaton's bytes, not the whole file on top.
pub fn read_file(path: &std::path::Path) -> Result<FileParts> {
    use std::io::Read;
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let file_len = file.metadata().map_err(io)?.len();
    let mut r = std::io::BufReader::new(file);
    let mut head = vec![0u8; MAGIC.len() + 32 + 8];
    let mut got = 0;
    while got < head.len() {
        match r.read(&mut head[got..]).map_err(io)? {
            0 => break,
            n => got += n,
        }
    }
    check_magic(&head[..got])?;
    if got < head.len() {
        return Err(Error::Corrupt("truncated header".into()));
    }
    let mut sum = [0u8; 32];
    sum.copy_from_slice(&head[MAGIC.len()..MAGIC.len() + 32]);
    let mut len8 = [0u8; 8];
    len8.copy_from_slice(&head[MAGIC.len() + 32..]);
    let body_len = u64::from_le_bytes(len8);
    let actual = file_len.saturating_sub(head.len() as u64);
    if body_len != actual {
        return Err(Error::Corrupt(format!(
            "the header announces {body_len} bytes of body, the file has {actual}"
        )));
    }
    let mut hasher = blake3::Hasher::new();
    let mut left = body_len;
    let mut section = |name: &str| -> Result<Vec<u8>> {
        let mut len = [0u8; 8];
        r.read_exact(&mut len)
            .map_err(|_| Error::Corrupt(format!("missing {name} section")))?;
        hasher.update(&len);
        let n = u64::from_le_bytes(len);
        left = left
            .checked_sub(8)
            .and_then(|l| l.checked_sub(n))
            .ok_or_else(|| Error::Corrupt(format!("{name} section of {n} bytes runs past the end of the file")))?;
        let n = usize::try_from(n).map_err(|_| Error::Corrupt(format!("{name} section too large")))?;
        let mut buf = vec![0u8; n];
        r.read_exact(&mut buf)
            .map_err(|_| Error::Corrupt(format!("truncated {name} section")))?;
        hasher.update(&buf);
        Ok(buf)
    };
    let tables = {
        let buf = section("tables")?;
        decode_tables(&buf)?
    };
    let automaton = section("automaton")?;
    let fst = section("fst")?;
    if left != 0 {
        return Err(Error::Corrupt(format!("{left} trailing bytes after the body")));
    }
    if hasher.finalize().as_bytes() != &sum {
        return Err(Error::Corrupt(
            "checksum mismatch (the file is damaged or truncated)".into(),
        ));
    }
    Ok(FileParts { tables, automaton, fst })
}

// ---------------------------------------------------------------------------------------------------------------
// Tables

/// Encodes the tables section.
pub fn encode_tables(t: &Tables) -> Vec<u8> {
    let mut w = Writer::default();
    w.u32(t.places.len() as u32);
    for p in &t.places {
        w.str(&p.id);
        w.str(&p.name);
        w.str(&p.name_ar);
        w.str(&p.country);
        w.opt(&p.admin1);
        w.f64(p.lat);
        w.f64(p.lon);
        w.u64(p.population);
        w.str(&p.kind);
        w.opt(&p.parent);
    }
    w.u32(t.actors.len() as u32);
    for a in &t.actors {
        w.str(&a.id);
        w.str(&a.name_en);
        w.str(&a.name_ar);
        w.str(a.actor_type.as_str());
        w.opt(&a.country);
        w.opt(&a.parent);
    }
    w.u32(t.outlets.len() as u32);
    for o in &t.outlets {
        w.str(&o.id);
        w.str(&o.name_en);
        w.str(&o.name_ar);
        w.str(o.kind.as_str());
        w.opt(&o.country);
        w.opt(&o.affiliated_actor);
    }
    w.u32(t.corefs.len() as u32);
    for c in &t.corefs {
        w.str(&c.word);
        w.u32(c.applies_to.len() as u32);
        for a in &c.applies_to {
            w.str(a);
        }
    }
    w.u32(t.countries.len() as u32);
    for c in &t.countries {
        w.str(&c.iso2);
        w.str(&c.name);
        w.str(&c.name_ar);
        for names in [&c.place_names, &c.context_names] {
            w.u32(names.len() as u32);
            for n in names {
                w.str(n);
            }
        }
        match c.point {
            None => w.u8(0),
            Some((lat, lon)) => {
                w.u8(1);
                w.f64(lat);
                w.f64(lon);
            }
        }
        w.opt(&c.capital);
    }
    w.u32(t.key_offsets.len() as u32);
    for &o in &t.key_offsets {
        w.u32(o);
    }
    w.u32(t.postings.len() as u32);
    for p in &t.postings {
        let (tag, i) = match p.target {
            Target::Place(i) => (0u8, i),
            Target::Actor(i) => (1, i),
            Target::Outlet(i) => (2, i),
            Target::Coref(i) => (3, i),
            Target::Country(i) => (4, i),
        };
        w.u8(tag);
        w.u8(p.flags);
        w.u32(i);
    }
    w.buf
}

/// Decodes and validates the tables section.
pub fn decode_tables(bytes: &[u8]) -> Result<Tables> {
    let mut r = Reader::new(bytes);
    let mut t = Tables::default();
    let n = r.count(40)?;
    t.places.reserve(n);
    for _ in 0..n {
        t.places.push(Place {
            id: r.string()?,
            name: r.string()?,
            name_ar: r.string()?,
            country: r.string()?,
            admin1: r.opt()?,
            lat: r.f64()?,
            lon: r.f64()?,
            population: r.u64()?,
            kind: r.string()?,
            parent: r.opt()?,
        });
    }
    let n = r.count(14)?;
    for _ in 0..n {
        let id = r.string()?;
        let name_en = r.string()?;
        let name_ar = r.string()?;
        let ty = r.str()?;
        let actor_type = ActorType::parse(ty).ok_or_else(|| Error::Corrupt(format!("unknown actor type {ty:?}")))?;
        t.actors.push(Actor {
            id,
            name_en,
            name_ar,
            actor_type,
            country: r.opt()?,
            parent: r.opt()?,
        });
    }
    let n = r.count(14)?;
    for _ in 0..n {
        let id = r.string()?;
        let name_en = r.string()?;
        let name_ar = r.string()?;
        let k = r.str()?;
        let kind = SourceKind::parse(k).ok_or_else(|| Error::Corrupt(format!("unknown source kind {k:?}")))?;
        t.outlets.push(Outlet {
            id,
            name_en,
            name_ar,
            kind,
            country: r.opt()?,
            affiliated_actor: r.opt()?,
        });
    }
    let n = r.count(8)?;
    for _ in 0..n {
        let word = r.string()?;
        let m = r.count(4)?;
        let mut applies_to = Vec::with_capacity(m);
        for _ in 0..m {
            applies_to.push(r.string()?);
        }
        t.corefs.push(Coref { word, applies_to });
    }
    let n = r.count(22)?;
    for _ in 0..n {
        let iso2 = r.string()?;
        let name = r.string()?;
        let name_ar = r.string()?;
        let mut lists = [Vec::new(), Vec::new()];
        for names in &mut lists {
            let m = r.count(4)?;
            for _ in 0..m {
                names.push(r.string()?);
            }
        }
        let [place_names, context_names] = lists;
        let point = match r.u8()? {
            0 => None,
            1 => Some((r.f64()?, r.f64()?)),
            t => return Err(Error::Corrupt(format!("bad point tag {t}"))),
        };
        t.countries.push(Country {
            iso2,
            name,
            name_ar,
            place_names,
            context_names,
            point,
            capital: r.opt()?,
        });
    }
    let n = r.count(4)?;
    t.key_offsets.reserve(n);
    for _ in 0..n {
        t.key_offsets.push(r.u32()?);
    }
    let n = r.count(6)?;
    t.postings.reserve(n);
    for _ in 0..n {
        let tag = r.u8()?;
        let flags = r.u8()?;
        let i = r.u32()?;
        let (target, len) = match tag {
            0 => (Target::Place(i), t.places.len()),
            1 => (Target::Actor(i), t.actors.len()),
            2 => (Target::Outlet(i), t.outlets.len()),
            3 => (Target::Coref(i), t.corefs.len()),
            4 => (Target::Country(i), t.countries.len()),
            _ => return Err(Error::Corrupt(format!("unknown posting tag {tag}"))),
        };
        if i as usize >= len {
            return Err(Error::Corrupt(format!(
                "posting points past the end of its table ({i} >= {len})"
            )));
        }
        t.postings.push(Posting { target, flags });
    }
    if !r.is_empty() {
        return Err(Error::Corrupt("trailing bytes in the tables section".into()));
    }
    if t.key_offsets.first().is_some_and(|&o| o != 0)
        || t.key_offsets.windows(2).any(|w| w[0] > w[1])
        || t.key_offsets.last().is_some_and(|&o| o as usize != t.postings.len())
    {
        return Err(Error::Corrupt("key offsets are not a partition of the postings".into()));
    }
    Ok(t)
}

#[derive(Default)]
struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.buf.extend_from_slice(s.as_bytes());
    }
    fn opt(&mut self, s: &Option<String>) {
        match s {
            None => self.u8(0),
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
        }
    }
}

/// A bounds-checked reader: every read past the end is [`Error::Corrupt`].
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }
    fn is_empty(&self) -> bool {
        self.pos >= self.bytes.len()
    }
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }
    fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| {
                Error::Corrupt(format!(
                    "truncated: wanted {n} bytes at offset {}, {} left",
                    self.pos,
                    self.remaining()
                ))
            })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array()?))
    }
    /// A u64 length that must fit in what is left.
    fn len_u64(&mut self) -> Result<usize> {
        let n = self.u64()?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.remaining())
            .ok_or_else(|| {
                Error::Corrupt(format!(
                    "length {n} at offset {} exceeds the {} bytes left",
                    self.pos,
                    self.remaining()
                ))
            })
    }
    /// An element count, checked against the bytes left so that a bad count cannot reserve huge memory.
    fn count(&mut self, min_elem_bytes: usize) -> Result<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_elem_bytes) > self.remaining() {
            return Err(Error::Corrupt(format!(
                "count {n} at offset {} exceeds the data left",
                self.pos
            )));
        }
        Ok(n)
    }
    fn str(&mut self) -> Result<&'a str> {
        let n = self.u32()? as usize;
        let b = self.bytes(n)?;
        std::str::from_utf8(b).map_err(|e| Error::Corrupt(format!("invalid UTF-8 in a string: {e}")))
    }
    fn string(&mut self) -> Result<String> {
        self.str().map(str::to_owned)
    }
    fn opt(&mut self) -> Result<Option<String>> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.string().map(Some),
            t => Err(Error::Corrupt(format!("bad option tag {t}"))),
        }
    }
}
