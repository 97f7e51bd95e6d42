//! `rasd eval events GOLD.jsonl`: scores `rasd extract` against an annotated gold file (eval/events format).
//!
//! Matching, per document: a gold event and a predicted one may pair when their ACLED event types (the parents)
//! agree, their places lie within 25 km, and their dates lie within one day. A null gold place or date accepts
//! any prediction (the text names none, so a carried one is no error); a null prediction against a non-null gold
//! value does not pair. Pairs are assigned 1:1 greedily, best first (exact sub-type, then nearest place, then
//! nearest date). Events: precision = matched / predicted, recall = matched / gold. Fields: over matched pairs, a
//! field is a true positive when both values are set and agree; precision divides by predicted events with the
//! field set, recall by gold events with it set; accuracy counts "both empty" as agreement too.

use crate::commands::extract::{parse_confidence, pool};
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use rasd_core::{Doc, Event, Stance, SubEventType};
use rasd_events::{Extractor, Options};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Gold format: eval/events/*.jsonl (one document per line with its events). Lines with a \
`corpus_id` take their text from <corpus-dir>/<corpus_file> (the held-out corpus annotation).\n\
Events match on event type (exact sub-type also reported), place within 25 km and date within a day."
)]
pub struct Args {
    /// The gold file.
    pub gold: String,
    /// Where `corpus_file` texts live (default: ../shared/corpus relative to the current directory).
    #[arg(long)]
    pub corpus_dir: Option<PathBuf>,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Treat every line of each text as an independent report (as `rasd extract --sentences`).
    #[arg(long)]
    pub sentences: bool,
    /// Emit only records whose confidence reaches this value (0..1; default: the threshold stored with the
    /// embedded event scorer, chosen from its precision-recall curve; see README).
    #[arg(long, value_parser = parse_confidence)]
    pub min_confidence: Option<f32>,
    /// Skip the learned event scorer: rule-based records with rule-based confidence (for comparisons).
    #[arg(long)]
    pub unscored: bool,
    /// Drop background events from the prediction, and background gold events from the gold.
    #[arg(long)]
    pub no_background: bool,
    /// List every unmatched gold and predicted event on stderr.
    #[arg(long)]
    pub errors: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(Debug, Deserialize)]
struct GoldDoc {
    id: String,
    #[serde(default)]
    corpus_id: Option<String>,
    #[serde(default)]
    corpus_file: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    outlet: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    events: Vec<GoldEvent>,
}

#[derive(Debug, Deserialize, Clone)]
struct GoldLocation {
    #[serde(default)]
    name_ar: Option<String>,
    lat: f64,
    lon: f64,
}

#[derive(Debug, Deserialize, Clone)]
struct GoldEvent {
    sub_event_type: String,
    #[serde(default)]
    event_date: Option<String>,
    #[serde(default)]
    actor1: Option<String>,
    #[serde(default)]
    actor2: Option<String>,
    #[serde(default)]
    location: Option<GoldLocation>,
    #[serde(default)]
    fatalities: Option<u64>,
    #[serde(default)]
    reported_by: Vec<String>,
    #[serde(default)]
    stance: Option<String>,
    #[serde(default)]
    background: bool,
    #[serde(default)]
    evidence: Option<String>,
}

/// A gold event, parsed.
pub(crate) struct Gold {
    sub: SubEventType,
    date: Option<NaiveDate>,
    actor1: Option<String>,
    actor2: Option<String>,
    loc: Option<(f64, f64, String)>,
    fatalities: Option<u64>,
    reported_by: Vec<String>,
    stance: Stance,
    background: bool,
    evidence: String,
}

fn parse_stance(s: Option<&str>) -> Stance {
    match s.unwrap_or("asserted") {
        "denied" => Stance::Denied,
        "expected" => Stance::Expected,
        "hedged" => Stance::Hedged,
        _ => Stance::Asserted,
    }
}

fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (a.0.to_radians(), a.1.to_radians(), b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// Counts of one field.
#[derive(Debug, Default, Clone, Copy)]
struct FieldScore {
    tp: usize,
    pred_set: usize,
    gold_set: usize,
    agree: usize,
    pairs: usize,
}

impl FieldScore {
    fn add(&mut self, gold_set: bool, pred_set: bool, equal: bool) {
        self.pairs += 1;
        self.gold_set += usize::from(gold_set);
        self.pred_set += usize::from(pred_set);
        if gold_set && pred_set && equal {
            self.tp += 1;
        }
        if (gold_set && pred_set && equal) || (!gold_set && !pred_set) {
            self.agree += 1;
        }
    }
}

fn prf(tp: usize, pred: usize, gold: usize) -> (f64, f64, f64) {
    let p = if pred == 0 { 0.0 } else { tp as f64 / pred as f64 };
    let r = if gold == 0 { 0.0 } else { tp as f64 / gold as f64 };
    let f = if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) };
    (p, r, f)
}

const FIELDS: &[&str] = &[
    "sub_event_type",
    "actor1",
    "actor2",
    "location",
    "date",
    "fatalities",
    "reported_by[0]",
    "reported_by(set)",
    "stance",
    "background",
];

pub(crate) fn load_gold(path: &str, corpus_dir: &Path) -> Result<Vec<(Doc, Vec<Gold>)>> {
    let text = crate::input::read_text(path, false)?;
    let mut corpus: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let g: GoldDoc =
            serde_json::from_str(line).with_context(|| format!("{path}:{}: not a gold document", i + 1))?;
        let body = match (&g.text, &g.corpus_id, &g.corpus_file) {
            (Some(t), _, _) => t.clone(),
            (None, Some(cid), Some(file)) => {
                if !corpus.contains_key(file) {
                    let p = corpus_dir.join(file);
                    let raw = std::fs::read_to_string(&p)
                        .with_context(|| format!("{path}:{}: cannot read corpus file {}", i + 1, p.display()))?;
                    let mut m = HashMap::new();
                    for l in raw.lines().filter(|l| !l.trim().is_empty()) {
                        let v: serde_json::Value = serde_json::from_str(l)
                            .with_context(|| format!("{}: malformed corpus line", p.display()))?;
                        if let (Some(id), Some(t)) = (v["id"].as_str(), v["text"].as_str()) {
                            m.insert(id.to_string(), t.to_string());
                        }
                    }
                    corpus.insert(file.clone(), m);
                }
                corpus
                    .get(file)
                    .and_then(|m| m.get(cid))
                    .cloned()
                    .with_context(|| format!("{path}:{}: corpus id {cid} not found in {file}", i + 1))?
            }
            _ => bail!(
                "{path}:{}: gold document has neither `text` nor `corpus_id`+`corpus_file`",
                i + 1
            ),
        };
        let published = match g.published.as_deref() {
            Some(p) => Some(
                NaiveDate::parse_from_str(p, "%Y-%m-%d")
                    .with_context(|| format!("{path}:{}: `published` {p:?} is not YYYY-MM-DD", i + 1))?,
            ),
            None => None,
        };
        let mut golds = Vec::new();
        for (j, e) in g.events.iter().enumerate() {
            let sub: SubEventType = e
                .sub_event_type
                .parse()
                .with_context(|| format!("{path}:{}: event {}", i + 1, j + 1))?;
            let date = match e.event_date.as_deref() {
                Some(d) => Some(
                    NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .with_context(|| format!("{path}:{}: event {}: bad event_date {d:?}", i + 1, j + 1))?,
                ),
                None => None,
            };
            golds.push(Gold {
                sub,
                date,
                actor1: e.actor1.clone(),
                actor2: e.actor2.clone(),
                loc: e
                    .location
                    .as_ref()
                    .map(|l| (l.lat, l.lon, l.name_ar.clone().unwrap_or_default())),
                fatalities: e.fatalities,
                reported_by: e.reported_by.clone(),
                stance: parse_stance(e.stance.as_deref()),
                background: e.background,
                evidence: e.evidence.clone().unwrap_or_default(),
            });
        }
        let doc = Doc {
            id: g.id,
            url: None,
            outlet: g.outlet,
            published,
            title: None,
            text: body,
        };
        out.push((doc, golds));
    }
    Ok(out)
}

fn pairable(g: &Gold, p: &Event) -> Option<(bool, f64, i64)> {
    if g.sub.event_type() != p.event_type {
        return None;
    }
    let km = match (&g.loc, &p.location) {
        (None, _) => 0.0,
        (Some(_), None) => return None,
        (Some(gl), Some(pl)) => {
            let d = haversine_km((gl.0, gl.1), (pl.lat, pl.lon));
            if d > 25.0 {
                return None;
            }
            d
        }
    };
    let days = match (g.date, p.event_date) {
        (None, _) => 0,
        (Some(_), None) => return None,
        (Some(a), Some(b)) => {
            let d = (a - b).num_days().abs();
            if d > 1 {
                return None;
            }
            d
        }
    };
    Some((g.sub == p.sub_event_type, km, days))
}

/// Greedy 1:1 assignment, best pairs first.
pub(crate) fn assign(golds: &[Gold], preds: &[Event]) -> Vec<(usize, usize)> {
    let mut cands = Vec::new();
    for (gi, g) in golds.iter().enumerate() {
        for (pi, p) in preds.iter().enumerate() {
            if let Some((exact, km, days)) = pairable(g, p) {
                let a1 = g.actor1.as_deref() == p.actor1.as_ref().map(|a| a.id.as_str());
                let st = g.stance == p.stance;
                cands.push((!exact, !a1, !st, (km * 10.0) as i64, days, gi, pi));
            }
        }
    }
    cands.sort();
    let mut used_g = vec![false; golds.len()];
    let mut used_p = vec![false; preds.len()];
    let mut out = Vec::new();
    for c in cands {
        let (gi, pi) = (c.5, c.6);
        if !used_g[gi] && !used_p[pi] {
            used_g[gi] = true;
            used_p[pi] = true;
            out.push((gi, pi));
        }
    }
    out
}

pub fn run(args: Args) -> Result<ExitCode> {
    let corpus_dir = args
        .corpus_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("../shared/corpus"));
    let mut data = load_gold(&args.gold, &corpus_dir)?;
    if args.no_background {
        for (_, g) in &mut data {
            g.retain(|e| !e.background);
        }
    }
    let x = Extractor::default_embedded().context("cannot load the embedded lexicon and rules")?;
    let opts = Options {
        drop_background: args.no_background,
        sentences: args.sentences,
        keep_weak: false,
        min_confidence: args.min_confidence,
        unscored: args.unscored,
    };
    let docs: Vec<Doc> = data.iter().map(|(d, _)| d.clone()).collect();
    let preds = pool(args.threads)?.install(|| crate::commands::extract::extract_all_or_fail(&x, &docs, &opts))?;

    let (mut n_gold, mut n_pred, mut matched, mut exact) = (0usize, 0usize, 0usize, 0usize);
    let (mut docs_no_event_gold, mut docs_no_event_clean) = (0usize, 0usize);
    let mut fields: BTreeMap<&str, FieldScore> = FIELDS.iter().map(|f| (*f, FieldScore::default())).collect();
    let mut confusion: BTreeMap<(String, String), usize> = BTreeMap::new();
    // Confidence of every prediction, and whether it matched a gold event (for AUC and the reliability table).
    let mut conf_right: Vec<(f64, bool)> = Vec::new();
    // Gold events and matched ones by family.
    let mut family: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    let mut docs_no_event_asserted = 0usize;
    for ((doc, golds), preds) in data.iter().zip(&preds) {
        n_gold += golds.len();
        n_pred += preds.len();
        if golds.is_empty() {
            docs_no_event_gold += 1;
            if preds.is_empty() {
                docs_no_event_clean += 1;
            }
            if preds.iter().any(|p| p.stance == Stance::Asserted && !p.background) {
                docs_no_event_asserted += 1;
            }
        }
        let pairs = assign(golds, preds);
        for (pi, p) in preds.iter().enumerate() {
            conf_right.push((f64::from(p.confidence), pairs.iter().any(|&(_, x)| x == pi)));
        }
        for (gi, g) in golds.iter().enumerate() {
            let e = family.entry(family_of(g.sub)).or_default();
            e.0 += 1;
            e.1 += usize::from(pairs.iter().any(|&(x, _)| x == gi));
        }
        let mut g_used = vec![false; golds.len()];
        let mut p_used = vec![false; preds.len()];
        for &(gi, pi) in &pairs {
            g_used[gi] = true;
            p_used[pi] = true;
            let (g, p) = (&golds[gi], &preds[pi]);
            matched += 1;
            exact += usize::from(g.sub == p.sub_event_type);
            *confusion
                .entry((g.sub.name().to_string(), p.sub_event_type.name().to_string()))
                .or_default() += 1;
            let f = |k: &str, fields: &mut BTreeMap<&str, FieldScore>, gs: bool, ps: bool, eq: bool| {
                if let Some(s) = fields.get_mut(k) {
                    s.add(gs, ps, eq);
                }
            };
            f("sub_event_type", &mut fields, true, true, g.sub == p.sub_event_type);
            let pa1 = p.actor1.as_ref().map(|a| a.id.as_str());
            let pa2 = p.actor2.as_ref().map(|a| a.id.as_str());
            f(
                "actor1",
                &mut fields,
                g.actor1.is_some(),
                pa1.is_some(),
                g.actor1.as_deref() == pa1,
            );
            f(
                "actor2",
                &mut fields,
                g.actor2.is_some(),
                pa2.is_some(),
                g.actor2.as_deref() == pa2,
            );
            let loc_eq = match (&g.loc, &p.location) {
                (Some(gl), Some(pl)) => haversine_km((gl.0, gl.1), (pl.lat, pl.lon)) <= 25.0,
                _ => false,
            };
            f("location", &mut fields, g.loc.is_some(), p.location.is_some(), loc_eq);
            f(
                "date",
                &mut fields,
                g.date.is_some(),
                p.event_date.is_some(),
                g.date == p.event_date,
            );
            let pf = p
                .fatalities
                .as_ref()
                .and_then(|x| if x.cumulative { x.min } else { x.value });
            f(
                "fatalities",
                &mut fields,
                g.fatalities.is_some(),
                pf.is_some(),
                g.fatalities == pf,
            );
            let p0 = p.reported_by.first().map(|s| s.id.as_str());
            f(
                "reported_by[0]",
                &mut fields,
                !g.reported_by.is_empty(),
                p0.is_some(),
                g.reported_by.first().map(String::as_str) == p0,
            );
            let gs: Vec<&str> = g.reported_by.iter().map(String::as_str).collect();
            let ps: Vec<&str> = p.reported_by.iter().map(|s| s.id.as_str()).collect();
            let (mut gset, mut pset) = (gs.clone(), ps.clone());
            gset.sort_unstable();
            pset.sort_unstable();
            f(
                "reported_by(set)",
                &mut fields,
                !gs.is_empty(),
                !ps.is_empty(),
                gset == pset,
            );
            f("stance", &mut fields, true, true, g.stance == p.stance);
            if args.errors {
                let show = |x: Option<&str>| x.unwrap_or("-").to_string();
                for (name, gv, pv) in [
                    ("actor1", show(g.actor1.as_deref()), show(pa1)),
                    ("actor2", show(g.actor2.as_deref()), show(pa2)),
                    ("reported_by", gs.join("<"), ps.join("<")),
                    ("fatalities", format!("{:?}", g.fatalities), format!("{pf:?}")),
                    ("date", format!("{:?}", g.date), format!("{:?}", p.event_date)),
                ] {
                    if gv != pv {
                        eprintln!("FIELD\t{}\t{name}\tgold={gv}\tpred={pv}\t{}", doc.id, g.evidence);
                    }
                }
            }
            f("background", &mut fields, true, true, g.background == p.background);
        }
        for (gi, g) in golds.iter().enumerate().filter(|(i, _)| !g_used[*i]) {
            *confusion
                .entry((g.sub.name().to_string(), "—".to_string()))
                .or_default() += 1;
            if args.errors {
                let loc = g.loc.as_ref().map_or("-", |l| l.2.as_str());
                // The nearest unmatched prediction of the same type, and why it did not pair.
                let why = preds
                    .iter()
                    .enumerate()
                    .filter(|(i, p)| !p_used[*i] && p.event_type == g.sub.event_type())
                    .map(|(_, p)| {
                        let km = match (&g.loc, &p.location) {
                            (Some(gl), Some(pl)) => format!("{:.0} km", haversine_km((gl.0, gl.1), (pl.lat, pl.lon))),
                            (Some(_), None) => "no place".to_string(),
                            _ => "place ok".to_string(),
                        };
                        let days = match (g.date, p.event_date) {
                            (Some(a), Some(b)) => format!("{} days", (a - b).num_days()),
                            (Some(_), None) => "no date".to_string(),
                            _ => "date ok".to_string(),
                        };
                        format!("[near miss: {} at {km}, {days}]", p.sub_event_type)
                    })
                    .next()
                    .unwrap_or_default();
                eprintln!("MISSED\t{}\t#{gi}\t{}\t{}\t{}\t{why}", doc.id, g.sub, loc, g.evidence);
            }
        }
        for (_, p) in preds.iter().enumerate().filter(|(i, _)| !p_used[*i]) {
            *confusion
                .entry(("—".to_string(), p.sub_event_type.name().to_string()))
                .or_default() += 1;
            if args.errors {
                let loc = p.location.as_ref().map_or("-", |l| l.name_ar.as_str());
                eprintln!(
                    "SPURIOUS\t{}\t{}\t{}\t{}",
                    doc.id, p.sub_event_type, loc, p.evidence.text
                );
            }
        }
    }
    let (ep, er, ef) = prf(matched, n_pred, n_gold);
    let (xp, xr, xf) = prf(exact, n_pred, n_gold);
    let confs: Vec<f64> = conf_right.iter().map(|x| x.0).collect();
    let rights: Vec<bool> = conf_right.iter().map(|x| x.1).collect();
    let auc = rasd_events::scorer::auc(&confs, &rights);
    let reliability = rasd_events::scorer::reliability(&confs, &rights);
    let no_event_asserted_share = if docs_no_event_gold == 0 {
        0.0
    } else {
        docs_no_event_asserted as f64 / docs_no_event_gold as f64
    };
    if args.json {
        let fields_json: serde_json::Map<String, serde_json::Value> = fields
            .iter()
            .map(|(k, s)| {
                let (p, r, f) = prf(s.tp, s.pred_set, s.gold_set);
                let acc = if s.pairs == 0 {
                    0.0
                } else {
                    s.agree as f64 / s.pairs as f64
                };
                (
                    k.to_string(),
                    json!({"precision": p, "recall": r, "f1": f, "accuracy": acc, "tp": s.tp,
                    "pred_set": s.pred_set, "gold_set": s.gold_set, "pairs": s.pairs}),
                )
            })
            .collect();
        let conf: Vec<serde_json::Value> = confusion
            .iter()
            .map(|((g, p), n)| json!({"gold": g, "predicted": p, "count": n}))
            .collect();
        let out = json!({
            "gold_file": args.gold, "documents": data.len(), "gold_events": n_gold, "predicted_events": n_pred,
            "matched": matched, "exact_sub_type": exact,
            "events": {"precision": ep, "recall": er, "f1": ef},
            "events_exact_sub_type": {"precision": xp, "recall": xr, "f1": xf},
            "no_event_documents": {"gold": docs_no_event_gold, "predicted_none": docs_no_event_clean,
                "with_asserted_record": docs_no_event_asserted, "share_with_asserted_record": no_event_asserted_share},
            "confidence": {"auc_right_vs_wrong": auc, "reliability": reliability.iter().enumerate().map(|(i, (n, c, r))| json!({"bin": i, "n": n, "mean_confidence": c, "share_right": r})).collect::<Vec<_>>()},
            "recall_by_family": family.iter().map(|(k, (g, m))| (k.to_string(), json!({"gold": g, "matched": m, "recall": if *g == 0 { 0.0 } else { *m as f64 / *g as f64 }}))).collect::<serde_json::Map<String, serde_json::Value>>(),
            "fields": fields_json, "confusion": conf,
        });
        println!("{out}");
        return Ok(ExitCode::SUCCESS);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    writeln!(
        out,
        "gold: {} ({} documents, {} events; {} documents with no event, {} of them with no prediction)",
        args.gold,
        data.len(),
        n_gold,
        docs_no_event_gold,
        docs_no_event_clean
    )?;
    writeln!(
        out,
        "predicted events: {n_pred}, matched: {matched}, exact sub-type among matched: {exact}"
    )?;
    writeln!(out)?;
    writeln!(out, "{:<28} {:>9} {:>9} {:>9}", "events", "precision", "recall", "F1")?;
    writeln!(out, "{:<28} {:>9.3} {:>9.3} {:>9.3}", "type + place + date", ep, er, ef)?;
    writeln!(
        out,
        "{:<28} {:>9.3} {:>9.3} {:>9.3}",
        "exact sub-type + place + date", xp, xr, xf
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<20} {:>9} {:>9} {:>9} {:>9}   (over {matched} matched pairs)",
        "field", "precision", "recall", "F1", "accuracy"
    )?;
    for (k, s) in &fields {
        let (p, r, f) = prf(s.tp, s.pred_set, s.gold_set);
        let acc = if s.pairs == 0 {
            0.0
        } else {
            s.agree as f64 / s.pairs as f64
        };
        writeln!(out, "{k:<20} {p:>9.3} {r:>9.3} {f:>9.3} {acc:>9.3}")?;
    }
    writeln!(out)?;
    writeln!(out, "recall by family:")?;
    for (k, (g, m)) in &family {
        let r = if *g == 0 { 0.0 } else { *m as f64 / *g as f64 };
        writeln!(out, "  {k:<34} {m:>4} / {g:<4} {r:.3}")?;
    }
    writeln!(
        out,
        "no-event documents with an asserted (non-background) record: {docs_no_event_asserted} / {docs_no_event_gold} ({:.1}%)",
        100.0 * no_event_asserted_share
    )?;
    writeln!(out)?;
    match auc {
        Some(a) => writeln!(
            out,
            "confidence: AUC right vs wrong {a:.3} over {} predictions",
            confs.len()
        )?,
        None => writeln!(out, "confidence: AUC undefined (all predictions right, or all wrong)")?,
    }
    writeln!(
        out,
        "  {:<10} {:>6} {:>10} {:>10}",
        "bin", "n", "mean conf", "share right"
    )?;
    for (i, (n, c, r)) in reliability.iter().enumerate() {
        if *n > 0 {
            writeln!(
                out,
                "  {:<10} {n:>6} {c:>10.3} {r:>10.3}",
                format!("{:.1}-{:.1}", i as f64 / 10.0, (i + 1) as f64 / 10.0)
            )?;
        }
    }
    writeln!(out)?;
    writeln!(out, "confusion (gold → predicted, — = unmatched):")?;
    for ((g, p), n) in &confusion {
        writeln!(out, "  {n:>4}  {g:<38} → {p}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The family a sub-type is reported under: protests and riots together, as the targets name them.
fn family_of(s: SubEventType) -> &'static str {
    match s.event_type() {
        rasd_core::EventType::Protests | rasd_core::EventType::Riots => "protests + riots",
        rasd_core::EventType::StrategicDevelopments => "strategic developments",
        rasd_core::EventType::Battles => "battles",
        rasd_core::EventType::ExplosionsRemoteViolence => "explosions/remote violence",
        rasd_core::EventType::ViolenceAgainstCivilians => "violence against civilians",
    }
}
