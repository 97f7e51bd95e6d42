//! Analysts' corrections filed through `rasd serve` on PostgreSQL: the write of the SQLite store's
//! `Store::add_correction`, into the same table (`corrections`, created by the schema here). A correction is a
//! new row, never an edit of the event it is about; reading them back is the shared query code
//! (`rasd_store::serve_queries`).

use crate::Result;
use postgres::Client;
use rasd_store::serve_queries::{Correction, NewCorrection};

/// Stores a correction of `event_id`, numbered by the table (`seq`); `None` when no such event is stored.
pub fn add(client: &mut Client, event_id: &str, c: &NewCorrection) -> Result<Option<Correction>> {
    let at = rasd_store::rows::now();
    let value = c
        .value
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(rasd_store::Error::from)?;
    let mut tx = client.transaction()?;
    // The event's row is locked until the commit, so that it cannot go between the check and the insert.
    if tx
        .query_opt("SELECT 1 FROM events WHERE id = $1 FOR SHARE", &[&event_id])?
        .is_none()
    {
        return Ok(None);
    }
    let seq: i64 = tx
        .query_one(
            "INSERT INTO corrections(event_id, field, value, wrong, note, author, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq",
            &[
                &event_id,
                &c.field,
                &value,
                &i64::from(c.wrong),
                &c.note,
                &c.author,
                &at,
            ],
        )?
        .get(0);
    tx.commit()?;
    Ok(Some(Correction {
        seq,
        event_id: event_id.to_string(),
        correction: c.clone(),
        at,
    }))
}
