//! `rasd train`: fits the event scorer on the team's candidate labels and writes `data/model/scorer.tsv` and its
//! manifest.
//!
//! Inputs: the labels in `eval/labels/*.tsv` (`corpus_id, start, end, label, note`: one factuality label per
//! candidate clause), the split in `eval/split/split.tsv`, and the report texts in `../shared/corpus`. Test-split
//! reports are never read. Every candidate record that rasd's rules produce for a labelled report (rule-only,
//! weak candidates included) takes the label of the clause that holds its trigger; candidates in unlabelled clauses
//! are left out. The fit is deterministic, so `rasd train --check` can verify that the embedded model is the one
//! these labels give.

use anyhow::{Context, Result, bail};
use rasd_core::Doc;
use rasd_events::features::FEATURE_SET;
use rasd_events::scorer::{self, CLASSES, EVENT, Example, K, Params};
use rasd_events::{Extractor, Options};
use rayon::prelude::*;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Writes data/model/scorer.tsv and data/model/manifest.json (see data/model/README.md). \
Rebuild rasd afterwards to embed the new model.\n\
--check trains in memory and exits 1 when the result differs from data/model/scorer.tsv (CI runs it where \
../shared/corpus is present)."
)]
pub struct Args {
    /// Where the corpus files live.
    #[arg(long, default_value = "../shared/corpus")]
    pub corpus_dir: PathBuf,
    /// Label files (default: every eval/labels/*.tsv).
    #[arg(long)]
    pub labels: Vec<PathBuf>,
    /// The split file; test-split reports are never used.
    #[arg(long, default_value = "eval/split/split.tsv")]
    pub split: PathBuf,
    /// Where to write the model and manifest.
    #[arg(long, default_value = "data/model")]
    pub out: PathBuf,
    /// Train, then compare with the model in --out instead of writing it; exit 1 on any difference.
    #[arg(long)]
    pub check: bool,
    /// Also report a learning curve: train-split subsets of 250, 500, 1000 … labels, scored on the dev split.
    #[arg(long)]
    pub learning_curve: bool,
    /// Training epochs.
    #[arg(long, default_value_t = Params::default().epochs)]
    pub epochs: usize,
    /// AdaGrad's base learning rate.
    #[arg(long, default_value_t = Params::default().rate)]
    pub rate: f64,
    /// Seed of the example shuffles.
    #[arg(long, default_value_t = Params::default().seed)]
    pub seed: u64,
    /// Project databases whose analyst corrections (`rasd serve`: POST /api/events/{id}/corrections) become
    /// training labels: an event marked wrong labels its candidate `not-event`, a corrected field `event`.
    #[arg(long = "corrections", value_name = "DB")]
    pub corrections: Vec<PathBuf>,
    /// Worker threads for candidate extraction (the fit itself is single-threaded, for reproducibility).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// The record stage's data over one gold file: each record's features, whether it is right, and the gold count.
struct RecordData {
    x: Vec<[f64; scorer::RECORD_FEATURES.len()]>,
    y: Vec<bool>,
    gold: usize,
    /// For each no-event report (no gold event), the rows of `x` that are asserted, non-background records on it.
    no_event: Vec<Vec<usize>>,
    /// For each row, the rows of the claims it denies (`scorer::denial_ties`, as the extractor ties them).
    ties: Vec<Vec<usize>>,
}

/// Gold events the record stage is fitted on, and scored on.
const RECORD_TRAIN: &str = "eval/split/train.jsonl";
const RECORD_DEV: &str = "eval/split/dev.jsonl";
/// L2 penalty of the record stage.
const RECORD_L2: f64 = 1.0;

/// Team-written development texts that label files may refer to by id.
const TEAM_TEXTS: &[&str] = &[
    "eval/events/dev.jsonl",
    "eval/events/sentences.jsonl",
    "eval/events/dev2.jsonl",
    "eval/events/dev3.jsonl",
    "eval/events/dev5.jsonl",
    "eval/events/dev7.jsonl",
];

/// Held-out sets (scored in aggregate only, see eval/README.md): no label may name their reports.
const HELD_OUT_TEXTS: &[&str] = &["eval/events/dev4.jsonl", "eval/events/dev6.jsonl"];

/// One labelled clause.
struct Label {
    start: usize,
    end: usize,
    class: usize,
}

fn read_labels(files: &[PathBuf]) -> Result<HashMap<String, Vec<Label>>> {
    let mut out: HashMap<String, Vec<Label>> = HashMap::new();
    for f in files {
        let text = std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') || line.starts_with("corpus_id\t") {
                continue;
            }
            let c: Vec<&str> = line.split('\t').collect();
            let bad = || {
                format!(
                    "{}:{}: expected corpus_id, start, end, label[, note]",
                    f.display(),
                    i + 1
                )
            };
            if c.len() < 4 {
                bail!(bad());
            }
            let start: usize = c[1].trim().parse().with_context(bad)?;
            let end: usize = c[2].trim().parse().with_context(bad)?;
            let class = scorer::class_index(c[3].trim()).with_context(|| {
                format!(
                    "{}:{}: unknown label `{}` (one of {})",
                    f.display(),
                    i + 1,
                    c[3].trim(),
                    CLASSES.join(", ")
                )
            })?;
            out.entry(c[0].trim().to_string())
                .or_default()
                .push(Label { start, end, class });
        }
    }
    Ok(out)
}

/// `id → split` from the split file.
pub(crate) fn read_split(path: &Path) -> Result<HashMap<String, String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read the split file {}", path.display()))?;
    let mut m = HashMap::new();
    for line in text.lines().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() >= 4 {
            m.insert(c[0].to_string(), c[3].to_string());
        }
    }
    if m.is_empty() {
        bail!("{}: no rows", path.display());
    }
    Ok(m)
}

/// Reads the corpus reports with the given ids.
pub(crate) fn read_corpus(dir: &Path, want: &dyn Fn(&str) -> bool) -> Result<Vec<Doc>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the corpus directory {} (use --corpus-dir)", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let mut docs = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).with_context(|| format!("cannot read {}", f.display()))?;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value =
                serde_json::from_str(line).with_context(|| format!("{}:{}: not JSON", f.display(), i + 1))?;
            let Some(id) = v["id"].as_str() else { continue };
            if !want(id) {
                continue;
            }
            docs.push(Doc {
                id: id.to_string(),
                url: v["url"].as_str().map(str::to_string),
                outlet: v["outlet"].as_str().map(str::to_string),
                published: v["published"]
                    .as_str()
                    .and_then(|p| chrono::NaiveDate::parse_from_str(p, "%Y-%m-%d").ok()),
                title: None,
                text: v["text"].as_str().unwrap_or("").to_string(),
            });
        }
    }
    docs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(docs)
}

/// Labelled examples of the given documents, in document then text order.
fn examples(x: &Extractor, docs: &[Doc], labels: &HashMap<String, Vec<Label>>) -> Vec<(Example, String)> {
    let per_doc: Vec<Vec<(Example, String)>> = docs
        .par_iter()
        .map(|d| {
            let mut w = x.worker();
            let Some(ls) = labels.get(&d.id) else {
                return Vec::new();
            };
            w.training_rows(d, &Options::default())
                .into_iter()
                .filter_map(|r| {
                    let l = ls.iter().find(|l| l.start <= r.trigger.0 && r.trigger.0 < l.end)?;
                    Some((
                        Example {
                            idx: r.features.idx,
                            class: l.class,
                            doc: d.id.clone(),
                        },
                        d.id.clone(),
                    ))
                })
                .collect()
        })
        .collect();
    per_doc.into_iter().flatten().collect()
}

/// Training examples from analyst corrections: the candidate records whose trigger lies in a corrected event's
/// trigger span take `not-event` when the event was marked wrong, `event` when only a field was corrected.
pub(crate) fn correction_examples(
    x: &Extractor,
    corrections: &[rasd_store::serve_queries::TrainingCorrection],
) -> Vec<Example> {
    let not_event = scorer::class_index("not-event").unwrap_or(K - 1);
    let mut out = Vec::new();
    for c in corrections {
        let doc = Doc {
            id: format!("correction:{}", c.doc_id),
            text: c.text.clone(),
            ..Doc::default()
        };
        let class = if c.wrong { not_event } else { EVENT };
        for r in x.worker().training_rows(&doc, &Options::default()) {
            if c.trigger_start <= r.trigger.0 && r.trigger.0 < c.trigger_end.max(c.trigger_start + 1) {
                out.push(Example {
                    idx: r.features.idx,
                    class,
                    doc: doc.id.clone(),
                });
            }
        }
    }
    out
}

/// Gold id → corpus id of a gold file (the scorer's folds are keyed by corpus id).
fn gold_corpus_ids(path: &str) -> Result<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    let mut m = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).with_context(|| format!("{path}: not JSON"))?;
        if let (Some(id), Some(cid)) = (v["id"].as_str(), v["corpus_id"].as_str()) {
            m.insert(id.to_string(), cid.to_string());
        }
    }
    Ok(m)
}

fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

pub fn run(a: Args) -> Result<ExitCode> {
    let files: Vec<PathBuf> = if a.labels.is_empty() {
        let mut v: Vec<PathBuf> = std::fs::read_dir("eval/labels")
            .context("cannot read eval/labels (run rasd train from the repository root, or pass --labels)")?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
            .collect();
        v.sort();
        v
    } else {
        a.labels.clone()
    };
    if files.is_empty() {
        bail!("no label files (eval/labels/*.tsv)");
    }
    let labels = read_labels(&files)?;
    let split = read_split(&a.split)?;
    let leaked: Vec<&String> = labels
        .keys()
        .filter(|id| split.get(*id).is_some_and(|s| s == "test"))
        .collect();
    if !leaked.is_empty() {
        bail!(
            "labels name {} test-split report(s) (e.g. {}): the test split is never trained on",
            leaked.len(),
            leaked[0]
        );
    }
    for f in HELD_OUT_TEXTS {
        if let Ok(text) = std::fs::read_to_string(f) {
            let held: Vec<String> = text
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter_map(|v| v["id"].as_str().map(str::to_string))
                .filter(|id| labels.contains_key(id))
                .collect();
            if let Some(id) = held.first() {
                bail!(
                    "labels name {} report(s) of the held-out set {f} (e.g. {id}): held-out sets are never trained on",
                    held.len()
                );
            }
        }
    }
    // The model is fitted on the train split (and the team's own texts); the dev split is scored, never fitted.
    let mut docs = read_corpus(&a.corpus_dir, &|id| {
        labels.contains_key(id) && split.get(id).is_some_and(|s| s == "train" || s == "dev")
    })?;
    // The team-written development texts (eval/events/*.jsonl carry their own text) may be labelled too.
    for f in TEAM_TEXTS {
        if let Ok(text) = std::fs::read_to_string(f) {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let Ok(d) = serde_json::from_str::<Doc>(line) else {
                    continue;
                };
                if labels.contains_key(&d.id) && !split.contains_key(&d.id) {
                    docs.push(d);
                }
            }
        }
    }
    docs.sort_by(|a, b| a.id.cmp(&b.id));
    if docs.is_empty() {
        bail!("none of the labelled reports was found in {}", a.corpus_dir.display());
    }
    let pool = crate::commands::extract::pool(a.threads)?;
    let x = Extractor::default_embedded_rules_only().context("cannot load the embedded lexicon and rules")?;
    let data = pool.install(|| examples(&x, &docs, &labels));
    let in_fit = |d: &str| split.get(d).is_none_or(|s| s == "train");
    let examples: Vec<Example> = data.iter().filter(|(_, d)| in_fit(d)).map(|(e, _)| e.clone()).collect();
    let dev_ex: Vec<Example> = data
        .iter()
        .filter(|(_, d)| split.get(d).is_some_and(|s| s == "dev"))
        .map(|(e, _)| e.clone())
        .collect();
    // Analyst corrections stored by `rasd serve`, when databases are given.
    let mut n_corrections = 0usize;
    let mut examples = examples;
    for db in &a.corrections {
        let store = rasd_store::Store::open_read_only(db)
            .with_context(|| format!("cannot open the corrections database {}", db.display()))?;
        let cs = store.corrections_for_training()?;
        n_corrections += cs.len();
        examples.extend(correction_examples(&x, &cs));
    }
    if examples.len() < 50 {
        bail!("only {} labelled candidates matched: too few to train", examples.len());
    }
    let params = Params {
        epochs: a.epochs,
        rate: a.rate,
        seed: a.seed,
        ..Params::default()
    };
    eprintln!(
        "rasd train: {} labelled candidates from {} reports ({} label files); fitting {} folds + final …",
        examples.len(),
        docs.len(),
        files.len(),
        params.folds
    );
    let mut fit = scorer::train(&examples, &params);
    // The record stage, fitted on the train split's gold events: is each record the scorer keeps right? Each train
    // report is extracted by a scorer fitted without its fold, so that the stage learns from records as the scorer
    // writes them on reports it has not seen (as on every report after training); dev by the final scorer.
    let record_x = x.with_scorer(Some(fit.model.clone()));
    let fold_x: Vec<Extractor> = std::mem::take(&mut fit.folds)
        .into_iter()
        .map(|m| {
            Extractor::default_embedded_rules_only()
                .map(|e| e.with_scorer(Some(m)))
                .context("cannot load the embedded lexicon and rules")
        })
        .collect::<Result<_>>()?;
    let stage = |gold: &str, out_of_fold: bool| -> Result<RecordData> {
        let data = crate::commands::eval_events::load_gold(gold, &a.corpus_dir)?;
        let corpus_ids = gold_corpus_ids(gold)?;
        let opts = Options {
            min_confidence: Some(0.0),
            ..Options::default()
        };
        let extractor_of = |d: &Doc| -> &Extractor {
            if out_of_fold {
                &fold_x[scorer::fold_of(corpus_ids.get(&d.id).unwrap_or(&d.id), &params)]
            } else {
                &record_x
            }
        };
        let mut preds: Vec<Vec<rasd_core::Event>> = vec![Vec::new(); data.len()];
        for ex in std::iter::once(&record_x).chain(&fold_x) {
            let idx: Vec<usize> = (0..data.len())
                .filter(|&i| std::ptr::eq(extractor_of(&data[i].0), ex))
                .collect();
            let docs: Vec<Doc> = idx.iter().map(|&i| data[i].0.clone()).collect();
            let out = pool.install(|| crate::commands::extract::extract_all_or_fail(ex, &docs, &opts))?;
            for (i, p) in idx.into_iter().zip(out) {
                preds[i] = p;
            }
        }
        let (mut xs, mut ys, mut n_gold) = (Vec::new(), Vec::new(), 0usize);
        let mut no_event = Vec::new();
        let mut ties = Vec::new();
        for ((doc, golds), preds) in data.iter().zip(&preds) {
            n_gold += golds.len();
            if golds.is_empty() {
                no_event.push(
                    preds
                        .iter()
                        .enumerate()
                        .filter(|(_, p)| p.stance == rasd_core::Stance::Asserted && !p.background)
                        .map(|(i, _)| xs.len() + i)
                        .collect(),
                );
            }
            let pairs = crate::commands::eval_events::assign(golds, preds);
            let base = xs.len();
            ties.extend(
                scorer::denial_ties(preds)
                    .into_iter()
                    .map(|t| t.into_iter().map(|j| base + j).collect::<Vec<_>>()),
            );
            xs.extend(scorer::record_matrix(preds, record_x.publication_date(doc)));
            ys.extend((0..preds.len()).map(|i| pairs.iter().any(|&(_, p)| p == i)));
        }
        Ok(RecordData {
            x: xs,
            y: ys,
            gold: n_gold,
            no_event,
            ties,
        })
    };
    let RecordData {
        x: rec_x,
        y: rec_y,
        gold: rec_gold,
        no_event: train_no_event,
        ties: rec_ties,
    } = stage(RECORD_TRAIN, true)?;
    let fitted = scorer::fit_record(&rec_x, &rec_y, RECORD_L2);
    let RecordData {
        x: dev_rx,
        y: dev_ry,
        gold: dev_rgold,
        no_event: dev_no_event,
        ties: dev_ties,
    } = stage(RECORD_DEV, false)?;
    // Fitted on the train split's records, the stage is as sure as the rules are on the reports they were tuned on;
    // on reports they were not (dev's), the same score is right less often. Its scale is set on dev (Platt scaling:
    // two numbers), so that `confidence` means on new reports what it says; the order of records does not change.
    let (w, platt) = scorer::calibrate_record(&fitted, &dev_rx, &dev_ry);
    eprintln!(
        "record stage: scale set on dev (Platt): {:.3} × score {:+.3}",
        platt.0, platt.1
    );
    let weights_only = scorer::RecordModel {
        weights: w,
        threshold: 0.5,
    };
    let mut rec_p: Vec<f64> = rec_x.iter().map(|x| weights_only.score(x)).collect();
    scorer::tie_denials(&mut rec_p, &rec_ties);
    let mut dev_rp: Vec<f64> = dev_rx.iter().map(|x| weights_only.score(x)).collect();
    scorer::tie_denials(&mut dev_rp, &dev_ties);
    // The no-event share of a cut, on reports the scorer was not fitted on: dev's, and train's out of fold. With the
    // final scorer, no train report keeps a record at any cut (it has seen their candidates), and 44 dev reports
    // alone moved the cut by 0.05 for one report more or less.
    let noise = |rows: &[Vec<usize>], p: &[f64]| scorer::NoEventDocs {
        records: rows
            .iter()
            .enumerate()
            .flat_map(|(d, rows)| rows.iter().map(move |&r| (p[r], d)))
            .collect(),
        docs: rows.len(),
    };
    let train_noise = noise(&train_no_event, &rec_p);
    let dev_noise = noise(&dev_no_event, &dev_rp);
    let held_out_noise = scorer::NoEventDocs {
        records: train_noise
            .records
            .iter()
            .copied()
            .chain(dev_noise.records.iter().map(|&(p, d)| (p, d + train_noise.docs)))
            .collect(),
        docs: train_noise.docs + dev_noise.docs,
    };
    // The default cut is chosen on the train and dev records together: the weights never see dev, but one
    // scalar chosen on 320 reports alone moved by 0.05 with every refit (stop 21).
    let pooled_p: Vec<f64> = rec_p.iter().chain(&dev_rp).copied().collect();
    let pooled_y: Vec<bool> = rec_y.iter().chain(&dev_ry).copied().collect();
    let rec_t = scorer::best_record_threshold(&pooled_p, &pooled_y, rec_gold + dev_rgold, &held_out_noise);
    // Every fifth step of the curve the cut was chosen on (0.30, 0.35, … 0.60).
    let curve: Vec<String> = scorer::record_curve(&pooled_p, &pooled_y, rec_gold + dev_rgold, &held_out_noise)
        .into_iter()
        .filter(|(t, _, _)| (0.295..0.605).contains(t) && ((t * 100.0).round() as i64) % 5 == 0)
        .map(|(t, f1, share)| format!("{t:.2}: F1 {f1:.3}, no-event {:.1}%", 100.0 * share))
        .collect();
    eprintln!("record cut, pooled train and dev: {}", curve.join(" · "));
    let record = scorer::RecordModel {
        weights: w,
        threshold: rec_t,
    };
    let rec_auc_train = scorer::auc(&rec_p, &rec_y).unwrap_or(f64::NAN);
    let rec_auc_dev = scorer::auc(&dev_rp, &dev_ry).unwrap_or(f64::NAN);
    let kept = |p: &[f64], y: &[bool], t: f64, gold: usize| {
        let tp = p
            .iter()
            .zip(y)
            .filter(|(pi, yi)| scorer::passes(**pi, t) && **yi)
            .count() as f64;
        let pred = p.iter().filter(|pi| scorer::passes(**pi, t)).count() as f64;
        let pr = if pred == 0.0 { 0.0 } else { tp / pred };
        let rc = if gold == 0 { 0.0 } else { tp / gold as f64 };
        (pr, rc, if pr + rc == 0.0 { 0.0 } else { 2.0 * pr * rc / (pr + rc) })
    };
    let (rdp, rdr, rdf) = kept(&dev_rp, &dev_ry, rec_t, dev_rgold);
    let dev_rrel = scorer::reliability(&dev_rp, &dev_ry);
    eprintln!(
        "record stage: train AUC {rec_auc_train:.3}, threshold {rec_t:.2}; dev AUC {rec_auc_dev:.3}, \
         P {rdp:.3} R {rdr:.3} F1 {rdf:.3} (records vs gold events, before restatement merging in eval); \
         no-event reports with a record at the threshold: {:.1}% of {} (train out of fold {:.1}%, dev {:.1}%; cap {:.0}%)",
        100.0 * held_out_noise.share_at(rec_t),
        held_out_noise.docs,
        100.0 * train_noise.share_at(rec_t),
        100.0 * dev_noise.share_at(rec_t),
        100.0 * scorer::NO_EVENT_CAP
    );
    fit.model.record = Some(record);
    let y: Vec<bool> = examples.iter().map(|e| e.class == EVENT).collect();
    let auc = scorer::auc(&fit.oof_event, &y).unwrap_or(f64::NAN);
    let (p, r, f) = scorer::prf_at(&fit.oof_event, &y, fit.model.threshold);
    let rel = scorer::reliability(&fit.oof_event, &y);
    let mut class_counts = [0usize; K];
    for e in &examples {
        class_counts[e.class] += 1;
    }
    let by_split = |s: &str| {
        data.iter()
            .filter(|(_, d)| split.get(d).is_some_and(|x| x == s))
            .count()
    };
    let dev_y: Vec<bool> = dev_ex.iter().map(|e| e.class == EVENT).collect();
    let dev_p: Vec<f64> = dev_ex.iter().map(|e| fit.model.score(&e.idx).event).collect();
    let dev_auc = scorer::auc(&dev_p, &dev_y).unwrap_or(f64::NAN);
    let (dp, dr, df) = scorer::prf_at(&dev_p, &dev_y, fit.model.threshold);
    let dev_rel = scorer::reliability(&dev_p, &dev_y);
    let team = data.iter().filter(|(_, d)| !split.contains_key(d)).count();

    let mut curve = Vec::new();
    if a.learning_curve {
        let train_ex: Vec<Example> = examples.clone();
        let mut sizes: Vec<usize> = [250usize, 500, 1000, 2000, 4000]
            .into_iter()
            .filter(|n| *n < train_ex.len())
            .collect();
        sizes.push(train_ex.len());
        for n in sizes {
            let sub = &train_ex[..n];
            let m = scorer::train(sub, &params).model;
            let pdev: Vec<f64> = dev_ex.iter().map(|e| m.score(&e.idx).event).collect();
            let (dp, dr, df) = scorer::prf_at(&pdev, &dev_y, m.threshold);
            let dauc = scorer::auc(&pdev, &dev_y).unwrap_or(f64::NAN);
            eprintln!(
                "  learning curve: {n:>5} train labels → dev AUC {dauc:.3}, P {dp:.3} R {dr:.3} F1 {df:.3} (threshold {:.2})",
                m.threshold
            );
            curve.push(
                json!({"train_labels": n, "dev_labels": dev_ex.len(), "dev_auc": r3(dauc),
                "dev_precision": r3(dp), "dev_recall": r3(dr), "dev_f1": r3(df), "threshold": m.threshold}),
            );
        }
    }

    let header = format!(
        "rasd event scorer: multinomial logistic regression over hashed features ({FEATURE_SET}).\n\
         Written by `rasd train`; its manifest is data/model/manifest.json. Holds feature buckets and weights only.\n\
         Columns: bucket, then one weight per class: {}.",
        CLASSES.join(", ")
    );
    let text = fit.model.to_text(&header);
    let model_path = a.out.join("scorer.tsv");
    if a.check {
        let old =
            std::fs::read_to_string(&model_path).with_context(|| format!("cannot read {}", model_path.display()))?;
        if old != text {
            eprintln!(
                "rasd train --check: {} differs from what the labels give ({} vs {} bytes): run `rasd train` and commit",
                model_path.display(),
                old.len(),
                text.len()
            );
            return Ok(ExitCode::from(1));
        }
        if old != scorer::Model::embedded_text() {
            eprintln!(
                "rasd train --check: the model embedded in this binary is not {}: rebuild rasd",
                model_path.display()
            );
            return Ok(ExitCode::from(1));
        }
        eprintln!(
            "rasd train --check: {} is reproduced byte for byte",
            model_path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::create_dir_all(&a.out).with_context(|| format!("cannot create {}", a.out.display()))?;
    std::fs::write(&model_path, &text).with_context(|| format!("cannot write {}", model_path.display()))?;
    let mut ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    ids.sort_unstable();
    let classes: BTreeMap<&str, usize> = CLASSES.iter().copied().zip(class_counts).collect();
    let manifest = json!({
        "model": "data/model/scorer.tsv",
        "blake3": blake3::hash(text.as_bytes()).to_hex().to_string(),
        "kind": "multinomial logistic regression (softmax over 7 factuality classes), AdaGrad, L2",
        "feature_set": FEATURE_SET,
        "hash_buckets": rasd_events::features::DIM,
        "weight_rows": fit.model.len(),
        "params": {"epochs": params.epochs, "rate": params.rate, "l2": params.l2, "seed": params.seed, "folds": params.folds},
        "calibration": {"event": [fit.model.event_cal.a, fit.model.event_cal.b],
                        "happened": [fit.model.happened_cal.a, fit.model.happened_cal.b],
                        "method": "Platt scaling on out-of-fold raw probabilities (folds by document)"},
        "threshold": fit.model.threshold,
        "threshold_rule": "the 0.05 step with the best out-of-fold F1 of the event class",
        "training": {
            "label_files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
            "reports": ids,
            "labelled_candidates_fitted": examples.len(),
            "from_train_split": by_split("train"),
            "dev_split_scored_not_fitted": by_split("dev"),
            "from_team_texts": team,
            "corrections": {"databases": a.corrections.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(), "corrections": n_corrections},
            "classes": classes,
        },
        "figures": {
            "note": "out-of-fold (5 folds by document) over the train and dev labels; the test split is never read",
            "event_auc": r3(auc),
            "event_precision": r3(p), "event_recall": r3(r), "event_f1": r3(f),
            "reliability": rel.iter().enumerate().map(|(i, (n, c, s))| json!({"bin": format!("{:.1}-{:.1}", i as f64 / 10.0, (i + 1) as f64 / 10.0), "n": n, "mean_confidence": r3(*c), "share_event": r3(*s)})).collect::<Vec<_>>(),
            "learning_curve": curve,
            "record_stage": {
                "note": "confidence = P(record right: it pairs with a gold event by type, place <= 25 km and date +- 1 day); fitted on the train split's gold, on records each train report's fold scorer wrote (never fitted on that report); scored on the dev split's",
                "threshold_rule": "the 0.01 step with the best record F1 over the train and dev splits' records together, the highest of equals, among the steps that leave at most no_event_cap of the held-out no-event reports (dev's, and train's out of fold) with an asserted, non-background record (the weights are fitted on train; dev sets only the scale, below)",
                "dev_scale": {"a": r3(platt.0), "b": r3(platt.1),
                    "note": "Platt scaling of the train-fitted score on the dev split's records (sigmoid(a * score + b)), folded into the weights: on reports the rules were not tuned on, the same score is right less often. It keeps the order of records, so dev_auc is held out; dev_reliability is in-sample for these two numbers"},
                "features": scorer::RECORD_FEATURES,
                "train_auc": r3(rec_auc_train),
                "threshold": rec_t,
                "no_event_cap": scorer::NO_EVENT_CAP,
                "no_event_share_at_threshold": {"held_out": r3(held_out_noise.share_at(rec_t)), "reports": held_out_noise.docs,
                    "train_out_of_fold": r3(train_noise.share_at(rec_t)), "dev": r3(dev_noise.share_at(rec_t))},
                "dev_auc": r3(rec_auc_dev),
                "dev_precision": r3(rdp), "dev_recall": r3(rdr), "dev_f1": r3(rdf),
                "dev_reliability": dev_rrel.iter().enumerate().map(|(i, (n, c, s))| json!({"bin": format!("{:.1}-{:.1}", i as f64 / 10.0, (i + 1) as f64 / 10.0), "n": n, "mean_confidence": r3(*c), "share_right": r3(*s)})).collect::<Vec<_>>(),
            },
            "dev": {
                "note": "the dev split's labelled candidates, scored by the final model (never fitted on)",
                "candidates": dev_ex.len(),
                "event_auc": r3(dev_auc),
                "event_precision": r3(dp), "event_recall": r3(dr), "event_f1": r3(df),
                "reliability": dev_rel.iter().enumerate().map(|(i, (n, c, s))| json!({"bin": format!("{:.1}-{:.1}", i as f64 / 10.0, (i + 1) as f64 / 10.0), "n": n, "mean_confidence": r3(*c), "share_event": r3(*s)})).collect::<Vec<_>>(),
            },
        },
        "rasd_version": rasd_events::VERSION,
    });
    let mpath = a.out.join("manifest.json");
    std::fs::write(&mpath, serde_json::to_string_pretty(&manifest)? + "\n")
        .with_context(|| format!("cannot write {}", mpath.display()))?;
    println!(
        "wrote {} ({} weight rows) and {}\nout-of-fold on train: AUC {:.3}; at threshold {:.2}: P {:.3} R {:.3} F1 {:.3}\n\
         dev split ({} candidates, not fitted): AUC {:.3}; P {:.3} R {:.3} F1 {:.3}\nrebuild rasd (cargo build --release) to embed it",
        model_path.display(),
        fit.model.len(),
        mpath.display(),
        auc,
        fit.model.threshold,
        p,
        r,
        f,
        dev_ex.len(),
        dev_auc,
        dp,
        dr,
        df
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rasd_store::serve_queries::TrainingCorrection;

    #[test]
    fn corrections_label_the_candidates_they_point_at() {
        let x = Extractor::default_embedded_rules_only().expect("embedded rules");
        let text = "أدانت الوزارة الهجوم. وقتل خمسة مدنيين في غارة جوية على قرية قرب البوكمال أمس.";
        let at = text.find("غارة").expect("trigger");
        let c = |wrong| TrainingCorrection {
            seq: 1,
            event_id: "e1".into(),
            doc_id: "d1".into(),
            text: text.into(),
            trigger_start: at,
            trigger_end: at + "غارة".len(),
            wrong,
            field: None,
            value: None,
            note: None,
            at: 0,
        };
        let wrong = correction_examples(&x, &[c(true)]);
        assert!(!wrong.is_empty());
        assert!(
            wrong
                .iter()
                .all(|e| e.class == scorer::class_index("not-event").unwrap())
        );
        let right = correction_examples(&x, &[c(false)]);
        assert!(right.iter().all(|e| e.class == EVENT) && !right.is_empty());
    }
}
