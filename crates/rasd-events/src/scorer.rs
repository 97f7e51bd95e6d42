//! Stage 5 of extraction: the learned event scorer.
//!
//! A multinomial logistic regression over the hashed features of [`crate::features`] gives each candidate record
//! a probability for each factuality class (event, background, reference, generic, irrealis, commentary,
//! not-event). Two one-dimensional logistic calibrations (Platt scaling, fitted on out-of-fold predictions) turn
//! the raw probability of `event`, and of `event or background`, into calibrated probabilities. The extractor
//! emits a candidate whose calibrated event probability reaches the threshold, marks it as background when only
//! "it happened, long ago" does, and drops it otherwise.
//!
//! The model is a reviewed text file, `data/model/scorer.tsv`, written by `rasd train` and embedded in the
//! binary. Training is deterministic (a seeded shuffle, single-threaded AdaGrad in f64, fixed epochs), and the
//! file prints every weight with a fixed number of decimals, so `rasd train` reproduces it byte for byte.

use crate::features::{DIM, FEATURE_SET};
use std::collections::HashMap;
use std::fmt::Write as _;

/// The factuality classes, in model column order.
pub const CLASSES: [&str; 7] = [
    "event",
    "background",
    "reference",
    "generic",
    "irrealis",
    "commentary",
    "not-event",
];
pub const K: usize = CLASSES.len();
pub const EVENT: usize = 0;
pub const BACKGROUND: usize = 1;

/// The embedded model file.
const EMBEDDED: &str = include_str!("../../../data/model/scorer.tsv");

/// A class name to its column.
pub fn class_index(name: &str) -> Option<usize> {
    CLASSES.iter().position(|c| *c == name)
}

/// A 1-D logistic calibration: p = σ(a · logit(raw) + b).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Platt {
    pub a: f64,
    pub b: f64,
}

impl Platt {
    pub const IDENTITY: Platt = Platt { a: 1.0, b: 0.0 };

    pub fn apply(&self, raw: f64) -> f64 {
        sigmoid(self.a * logit(raw) + self.b)
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

/// The scores of one candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// Raw class probabilities (softmax).
    pub probs: [f64; K],
    /// Calibrated probability that the candidate is a new, specific event.
    pub event: f64,
    /// Calibrated probability that it is an event that happened, new or background.
    pub happened: f64,
}

impl Scores {
    /// The most likely class.
    pub fn class(&self) -> usize {
        let mut best = 0;
        for k in 1..K {
            if self.probs[k] > self.probs[best] {
                best = k;
            }
        }
        best
    }
}

/// The names of the record-stage features, in weight order (see [`record_features`]).
pub const RECORD_FEATURES: [&str; 32] = [
    "bias",
    "logit_p_event",
    "place_named",
    "place_carried",
    "no_place",
    "region_level",
    "date_in_text",
    "no_date",
    "actor1",
    "actor2",
    "fatalities",
    "denied",
    "expected",
    "background",
    "same_type_before",
    "same_type_before_2plus",
    "one_source",
    "doc_max_logit",
    "doc_mean_p",
    "coarse_date",
    "date_carried",
    "type_battles",
    "type_remote",
    "type_civilians",
    "type_protests_riots",
    "type_strategic",
    "first_record",
    "in_lead",
    "same_type_place_before",
    "old_date",
    "hedged",
    "listed",
];

/// The record stage: a logistic regression over a few dense features of a finished record (its candidate's
/// event probability, which arguments it found, whether the document already has a record of its type) that
/// gives the probability that the record is right: a new event at the right place and date. Its output is the
/// record's `confidence`, and its threshold is the default of `--min-confidence`.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordModel {
    pub weights: [f64; RECORD_FEATURES.len()],
    pub threshold: f64,
}

impl RecordModel {
    pub fn score(&self, x: &[f64; RECORD_FEATURES.len()]) -> f64 {
        sigmoid(self.weights.iter().zip(x).map(|(w, v)| w * v).sum())
    }
}

/// The record-stage features of `e`, whose `confidence` still holds its candidate's calibrated event probability.
/// `same_type_before`: how many records of the same event type the document has before this one; `doc`: the
/// highest and the mean event probability of the document's records (a report of commentary or trials has no
/// candidate that looks like news).
pub fn record_features(
    e: &rasd_core::Event,
    same_type_before: usize,
    doc: (f64, f64),
    order: Order,
) -> [f64; RECORD_FEATURES.len()] {
    let b = |x: bool| if x { 1.0 } else { 0.0 };
    let loc = e.location.as_ref();
    [
        1.0,
        logit(f64::from(e.confidence)),
        b(loc.is_some_and(|l| !l.carried)),
        b(loc.is_some_and(|l| l.carried)),
        b(loc.is_none()),
        b(loc.is_some_and(|l| l.geo_precision == 3)),
        b(e.date_text.is_some()),
        b(e.event_date.is_none()),
        // Named in the text: an unidentified armed group given to a bombing with no perpetrator does not count.
        b(e.field_evidence.contains_key("actor1")),
        b(e.actor2.is_some()),
        b(e.fatalities.as_ref().is_some_and(|f| f.value != Some(0))),
        // A denial is a claim of its own, and right as often as not (train and dev: 7 of 10); an expected act was
        // never right on train and dev (0 of 17: an announced act is not yet an event), a hedged one often was (5
        // of 10): the three are apart.
        b(e.stance == rasd_core::Stance::Denied),
        b(e.stance == rasd_core::Stance::Expected),
        b(e.background),
        b(same_type_before >= 1),
        b(same_type_before >= 2),
        b(e.reported_by.len() <= 1),
        logit(doc.0),
        doc.1,
        b(matches!(
            e.date_precision,
            rasd_core::DatePrecision::Month | rasd_core::DatePrecision::Year
        )),
        b(e.date_rule
            .as_deref()
            .is_some_and(|r| r.starts_with("doc-current-date"))),
        b(e.event_type == rasd_core::EventType::Battles),
        b(e.event_type == rasd_core::EventType::ExplosionsRemoteViolence),
        b(e.event_type == rasd_core::EventType::ViolenceAgainstCivilians),
        b(matches!(
            e.event_type,
            rasd_core::EventType::Protests | rasd_core::EventType::Riots
        )),
        b(e.event_type == rasd_core::EventType::StrategicDevelopments),
        b(order.first),
        b(e.evidence.start < LEAD_BYTES),
        b(order.same_place_before),
        b(order.old),
        b(e.stance == rasd_core::Stance::Hedged),
        b(order.listed),
    ]
}

/// Where a record stands among its document's records.
#[derive(Debug, Clone, Copy, Default)]
pub struct Order {
    /// The document's first record.
    pub first: bool,
    /// An earlier record of the document has its event type and its place.
    pub same_place_before: bool,
    /// The record's date lies more than [`OLD_DAYS`] before the report's publication: history the report recalls
    /// more often than its news (on train, 7 of 61 such records were right, against 38% of all).
    pub old: bool,
    /// One of a list of places told in one clause ("في صنعاء والحديدة"): another record has its evidence and
    /// another place.
    pub listed: bool,
}

/// How many days before its report's publication an event is old news.
const OLD_DAYS: i64 = 7;

/// The lead of a report, in bytes: about its first two lines of Arabic.
const LEAD_BYTES: usize = 600;

/// The record-stage features of every record of one document, in order (their confidences still hold the event
/// probabilities).
pub fn record_matrix(
    events: &[rasd_core::Event],
    published: Option<chrono::NaiveDate>,
) -> Vec<[f64; RECORD_FEATURES.len()]> {
    let doc = doc_stats(events);
    let mut seen: Vec<(rasd_core::EventType, Option<&str>)> = Vec::with_capacity(events.len());
    events
        .iter()
        .map(|e| {
            let place = e.location.as_ref().map(|l| l.id.as_str());
            let before = seen.iter().filter(|t| t.0 == e.event_type).count();
            let order = Order {
                first: seen.is_empty(),
                same_place_before: place.is_some() && seen.iter().any(|t| t.0 == e.event_type && t.1 == place),
                old: matches!((published, e.event_date), (Some(p), Some(d)) if (p - d).num_days() > OLD_DAYS),
                listed: events.iter().any(|o| {
                    o.evidence.start == e.evidence.start
                        && o.location.as_ref().map(|l| &l.id) != e.location.as_ref().map(|l| &l.id)
                }),
            };
            seen.push((e.event_type, place));
            record_features(e, before, doc, order)
        })
        .collect()
}

/// For each record, the records of the same document whose claim it denies: asserted records of its sub-event
/// type, place and date. A denial is kept or dropped with the claim it answers (a contradiction needs both
/// sides), so its probability is at least theirs ([`tie_denials`]).
pub fn denial_ties(events: &[rasd_core::Event]) -> Vec<Vec<usize>> {
    let place = |e: &rasd_core::Event| e.location.as_ref().map(|l| l.id.clone());
    events
        .iter()
        .map(|d| {
            if d.stance != rasd_core::Stance::Denied {
                return Vec::new();
            }
            events
                .iter()
                .enumerate()
                .filter(|(_, a)| {
                    a.stance == rasd_core::Stance::Asserted
                        && a.sub_event_type == d.sub_event_type
                        && a.event_date == d.event_date
                        && place(a) == place(d)
                })
                .map(|(i, _)| i)
                .collect()
        })
        .collect()
}

/// Raises each denial's probability to that of the claims it denies (`ties` from [`denial_ties`], indices into `p`).
pub fn tie_denials(p: &mut [f64], ties: &[Vec<usize>]) {
    for (i, t) in ties.iter().enumerate() {
        if let Some(m) = t.iter().map(|&j| p[j]).reduce(f64::max) {
            p[i] = p[i].max(m);
        }
    }
}

/// The highest and the mean confidence of `events` (before the record stage: their event probabilities).
pub fn doc_stats(events: &[rasd_core::Event]) -> (f64, f64) {
    if events.is_empty() {
        return (0.0, 0.0);
    }
    let max = events.iter().map(|e| f64::from(e.confidence)).fold(0.0, f64::max);
    let mean = events.iter().map(|e| f64::from(e.confidence)).sum::<f64>() / events.len() as f64;
    (max, mean)
}

/// Fits the record stage by Newton's method on the L2-penalized log loss (deterministic).
#[allow(clippy::needless_range_loop)] // the Hessian is filled by index
pub fn fit_record(x: &[[f64; RECORD_FEATURES.len()]], y: &[bool], l2: f64) -> [f64; RECORD_FEATURES.len()] {
    const D: usize = RECORD_FEATURES.len();
    let mut w = [0f64; D];
    for _ in 0..50 {
        let mut g = [0f64; D];
        let mut h = [[0f64; D]; D];
        for (xi, yi) in x.iter().zip(y) {
            let p = sigmoid(w.iter().zip(xi).map(|(a, b)| a * b).sum());
            let d = p - if *yi { 1.0 } else { 0.0 };
            let s = p * (1.0 - p);
            for j in 0..D {
                g[j] += d * xi[j];
                for k in 0..D {
                    h[j][k] += s * xi[j] * xi[k];
                }
            }
        }
        for j in 0..D {
            g[j] += l2 * w[j];
            h[j][j] += l2;
        }
        let Some(step) = solve(h, g) else { break };
        let mut max = 0f64;
        for j in 0..D {
            w[j] -= step[j];
            max = max.max(step[j].abs());
        }
        if max < 1e-9 {
            break;
        }
    }
    w.map(|v| format!("{v:.6}").parse().unwrap_or(v))
}

/// Platt scaling of a fitted record stage on held-out records: `a` and `b` of `sigmoid(a · (w · x) + b)` fitted on
/// `(x, y)`, folded into the weights (`a · w`, and `b` added to the bias), so that the model keeps its form and its
/// order of records. Returns the new weights and `(a, b)`.
pub fn calibrate_record(
    w: &[f64; RECORD_FEATURES.len()],
    x: &[[f64; RECORD_FEATURES.len()]],
    y: &[bool],
) -> ([f64; RECORD_FEATURES.len()], (f64, f64)) {
    let z: Vec<[f64; RECORD_FEATURES.len()]> = x
        .iter()
        .map(|xi| {
            let mut r = [0f64; RECORD_FEATURES.len()];
            r[0] = 1.0;
            r[1] = w.iter().zip(xi).map(|(a, b)| a * b).sum();
            r
        })
        .collect();
    let ab = fit_record(&z, y, 1e-3);
    let (a, b) = (ab[1], ab[0]);
    // A slope that is not positive would turn the order of records around (held-out records the score does not
    // rank at all): keep the fitted scale then.
    if a.is_nan() || a <= 0.0 {
        return (*w, (1.0, 0.0));
    }
    let mut out = w.map(|v| a * v);
    out[0] += b;
    (out.map(|v| format!("{v:.6}").parse().unwrap_or(v)), (a, b))
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
#[allow(clippy::needless_range_loop)] // row operations read two rows of `a` by index
fn solve<const D: usize>(mut a: [[f64; D]; D], mut b: [f64; D]) -> Option<[f64; D]> {
    for c in 0..D {
        let p = (c..D).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, p);
        b.swap(c, p);
        for r in c + 1..D {
            let f = a[r][c] / a[c][c];
            for k in c..D {
                a[r][k] -= f * a[c][k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = [0f64; D];
    for r in (0..D).rev() {
        let s: f64 = (r + 1..D).map(|k| a[r][k] * x[k]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    Some(x)
}

/// Weight rows sorted by bucket, with a rank index from bucket to row: one lookup per feature instead of a binary
/// search over some 20,000 rows (the search was the scorer's largest cost in `perf`). The index is a bitmap of the
/// buckets that have a row, with the number of rows before each 64-bucket word: a row's position is that count
/// plus the bits set before its own. It costs 64 KB for 2^18 buckets, small enough to stay in cache (a dense
/// array of positions, 1 MB, missed the cache on most features).
#[derive(Clone, Default)]
struct Rows {
    rows: Vec<(u32, [f32; K])>,
    /// Per 64 buckets: which have a row, and the number of rows before them.
    index: Vec<(u64, u32)>,
}

impl Rows {
    #[inline]
    fn get(&self, bucket: u32) -> Option<&[f32; K]> {
        let &(bits, before) = self.index.get((bucket / 64) as usize)?;
        let bit = 1u64 << (bucket % 64);
        if bits & bit == 0 {
            return None;
        }
        let i = before as usize + (bits & (bit - 1)).count_ones() as usize;
        Some(&self.rows[i].1)
    }
}

impl From<Vec<(u32, [f32; K])>> for Rows {
    /// `rows` must be sorted by bucket, each bucket once (as the model file and [`to_rows`] give them).
    fn from(rows: Vec<(u32, [f32; K])>) -> Rows {
        debug_assert!(
            rows.windows(2).all(|w| w[0].0 < w[1].0),
            "weight rows sorted by bucket, each once"
        );
        let len = rows
            .iter()
            .map(|r| r.0 as usize + 1)
            .max()
            .unwrap_or(0)
            .max(DIM as usize);
        let mut index = vec![(0u64, 0u32); if rows.is_empty() { 0 } else { len.div_ceil(64) }];
        for (b, _) in &rows {
            index[*b as usize / 64].0 |= 1 << (b % 64);
        }
        let mut before = 0u32;
        for (bits, n) in &mut index {
            *n = before;
            before += bits.count_ones();
        }
        Rows { rows, index }
    }
}

impl std::ops::Deref for Rows {
    type Target = [(u32, [f32; K])];
    fn deref(&self) -> &Self::Target {
        &self.rows
    }
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} weight rows", self.rows.len())
    }
}

/// A trained model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Weight rows by bucket, sorted by bucket.
    rows: Rows,
    pub event_cal: Platt,
    pub happened_cal: Platt,
    /// The default emission threshold on the calibrated event probability.
    pub threshold: f64,
    pub feature_set: String,
    /// The record stage, when trained.
    pub record: Option<RecordModel>,
}

/// Errors reading a model file.
#[derive(Debug, thiserror::Error)]
#[error("model file, line {line}: {msg}")]
pub struct ModelError {
    pub line: usize,
    pub msg: String,
}

impl Model {
    /// The model embedded in the binary (`data/model/scorer.tsv`), or `None` when that file holds no weights.
    pub fn embedded() -> Result<Option<Model>, ModelError> {
        let m = Model::parse(EMBEDDED)?;
        Ok((!m.rows.is_empty()).then_some(m))
    }

    /// The embedded file's text (for `rasd train --check`).
    pub fn embedded_text() -> &'static str {
        EMBEDDED
    }

    /// Parses the text form written by [`Model::to_text`].
    pub fn parse(text: &str) -> Result<Model, ModelError> {
        let err = |line: usize, msg: String| ModelError { line, msg };
        let mut rows: Vec<(u32, [f32; K])> = Vec::new();
        let mut m = Model {
            rows: Rows::default(),
            event_cal: Platt::IDENTITY,
            happened_cal: Platt::IDENTITY,
            threshold: 0.5,
            feature_set: String::new(),
            record: None,
        };
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            if line.is_empty() {
                continue;
            }
            if let Some(meta) = line.strip_prefix("#!") {
                let f: Vec<&str> = meta.split('\t').collect();
                let num = |j: usize| -> Result<f64, ModelError> {
                    f.get(j)
                        .and_then(|s| s.parse::<f64>().ok())
                        .filter(|x| x.is_finite())
                        .ok_or_else(|| err(n, format!("`{}` needs a number in column {}", f[0], j + 1)))
                };
                match f[0] {
                    "feature_set" => m.feature_set = f.get(1).unwrap_or(&"").to_string(),
                    "classes" => {
                        if f[1..] != CLASSES {
                            return Err(err(n, format!("classes {:?}, expected {:?}", &f[1..], CLASSES)));
                        }
                    }
                    "event_calibration" => m.event_cal = Platt { a: num(1)?, b: num(2)? },
                    "happened_calibration" => m.happened_cal = Platt { a: num(1)?, b: num(2)? },
                    "threshold" => m.threshold = num(1)?,
                    "record_weights" => {
                        let mut w = [0f64; RECORD_FEATURES.len()];
                        for (j, slot) in w.iter_mut().enumerate() {
                            *slot = num(j + 1)?;
                        }
                        let t = m.record.as_ref().map_or(0.5, |r| r.threshold);
                        m.record = Some(RecordModel {
                            weights: w,
                            threshold: t,
                        });
                    }
                    "record_threshold" => {
                        let t = num(1)?;
                        match m.record.as_mut() {
                            Some(r) => r.threshold = t,
                            None => return Err(err(n, "`record_threshold` before `record_weights`".into())),
                        }
                    }
                    "record_features" => {
                        if f[1..] != RECORD_FEATURES {
                            return Err(err(
                                n,
                                format!("record features {:?}, expected {:?}", &f[1..], RECORD_FEATURES),
                            ));
                        }
                    }
                    other => return Err(err(n, format!("unknown setting `{other}`"))),
                }
                continue;
            }
            if line.starts_with('#') {
                continue;
            }
            let mut f = line.split('\t');
            let bucket: u32 = f
                .next()
                .and_then(|s| s.parse().ok())
                .filter(|b| *b < DIM)
                .ok_or_else(|| err(n, "a weight row starts with a bucket number below 2^18".into()))?;
            let mut w = [0f32; K];
            for (k, slot) in w.iter_mut().enumerate() {
                *slot = f
                    .next()
                    .and_then(|s| s.parse::<f32>().ok())
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| err(n, format!("weight {} is missing or not a number", k + 1)))?;
            }
            if f.next().is_some() {
                return Err(err(n, format!("more than {K} weights")));
            }
            if rows.last().is_some_and(|(b, _)| *b >= bucket) {
                return Err(err(n, "weight rows must be sorted by bucket, each bucket once".into()));
            }
            rows.push((bucket, w));
        }
        m.rows = rows.into();
        if !m.rows.is_empty() && m.feature_set != FEATURE_SET {
            return Err(err(
                0,
                format!(
                    "the model was trained on feature set `{}`, this rasd computes `{FEATURE_SET}`: run `rasd train`",
                    m.feature_set
                ),
            ));
        }
        Ok(m)
    }

    /// Raw class probabilities of a feature vector.
    pub fn probs(&self, idx: &[u32]) -> [f64; K] {
        let mut z = [0f64; K];
        for b in idx {
            if let Some(w) = self.rows.get(*b) {
                for (zk, wk) in z.iter_mut().zip(w) {
                    *zk += f64::from(*wk);
                }
            }
        }
        softmax(&z)
    }

    /// Calibrated scores of a feature vector.
    pub fn score(&self, idx: &[u32]) -> Scores {
        let probs = self.probs(idx);
        Scores {
            probs,
            event: self.event_cal.apply(probs[EVENT]),
            happened: self.happened_cal.apply(probs[EVENT] + probs[BACKGROUND]),
        }
    }

    /// Number of non-zero weight rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The text form: settings, then one row per bucket with a non-zero weight, six decimals.
    pub fn to_text(&self, header: &str) -> String {
        let mut s = String::new();
        for l in header.lines() {
            let _ = writeln!(s, "# {l}");
        }
        let _ = writeln!(s, "#!feature_set\t{}", self.feature_set);
        let _ = writeln!(s, "#!classes\t{}", CLASSES.join("\t"));
        let _ = writeln!(
            s,
            "#!event_calibration\t{:.6}\t{:.6}",
            self.event_cal.a, self.event_cal.b
        );
        let _ = writeln!(
            s,
            "#!happened_calibration\t{:.6}\t{:.6}",
            self.happened_cal.a, self.happened_cal.b
        );
        let _ = writeln!(s, "#!threshold\t{:.2}", self.threshold);
        if let Some(r) = &self.record {
            let _ = writeln!(s, "#!record_features\t{}", RECORD_FEATURES.join("\t"));
            let _ = write!(s, "#!record_weights");
            for w in &r.weights {
                let _ = write!(s, "\t{w:.6}");
            }
            s.push('\n');
            let _ = writeln!(s, "#!record_threshold\t{:.2}", r.threshold);
        }
        for (b, w) in self.rows.iter() {
            let _ = write!(s, "{b}");
            for x in w {
                let _ = write!(s, "\t{x:.6}");
            }
            s.push('\n');
        }
        s
    }
}

fn softmax(z: &[f64; K]) -> [f64; K] {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut p = [0f64; K];
    let mut sum = 0.0;
    for k in 0..K {
        p[k] = (z[k] - m).exp();
        sum += p[k];
    }
    for x in &mut p {
        *x /= sum;
    }
    p
}

/// One training example: a candidate's feature buckets and its labelled class.
#[derive(Debug, Clone)]
pub struct Example {
    pub idx: Vec<u32>,
    pub class: usize,
    /// The document it came from (folds never split a document).
    pub doc: String,
}

/// Training settings (they enter the manifest).
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub epochs: usize,
    pub rate: f64,
    pub l2: f64,
    pub seed: u64,
    pub folds: usize,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            epochs: 12,
            // Chosen by the out-of-fold AUC on the train split (stop 27: 0.906 at 0.01–0.03 against 0.899 at 0.1,
            // over 6, 12 and 24 epochs; eval/RESULTS.md "Stop 27").
            rate: 0.02,
            l2: 1e-3,
            seed: 20261205,
            folds: 5,
        }
    }
}

/// A small deterministic generator (xorshift64*), for the shuffles.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Fits the softmax weights (no calibration) on `data`.
fn fit_weights(data: &[&Example], p: &Params) -> HashMap<u32, [f64; K]> {
    let mut w: HashMap<u32, [f64; K]> = HashMap::new();
    let mut g2: HashMap<u32, [f64; K]> = HashMap::new();
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = Rng(p.seed | 1);
    for _ in 0..p.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let ex = data[i];
            let mut z = [0f64; K];
            for b in &ex.idx {
                if let Some(r) = w.get(b) {
                    for k in 0..K {
                        z[k] += r[k];
                    }
                }
            }
            let pr = softmax(&z);
            for b in &ex.idx {
                let r = w.entry(*b).or_insert([0.0; K]);
                let g = g2.entry(*b).or_insert([0.0; K]);
                for k in 0..K {
                    let y = if k == ex.class { 1.0 } else { 0.0 };
                    let grad = pr[k] - y + p.l2 * r[k];
                    g[k] += grad * grad;
                    r[k] -= p.rate * grad / (g[k].sqrt() + 1e-8);
                }
            }
        }
    }
    w
}

/// Rounds weights to the six decimals of the file, drops rows that round to zero, and sorts them.
fn to_rows(w: HashMap<u32, [f64; K]>) -> Vec<(u32, [f32; K])> {
    let mut rows: Vec<(u32, [f32; K])> = w
        .into_iter()
        .filter_map(|(b, r)| {
            let mut out = [0f32; K];
            let mut any = false;
            for k in 0..K {
                let x = (r[k] * 1e6).round() / 1e6;
                out[k] = format!("{x:.6}").parse::<f32>().unwrap_or(0.0);
                any |= out[k] != 0.0;
            }
            any.then_some((b, out))
        })
        .collect();
    rows.sort_by_key(|r| r.0);
    rows
}

/// Fits a Platt calibration of `raw` against binary `y` by Newton's method on the log loss (with the usual
/// smoothed targets, so that a separable fold does not drive the slope to infinity).
pub fn fit_platt(raw: &[f64], y: &[bool]) -> Platt {
    let pos = y.iter().filter(|b| **b).count() as f64;
    let neg = y.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return Platt::IDENTITY;
    }
    let t_pos = (pos + 1.0) / (pos + 2.0);
    let t_neg = 1.0 / (neg + 2.0);
    let x: Vec<f64> = raw.iter().map(|r| logit(*r)).collect();
    let target = |yi: bool| if yi { t_pos } else { t_neg };
    let loss = |a: f64, b: f64| -> f64 {
        x.iter()
            .zip(y)
            .map(|(xi, yi)| {
                let z = a * xi + b;
                let t = target(*yi);
                // log(1 + e^z) - t z, computed stably.
                let softplus = if z > 0.0 {
                    z + (-z).exp().ln_1p()
                } else {
                    z.exp().ln_1p()
                };
                softplus - t * z
            })
            .sum()
    };
    let (mut a, mut b) = (1.0f64, 0.0f64);
    let mut cur = loss(a, b);
    for _ in 0..100 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-9, 0.0, 1e-9);
        for (xi, yi) in x.iter().zip(y) {
            let p = sigmoid(a * xi + b);
            let d = p - target(*yi);
            ga += d * xi;
            gb += d;
            let s = p * (1.0 - p);
            haa += s * xi * xi;
            hab += s * xi;
            hbb += s;
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-12 {
            break;
        }
        let da = (hbb * ga - hab * gb) / det;
        let db = (haa * gb - hab * ga) / det;
        // Damped Newton: halve the step until the loss goes down.
        let mut step = 1.0;
        let mut moved = false;
        while step > 1e-6 {
            let (na, nb) = (a - step * da, b - step * db);
            let l = loss(na, nb);
            if l < cur {
                a = na;
                b = nb;
                cur = l;
                moved = true;
                break;
            }
            step /= 2.0;
        }
        if !moved || (step * da).abs() < 1e-10 && (step * db).abs() < 1e-10 {
            break;
        }
    }
    Platt { a, b }
}

/// Weight rows: (bucket, one weight per class), sorted by bucket.
pub type WeightRows = Vec<(u32, [f32; K])>;

/// Out-of-fold raw probabilities: each document's examples are scored by a model that never saw that document.
/// Also returns each fold's weight rows (fitted without that fold's documents).
pub fn out_of_fold(data: &[Example], p: &Params) -> (Vec<[f64; K]>, Vec<WeightRows>) {
    let mut out = vec![[0f64; K]; data.len()];
    let mut folds = Vec::new();
    for f in 0..p.folds.max(2) {
        let train: Vec<&Example> = data.iter().filter(|e| fold_of(&e.doc, p) != f).collect();
        let rows = to_rows(fit_weights(&train, p));
        let m = Model {
            rows: rows.clone().into(),
            event_cal: Platt::IDENTITY,
            happened_cal: Platt::IDENTITY,
            threshold: 0.5,
            feature_set: FEATURE_SET.into(),
            record: None,
        };
        for (i, e) in data.iter().enumerate() {
            if fold_of(&e.doc, p) == f {
                out[i] = m.probs(&e.idx);
            }
        }
        folds.push(rows);
    }
    (out, folds)
}

/// The fold a document falls in (folds never split a document).
pub fn fold_of(doc: &str, p: &Params) -> usize {
    (crate::features::hash(doc) as usize) % p.folds.max(2)
}

/// Everything `rasd train` reports about a fit.
#[derive(Debug, Clone)]
pub struct Fit {
    pub model: Model,
    /// Calibrated out-of-fold event probabilities, aligned with the examples.
    pub oof_event: Vec<f64>,
    /// One model per fold ([`fold_of`]), fitted without that fold's documents, with the final model's calibrations
    /// and threshold: what the scorer would say of a document it was not fitted on. `rasd train` extracts each train
    /// report with the model of its fold, to fit the record stage on records as they come on unseen reports and to
    /// measure the no-event share of a cut on train.
    pub folds: Vec<Model>,
}

/// Trains a model on `data`: out-of-fold predictions fit the calibrations and choose the threshold (the one that
/// maximizes F1 of the event class), then the weights are fitted on all of `data`.
pub fn train(data: &[Example], p: &Params) -> Fit {
    let (oof, fold_rows) = out_of_fold(data, p);
    let y_event: Vec<bool> = data.iter().map(|e| e.class == EVENT).collect();
    let y_happened: Vec<bool> = data.iter().map(|e| e.class == EVENT || e.class == BACKGROUND).collect();
    let raw_event: Vec<f64> = oof.iter().map(|r| r[EVENT]).collect();
    let raw_happened: Vec<f64> = oof.iter().map(|r| r[EVENT] + r[BACKGROUND]).collect();
    // Rounded as the file prints them, so that the model in memory is the model in the file.
    let round6 = |c: Platt| Platt {
        a: format!("{:.6}", c.a).parse().unwrap_or(c.a),
        b: format!("{:.6}", c.b).parse().unwrap_or(c.b),
    };
    let event_cal = round6(fit_platt(&raw_event, &y_event));
    let happened_cal = round6(fit_platt(&raw_happened, &y_happened));
    let oof_event: Vec<f64> = raw_event.iter().map(|r| event_cal.apply(*r)).collect();
    let threshold = best_threshold(&oof_event, &y_event);
    let all: Vec<&Example> = data.iter().collect();
    let w = fit_weights(&all, p);
    let model = Model {
        rows: to_rows(w).into(),
        event_cal,
        happened_cal,
        threshold,
        feature_set: FEATURE_SET.into(),
        record: None,
    };
    let folds = fold_rows
        .into_iter()
        .map(|rows| Model {
            rows: rows.into(),
            ..model.clone()
        })
        .collect();
    Fit {
        model,
        oof_event,
        folds,
    }
}

/// Precision, recall and F1 of "score ≥ t" against binary labels.
pub fn prf_at(p: &[f64], y: &[bool], t: f64) -> (f64, f64, f64) {
    let (mut tp, mut fp, mut fnn) = (0.0, 0.0, 0.0);
    for (pi, yi) in p.iter().zip(y) {
        match (*pi >= t, *yi) {
            (true, true) => tp += 1.0,
            (true, false) => fp += 1.0,
            (false, true) => fnn += 1.0,
            _ => {}
        }
    }
    let pr = if tp + fp == 0.0 { 0.0 } else { tp / (tp + fp) };
    let rc = if tp + fnn == 0.0 { 0.0 } else { tp / (tp + fnn) };
    let f = if pr + rc == 0.0 { 0.0 } else { 2.0 * pr * rc / (pr + rc) };
    (pr, rc, f)
}

/// The threshold in 0.05 steps (0.20 ..= 0.80) with the best F1; ties go to the higher threshold.
pub fn best_threshold(p: &[f64], y: &[bool]) -> f64 {
    let mut best = (f64::MIN, 0.5);
    for step in 4..=16 {
        let t = f64::from(step) * 0.05;
        let f1 = prf_at(p, y, t).2;
        if f1 >= best.0 {
            best = (f1, t);
        }
    }
    (best.1 * 100.0).round() / 100.0
}

/// Held-out reports with no gold event, and the records the pipeline writes on them: the measure of the issue's
/// "no-event reports with an asserted record" target, as a function of the cut.
#[derive(Debug, Clone, Default)]
pub struct NoEventDocs {
    /// (record probability, report index) of every asserted, non-background record on a no-event report.
    pub records: Vec<(f64, usize)>,
    /// How many no-event reports there are.
    pub docs: usize,
}

impl NoEventDocs {
    /// The share of no-event reports that keep at least one record at cut `t`.
    pub fn share_at(&self, t: f64) -> f64 {
        if self.docs == 0 {
            return 0.0;
        }
        let mut hit: Vec<usize> = self
            .records
            .iter()
            .filter(|(p, _)| passes(*p, t))
            .map(|(_, d)| *d)
            .collect();
        hit.sort_unstable();
        hit.dedup();
        hit.len() as f64 / self.docs as f64
    }
}

/// Whether a record of probability `p` passes the cut `t` as `rasd extract` applies it: to the confidence it
/// writes, rounded to 0.01 ([`confidence`]). A record at 0.4296 is written 0.43 and kept by a cut of 0.43, so the
/// cut `rasd train` chooses and the shares it reports count it too.
pub fn passes(p: f64, t: f64) -> bool {
    f64::from(confidence(p)) >= t - 1e-6
}

/// A probability as a record's `confidence`: rounded to 0.01.
pub fn confidence(p: f64) -> f32 {
    ((p * 100.0).round() / 100.0) as f32
}

/// The most no-event reports a chosen cut may leave with a record, on held-out reports. The target is 10%
/// on the test split; the cap is half of it because a few hundred held-out reports are a noisy measure (stop 23:
/// 9.1% on dev's 44 became 16% on test's 50).
pub const NO_EVENT_CAP: f64 = 0.05;

/// For each cut in 0.01 steps (0.20 ..= 0.80): the cut, the event F1 of the records it keeps, and the share of
/// the no-event reports that keep a record. 0.01 steps: with 0.05 steps, one no-event report more or less at the
/// cap moved the cut by 0.05, and F1 with it.
pub fn record_curve(p: &[f64], y: &[bool], gold: usize, no_event: &NoEventDocs) -> Vec<(f64, f64, f64)> {
    (20..=80)
        .map(|step| {
            let t = f64::from(step) * 0.01;
            let kept: Vec<bool> = p
                .iter()
                .zip(y)
                .filter(|(pi, _)| passes(**pi, t))
                .map(|(_, yi)| *yi)
                .collect();
            let tp = kept.iter().filter(|b| **b).count() as f64;
            let pred = kept.len() as f64;
            let f1 = if tp == 0.0 {
                0.0
            } else {
                2.0 * tp / (pred + gold as f64)
            };
            (t, f1, no_event.share_at(t))
        })
        .collect()
}

/// The record threshold, in 0.01 steps (0.20 ..= 0.80): among the cuts that leave at most [`NO_EVENT_CAP`] of the
/// held-out no-event reports with a record, the one with the best event F1, the highest of equals. If no cut meets
/// the cap, the one that comes closest (the highest of equals). `gold` events exist in all; a record is a true
/// positive when `y` says it is right.
///
/// History: until stop 23 the rule was the highest cut within 0.01 of the best F1, which kept a cut lower in F1 on
/// both train and dev; stop 23 took the best F1 alone, and its cut let records through on no-event reports. The
/// no-event share is measured on reports the scorer was not fitted on (`rasd train` extracts train's out of fold,
/// with the models of [`Fit::folds`]): with the final scorer, which has seen every train report's candidates, it
/// is 0% on train at every cut.
pub fn best_record_threshold(p: &[f64], y: &[bool], gold: usize, no_event: &NoEventDocs) -> f64 {
    let curve = record_curve(p, y, gold, no_event);
    let eligible: Vec<&(f64, f64, f64)> = curve.iter().filter(|c| c.2 <= NO_EVENT_CAP + 1e-9).collect();
    let t = if eligible.is_empty() {
        let least = curve.iter().map(|c| c.2).fold(f64::MAX, f64::min);
        curve.iter().filter(|c| c.2 <= least).map(|c| c.0).fold(0.2, f64::max)
    } else {
        let best = eligible.iter().map(|c| c.1).fold(f64::MIN, f64::max);
        eligible.iter().filter(|c| c.1 >= best).map(|c| c.0).fold(0.2, f64::max)
    };
    (t * 100.0).round() / 100.0
}

/// Area under the ROC curve of scores `p` for binary labels `y` (ties count half).
pub fn auc(p: &[f64], y: &[bool]) -> Option<f64> {
    let mut v: Vec<(f64, bool)> = p.iter().copied().zip(y.iter().copied()).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let pos = v.iter().filter(|x| x.1).count() as f64;
    let neg = v.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    // Mann-Whitney U with average ranks for ties.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1].0 == v[i].0 {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += v[i..=j].iter().filter(|x| x.1).count() as f64 * avg;
        i = j + 1;
    }
    Some((rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

/// A reliability table: for each tenth of the confidence range, (count, mean confidence, share right).
pub fn reliability(p: &[f64], y: &[bool]) -> Vec<(usize, f64, f64)> {
    let mut bins = vec![(0usize, 0f64, 0f64); 10];
    for (pi, yi) in p.iter().zip(y) {
        let b = ((pi * 10.0).floor() as usize).min(9);
        bins[b].0 += 1;
        bins[b].1 += pi;
        bins[b].2 += if *yi { 1.0 } else { 0.0 };
    }
    bins.into_iter()
        .map(|(n, s, r)| {
            if n == 0 {
                (0, 0.0, 0.0)
            } else {
                (n, s / n as f64, r / n as f64)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_on_held_out_records_rescales_and_never_reverses_the_order() {
        let mut w = [0f64; RECORD_FEATURES.len()];
        w[0] = 0.5;
        w[1] = 1.0;
        let x: Vec<[f64; RECORD_FEATURES.len()]> = (0..40)
            .map(|i| {
                let mut r = [0f64; RECORD_FEATURES.len()];
                r[0] = 1.0;
                r[1] = f64::from(i) / 10.0 - 2.0;
                r
            })
            .collect();
        // Held-out records are right less often than the score says: the scale moves down, the order stays.
        let y: Vec<bool> = (0..40).map(|i| i % 3 == 0 && i > 15).collect();
        let (c, (a, _)) = calibrate_record(&w, &x, &y);
        assert!(a > 0.0);
        let score = |w: &[f64; RECORD_FEATURES.len()], x: &[f64; RECORD_FEATURES.len()]| {
            w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>()
        };
        assert!(x.windows(2).all(|p| score(&c, &p[0]) <= score(&c, &p[1])));
        let before: f64 = x.iter().map(|r| sigmoid(score(&w, r))).sum();
        let after: f64 = x.iter().map(|r| sigmoid(score(&c, r))).sum();
        assert!(after < before, "{after} < {before}");
        // Records the score ranks backwards: no scale, the weights are kept.
        let y: Vec<bool> = (0..40).map(|i| i < 20).collect();
        assert_eq!(calibrate_record(&w, &x, &y), (w, (1.0, 0.0)));
    }

    #[test]
    fn record_threshold_keeps_no_event_reports_under_the_cap() {
        // Twenty right records, ten at 0.36 and ten at 0.42, and two wrong ones at 0.35: F1 alone picks 0.36.
        let mut p = vec![0.36; 10];
        p.extend([0.42; 10]);
        p.extend([0.35; 2]);
        let y: Vec<bool> = (0..22).map(|i| i < 20).collect();
        let none = NoEventDocs::default();
        assert_eq!(best_record_threshold(&p, &y, 20, &none), 0.36);
        // Three of twenty no-event reports keep a record at 0.36, one from 0.39: the cap (5%) moves the cut up, to
        // the highest of the equal F1s above it (0.39 ..= 0.42 keep the same records).
        let noisy = NoEventDocs {
            records: vec![(0.36, 0), (0.37, 1), (0.38, 1), (0.45, 2)],
            docs: 20,
        };
        assert!((noisy.share_at(0.35) - 0.15).abs() < 1e-9);
        assert!((noisy.share_at(0.40) - 0.05).abs() < 1e-9);
        assert_eq!(best_record_threshold(&p, &y, 20, &noisy), 0.42);
        // No cut meets the cap: the one closest to it, the highest of equals.
        let hopeless = NoEventDocs {
            records: vec![(0.95, 0), (0.95, 1)],
            docs: 2,
        };
        assert_eq!(best_record_threshold(&p, &y, 20, &hopeless), 0.8);
        // A record at 0.4296 is written as 0.43: a cut of 0.43 keeps it, as `rasd extract` does.
        let edge = NoEventDocs {
            records: vec![(0.4296, 0)],
            docs: 10,
        };
        assert!((edge.share_at(0.43) - 0.1).abs() < 1e-9);
        assert!(edge.share_at(0.44) == 0.0);
    }

    #[test]
    fn a_denial_is_kept_with_the_claim_it_answers() {
        let claim = |stance: &str, place: &str| -> rasd_core::Event {
            serde_json::from_value(serde_json::json!({
                "id": "e", "doc_id": "d", "event_type": "Battles",
                "sub_event_type": "Government regains territory", "event_date": "2017-11-09",
                "date_precision": "day", "date_text": null, "actor1": null, "actor2": null,
                "location": {"id": place, "name": "", "name_ar": "", "country": "SY", "admin1": null,
                             "lat": 34.45, "lon": 40.92, "geo_precision": 1},
                "fatalities": null, "territory_share": null, "reported_by": [], "stance": stance,
                "evidence": {"text": "سيطر", "start": 0, "end": 8}, "confidence": 0.5
            }))
            .expect("a record")
        };
        let events = [
            claim("asserted", "gn:174448"),
            claim("denied", "gn:174448"),
            claim("denied", "gn:170794"),
        ];
        let ties = denial_ties(&events);
        assert_eq!(ties, vec![vec![], vec![0], vec![]]);
        let mut p = vec![0.55, 0.30, 0.20];
        tie_denials(&mut p, &ties);
        // The denial of the recorded claim rises to it; a denial of nothing recorded, and the claim, stay.
        assert_eq!(p, vec![0.55, 0.55, 0.20]);
    }

    fn toy() -> Vec<Example> {
        // Feature 1 marks events, feature 2 commentary; feature 3 is noise.
        let mut v = Vec::new();
        for i in 0..200u32 {
            let class = if i % 3 == 0 { 5 } else { 0 };
            let mut idx = vec![0, if class == 0 { 1 } else { 2 }];
            if i % 7 == 0 {
                idx.push(3);
            }
            v.push(Example {
                idx,
                class,
                doc: format!("d{}", i / 4),
            });
        }
        v
    }

    #[test]
    fn training_is_deterministic_and_learns() {
        let p = Params::default();
        let a = train(&toy(), &p);
        let b = train(&toy(), &p);
        assert_eq!(a.model.to_text("x"), b.model.to_text("x"));
        let ev = a.model.score(&[0, 1]);
        let co = a.model.score(&[0, 2]);
        assert!(ev.event > 0.9 && co.event < 0.1, "{ev:?} {co:?}");
        assert_eq!(co.class(), 5);
    }

    #[test]
    fn text_round_trips() {
        let fit = train(&toy(), &Params::default());
        let text = fit.model.to_text("toy");
        let back = Model::parse(&text).unwrap();
        assert_eq!(back.to_text("toy"), text);
        assert_eq!(back.score(&[0, 1]), fit.model.score(&[0, 1]));
    }

    #[test]
    fn bad_model_files_are_errors() {
        assert!(Model::parse("#!feature_set\tother\n#!classes\tevent\n").is_err());
        assert!(Model::parse("#!threshold\tx\n").is_err());
        let e = Model::parse(&format!("#!feature_set\t{FEATURE_SET}\n5\t1\t2\n")).unwrap_err();
        assert_eq!(e.line, 2);
        let e = Model::parse(&format!(
            "#!feature_set\t{FEATURE_SET}\n5\t1\t1\t1\t1\t1\t1\t1\n4\t1\t1\t1\t1\t1\t1\t1\n"
        ))
        .unwrap_err();
        assert!(e.msg.contains("sorted"));
    }

    #[test]
    fn auc_and_reliability() {
        assert_eq!(auc(&[0.1, 0.2, 0.8, 0.9], &[false, false, true, true]), Some(1.0));
        assert_eq!(auc(&[0.5, 0.5], &[false, true]), Some(0.5));
        assert_eq!(auc(&[0.5], &[true]), None);
        let r = reliability(&[0.05, 0.95, 0.91], &[false, true, false]);
        assert_eq!(r[0].0, 1);
        assert_eq!(r[9].0, 2);
        assert!((r[9].2 - 0.5).abs() < 1e-9);
    }

    #[test]
    fn the_embedded_model_loads_and_round_trips() {
        // The binary embeds data/model/scorer.tsv as it is: it must parse, carry weights for this feature set,
        // and print back to the same bytes (so `rasd train --check` compares like with like).
        let m = Model::embedded()
            .unwrap()
            .expect("data/model/scorer.tsv holds no weights: run `rasd train`");
        assert_eq!(m.feature_set, FEATURE_SET);
        assert!(m.len() > 1000);
        assert!((0.2..=0.8).contains(&m.threshold));
        let body: String = EMBEDDED
            .lines()
            .filter(|l| !l.starts_with("# "))
            .map(|l| format!("{l}\n"))
            .collect();
        let again: String = m
            .to_text("")
            .lines()
            .filter(|l| !l.starts_with("# ") && *l != "#")
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(body, again);
    }

    #[test]
    fn probs_sum_the_rows_of_the_features_in_order() {
        // The rank index finds the rows a binary search finds (byte-identical scores): every bucket of a stretch
        // with rows and without, at the start, the middle and the end of the rows.
        let m = Model::embedded()
            .expect("the embedded model loads")
            .expect("it has weights");
        let reference = |idx: &[u32]| {
            let mut z = [0f64; K];
            for b in idx {
                if let Ok(i) = m.rows.binary_search_by_key(b, |r| r.0) {
                    for (zk, wk) in z.iter_mut().zip(&m.rows[i].1) {
                        *zk += f64::from(*wk);
                    }
                }
            }
            softmax(&z)
        };
        let with_rows: Vec<u32> = m.rows.iter().map(|r| r.0).collect();
        for (from, len) in [
            (0, 1),
            (0, 63),
            (100, 64),
            (5000, 65),
            (7000, 300),
            (with_rows.len() - 130, 130),
        ] {
            let idx: Vec<u32> = with_rows[from..from + len].to_vec();
            assert_eq!(m.probs(&idx), reference(&idx), "rows {from}+{len}");
            // The buckets between them too, most of which have no row.
            let all: Vec<u32> = (idx[0]..=idx[idx.len() - 1]).collect();
            assert_eq!(m.probs(&all), reference(&all), "buckets from row {from}");
        }
        assert_eq!(m.probs(&[]), reference(&[]));
        assert_eq!(m.probs(&[DIM - 1, DIM, u32::MAX]), reference(&[DIM - 1, DIM, u32::MAX]));
    }

    #[test]
    fn platt_fits_a_monotone_map() {
        let raw: Vec<f64> = (1..100).map(|i| f64::from(i) / 100.0).collect();
        let y: Vec<bool> = raw.iter().map(|r| *r > 0.7).collect();
        let c = fit_platt(&raw, &y);
        assert!(c.apply(0.9) > 0.8 && c.apply(0.3) < 0.2, "{c:?}");
    }
}
