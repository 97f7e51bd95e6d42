//! `rasd lexicon`: compile the gazetteer, actor and outlet sources into one file, and look names up in it.

use anyhow::{Context, Result};
use rasd_lexicon::{EntryRef, Lexicon, compile};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Subcommand, Debug)]
pub enum Cmd {
    /// Compile data/gazetteer/*.tsv and data/lexicon/*.tsv into one binary lexicon file.
    Build(BuildArgs),
    /// Look a name up (normalized; proclitics are tried off): which places, actors, outlets it names.
    Lookup(LookupArgs),
}

#[derive(clap::Args, Debug)]
pub struct BuildArgs {
    /// The data directory holding gazetteer/ and lexicon/.
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// Where to write the compiled lexicon.
    #[arg(short, long, default_value = "rasd.lex")]
    pub output: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct LookupArgs {
    /// The name to look up, e.g. البوكمال or "قوات سوريا الديمقراطية".
    pub name: String,
    /// Print JSON Lines, one entry per line.
    #[arg(long)]
    pub json: bool,
    /// A compiled lexicon file instead of the embedded one.
    #[arg(long)]
    pub lexicon: Option<PathBuf>,
}

pub fn run(cmd: Cmd) -> Result<ExitCode> {
    match cmd {
        Cmd::Build(a) => build(a),
        Cmd::Lookup(a) => lookup(a),
    }
}

fn build(a: BuildArgs) -> Result<ExitCode> {
    let t = Instant::now();
    let compiled = compile::compile_dir(&a.data)?;
    let bytes = compiled.to_bytes()?;
    std::fs::write(&a.output, &bytes).with_context(|| format!("cannot write {}", a.output.display()))?;
    let mut out = std::io::stdout().lock();
    for (what, n) in compiled.counts() {
        writeln!(out, "{what:<12} {n:>8}")?;
    }
    writeln!(
        out,
        "wrote {} ({:.1} MB) in {:.2} s",
        a.output.display(),
        bytes.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The embedded lexicon, or the one in `path` (leaked: it lives as long as the command).
pub fn open(path: Option<&std::path::Path>) -> Result<&'static Lexicon> {
    Ok(match path {
        Some(p) => Box::leak(Box::new(Lexicon::load(p)?)),
        None => Lexicon::embedded()?,
    })
}

fn lookup(a: LookupArgs) -> Result<ExitCode> {
    let lex = open(a.lexicon.as_deref())?;
    let mut found = lex.lookup(&a.name);
    // Places also through the Latin names table ("Abu Kamal", "Albu Kamal" → Albukamal), as `--place` finds them.
    for p in lex.lookup_places(&a.name) {
        if !found
            .iter()
            .any(|e| matches!(e, EntryRef::Place(q) if std::ptr::eq(*q, p) || q.id == p.id))
        {
            found.push(EntryRef::Place(p));
        }
    }
    let mut out = std::io::stdout().lock();
    for e in &found {
        let v = match e {
            EntryRef::Place(p) => json!({"kind": "place", "id": p.id, "name": p.name, "name_ar": p.name_ar,
                "country": p.country, "admin1": p.admin1, "lat": p.lat, "lon": p.lon, "population": p.population,
                "feature": p.kind}),
            EntryRef::Actor(x) => json!({"kind": "actor", "id": x.id, "name": x.name_en, "name_ar": x.name_ar,
                "type": x.actor_type, "country": x.country, "parent": x.parent}),
            EntryRef::Outlet(o) => json!({"kind": "outlet", "id": o.id, "name": o.name_en, "name_ar": o.name_ar,
                "source_kind": o.kind, "country": o.country, "affiliated_actor": o.affiliated_actor}),
            EntryRef::Coref(c) => json!({"kind": "coref", "word": c.word, "applies_to": c.applies_to}),
        };
        if a.json {
            writeln!(out, "{v}")?;
        } else {
            let line = match e {
                EntryRef::Place(p) => format!(
                    "place\t{}\t{}\t{}\t{}\t{:.4},{:.4}\tpop {}\t{}",
                    p.id, p.name, p.name_ar, p.country, p.lat, p.lon, p.population, p.kind
                ),
                EntryRef::Actor(x) => {
                    format!(
                        "actor\t{}\t{}\t{}\t{}",
                        x.id,
                        x.name_en,
                        x.name_ar,
                        x.actor_type.as_str()
                    )
                }
                EntryRef::Outlet(o) => format!("outlet\t{}\t{}\t{}\t{}", o.id, o.name_en, o.name_ar, o.kind.as_str()),
                EntryRef::Coref(c) => format!("coref\t{}\t{}", c.word, c.applies_to.join("|")),
            };
            writeln!(out, "{line}")?;
        }
    }
    if found.is_empty() {
        eprintln!("rasd: no entry named {:?}", a.name);
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
