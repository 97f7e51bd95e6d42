//! The `rasd` command line: the definition of the CLI interface and glue between the pipeline crates.
//! Each subcommand lives in its own file under `commands/`.

mod commands;
mod dburl;
mod input;
mod nats;
mod obs;

use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

/// rasd (رصد): turns Arabic news about armed conflict into structured, geolocated, dated, source-attributed
/// event records (ACLED style), and keeps per-place control timelines in which every source's claim is its own
/// record.
#[derive(Parser, Debug)]
#[command(name = "rasd", version, about, long_about = None, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 ok, 1 nothing found where something was asked for, 2 error.\n\
Run `rasd help <command>` for the flags of one command."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Show sentences, tokens, clitic segments and numbers with their byte spans.
    Tokens(commands::tokens::Args),
    /// Find date expressions and resolve them against the publication date.
    Dates(commands::dates::Args),
    /// List places, actors and outlets named in a text.
    Entities(commands::entities::Args),
    /// Build or query the compiled lexicon (gazetteer, actors, outlets).
    #[command(subcommand)]
    Lexicon(commands::lexicon::Cmd),
    /// Extract ACLED-style event records from Arabic reports (JSONL on stdout).
    Extract(commands::extract::Args),
    /// List every clause with a trigger word (the unit annotators label and the scorer is trained on).
    Candidates(commands::candidates::Args),
    /// Train the event scorer on the labels in eval/labels and write data/model/.
    Train(commands::train::Args),
    /// Score rasd against annotated gold files.
    #[command(subcommand)]
    Eval(commands::eval::Cmd),
    /// Measure throughput on a file of news text.
    #[command(subcommand)]
    Bench(commands::bench::Cmd),
    /// Load documents into the project database (SQLite or PostgreSQL) and extract their events.
    Ingest(commands::ingest::Args),
    /// Re-extract every stored document (after a rasd upgrade).
    Reprocess(commands::reprocess::Args),
    /// Rebuild incidents, timelines and contradictions from the stored events (after an interrupted ingest).
    Reconcile(commands::reconcile::Args),
    /// Query stored events.
    Events(commands::events::Args),
    /// Query incidents: events from several reports clustered into one.
    Incidents(commands::incidents::Args),
    /// Show the control timeline of a place, one lane per source.
    Timeline(commands::timeline::Args),
    /// List contradictions between sources.
    Contradictions(commands::contradictions::Args),
    /// List sources, their claims and how often others contradict them.
    Sources(commands::sources::Args),
    /// Print a stored document with its evidence spans marked.
    Show(commands::show::Args),
    /// Export events as ACLED CSV, GeoJSON or JSONL.
    Export(commands::export::Args),
    /// Ingest the bundled sample collection and print a summary (the newcomer's first command).
    Demo(commands::demo::Args),
    /// Serve the analyst's page and a read-only JSON API over the project database.
    Serve(commands::serve::Args),
    /// Follow feeds and pages, ingest what is new, and raise an alert for each new contradiction.
    Watch(commands::watch::Args),
    /// List the alerts raised (new contradictions, changes of controller), e.g. `--since 1d`.
    Alerts(commands::alerts::Args),
    /// Show what the database holds, its size, the last reconcile and the watched sources (last poll, items, errors).
    Status(commands::status::Args),
    /// Copy an SQLite database into PostgreSQL (COPY, idempotent) and check the counts of every table.
    Migrate(commands::migrate::Args),
    /// The work queue on NATS JetStream: publish documents in shards, or show its counts.
    #[command(subcommand)]
    Queue(commands::queue::Cmd),
    /// Pull shards from the work queue, extract them and write them to PostgreSQL, one transaction per shard.
    Worker(commands::worker::Args),
}

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    // `--db sqlite:PATH`, `RASD_DB`, and a clear refusal of PostgreSQL where it is not available (dburl.rs).
    let args = match dburl::prepare_args(&Cli::command()) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("rasd: error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Some(threads) = threads_flag(&mut cli.command) {
        *threads = threads.map(cap_threads);
    }
    let result = match cli.command {
        Command::Tokens(a) => commands::tokens::run(a),
        Command::Dates(a) => commands::dates::run(a),
        Command::Entities(a) => commands::entities::run(a),
        Command::Lexicon(c) => commands::lexicon::run(c),
        Command::Extract(a) => commands::extract::run(a),
        Command::Candidates(a) => commands::candidates::run(a),
        Command::Train(a) => commands::train::run(a),
        Command::Eval(c) => commands::eval::run(c),
        Command::Bench(c) => commands::bench::run(c),
        Command::Ingest(a) => commands::ingest::run(a),
        Command::Reprocess(a) => commands::reprocess::run(a),
        Command::Reconcile(a) => commands::reconcile::run(a),
        Command::Events(a) => commands::events::run(a),
        Command::Incidents(a) => commands::incidents::run(a),
        Command::Timeline(a) => commands::timeline::run(a),
        Command::Contradictions(a) => commands::contradictions::run(a),
        Command::Sources(a) => commands::sources::run(a),
        Command::Show(a) => commands::show::run(a),
        Command::Export(a) => commands::export::run(a),
        Command::Demo(a) => commands::demo::run(a),
        Command::Serve(a) => commands::serve::run(a),
        Command::Watch(a) => commands::watch::run(a),
        Command::Alerts(a) => commands::alerts::run(a),
        Command::Status(a) => commands::status::run(a),
        Command::Migrate(a) => commands::migrate::run(a),
        Command::Queue(c) => commands::queue::run(c),
        Command::Worker(a) => commands::worker::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rasd: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// `rasd … | head` closes our stdout early; that is the reader's choice, not an error. The I/O error can come
/// wrapped in another error (JSON, CSV, the store's) that does not list it as its source.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
            || c.downcast_ref::<rasd_store::Error>()
                .is_some_and(rasd_store::Error::is_broken_pipe)
    })
}

/// `println!` panics when standard output is a closed pipe ("failed printing to stdout: Broken pipe"): such a
/// panic, on any thread, ends the process quietly with status 0, as a returned broken-pipe error does.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if msg.contains("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

/// The `--threads` flag of the command, where it has one.
fn threads_flag(cmd: &mut Command) -> Option<&mut Option<usize>> {
    match cmd {
        Command::Extract(a) => Some(&mut a.threads),
        Command::Train(a) => Some(&mut a.threads),
        Command::Bench(commands::bench::Cmd::Extract(a)) => Some(&mut a.threads),
        Command::Eval(commands::eval::Cmd::Events(a)) => Some(&mut a.threads),
        _ => None,
    }
}

/// `--threads` beyond 4 threads per core only costs memory and start-up time (100,000 threads took over ten
/// minutes): such a request runs with 4 per core, and says so. 0 is left for the command to refuse.
fn cap_threads(asked: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let max = cores.saturating_mul(4).max(4);
    if asked > max {
        eprintln!("rasd: --threads {asked} is more than 4 per core; using {max} ({cores} core(s) here)");
        return max;
    }
    asked
}
