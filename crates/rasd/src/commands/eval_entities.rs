//! `rasd eval entities GOLD.jsonl`: precision and recall per kind, id accuracy, and geocoding accuracy.
//!
//! Gold format (eval/entities/*.jsonl, see gold-formats.md): one text per line with its mentions; a gold
//! mention is located as the `occurrence`-th exact occurrence of `surface`. A predicted mention matches a gold
//! one when their name spans overlap and the kinds agree (one-to-one, in text order). Places are scored by the
//! great-circle distance from the predicted coordinates to the gold ones (within 10 km and 50 km), and by id
//! where the gold gives a GeoNames id; actors and outlets by id. Gold mentions with `id_extra: true` name
//! entities the lexicon is not required to know: they are scored on their own line and left out of the main
//! figures (a prediction on them is neither a hit nor a false positive there).

use crate::input;
use anyhow::{Context, Result, bail};
use rasd_lexicon::{EntityKind, Lexicon, resolve::distance_km};
use serde::Deserialize;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The gold file (JSON Lines: {id, text, mentions: [{surface, occurrence, kind, id | lat, lon, …}]}).
    pub gold: String,
    /// A compiled lexicon file instead of the embedded one.
    #[arg(long)]
    pub lexicon: Option<PathBuf>,
    /// Print the figures as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Also list every miss, false positive and wrong id.
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Deserialize)]
struct GoldDoc {
    id: String,
    text: String,
    #[serde(default)]
    mentions: Vec<GoldMention>,
}

#[derive(Deserialize)]
struct GoldMention {
    surface: String,
    #[serde(default = "one")]
    occurrence: usize,
    kind: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    lat: Option<f64>,
    #[serde(default)]
    lon: Option<f64>,
    #[serde(default)]
    geonames_id: Option<serde_json::Value>,
    #[serde(default)]
    id_extra: bool,
}

fn one() -> usize {
    1
}

#[derive(Default, Clone, Copy)]
struct Counts {
    gold: usize,
    pred: usize,
    matched: usize,
    id_scored: usize,
    id_ok: usize,
    geo_scored: usize,
    within10: usize,
    within50: usize,
}

const KINDS: [EntityKind; 3] = [EntityKind::Place, EntityKind::Actor, EntityKind::Outlet];

fn kind_of(s: &str) -> Option<EntityKind> {
    match s {
        "place" => Some(EntityKind::Place),
        "actor" => Some(EntityKind::Actor),
        "outlet" => Some(EntityKind::Outlet),
        _ => None,
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

pub fn run(args: Args) -> Result<ExitCode> {
    let text = input::read_text(&args.gold, false)?;
    let lex: &Lexicon = super::lexicon::open(args.lexicon.as_deref())?;
    let mut counts = [Counts::default(); 3];
    let mut extra = Counts::default();
    let mut notes: Vec<String> = Vec::new();
    let mut docs = 0usize;
    for (ln, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let doc: GoldDoc = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a gold entities record", args.gold, ln + 1))?;
        docs += 1;
        let predicted = lex.entities(&doc.text);
        let mut used = vec![false; predicted.len()];
        let mut covered_by_extra = vec![false; predicted.len()];
        for g in &doc.mentions {
            let Some(kind) = kind_of(&g.kind) else {
                bail!("{}:{}: {}: unknown kind {:?}", args.gold, ln + 1, doc.id, g.kind);
            };
            let Some((gs, _)) = doc
                .text
                .match_indices(g.surface.as_str())
                .nth(g.occurrence.saturating_sub(1))
            else {
                bail!(
                    "{}:{}: {}: surface {:?} occurrence {} is not in the text",
                    args.gold,
                    ln + 1,
                    doc.id,
                    g.surface,
                    g.occurrence
                );
            };
            let ge = gs + g.surface.len();
            let c = if g.id_extra {
                &mut extra
            } else {
                &mut counts[kind as usize]
            };
            c.gold += 1;
            let hit = predicted
                .iter()
                .enumerate()
                .find(|(i, p)| !used[*i] && p.kind == kind && p.start < ge && gs < p.end)
                .map(|(i, _)| i);
            let Some(i) = hit else {
                if args.verbose {
                    notes.push(format!("{}\tmissed {}\t{}", doc.id, g.kind, g.surface));
                }
                continue;
            };
            used[i] = true;
            covered_by_extra[i] = g.id_extra;
            c.matched += 1;
            let p = &predicted[i];
            match kind {
                EntityKind::Place => {
                    let place = lex.place(&p.id);
                    if let (Some(lat), Some(lon), Some(pl)) = (g.lat, g.lon, place) {
                        let d = distance_km(lat, lon, pl.lat, pl.lon);
                        c.geo_scored += 1;
                        c.within10 += usize::from(d <= 10.0);
                        c.within50 += usize::from(d <= 50.0);
                        if args.verbose && d > 50.0 {
                            notes.push(format!("{}\tfar {:.0} km\t{}\t{}", doc.id, d, g.surface, p.id));
                        }
                    }
                    let gid = match &g.geonames_id {
                        Some(serde_json::Value::Number(n)) => Some(format!("gn:{n}")),
                        Some(serde_json::Value::String(s)) if !s.is_empty() => {
                            Some(if s.contains(':') { s.clone() } else { format!("gn:{s}") })
                        }
                        _ => g.id.clone(),
                    };
                    if let Some(gid) = gid {
                        c.id_scored += 1;
                        c.id_ok += usize::from(gid == p.id);
                    }
                }
                _ => {
                    if let Some(gid) = &g.id {
                        c.id_scored += 1;
                        c.id_ok += usize::from(gid == &p.id);
                        if args.verbose && gid != &p.id {
                            notes.push(format!(
                                "{}\twrong id\t{}\tgold {}\tgot {}",
                                doc.id, g.surface, gid, p.id
                            ));
                        }
                    }
                }
            }
        }
        for (i, p) in predicted.iter().enumerate() {
            if covered_by_extra[i] {
                continue;
            }
            counts[p.kind as usize].pred += 1;
            if !used[i] && args.verbose {
                notes.push(format!(
                    "{}\tfalse {}\t{}\t{}",
                    doc.id,
                    p.kind.as_str(),
                    doc.text.get(p.start..p.end).unwrap_or(""),
                    p.id
                ));
            }
        }
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut v = json!({"gold": args.gold, "documents": docs});
        for (k, c) in KINDS.iter().zip(counts.iter()) {
            v[k.as_str()] = json!({
                "gold": c.gold, "predicted": c.pred, "matched": c.matched,
                "precision": ratio(c.matched, c.pred), "recall": ratio(c.matched, c.gold),
                "id_accuracy": ratio(c.id_ok, c.id_scored), "id_scored": c.id_scored,
                "within_10km": ratio(c.within10, c.geo_scored), "within_50km": ratio(c.within50, c.geo_scored),
                "geo_scored": c.geo_scored,
            });
        }
        v["id_extra"] = json!({"gold": extra.gold, "found": extra.matched, "recall": ratio(extra.matched, extra.gold)});
        writeln!(out, "{v}")?;
    } else {
        writeln!(out, "gold: {} ({docs} texts)", args.gold)?;
        writeln!(out, "kind      gold  pred  match  precision  recall     F1  id-acc (n)")?;
        for (k, c) in KINDS.iter().zip(counts.iter()) {
            let (p, r) = (ratio(c.matched, c.pred), ratio(c.matched, c.gold));
            let f1 = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
            writeln!(
                out,
                "{:<8} {:>5} {:>5} {:>6} {:>10.3} {:>7.3} {:>6.3} {:>7.3} ({})",
                k.as_str(),
                c.gold,
                c.pred,
                c.matched,
                p,
                r,
                f1,
                ratio(c.id_ok, c.id_scored),
                c.id_scored
            )?;
        }
        let pc = counts[EntityKind::Place as usize];
        writeln!(
            out,
            "geocoding (matched places with gold coordinates, n={}): within 10 km {:.3}, within 50 km {:.3}",
            pc.geo_scored,
            ratio(pc.within10, pc.geo_scored),
            ratio(pc.within50, pc.geo_scored)
        )?;
        writeln!(
            out,
            "id_extra mentions (entities outside the canonical lists): {} gold, {} found (recall {:.3})",
            extra.gold,
            extra.matched,
            ratio(extra.matched, extra.gold)
        )?;
        for n in &notes {
            writeln!(out, "{n}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
