//! Arabic date expressions, resolved against the publication date.
