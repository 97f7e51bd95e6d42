//! `rasd export`: ACLED-style CSV, GeoJSON or JSONL from the project database.

use super::events::{DbArgs, FilterArgs, place_known};
use anyhow::{Context, Result};
use std::io::Write;
use std::process::ExitCode;

/// Export formats.
#[derive(clap::ValueEnum, Debug, Clone, Copy)]
pub enum Format {
    /// ACLED's columns and codes, one row per incident that some source reports; the notes hold the evidence
    /// and the claims merged. `admin1` is the division's name; the `admin1_code` and `correction` columns follow.
    #[value(alias = "csv")]
    AcledCsv,
    /// A FeatureCollection of the incidents that have a place and of control points, ending with
    /// `rasd_counts` (what was left out).
    Geojson,
    /// The full event records, one per line.
    Jsonl,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "The filters narrow what is exported, as in `rasd events`. Output goes to standard output \
unless --output is given. Every format streams rows from the database (memory stays flat).\n\
Incidents: the CSV has a row for each incident that some source reports, GeoJSON a point for each incident \
with a place; when either leaves out some of the incidents `rasd incidents` lists, a line on standard error \
says how many and why (GeoJSON also says so in its `rasd_counts` member)."
)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    /// What to write.
    #[arg(long, value_enum)]
    pub format: Format,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Leave out events an analyst marked wrong (`rasd serve` corrections); CSV and GeoJSON leave out the
    /// incidents all of whose claims were. Corrections are exported either way.
    #[arg(long)]
    pub exclude_corrected: bool,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let store = args.db.open()?;
    if !place_known(&store, args.filter.place.as_deref())? {
        return Ok(ExitCode::from(1));
    }
    let filter = args.filter.filter()?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let opts = rasd_store::export::ExportOptions {
        exclude_corrected: args.exclude_corrected,
    };
    let (n, note) = match args.format {
        Format::AcledCsv => {
            let c = store.export_acled_csv_counted(&filter, opts, &mut out)?;
            (c.written, c.left_out_note())
        }
        Format::Geojson => {
            let c = store.export_geojson_counted(&filter, opts, &mut out)?;
            (c.written, c.left_out_note())
        }
        Format::Jsonl => (store.export_jsonl_with(&filter, opts, &mut out)?, String::new()),
    };
    out.flush()?;
    if !note.is_empty() {
        eprintln!("rasd: {note}");
    }
    if let Some(p) = &args.output {
        eprintln!("wrote {n} record(s) to {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}
