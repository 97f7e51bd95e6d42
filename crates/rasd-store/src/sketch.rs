//! Near-duplicate detection: MinHash signatures over word 3-shingles of the normalized text, indexed by
//! locality-sensitive hashing (8 bands of 4 rows). A republished agency story (new headline, a sentence added)
//! keeps most of its shingles, so its signature agrees with the original's in most positions.

use rasd_text::{Mode, fold_str};
use std::collections::HashMap;

/// Number of MinHash values in a signature.
pub const SIGNATURE_LEN: usize = 32;
pub const BANDS: usize = 8;
const ROWS: usize = SIGNATURE_LEN / BANDS;
/// Estimated Jaccard similarity from which a document counts as a near-duplicate.
pub const NEAR_DUPLICATE: f64 = 0.6;
/// Fewer shingles than this and the estimate is noise: such short texts are never linked.
const MIN_SHINGLES: usize = 8;
/// Bucket entries scanned per band: a boilerplate sentence shared by thousands of documents must not make
/// ingest quadratic. Recent documents are the likeliest originals of a republished story.
pub const BUCKET_SCAN: usize = 64;

fn mix(mut x: u64) -> u64 {
    // splitmix64 finalizer: a fast, well-spread 64-bit mix.
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn word_hash(w: &str) -> u64 {
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    w.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The MinHash signature of a text, or `None` when it is too short to compare.
pub fn signature(text: &str) -> Option<[u32; SIGNATURE_LEN]> {
    let folded = fold_str(text, Mode::Match);
    let words: Vec<u64> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(word_hash)
        .collect();
    if words.len() < MIN_SHINGLES + 2 {
        return None;
    }
    let mut sig = [u32::MAX; SIGNATURE_LEN];
    for w in words.windows(3) {
        let sh = mix(w[0] ^ mix(w[1] ^ mix(w[2])));
        for (i, slot) in sig.iter_mut().enumerate() {
            let v = (mix(sh ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)) >> 32) as u32;
            if v < *slot {
                *slot = v;
            }
        }
    }
    Some(sig)
}

/// Estimated Jaccard similarity of two signatures.
pub fn similarity(a: &[u32; SIGNATURE_LEN], b: &[u32; SIGNATURE_LEN]) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / SIGNATURE_LEN as f64
}

/// The signature as stored (a 128-byte BLOB, little-endian).
pub fn to_bytes(sig: &[u32; SIGNATURE_LEN]) -> Vec<u8> {
    sig.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A stored signature; `None` for a BLOB of another size (written by another version).
pub fn from_bytes(b: &[u8]) -> Option<[u32; SIGNATURE_LEN]> {
    if b.len() != SIGNATURE_LEN * 4 {
        return None;
    }
    let mut sig = [0u32; SIGNATURE_LEN];
    for (i, c) in b.chunks_exact(4).enumerate() {
        sig[i] = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    Some(sig)
}

/// The LSH bucket of each band of a signature: `(band, hash of the band's rows)`. The store keeps these in the
/// `doc_bands` table (see `ingest.rs`), so that a lookup reads a few buckets instead of the whole index.
pub fn band_keys(sig: &[u32; SIGNATURE_LEN]) -> [(u8, u64); BANDS] {
    std::array::from_fn(|band| {
        let h = sig[band * ROWS..(band + 1) * ROWS]
            .iter()
            .fold(band as u64, |h, &v| mix(h ^ u64::from(v)));
        (band as u8, h)
    })
}

/// Whether a candidate of similarity `s` and insertion number `n` beats `best`: at least [`NEAR_DUPLICATE`],
/// then the most similar, then the earliest.
pub fn better(best: Option<(f64, i64)>, s: f64, n: i64) -> bool {
    s >= NEAR_DUPLICATE && best.is_none_or(|(b, m)| s > b || (s == b && n < m))
}

/// An in-memory LSH index of original (not near-duplicate) documents, with the same buckets, scan limit and
/// choice as the store's table-backed lookup.
#[derive(Default)]
pub struct Index {
    docs: Vec<(String, [u32; SIGNATURE_LEN])>,
    buckets: HashMap<(u8, u64), Vec<u32>>,
}

impl Index {
    /// Adds an original document.
    pub fn insert(&mut self, id: String, sig: [u32; SIGNATURE_LEN]) {
        let n = self.docs.len() as u32;
        for key in band_keys(&sig) {
            self.buckets.entry(key).or_default().push(n);
        }
        self.docs.push((id, sig));
    }

    /// The most similar indexed document at or above [`NEAR_DUPLICATE`]; among equals, the earliest. Each
    /// bucket is scanned from its latest [`BUCKET_SCAN`] entries.
    pub fn find(&self, sig: &[u32; SIGNATURE_LEN]) -> Option<&str> {
        let mut best: Option<(f64, i64)> = None;
        for key in band_keys(sig) {
            let Some(list) = self.buckets.get(&key) else {
                continue;
            };
            for &n in list.iter().rev().take(BUCKET_SCAN) {
                let s = similarity(sig, &self.docs[n as usize].1);
                if better(best, s, i64::from(n)) {
                    best = Some((s, i64::from(n)));
                }
            }
        }
        best.map(|(_, n)| self.docs[n as usize].0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "أعلنت القيادة العامة للجيش والقوات المسلحة في بيان اليوم أن وحدات الجيش بالتعاون مع القوات \
الحليفة سيطرت على مدينة البوكمال في ريف دير الزور الشرقي بعد معارك عنيفة مع إرهابيي تنظيم داعش أسفرت عن مقتل \
أعداد كبيرة منهم وتدمير آلياتهم، وأن وحدات الهندسة تعمل على تفكيك العبوات الناسفة التي زرعها الإرهابيون في الأحياء.";

    #[test]
    fn a_republished_story_is_found_and_another_story_is_not() {
        let mut idx = Index::default();
        idx.insert("orig".into(), signature(STORY).expect("long enough"));
        let republished = format!("دمشق - سانا\n{STORY} وتأتي هذه العملية في إطار الحملة العسكرية.");
        assert_eq!(idx.find(&signature(&republished).expect("sig")), Some("orig"));
        let other = "قتل 12 مدنيا بينهم أطفال في غارات جوية يرجح أنها روسية استهدفت أحياء مدينة الميادين \
صباح اليوم بحسب ما أفاد المرصد السوري لحقوق الإنسان الذي أشار إلى أن عدد القتلى مرشح للارتفاع بسبب وجود جرحى";
        assert_eq!(idx.find(&signature(other).expect("sig")), None);
        assert!(signature("نص قصير جدا").is_none());
        let sig = signature(STORY).expect("sig");
        assert_eq!(from_bytes(&to_bytes(&sig)), Some(sig));
    }
}
