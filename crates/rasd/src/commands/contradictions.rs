//! `rasd contradictions`: claims that cannot all be true, typed (controller, fatalities, date, existence).

use super::events::{DbArgs, FilterArgs, found, place_known, stdout};
use anyhow::{Result, bail};
use rasd_reconcile::{Contradiction, ContradictionKind};
use rasd_store::tsv_cell;
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Text output: one block per contradiction: kind, place, date, then each side (source, \
claim, document, evidence).\nJSON output (--json): one contradiction per line. Exit status 1 when none matches."
)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Only this kind: controller, fatalities, date or existence.
    #[arg(long = "kind", value_name = "KIND")]
    pub contradiction_kind: Option<String>,
    /// Print JSON Lines instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    args.db.read(|store| {
        if !place_known(store, args.filter.place.as_deref())? {
            return Ok(ExitCode::from(1));
        }
        let mut filter = args.filter.filter()?;
        if let Some(k) = &args.contradiction_kind {
            let Some(kind) = ContradictionKind::parse(k) else {
                bail!("--kind {k:?}: expected controller, fatalities, date or existence");
            };
            filter.contradiction = Some(kind);
        }
        // Printed as they are read: memory does not grow with their number.
        let mut out = stdout();
        let n = store.for_each_contradiction(&filter, &mut |c| {
            if args.json {
                serde_json::to_writer(&mut out, &c)?;
                writeln!(out)?;
            } else {
                write_contradiction(&mut out, &c)?;
            }
            Ok(())
        })?;
        out.flush()?;
        Ok(found(n as usize))
    })
}

/// One contradiction as a text block.
pub fn write_contradiction(out: &mut impl Write, c: &Contradiction) -> std::io::Result<()> {
    writeln!(
        out,
        "{}\t{}\t{}",
        c.kind.as_str().to_uppercase(),
        tsv_cell(c.place_name.as_deref().unwrap_or("(no place)")),
        c.date.map_or(String::new(), |d| d.to_string())
    )?;
    for s in [&c.a, &c.b] {
        writeln!(
            out,
            "  {}: {} [{}] {}",
            tsv_cell(&s.source),
            s.claim,
            tsv_cell(&s.doc_id),
            tsv_cell(&s.evidence.replace('\n', " "))
        )?;
    }
    Ok(())
}
