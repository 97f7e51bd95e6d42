//! `rasd serve`: the analyst's page and a read-only JSON API over the project database (crate rasd-serve).

use super::events::DbArgs;
use anyhow::{Context, Result};
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Open the printed address in a browser: a map of every located event (summed per place and \
week, on Natural Earth country and admin-1 outlines), each place's control timeline with one lane per \
source, contradictions side by side, the events table and every document with its evidence highlighted. The \
API is described at /api/openapi.json.\n\
Writes (POST /api/ingest, POST /api/events/ID/corrections) are off unless --token is given; then they need \
`Authorization: Bearer TOKEN`. --db postgres://… (or RASD_DB) serves a PostgreSQL database with the same \
answers, writes included, through a pool of --pool connections. The server binds to 127.0.0.1 unless --addr \
says otherwise; nothing is fetched from the internet."
)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    /// The address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "IP:PORT")]
    pub addr: SocketAddr,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Allow writes to requests that carry `Authorization: Bearer T`.
    #[arg(long, value_name = "T")]
    pub token: Option<String>,
    /// On PostgreSQL: the most connections kept open (requests beyond that many at once wait for one); 0 keeps
    /// none (each request connects: behind a connection pooler such as PgBouncer).
    #[arg(long, value_name = "N", default_value_t = rasd_serve::DEFAULT_POOL,
          value_parser = clap::value_parser!(u16).range(0..=256))]
    pub pool: u16,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if let Some(t) = &args.token
        && (t.len() < 8 || t.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        anyhow::bail!("--token: at least 8 characters, without spaces");
    }
    if !args.addr.ip().is_loopback() {
        eprintln!(
            "rasd: warning: listening on {}: other machines can read this database{}",
            args.addr,
            if args.token.is_some() {
                " (writes need the token)"
            } else {
                ""
            }
        );
    }
    let db = match args.db.postgres_url() {
        Some(url) => rasd_serve::Database::postgres(url, usize::from(args.pool)),
        None => rasd_serve::Database::Sqlite(args.db.db.clone()),
    };
    let mut cfg = rasd_serve::Config::of(db);
    cfg.token = args.token.clone();
    let writes = match &cfg.token {
        Some(_) => "on, with the token",
        None => "off",
    };
    let db = args.db.name();
    let open = args.open;
    rasd_serve::run(cfg, args.addr, |addr| {
        let url = format!("http://{addr}/");
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "rasd serve: {url} (database {db}; writes {writes}); Ctrl-C stops");
        let _ = out.flush();
        if open {
            let _ = std::process::Command::new("xdg-open")
                .arg(&url)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn();
        }
    })
    .with_context(|| format!("cannot serve {db} on {}", args.addr))?;
    Ok(ExitCode::SUCCESS)
}
