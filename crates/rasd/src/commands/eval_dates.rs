//! `rasd eval dates GOLD.tsv`: precision and recall of date recognition, accuracy of resolution, per class.
//!
//! The gold file is TSV with a header: id, anchor (YYYY-MM-DD or empty), text, surface (empty for a negative row),
//! start, end (empty for a single day), precision, class. Rows sharing an id share the text and list its
//! expressions. A prediction matches an expected expression when their spans overlap (one to one); resolution is
//! correct when start, end and precision all agree (an expected empty start means "must stay unresolved").

use anyhow::{Context, Result, bail};
use rasd_time::{DateFinder, parse_date};
use serde_json::json;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "GOLD.tsv columns (with a header row): id, anchor (YYYY-MM-DD or empty), text, surface (empty \
for a negative row), start, end (empty for one day), precision, class. Rows sharing an id share the text.\n\
A prediction matches when its span overlaps the expected surface; resolution is right when start, end and \
precision all agree. See eval/dates/README.md."
)]
pub struct Args {
    /// The gold TSV file.
    pub gold: String,
    /// Print one JSON object with every figure instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also print every miss, false alarm and wrong resolution.
    #[arg(long)]
    pub errors: bool,
}

struct Expected {
    surface: String,
    start: Option<String>,
    end: Option<String>,
    precision: String,
    class: String,
}

struct Doc {
    id: String,
    anchor: Option<chrono::NaiveDate>,
    text: String,
    expected: Vec<Expected>,
    class: String,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
    resolved_ok: usize,
}

impl Counts {
    fn p(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    fn r(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.p(), self.r());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
    fn acc(&self) -> f64 {
        ratio(self.resolved_ok, self.tp)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn load(path: &str) -> Result<Vec<Doc>> {
    let raw = crate::input::read_text(path, false)?;
    let mut docs: Vec<Doc> = Vec::new();
    for (n, line) in raw.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 8 {
            bail!(
                "{path}:{}: expected 8 tab-separated columns, found {}",
                n + 1,
                cols.len()
            );
        }
        let anchor = match cols[1].trim() {
            "" => None,
            a => Some(parse_date(a).with_context(|| format!("{path}:{}: anchor", n + 1))?),
        };
        for c in [cols[4], cols[5]] {
            if !c.trim().is_empty() {
                parse_date(c).with_context(|| format!("{path}:{}: expected date", n + 1))?;
            }
        }
        let opt = |s: &str| {
            if s.trim().is_empty() {
                None
            } else {
                Some(s.trim().to_string())
            }
        };
        let class = cols[7].trim().to_string();
        let exp = (!cols[3].is_empty()).then(|| Expected {
            surface: cols[3].to_string(),
            start: opt(cols[4]),
            end: opt(cols[5]).or_else(|| opt(cols[4])),
            precision: cols[6].trim().to_string(),
            class: class.clone(),
        });
        if let Some(e) = &exp
            && !cols[2].contains(&e.surface)
        {
            bail!("{path}:{}: surface {:?} is not in the text", n + 1, e.surface);
        }
        match docs.last_mut() {
            Some(d) if d.id == cols[0] => d.expected.extend(exp),
            _ => docs.push(Doc {
                id: cols[0].to_string(),
                anchor,
                text: cols[2].to_string(),
                expected: exp.into_iter().collect(),
                class,
            }),
        }
    }
    Ok(docs)
}

pub fn run(args: Args) -> Result<ExitCode> {
    let docs = load(&args.gold)?;
    let finder = DateFinder::new();
    let started = Instant::now();
    let predictions: Vec<_> = docs.iter().map(|d| finder.find(&d.text, d.anchor)).collect();
    let seconds = started.elapsed().as_secs_f64();
    let mut total = Counts::default();
    let mut classes: BTreeMap<String, Counts> = BTreeMap::new();
    let mut errors = Vec::new();
    for (doc, preds) in docs.iter().zip(&predictions) {
        let mut used = vec![false; preds.len()];
        classes.entry(doc.class.clone()).or_default();
        for e in &doc.expected {
            let start = doc.text.find(&e.surface).unwrap_or(0);
            let end = start + e.surface.len();
            let c = classes.entry(e.class.clone()).or_default();
            let hit = preds
                .iter()
                .enumerate()
                .find(|(i, p)| !used[*i] && p.start < end && start < p.end);
            match hit {
                Some((i, p)) => {
                    used[i] = true;
                    c.tp += 1;
                    total.tp += 1;
                    let got_start = p.resolved.map(|r| r.start.to_string());
                    let got_end = p.resolved.map(|r| r.end.to_string());
                    if got_start == e.start && got_end == e.end && p.precision.as_str() == e.precision {
                        c.resolved_ok += 1;
                        total.resolved_ok += 1;
                    } else {
                        errors.push(format!(
                            "{}\twrong\t{}\tgot {}..{} {} ({})\twant {}..{} {}",
                            doc.id,
                            p.surface(&doc.text),
                            got_start.as_deref().unwrap_or("-"),
                            got_end.as_deref().unwrap_or("-"),
                            p.precision.as_str(),
                            p.rule,
                            e.start.as_deref().unwrap_or("-"),
                            e.end.as_deref().unwrap_or("-"),
                            e.precision
                        ));
                    }
                }
                None => {
                    c.fn_ += 1;
                    total.fn_ += 1;
                    errors.push(format!("{}\tmissed\t{}", doc.id, e.surface));
                }
            }
        }
        for (i, p) in preds.iter().enumerate() {
            if !used[i] {
                classes.entry(doc.class.clone()).or_default().fp += 1;
                total.fp += 1;
                errors.push(format!(
                    "{}\tfalse-alarm\t{}\t({})",
                    doc.id,
                    p.surface(&doc.text),
                    p.rule
                ));
            }
        }
    }
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    if args.json {
        let class_json: serde_json::Map<String, serde_json::Value> =
            classes.iter().map(|(k, c)| (k.clone(), counts_json(c))).collect();
        let mut v = counts_json(&total);
        v["documents"] = json!(docs.len());
        v["bytes"] = json!(bytes);
        v["seconds"] = json!(seconds);
        v["classes"] = json!(class_json);
        println!("{v}");
    } else {
        println!(
            "{:<18} {:>4} {:>4} {:>4} {:>7} {:>7} {:>7} {:>9}",
            "class", "tp", "fp", "fn", "P", "R", "F1", "resolved"
        );
        for (k, c) in classes.iter().chain(std::iter::once((&"ALL".to_string(), &total))) {
            println!(
                "{:<18} {:>4} {:>4} {:>4} {:>7.3} {:>7.3} {:>7.3} {:>9.3}",
                k,
                c.tp,
                c.fp,
                c.fn_,
                c.p(),
                c.r(),
                c.f1(),
                c.acc()
            );
        }
        println!(
            "{} texts, {} bytes, recognition+resolution in {:.2} ms",
            docs.len(),
            bytes,
            seconds * 1e3
        );
    }
    if args.errors {
        for e in &errors {
            eprintln!("{e}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn counts_json(c: &Counts) -> serde_json::Value {
    json!({"tp": c.tp, "fp": c.fp, "fn": c.fn_, "precision": c.p(), "recall": c.r(), "f1": c.f1(),
           "resolution_accuracy": c.acc(), "resolved_ok": c.resolved_ok})
}
