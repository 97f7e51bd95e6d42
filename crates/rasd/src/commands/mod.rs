//! One module per subcommand. Each exposes `Args` (or `Cmd`) and `run`.

pub mod bench;
pub mod bench_dates;
pub mod bench_entities;
pub mod bench_extract;
pub mod bench_ingest;
pub mod contradictions;
pub mod dates;
pub mod demo;
pub mod entities;
pub mod eval;
pub mod eval_dates;
pub mod eval_entities;
pub mod eval_events;
pub mod events;
pub mod export;
pub mod extract;
pub mod incidents;
pub mod ingest;
pub mod lexicon;
pub mod reprocess;
pub mod show;
pub mod sources;
pub mod timeline;
pub mod tokens;
