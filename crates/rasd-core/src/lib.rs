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
