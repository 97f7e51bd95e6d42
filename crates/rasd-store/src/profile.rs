//! Where `rasd ingest`'s time goes, phase by phase, when `RASD_PROFILE` is set: the same lines on SQLite and on
//! PostgreSQL (`rasd-pg` writes its shards with the same phases).

use std::time::Instant;

/// Seconds spent in each phase of the batches of one run, printed to standard error at its end.
#[derive(Debug, Default)]
pub struct IngestProfile {
    /// The lock (PostgreSQL), indexing documents stored by an older rasd, hashing, and looking up stored texts, ids
    /// and failures.
    pub check: f64,
    /// Sketching and extracting the new documents (in parallel).
    pub extract: f64,
    /// The near-duplicate lookups.
    pub near: f64,
    /// Inserting the documents, their bands and their events.
    pub insert: f64,
    pub commit: f64,
}

impl IngestProfile {
    /// A profile to fill when `RASD_PROFILE` is set.
    pub fn from_env() -> Option<IngestProfile> {
        std::env::var_os("RASD_PROFILE").map(|_| IngestProfile::default())
    }

    /// The phases' line on standard error.
    pub fn print(&self) {
        eprintln!(
            "rasd: ingest: check {:.3} s, extract {:.3} s, near-duplicates {:.3} s, insert {:.3} s, commit {:.3} s",
            self.check, self.extract, self.near, self.insert, self.commit
        );
    }
}

/// Adds the seconds since `*t` to `*to` (when profiling) and restarts `*t`.
pub fn lap(t: &mut Instant, to: Option<&mut f64>) {
    if let Some(to) = to {
        *to += t.elapsed().as_secs_f64();
        *t = Instant::now();
    }
}
