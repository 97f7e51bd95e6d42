//! `rasd eval`: score rasd against annotated gold files. One module per gold kind.

use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum Cmd {
    /// Precision and recall of date recognition, accuracy of resolution, on a TSV gold file.
    Dates(super::eval_dates::Args),
    /// Precision and recall of places, actors and outlets, and geocoding accuracy, on a JSONL gold file.
    Entities(super::eval_entities::Args),
    /// Precision, recall and F1 of events and of each field, and a confusion table of types.
    Events(super::eval_events::Args),
}

pub fn run(cmd: Cmd) -> anyhow::Result<ExitCode> {
    match cmd {
        Cmd::Dates(a) => super::eval_dates::run(a),
        Cmd::Entities(a) => super::eval_entities::run(a),
        Cmd::Events(a) => super::eval_events::run(a),
    }
}
