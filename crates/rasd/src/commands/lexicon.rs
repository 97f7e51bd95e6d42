//! `rasd lexicon` — being built; owned by its helpers until it lands. Subcommands are added per crate.

use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum Cmd {}

pub fn run(cmd: Cmd) -> anyhow::Result<ExitCode> {
    match cmd {}
}
