//! `rasd alerts`: the alerts raised by incremental reconciles (new contradictions, changes of controller), as
//! `rasd watch --alerts` writes them.

use super::events::{DbArgs, stdout};
use anyhow::{Result, bail};
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Alerts are raised when `rasd ingest` or `rasd watch` stores new events: each new contradiction \
and each change of controller on a place, once. The first load of an empty database, and `rasd reconcile --full`, \
raise none.\n\nExamples:\n  rasd alerts --since 1d\n  rasd alerts --since 2026-03-01 --json"
)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    /// Only alerts raised since this date (YYYY-MM-DD, UTC) or this long ago (30m, 6h, 2d).
    #[arg(long, value_name = "DATE|DURATION")]
    pub since: Option<String>,
    /// One JSON object per line, as `rasd watch --alerts` writes them.
    #[arg(long)]
    pub json: bool,
}

/// Unix seconds of `--since`.
pub fn parse_since(s: &str, now: i64) -> Result<i64> {
    let s = s.trim();
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp()));
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp());
    }
    match super::watch::parse_every(s) {
        Some(d) => Ok(now - d.as_secs() as i64),
        None => bail!("--since {s:?}: give a date (2026-03-01) or a duration (30m, 6h, 2d)"),
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    let now = chrono::Utc::now().timestamp();
    let since = match &args.since {
        Some(s) => parse_since(s, now)?,
        None => 0,
    };
    args.db.read(|store| {
        let alerts = store.alerts_since(since)?;
        let mut out = stdout();
        for (_, a) in &alerts {
            if args.json {
                writeln!(out, "{}", serde_json::to_string(a)?)?;
                continue;
            }
            let claim = |c: &rasd_store::alerts::AlertClaim| {
                format!(
                    "{} ({}{}): {} [{}{}]",
                    c.source,
                    c.stance.as_deref().unwrap_or("-"),
                    c.date.map(|d| format!(", {d}")).unwrap_or_default(),
                    c.claim,
                    c.doc_id,
                    c.url.as_deref().map(|u| format!(" {u}")).unwrap_or_default()
                )
            };
            let what = match (&a.from, &a.to) {
                (Some(f), Some(t)) => format!("controller {f} → {t}"),
                _ => format!("{} contradiction", a.kind),
            };
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}",
                a.at,
                a.date.map(|d| d.to_string()).unwrap_or_default(),
                a.place.as_deref().unwrap_or("-"),
                what,
                claim(&a.a),
                claim(&a.b)
            )?;
        }
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_dates_and_durations() {
        assert_eq!(parse_since("1970-01-02", 0).unwrap(), 86_400);
        assert_eq!(parse_since("2d", 1_000_000).unwrap(), 1_000_000 - 172_800);
        assert_eq!(parse_since("90m", 10_000).unwrap(), 10_000 - 5_400);
        assert!(parse_since("yesterday", 0).is_err());
    }
}
