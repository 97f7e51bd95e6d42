//! Gazetteer, actors and outlets: compiled lexicon and fast matching in Arabic text.
