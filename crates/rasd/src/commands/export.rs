//! `rasd export`: ACLED-style CSV, GeoJSON or JSONL from the project database.

use super::events::{DbArgs, FilterArgs, place_known};
use anyhow::{Context, Result};
use std::io::Write;
use std::process::ExitCode;

/// Export formats.
#[derive(clap::ValueEnum, Debug, Clone, Copy)]
pub enum Format {
    /// ACLED's columns and codes, one row per incident; the notes hold the evidence and the claims merged.
    AcledCsv,
    /// A FeatureCollection of incidents and control points.
    Geojson,
    /// The full event records, one per line.
    Jsonl,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "The filters narrow what is exported, as in `rasd events`. Output goes to standard output \
unless --output is given."
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
    let n = match args.format {
        Format::AcledCsv => store.export_acled_csv_with(&filter, opts, &mut out)?,
        Format::Geojson => store.export_geojson_with(&filter, opts, &mut out)?,
        Format::Jsonl => store.export_jsonl_with(&filter, opts, &mut out)?,
    };
    out.flush()?;
    if let Some(p) = &args.output {
        eprintln!("wrote {n} record(s) to {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}
