//! `rasd timeline PLACE`: who held a place, date by date, according to whom — one lane per source.

use super::events::{DbArgs, parse_date, stdout};
use anyhow::Result;
use chrono::NaiveDate;
use rasd_reconcile::Timeline;
use rasd_store::{short_text, tsv_cell};
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Text output: a table with one row per date on which some source made a claim, one column \
(lane) per source, and the state: the agreed controller, or CONTESTED. Then every claim of every lane with \
its evidence. --on D answers \"who held PLACE on D, according to whom?\".\n\
JSON output (--json): the timeline object (lanes with their claims, steps with each source's view).\n\
Exit status 1 when the place has no control claims."
)]
pub struct Args {
    /// A place id, English or Arabic name ("Albukamal", "البوكمال").
    pub place: String,
    #[command(flatten)]
    pub db: DbArgs,
    /// Only the state on this date (YYYY-MM-DD).
    #[arg(long, value_name = "D", value_parser = parse_date)]
    pub on: Option<NaiveDate>,
    /// How many days a source's claim stays its view.
    #[arg(long, default_value_t = 7, value_name = "DAYS")]
    pub horizon: i64,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    args.db.read(|store| {
        if !super::events::place_known(store, Some(&args.place))? {
            return Ok(ExitCode::from(1));
        }
        let Some(tl) = store.timeline(&args.place, args.horizon)? else {
            println!("{}: no control claims", short_text(&args.place, 60));
            return Ok(ExitCode::from(1));
        };
        let mut out = stdout();
        if let Some(day) = args.on {
            let step = tl.as_of(day, args.horizon);
            if args.json {
                serde_json::to_writer(&mut out, &step)?;
                writeln!(out)?;
            } else {
                let state = state(step.controller.as_deref(), step.contested);
                writeln!(out, "{} {} on {day}: {state}", tl.place_name, tl.place_name_ar)?;
                for v in &step.views {
                    let d = v.date.map_or(String::new(), |d| d.to_string());
                    writeln!(
                        out,
                        "  {}: {} (claim of {d}, {}, {})",
                        tsv_cell(&v.source),
                        v.describe(),
                        v.stance.as_str(),
                        tsv_cell(&v.doc_id)
                    )?;
                }
            }
            out.flush()?;
            return Ok(if step.views.is_empty() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            });
        }
        if args.json {
            serde_json::to_writer(&mut out, &tl)?;
            writeln!(out)?;
        } else {
            write_timeline(&mut out, &tl)?;
        }
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    })
}

fn state(controller: Option<&str>, contested: bool) -> String {
    match (controller, contested) {
        (_, true) => "CONTESTED".to_string(),
        (Some(c), false) => c.to_string(),
        (None, false) => "unknown".to_string(),
    }
}

/// The timeline as a table: dates down, source lanes across.
pub fn write_timeline(out: &mut impl Write, tl: &Timeline) -> std::io::Result<()> {
    writeln!(
        out,
        "Control timeline of {} {} ({})",
        tl.place_name, tl.place_name_ar, tl.place_id
    )?;
    let width = tl
        .lanes
        .iter()
        .map(|l| l.source.chars().count())
        .max()
        .unwrap_or(8)
        .max(16);
    write!(out, "{:<10}  {:<12}", "date", "state")?;
    for l in &tl.lanes {
        write!(out, "  {:<width$}", tsv_cell(&l.source))?;
    }
    writeln!(out)?;
    for step in &tl.steps {
        write!(
            out,
            "{:<10}  {:<12}",
            step.date.to_string(),
            state(step.controller.as_deref(), step.contested)
        )?;
        for l in &tl.lanes {
            let cell = l
                .claims
                .iter()
                .filter(|c| c.date == Some(step.date))
                .map(|c| {
                    if c.stance == rasd_core::Stance::Denied {
                        format!("{} (denial)", c.describe())
                    } else {
                        c.describe()
                    }
                })
                .collect::<Vec<_>>()
                .join("; ");
            let cell = if cell.is_empty() { "·".to_string() } else { cell };
            write!(out, "  {cell:<width$}")?;
        }
        writeln!(out)?;
    }
    writeln!(out)?;
    for l in &tl.lanes {
        writeln!(out, "{}:", tsv_cell(&l.source))?;
        for c in &l.claims {
            let d = c.date.map_or(String::new(), |d| d.to_string());
            writeln!(
                out,
                "  {d}  {} [{}; {}] {}",
                c.describe(),
                c.stance.as_str(),
                tsv_cell(&c.doc_id),
                tsv_cell(&c.evidence.replace('\n', " "))
            )?;
        }
    }
    Ok(())
}
