//! The embedded SQLite project database: ingest, queries and exports.
