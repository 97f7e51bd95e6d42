//! `rasd export`: ACLED-style CSV, GeoJSON, JSONL or Parquet from the project database.

use super::events::{DbArgs, FilterArgs, place_known};
use anyhow::{Context, Result, bail};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
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
    /// The event records of `jsonl` as typed columns, one row per event, in row groups of at most 65,536 rows
    /// (needs --output: a Parquet file cannot go to standard output).
    Parquet,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "The filters narrow what is exported, as in `rasd events`. Output goes to standard output \
unless --output is given (Parquet needs --output). Every format streams rows from the database (memory stays \
flat). With --output the export is written to a temporary file beside FILE and renamed over it when complete, so \
a failed or interrupted export never leaves a truncated FILE.\n\
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
    /// Write to this file instead of standard output (replaced only once the export is complete).
    #[arg(long, short, visible_alias = "out", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if matches!(args.format, Format::Parquet) && args.output.is_none() {
        bail!("--format parquet writes a file, not standard output: pass --output FILE (or --out FILE)");
    }
    args.db.read(|store| {
        if !place_known(store, args.filter.place.as_deref())? {
            return Ok(ExitCode::from(1));
        }
        let filter = args.filter.filter()?;
        let opts = rasd_store::export::ExportOptions {
            exclude_corrected: args.exclude_corrected,
        };
        let export = |out: &mut (dyn Write + Send)| -> Result<(u64, String)> {
            Ok(match args.format {
                Format::AcledCsv => {
                    let c = store.export_acled_csv_counted(&filter, opts, out)?;
                    (c.written, c.left_out_note())
                }
                Format::Geojson => {
                    let c = store.export_geojson_counted(&filter, opts, out)?;
                    (c.written, c.left_out_note())
                }
                Format::Jsonl => (store.export_jsonl_with(&filter, opts, out)?, String::new()),
                Format::Parquet => (store.export_parquet_with(&filter, opts, out)?, String::new()),
            })
        };
        let (n, note) = match &args.output {
            Some(p) => {
                let mut file = PartialFile::create(p)?;
                let written = export(&mut file.out)?;
                file.commit()?;
                written
            }
            None => {
                let mut out = BufWriter::new(std::io::stdout());
                let written = export(&mut out)?;
                out.flush()?;
                written
            }
        };
        if !note.is_empty() {
            eprintln!("rasd: {note}");
        }
        if let Some(p) = &args.output {
            eprintln!("wrote {n} record(s) to {}", p.display());
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// An export on its way to `target`: written to a temporary file beside it (same directory, so the rename
/// cannot cross file systems) and renamed over `target` by [`PartialFile::commit`]. Dropped without a commit
/// (an error), the temporary file is removed and `target` is left as it was; a killed export leaves at most
/// the temporary `.NAME.PID.partial`, never a truncated `target`. A target that exists and is not a regular
/// file (`/dev/stdout`, a named pipe) is written directly.
struct PartialFile {
    out: BufWriter<File>,
    /// The temporary file; `None` when writing to a special file directly.
    temp: Option<PathBuf>,
    target: PathBuf,
    committed: bool,
}

impl PartialFile {
    fn create(target: &Path) -> Result<PartialFile> {
        let name = target
            .file_name()
            .with_context(|| format!("{}: not a file name", target.display()))?;
        if target.is_dir() {
            bail!("{}: is a directory; pass a file name", target.display());
        }
        if std::fs::metadata(target).is_ok_and(|m| !m.is_file()) {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(target)
                .with_context(|| format!("cannot open {}", target.display()))?;
            return Ok(PartialFile {
                out: BufWriter::new(file),
                temp: None,
                target: target.to_path_buf(),
                committed: false,
            });
        }
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{}.partial", std::process::id()));
        let temp = target.with_file_name(temp_name);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .with_context(|| format!("cannot create {}", temp.display()))?;
        Ok(PartialFile {
            out: BufWriter::new(file),
            temp: Some(temp),
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Flushes, syncs and renames the temporary file over the target.
    fn commit(mut self) -> Result<()> {
        let Some(temp) = self.temp.clone() else {
            self.out
                .flush()
                .with_context(|| format!("cannot write {}", self.target.display()))?;
            self.committed = true;
            return Ok(());
        };
        self.out
            .flush()
            .with_context(|| format!("cannot write {}", temp.display()))?;
        self.out
            .get_ref()
            .sync_all()
            .with_context(|| format!("cannot write {}", temp.display()))?;
        std::fs::rename(&temp, &self.target)
            .with_context(|| format!("cannot rename {} to {}", temp.display(), self.target.display()))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.committed
            && let Some(temp) = &self.temp
        {
            let _ = std::fs::remove_file(temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_export_leaves_the_target_as_it_was_and_a_complete_one_replaces_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("e.parquet");
        std::fs::write(&target, "good").expect("write");
        {
            let mut partial = PartialFile::create(&target).expect("create");
            partial.out.write_all(b"half of a new exp").expect("write");
            partial.out.flush().expect("flush");
            assert_eq!(
                names_in(dir.path()).len(),
                2,
                "the export goes to a temporary file beside the target"
            );
            // Dropped without a commit, as when the export fails.
        }
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "good");
        assert_eq!(names_in(dir.path()), ["e.parquet"]);

        let mut partial = PartialFile::create(&target).expect("create");
        partial.out.write_all(b"new").expect("write");
        assert_eq!(
            std::fs::read_to_string(&target).expect("read"),
            "good",
            "not replaced before the commit"
        );
        partial.commit().expect("commit");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "new");
        assert_eq!(names_in(dir.path()), ["e.parquet"]);
    }

    #[test]
    fn a_special_file_is_written_directly() {
        let mut partial = PartialFile::create(Path::new("/dev/null")).expect("open /dev/null");
        assert!(partial.temp.is_none());
        partial.out.write_all(b"x").expect("write");
        partial.commit().expect("commit");
        assert!(
            !std::fs::metadata("/dev/null").expect("/dev/null").is_file(),
            "still the device"
        );
    }
}
