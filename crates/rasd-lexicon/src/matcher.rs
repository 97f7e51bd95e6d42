//! Key occurrences in Key-normalized text, filtered by word boundaries and proclitics, longest first.

use crate::Lexicon;
use crate::model::{Posting, Target};
use std::collections::BTreeMap;

/// A valid key occurrence, in NORMALIZED byte offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    /// Name start and end.
    pub ns: usize,
    pub ne: usize,
    /// Start including proclitics and a quote between them and the name.
    pub cs: usize,
    pub key: u32,
    /// The proclitics end in ل, so contracted keys (للرقة) are valid here.
    pub after_lam: bool,
}

/// Proclitic sequences that may precede a name inside the same word.
const PROCLITICS: &[&str] = &["و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك"];

/// A letter or digit. Arabic letters and ASCII take a fast path: `char::is_alphanumeric` goes through Unicode
/// tables and was the hottest function of the matcher.
#[inline]
pub(crate) fn is_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    match c {
        '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}' | '\u{0660}'..='\u{0669}' | '\u{066E}'..='\u{06D3}' => true,
        '\u{0080}'..='\u{00BF}' | '\u{0600}'..='\u{0620}' | '\u{064B}'..='\u{065F}' | '\u{2000}'..='\u{206F}' => false,
        _ => c.is_alphanumeric(),
    }
}

fn prev_char(s: &str, i: usize) -> Option<char> {
    s.get(..i).and_then(|p| p.chars().next_back())
}

fn next_char(s: &str, i: usize) -> Option<char> {
    s.get(i..).and_then(|p| p.chars().next())
}

/// The start of the proclitic run ending at `end` if it is a whole valid proclitic sequence, else None.
fn proclitic_start(s: &str, end: usize) -> Option<usize> {
    let mut ws = end;
    for _ in 0..3 {
        match prev_char(s, ws) {
            Some(c) if is_word(c) => ws -= c.len_utf8(),
            _ => break,
        }
    }
    if prev_char(s, ws).is_some_and(is_word) {
        return None;
    }
    let prefix = &s[ws..end];
    (prefix.is_empty() || PROCLITICS.contains(&prefix)).then_some(ws)
}

/// Whether a match whose name is preceded by proclitics is plausible: short keys glued to a letter are often a
/// different word ("كسلا" is not ك+"سلا"), so they need an entry that is not a small place, and the whole word
/// must not be a known word.
fn glued_ok(lex: &Lexicon, s: &str, ws: usize, ns: usize, ne: usize, key: u32) -> bool {
    if lex.segmenter.is_known(&s[ws..ne]) {
        return false;
    }
    if s[ns..ne].chars().count() > 3 {
        return true;
    }
    lex.tables.postings_of(key).iter().any(|p| match p.target {
        Target::Place(i) => lex
            .tables
            .places
            .get(i as usize)
            .is_some_and(|pl| pl.population >= 20_000 || pl.kind == "admin1" || pl.id.starts_with("cur:")),
        _ => true,
    })
}

/// Finds the valid key occurrences of `s`, longest first without overlap, sorted by position, into `out`.
pub fn scan(lex: &Lexicon, s: &str, out: &mut Vec<Mention>) {
    out.clear();
    let Some(automaton) = &lex.automaton else { return };
    let mut cands: Vec<Mention> = Vec::new();
    for m in automaton.find_overlapping_iter(s) {
        let (ns, ne, key) = (m.start(), m.end(), m.value());
        if next_char(s, ne).is_some_and(is_word) {
            continue;
        }
        let Some(ws) = proclitic_start(s, ns) else { continue };
        let postings = lex.tables.postings_of(key);
        let latin = postings.iter().all(|p| p.flags & Posting::LATIN != 0);
        let mut cs = ws;
        let after_lam = ws < ns && s[..ns].ends_with('ل');
        if ws < ns {
            if latin || !glued_ok(lex, s, ws, ns, ne, key) {
                continue;
            }
        } else if let Some(q @ ('"' | '\'')) = prev_char(s, ns) {
            // A quote between proclitics and the name: لـ"قسد".
            let qs = ns - q.len_utf8();
            if prev_char(s, qs).is_some_and(is_word)
                && let Some(p) = proclitic_start(s, qs)
                && p < qs
            {
                cs = p;
            }
        }
        let contracted_only = postings.iter().all(|p| p.flags & Posting::CONTRACTED != 0);
        if contracted_only && !after_lam {
            continue;
        }
        cands.push(Mention {
            ns,
            ne,
            cs,
            key,
            after_lam,
        });
    }
    // Longest first, then leftmost; keep those that overlap nothing kept before.
    cands.sort_by(|a, b| (b.ne - b.ns).cmp(&(a.ne - a.ns)).then(a.ns.cmp(&b.ns)));
    let mut kept: BTreeMap<usize, usize> = BTreeMap::new();
    for c in cands {
        let overlaps_prev = kept.range(..=c.ns).next_back().is_some_and(|(_, &e)| e > c.ns);
        let overlaps_next = kept.range(c.ns..).next().is_some_and(|(&s0, _)| s0 < c.ne);
        if !overlaps_prev && !overlaps_next {
            kept.insert(c.ns, c.ne);
            out.push(c);
        }
    }
    out.sort_by_key(|m| m.ns);
}
