//! Places, actors and news outlets: a compiled lexicon and a fast matcher for Arabic news.
//!
//! # Build
//! [`compile::compile_dir`] reads the TSV sources under `data/` (formats in `lexicon-formats.md`), normalizes
//! every name with [`rasd_text::normalize_key`] (the normalizer the matcher runs on the text) and writes one
//! binary file ([`format`](mod@format)): a versioned header, a blake3 checksum, the entry tables, a char-wise
//! daachorse automaton over the keys and an `fst` map from key to key id. A malformed row stops the build with
//! `file:line` and the reason. [`Lexicon::load`] reads a file section by section, so that a gazetteer of a quarter
//! of a million places loads in under 200 MB; ids are found through sorted positions, not a map of cloned ids.
//!
//! # Embedding
//! `build.rs` runs the same compiler over `data/` at build time (it includes `src/compile.rs` with `#[path]`),
//! and the binary embeds the result with `include_bytes!`: [`Lexicon::embedded`] works with no set-up and no
//! file to ship, and a data change rebuilds it (the build script declares every source file with
//! `rerun-if-changed`). We chose this over a committed compiled file because a committed file can go stale, and
//! the compile takes well under a second. If the data are malformed, the build still succeeds (other crates must
//! keep compiling), prints a cargo warning with `file:line`, and [`Lexicon::embedded`] returns that error.
//!
//! # Matching
//! The text is normalized in [`rasd_text::Mode::Key`] (hamza seats, alef variants, ta marbuta, tatweel, quotes
//! all folded) with an alignment to the original. The automaton reports every key occurrence (standard,
//! overlapping semantics), each is checked against word boundaries, and the longest valid matches win without
//! overlap — leftmost-longest over *valid* matches. We scan with overlapping semantics rather than daachorse's
//! leftmost-longest because a match that begins inside a word ("ب" + "البوكمال" mis-anchored, or a short key
//! inside a longer word) could otherwise swallow the valid match that starts one letter later.
//!
//! A key occurrence is valid when it ends at a word end (no enclitic: "قواته" is not "قوات"+ه here) and starts
//! at a word start, or right after proclitics (و ف ب ل ك and their combinations وب، فل …); the ل+ال contraction
//! is indexed as its own key flagged [`model::Posting::CONTRACTED`] and accepted only after a proclitic ل
//! ("للرقة"). A quote between clitic and name is accepted (لـ"قسد"). Spans are always mapped back to the original
//! bytes with [`rasd_text::Normalized::to_original`].
//!
//! # Disambiguation and coreference
//! See [`resolve`]: homonymous places are scored by population, feature class, countries and governorates named
//! in the document, and distance to the other places of the same sentence; "ريف X", "شرق X", "قرب X" give
//! geo_precision 2; governorates and regions give 3. Generic words ("التنظيم") resolve to the last compatible
//! actor named and are marked as coreference; unresolved ones are dropped.

pub mod compile;
mod error;
pub mod format;
mod matcher;
pub mod model;
pub mod resolve;

pub use error::{Error, Result};
pub use model::{Actor, Coref, Country, EntityKind, EntryRef, Outlet, Place, Posting, Target};

use daachorse::CharwiseDoubleArrayAhoCorasick;
use format::Tables;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// The compiled lexicon `build.rs` made from `data/` (empty when that build failed; see `EMBEDDED_ERROR`).
static EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/rasd.lex"));
/// The build error of the embedded lexicon, "" when it built.
static EMBEDDED_ERROR: &str = include_str!(concat!(env!("OUT_DIR"), "/rasd.lex.err"));
/// The Latin-script names and aliases of the gazetteer places `build.rs` read from `data/` (`name<TAB>id` lines).
static LATIN_PLACES: &str = include_str!(concat!(env!("OUT_DIR"), "/latin_places.tsv"));

/// A comparison key for Latin place names that ignores case, diacritics ("Ālbū Kamāl"), spaces, hyphens and
/// apostrophes: "Abu Kamal", "Abu-Kamal'" and "ABU KAMAL" give one key.
pub fn latin_key(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let c = match c {
                'ā' | 'á' | 'à' | 'â' | 'ä' | 'Ā' | 'Á' | 'À' | 'Â' | 'Ä' => 'a',
                'ī' | 'í' | 'ì' | 'î' | 'ï' | 'Ī' | 'Í' => 'i',
                'ū' | 'ú' | 'ù' | 'û' | 'ü' | 'Ū' | 'Ú' | 'Ü' => 'u',
                'ē' | 'é' | 'è' | 'ê' | 'ë' | 'Ē' | 'É' => 'e',
                'ō' | 'ó' | 'ò' | 'ô' | 'ö' | 'Ō' | 'Ó' | 'Ö' => 'o',
                'ḩ' | 'ḥ' | 'Ḩ' | 'Ḥ' => 'h',
                'ş' | 'ṣ' | 'Ş' | 'Ṣ' | 'š' | 'Š' => 's',
                'ţ' | 'ṭ' | 'Ţ' | 'Ṭ' => 't',
                'ḑ' | 'ḍ' | 'Ḑ' | 'Ḍ' => 'd',
                'ẕ' | 'ẓ' | 'Ẕ' | 'Ẓ' | 'ž' | 'Ž' => 'z',
                'ğ' | 'ġ' | 'Ğ' => 'g',
                'ç' | 'Ç' => 'c',
                'ı' => 'i',
                c => c,
            };
            c.is_alphanumeric().then(|| c.to_lowercase().next().unwrap_or(c))
        })
        .collect()
}

/// [`LATIN_PLACES`] by [`latin_key`], built on first use.
fn latin_index() -> &'static HashMap<String, Vec<&'static str>> {
    static INDEX: OnceLock<HashMap<String, Vec<&'static str>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut map: HashMap<String, Vec<&'static str>> = HashMap::new();
        for line in LATIN_PLACES.lines() {
            if let Some((name, id)) = line.split_once('\t') {
                let key = latin_key(name);
                if key.chars().count() >= 3 {
                    let ids = map.entry(key).or_default();
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
            }
        }
        map
    })
}

/// One entity mention found in a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    /// The NAME's byte span in the original text (proclitics and quotes outside).
    pub start: usize,
    pub end: usize,
    /// Span start including attached proclitics (بـ، و، لـ …) and a quote between them and the name.
    pub clitic_start: usize,
    pub kind: EntityKind,
    pub id: String,
    /// 0..1: the chosen candidate's share of the evidence.
    pub confidence: f32,
    /// A generic word ("التنظيم") resolved to the last actor named.
    pub coreference: bool,
    /// Places: 1 named town, 2 near/part of/ريف/شرق X or a district, 3 region or governorate at its centroid.
    pub geo_precision: Option<u8>,
    /// Other candidate ids with their confidence, best first.
    pub runners_up: Vec<(String, f32)>,
}

/// An immutable compiled lexicon: `Send + Sync`, shared by every thread.
pub struct Lexicon {
    tables: Tables,
    automaton: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
    fst: fst::Map<Vec<u8>>,
    place_ids: Vec<u32>,
    actor_ids: Vec<u32>,
    outlet_ids: Vec<u32>,
    segmenter: rasd_text::Segmenter,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon")
            .field("places", &self.tables.places.len())
            .field("actors", &self.tables.actors.len())
            .field("outlets", &self.tables.outlets.len())
            .field("keys", &self.tables.num_keys())
            .finish()
    }
}

impl Lexicon {
    /// The lexicon compiled from `data/` into this binary, loaded once on first use.
    pub fn embedded() -> Result<&'static Lexicon> {
        static CELL: OnceLock<Result<Lexicon, String>> = OnceLock::new();
        let loaded = CELL.get_or_init(|| {
            if !EMBEDDED_ERROR.is_empty() {
                return Err(format!("the embedded lexicon failed to build: {EMBEDDED_ERROR}"));
            }
            Lexicon::from_bytes(EMBEDDED).map_err(|e| e.to_string())
        });
        loaded.as_ref().map_err(|e| Error::Data(e.clone()))
    }

    /// The raw bytes of the embedded compiled lexicon (for benchmarks and `lexicon build` comparisons).
    pub fn embedded_bytes() -> &'static [u8] {
        EMBEDDED
    }

    /// Loads a compiled lexicon file (`rasd lexicon build -o FILE`), section by section (see
    /// [`format::read_file`]), so that peak memory stays near the size of the loaded lexicon.
    pub fn load(path: &Path) -> Result<Lexicon> {
        let parts = format::read_file(path)?;
        let automaton = automaton_from(parts.tables.num_keys(), &parts.automaton)?;
        drop(parts.automaton);
        let fst = fst_from(parts.fst, parts.tables.num_keys())?;
        Ok(Lexicon::assemble((parts.tables, automaton, fst)))
    }

    /// Loads a compiled lexicon from bytes; a foreign, damaged or other-version file is an error, never a panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<Lexicon> {
        decode(bytes).map(Lexicon::assemble)
    }

    fn assemble((tables, automaton, fst): Parts) -> Lexicon {
        // Sorted positions instead of a map of cloned ids: a few bytes per entry, which matters for a gazetteer
        // of a quarter of a million places.
        let by_id = |ids: Vec<&str>| -> Vec<u32> {
            let mut order: Vec<u32> = (0..ids.len() as u32).collect();
            order.sort_by(|&a, &b| ids[a as usize].cmp(ids[b as usize]));
            order
        };
        Lexicon {
            place_ids: by_id(tables.places.iter().map(|p| p.id.as_str()).collect()),
            actor_ids: by_id(tables.actors.iter().map(|a| a.id.as_str()).collect()),
            outlet_ids: by_id(tables.outlets.iter().map(|o| o.id.as_str()).collect()),
            tables,
            automaton,
            fst,
            segmenter: rasd_text::Segmenter::new(),
        }
    }

    /// Compiles the sources under `dir` and loads the result (what `rasd lexicon build` writes, without a file).
    pub fn from_data_dir(dir: &Path) -> Result<Lexicon> {
        let compiled = compile::compile_dir(dir)?;
        Lexicon::from_bytes(&compiled.to_bytes()?)
    }

    pub fn place(&self, id: &str) -> Option<&Place> {
        find(&self.place_ids, &self.tables.places, id, |p| &p.id)
    }

    pub fn actor(&self, id: &str) -> Option<&Actor> {
        find(&self.actor_ids, &self.tables.actors, id, |a| &a.id)
    }

    pub fn outlet(&self, id: &str) -> Option<&Outlet> {
        find(&self.outlet_ids, &self.tables.outlets, id, |o| &o.id)
    }

    /// Position of an actor in the actor table.
    pub(crate) fn actor_index(&self, id: &str) -> Option<u32> {
        let k = self
            .actor_ids
            .binary_search_by(|&i| self.tables.actors[i as usize].id.as_str().cmp(id))
            .ok()?;
        self.actor_ids.get(k).copied()
    }

    pub fn places(&self) -> &[Place] {
        &self.tables.places
    }

    pub fn actors(&self) -> &[Actor] {
        &self.tables.actors
    }

    pub fn outlets(&self) -> &[Outlet] {
        &self.tables.outlets
    }

    pub fn corefs(&self) -> &[Coref] {
        &self.tables.corefs
    }

    /// The country table (`data/lexicon/countries.tsv`): names used as disambiguation context, and the points of
    /// countries as places of last resort.
    pub fn countries(&self) -> &[Country] {
        &self.tables.countries
    }

    /// The decoded tables (for round-trip checks).
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// Every key of the lexicon in byte order (key id = position).
    pub fn keys(&self) -> Vec<String> {
        use fst::Streamer;
        let mut out = Vec::with_capacity(self.fst.len());
        let mut s = self.fst.stream();
        while let Some((k, _)) = s.next() {
            out.push(String::from_utf8_lossy(k).into_owned());
        }
        out
    }

    /// Entries named exactly `name` after normalization; if none, after removing proclitics (بالرقة → الرقة,
    /// للرقة → الرقة). Country names give nothing: they are context, not entries.
    pub fn lookup(&self, name: &str) -> Vec<EntryRef<'_>> {
        let key = compile::key_of(name);
        let mut out = self.lookup_key(&key, false);
        if out.is_empty() {
            for p in [
                "وبال", "فبال", "وال", "بال", "فال", "كال", "وب", "ول", "فب", "فل", "وك", "و", "ف", "ب", "ك", "ل",
            ] {
                if let Some(rest) = key.strip_prefix(p).filter(|r| r.chars().count() >= 2) {
                    let rest = if p.ends_with("ال") {
                        format!("ال{rest}")
                    } else {
                        rest.to_string()
                    };
                    out = self.lookup_key(&rest, p.ends_with('ل'));
                    if !out.is_empty() {
                        break;
                    }
                }
            }
        }
        out
    }

    /// The places a user means by `name`: an id ("gn:174448"), any Arabic name or alias [`Lexicon::lookup`]
    /// resolves (البوكمال, البو كمال, بوكمال, مركدة), or a Latin-script name or alias of the gazetteer, compared by
    /// [`latin_key`] ("Abu Kamal", "Albu Kamal", "Al-Bukamal", "Markada"). Latin names come from the gazetteer
    /// that was compiled into this binary, so a lexicon loaded from a file finds by Latin name only the places
    /// it shares with the embedded one.
    pub fn lookup_places(&self, name: &str) -> Vec<&Place> {
        let name = name.trim();
        let mut out: Vec<&Place> = Vec::new();
        if let Some(p) = self.place(name) {
            out.push(p);
        }
        for e in self.lookup(name) {
            if let EntryRef::Place(p) = e
                && !out.contains(&p)
            {
                out.push(p);
            }
        }
        let key = latin_key(name);
        if name
            .chars()
            .any(|c| c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c))
            && let Some(ids) = latin_index().get(&key)
        {
            for id in ids {
                if let Some(p) = self.place(id)
                    && !out.contains(&p)
                {
                    out.push(p);
                }
            }
        }
        out
    }

    fn lookup_key(&self, key: &str, after_lam: bool) -> Vec<EntryRef<'_>> {
        let Some(k) = self.fst.get(key) else { return Vec::new() };
        let mut out: Vec<EntryRef<'_>> = Vec::new();
        for p in self.tables.postings_of(k as u32) {
            if p.flags & Posting::CONTRACTED != 0 && !after_lam {
                continue;
            }
            if let Some(e) = self.entry(p.target)
                && !out.contains(&e)
            {
                out.push(e);
            }
        }
        out
    }

    fn entry(&self, t: Target) -> Option<EntryRef<'_>> {
        match t {
            Target::Place(i) => self.tables.places.get(i as usize).map(EntryRef::Place),
            Target::Actor(i) => self.tables.actors.get(i as usize).map(EntryRef::Actor),
            Target::Outlet(i) => self.tables.outlets.get(i as usize).map(EntryRef::Outlet),
            Target::Coref(i) => self.tables.corefs.get(i as usize).map(EntryRef::Coref),
            Target::Country(_) => None,
        }
    }

    /// All entity mentions in `text`, disambiguated in document context, coreference marked, in text order.
    pub fn entities(&self, text: &str) -> Vec<Entity> {
        let mut m = Matcher::new(self);
        m.entities(text)
    }
}

type Parts = (Tables, Option<CharwiseDoubleArrayAhoCorasick<u32>>, fst::Map<Vec<u8>>);

/// Checks and decodes the three sections of a compiled file.
fn decode(bytes: &[u8]) -> Result<Parts> {
    let sections = format::split(bytes)?;
    let tables = format::decode_tables(sections.tables)?;
    let automaton = automaton_from(tables.num_keys(), sections.automaton)?;
    let fst = fst_from(sections.fst.to_vec(), tables.num_keys())?;
    Ok((tables, automaton, fst))
}

/// The automaton from checksum-verified bytes (callers verify: `format::split` and `format::read_file` do).
fn automaton_from(num_keys: usize, bytes: &[u8]) -> Result<Option<CharwiseDoubleArrayAhoCorasick<u32>>> {
    if num_keys == 0 {
        if !bytes.is_empty() {
            return Err(Error::Corrupt("an automaton without keys".into()));
        }
        return Ok(None);
    }
    if bytes.is_empty() {
        return Err(Error::Corrupt("keys without an automaton".into()));
    }
    // SAFETY: the bytes are covered by the blake3 checksum verified before this call, so they are the bytes
    // `CharwiseDoubleArrayAhoCorasick::serialize` wrote when the file was compiled (see `format`).
    let (a, rest) = unsafe { CharwiseDoubleArrayAhoCorasick::<u32>::deserialize_unchecked(bytes) };
    if !rest.is_empty() {
        return Err(Error::Corrupt("trailing bytes after the automaton".into()));
    }
    Ok(Some(a))
}

fn fst_from(bytes: Vec<u8>, num_keys: usize) -> Result<fst::Map<Vec<u8>>> {
    let fst = fst::Map::new(bytes).map_err(|e| Error::Corrupt(format!("fst: {e}")))?;
    if fst.len() != num_keys {
        return Err(Error::Corrupt(format!(
            "fst has {} keys, tables have {num_keys}",
            fst.len()
        )));
    }
    Ok(fst)
}

/// Binary search of `id` in `table` through the sorted positions `order`.
fn find<'t, T>(order: &[u32], table: &'t [T], id: &str, key: impl Fn(&T) -> &String) -> Option<&'t T> {
    let k = order
        .binary_search_by(|&i| table.get(i as usize).map_or("", |t| key(t).as_str()).cmp(id))
        .ok()?;
    table.get(*order.get(k)? as usize)
}

/// A reusable matching worker: keeps its normalization and candidate buffers across documents.
pub struct Matcher<'l> {
    lexicon: &'l Lexicon,
    norm: rasd_text::Normalized,
    raw: Vec<matcher::Mention>,
}

impl<'l> Matcher<'l> {
    pub fn new(lexicon: &'l Lexicon) -> Self {
        Matcher {
            lexicon,
            norm: rasd_text::Normalized::default(),
            raw: Vec::new(),
        }
    }

    /// All entity mentions in `text` (see [`Lexicon::entities`]).
    pub fn entities(&mut self, text: &str) -> Vec<Entity> {
        if rasd_text::Normalizer::new(rasd_text::Mode::Key)
            .normalize_into(text, &mut self.norm)
            .is_err()
        {
            return Vec::new();
        }
        matcher::scan(self.lexicon, self.norm.as_str(), &mut self.raw);
        resolve::resolve(self.lexicon, text, &self.norm, &self.raw)
    }

    /// Raw valid key matches only (no disambiguation): the number found. For throughput measurements.
    pub fn count_matches(&mut self, text: &str) -> usize {
        if rasd_text::Normalizer::new(rasd_text::Mode::Key)
            .normalize_into(text, &mut self.norm)
            .is_err()
        {
            return 0;
        }
        matcher::scan(self.lexicon, self.norm.as_str(), &mut self.raw);
        self.raw.len()
    }
}
