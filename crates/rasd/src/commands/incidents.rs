//! `rasd incidents`: events from several reports clustered into incidents, with agreement per field.

use super::events::{DbArgs, FilterArgs, found, place_known, stdout};
use anyhow::Result;
use rasd_reconcile::Incident;
use rasd_store::tsv_cell;
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Text output: one block per incident: its type, place and dates, then each field with the \
sources behind each value (date, fatalities as a range, actors), then every claim with its source and stance.\n\
JSON output (--json): one incident per line; location.admin1 is the division's name, location.admin1_code its \
code. Every incident is listed (unless --min-sources says otherwise), including those that no independent source \
reports (only denials or republished copies mention them: the ACLED CSV export has no row for them) and those \
without a place (GeoJSON has no point for them). Exit status 1 when none matches."
)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Only incidents reported (or denied) by at least this many independent sources (0, the default, lists
    /// every incident, also one that only republished copies mention).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub min_sources: usize,
    /// Print JSON Lines instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    args.db.read(|store| {
        if !place_known(store, args.filter.place.as_deref())? {
            return Ok(ExitCode::from(1));
        }
        // Streamed from the database cursor, one incident at a time.
        let mut out = stdout();
        let mut n = 0;
        store.for_each_incident(&args.filter.filter()?, &mut |inc| {
            if inc.sources.len() + inc.denied_by.len() < args.min_sources {
                return Ok(());
            }
            n += 1;
            if args.json {
                serde_json::to_writer(&mut out, &rasd_store::incident_value(&inc)?)?;
                writeln!(out)?;
            } else {
                write_incident(&mut out, &inc)?;
            }
            Ok(())
        })?;
        out.flush()?;
        Ok(found(n))
    })
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
        tsv_cell(&inc.id),
        inc.event_type,
        inc.sub_event_type,
        tsv_cell(&place),
        dates
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
            tsv_cell(&c.source),
            c.stance.as_str(),
            c.date.map_or("????-??-??".to_string(), |d| d.to_string()),
            tsv_cell(&c.doc_id),
            tsv_cell(&c.evidence.replace('\n', " "))
        )?;
    }
    writeln!(out)
}
