//! The shared data model of rasd.
//!
//! Every stage of the pipeline (text → lexicon → time → events → reconcile → store) speaks in the types of this
//! crate, so that an event record produced by `rasd extract` can be stored, reconciled and exported without
//! translation. The JSON shape of [`Event`] is the public contract documented in `ARCHITECTURE.md`: extend it,
//! don't break it.

mod doc;
mod event;
mod span;
mod taxonomy;

pub use doc::{Doc, DocError, parse_published};
pub use event::{
    ActorRef, ActorType, DatePrecision, Event, Evidence, Fatalities, Location, SourceKind, SourceRef, Stance,
    TerritoryShare,
};
pub use span::Span;
pub use taxonomy::{EventType, SubEventType, UnknownSubEventType};

/// Runs the extraction `f` of one document with a thread's extraction `state`. A panic of the extractor is that
/// document's failure, with the panic's message, and `state` is made again with `fresh`, since its buffers may be
/// half-written: `rasd extract`, the SQLite store's ingest and re-processing, and PostgreSQL's (`rasd ingest`,
/// `rasd serve`'s uploads, `rasd worker`) report the document and go on with the others.
pub fn guard_extraction<S, T>(
    state: &mut S,
    fresh: impl FnOnce() -> S,
    f: impl FnOnce(&mut S) -> T,
) -> Result<T, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(state))) {
        Ok(out) => Ok(out),
        Err(p) => {
            *state = fresh();
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(format!("the extractor failed on this document: {msg}"))
        }
    }
}
