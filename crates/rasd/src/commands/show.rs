//! `rasd show DOC_ID`: a stored document with the evidence of its events marked in the text.

use super::events::{DbArgs, event_line, stdout};
use anyhow::Result;
use rasd_store::{short_text, tsv_cell};
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Text output: the metadata, then the text with each event's evidence between ⟦n and ⟧n, \
then event n's record on one line.\nJSON output (--json): the document with its events.\n\
Exit status 1 when no document has this id."
)]
pub struct Args {
    /// The document id (or an id that arrived later with exactly the same text).
    pub doc_id: String,
    #[command(flatten)]
    pub db: DbArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    args.db.read(|store| {
        let Some(rec) = store.doc(&args.doc_id)? else {
            eprintln!(
                "rasd: no document with id {:?} in {}",
                short_text(&args.doc_id, 80),
                args.db.name()
            );
            return Ok(ExitCode::from(1));
        };
        let mut out = stdout();
        if args.json {
            serde_json::to_writer(&mut out, &rasd_store::doc_value(&rec)?)?;
            writeln!(out)?;
            out.flush()?;
            return Ok(ExitCode::SUCCESS);
        }
        let d = &rec.doc;
        writeln!(out, "id:        {}", tsv_cell(&d.id))?;
        for (k, v) in [
            ("title", d.title.clone()),
            ("outlet", d.outlet.clone()),
            ("published", d.published.map(|p| p.to_string())),
            ("url", d.url.clone()),
            ("origin", rec.origin.clone()),
            ("format", rec.format.clone()),
            ("copy of", rec.near_dup_of.clone()),
        ] {
            if let Some(v) = v {
                writeln!(out, "{:<10} {}", format!("{k}:"), tsv_cell(&v))?;
            }
        }
        if !rec.aliases.is_empty() {
            writeln!(out, "aliases:   {}", tsv_cell(&rec.aliases.join(", ")))?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            marked(
                &d.text,
                &rec.events
                    .iter()
                    .map(|e| (e.event.evidence.start, e.event.evidence.end))
                    .collect::<Vec<_>>()
            )
        )?;
        writeln!(out)?;
        for (n, e) in rec.events.iter().enumerate() {
            writeln!(out, "[{}] {}", n + 1, event_line(e))?;
        }
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    })
}

/// The text with `⟦n` before and `⟧n` after span n (1-based). Spans that do not fit the text are skipped.
pub fn marked(text: &str, spans: &[(usize, usize)]) -> String {
    let mut marks: Vec<(usize, bool, usize)> = Vec::new();
    for (n, &(s, e)) in spans.iter().enumerate() {
        if s < e && text.get(s..e).is_some() {
            marks.push((s, true, n + 1));
            marks.push((e, false, n + 1));
        }
    }
    // At one offset, closing marks come before opening ones so that adjacent spans do not interleave.
    marks.sort_by_key(|&(at, open, n)| (at, open, if open { n } else { usize::MAX - n }));
    let mut out = String::with_capacity(text.len() + marks.len() * 4);
    let mut at = 0;
    for (pos, open, n) in marks {
        out.push_str(&text[at..pos]);
        at = pos;
        if open {
            out.push_str(&format!("⟦{n} "));
        } else {
            out.push_str(&format!(" ⟧{n}"));
        }
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::marked;

    #[test]
    fn marks_spans_in_the_original_text() {
        let t = "سيطر الجيش على البوكمال. ونفى التنظيم ذلك.";
        let a = t.find("سيطر").unwrap_or(0);
        let b = t.find('.').unwrap_or(0);
        assert_eq!(
            marked(t, &[(a, b), (0, 999)]),
            "⟦1 سيطر الجيش على البوكمال ⟧1. ونفى التنظيم ذلك."
        );
    }
}
