//! ACLED-style event extraction from Arabic news.
