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

/// The failure reason of a document the extractor panicked on, with the panic's message: `rasd extract`,
/// `rasd worker` and the store's ingest and re-processing report it for that document and go on with the others.
pub fn extractor_panic(p: &(dyn std::any::Any + Send)) -> String {
    let msg = p
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into());
    format!("the extractor failed on this document: {msg}")
}
