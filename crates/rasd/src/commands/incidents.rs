//! `rasd incidents`: events from several reports clustered into incidents, with agreement per field.

use super::events::{DbArgs, FilterArgs, place_known, print_items};
use anyhow::Result;
use rasd_reconcile::Incident;
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Text output: one block per incident: its type, place and dates, then each field with the \
sources behind each value (date, fatalities as a range, actors), then every claim with its source and stance.\n\
JSON output (--json): one incident per line. Exit status 1 when none matches."
)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Only incidents reported by at least this many independent sources.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub min_sources: usize,
    /// Print JSON Lines instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let store = args.db.open()?;
    if !place_known(&store, args.filter.place.as_deref())? {
        return Ok(ExitCode::from(1));
    }
    let incidents: Vec<Incident> = store
        .incidents(&args.filter.filter()?)?
        .into_iter()
        .filter(|i| i.sources.len() + i.denied_by.len() >= args.min_sources)
        .collect();
    print_items(&incidents, args.json, write_incident)
}

fn write_incident(out: &mut impl Write, inc: &Incident) -> std::io::Result<()> {
    let place = inc
        .location
        .as_ref()
        .map_or("(no place)".to_string(), |l| format!("{} {}", l.name, l.name_ar));
    let dates = match (inc.first_date, inc.last_date) {
        (Some(a), Some(b)) if a != b => format!("{a} … {b}"),
        (Some(a), _) => a.to_string(),
        _ => "(no date)".to_string(),
    };
    writeln!(
        out,
        "{}\t{} / {}\t{}\t{}",
        inc.id, inc.event_type, inc.sub_event_type, place, dates
    )?;
    let agree = |ok: bool| if ok { "agree" } else { "DISAGREE" };
    let dates: Vec<String> = inc
        .dates
        .iter()
        .map(|t| format!("{} [{}]", t.value, t.sources.join(", ")))
        .collect();
    writeln!(out, "  date ({}): {}", agree(inc.date_agreed()), dates.join("; "))?;
    if let Some((lo, hi)) = inc.fatalities_range {
        let figures: Vec<String> = inc
            .fatality_claims
            .iter()
            .map(|t| format!("{} [{}]", t.value, t.sources.join(", ")))
            .collect();
        writeln!(
            out,
            "  fatalities {lo}–{hi} (conservative {}): {}",
            inc.fatalities.unwrap_or(lo),
            figures.join("; ")
        )?;
    }
    for (label, tallies) in [("actor1", &inc.actor1), ("actor2", &inc.actor2)] {
        if !tallies.is_empty() {
            let names: Vec<String> = tallies
                .iter()
                .map(|a| format!("{} [{}]", a.id, a.sources.join(", ")))
                .collect();
            writeln!(out, "  {label} ({}): {}", agree(tallies.len() <= 1), names.join("; "))?;
        }
    }
    writeln!(
        out,
        "  sources: {}",
        if inc.sources.is_empty() {
            "-".to_string()
        } else {
            inc.sources.join(", ")
        }
    )?;
    if !inc.denied_by.is_empty() {
        writeln!(out, "  denied by: {}", inc.denied_by.join(", "))?;
    }
    for c in &inc.claims {
        let copy = c
            .republished_of
            .as_ref()
            .map_or(String::new(), |o| format!(", republished copy of {o}"));
        writeln!(
            out,
            "    - {} ({}{copy}) {} {}: {}",
            c.source,
            c.stance.as_str(),
            c.date.map_or("????-??-??".to_string(), |d| d.to_string()),
            c.doc_id,
            c.evidence.replace('\n', " ")
        )?;
    }
    writeln!(out)
}
