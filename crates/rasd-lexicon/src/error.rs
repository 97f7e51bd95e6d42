//! The one error type of the crate.

use std::path::PathBuf;

/// Everything that can go wrong when building or loading a lexicon.
///
/// Build errors carry `file:line` so that a curator can fix the row; a corrupt or foreign compiled file gets its
/// own variants so that callers can tell "wrong file" from "damaged file".
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A source row is malformed.
    #[error("{file}:{line}: {reason}")]
    Source { file: String, line: usize, reason: String },
    /// The source data as a whole is inconsistent (duplicate ids, dangling references, missing files).
    #[error("lexicon data: {0}")]
    Data(String),
    /// The bytes are not a compiled rasd lexicon at all.
    #[error("not a compiled rasd lexicon (bad magic header)")]
    NotALexicon,
    /// A compiled lexicon of another format version.
    #[error(
        "compiled lexicon has format version {found:?}, this rasd reads version {expected:?}; rebuild it with `rasd lexicon build`"
    )]
    WrongVersion { found: String, expected: String },
    /// The compiled lexicon is damaged (truncated, checksum mismatch, inconsistent sections).
    #[error("corrupt compiled lexicon: {0}")]
    Corrupt(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// The automaton or the fst could not be built (a bug or an absurd key set).
    #[error("building the lexicon index: {0}")]
    Index(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
