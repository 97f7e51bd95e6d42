//! The tables a copy moves, with their columns: the one list that the copy, the count check and the canonical
//! dump read, checked against the SQLite store's real schema (a column that one side has and the other lacks is
//! an error, never a silent loss).

/// One table of the store.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    /// The stored columns, in the order they are copied.
    pub columns: &'static [&'static str],
    /// Columns computed from the others on both sides (not copied, but dumped and compared).
    pub generated: &'static [&'static str],
    /// The primary key (the order of the canonical dump).
    pub key: &'static [&'static str],
    /// An identity column whose sequence must follow the copied numbers.
    pub identity: Option<&'static str>,
    /// Created by rasd-store on first use rather than by its migrations: an SQLite database may lack it.
    pub optional: bool,
}

const fn t(name: &'static str, columns: &'static [&'static str], key: &'static [&'static str]) -> Table {
    Table {
        name,
        columns,
        generated: &[],
        key,
        identity: None,
        optional: false,
    }
}

/// Every table, parents first (documents before events, events before derived tables).
pub const TABLES: &[Table] = &[
    t("meta", &["key", "value"], &["key"]),
    Table {
        identity: Some("seq"),
        ..t(
            "docs",
            &[
                "seq",
                "id",
                "hash",
                "url",
                "outlet",
                "published",
                "title",
                "text",
                "sketch",
                "near_dup_of",
                "extractor",
                "ingested_at",
                "origin",
                "format",
            ],
            &["seq"],
        )
    },
    t(
        "events",
        &[
            "id",
            "doc_id",
            "event_type",
            "sub_event_type",
            "event_date",
            "place_id",
            "place_name",
            "admin1",
            "country",
            "lat",
            "lon",
            "actors",
            "source",
            "stance",
            "fatalities",
            "json",
            "outlet",
            "place_name_ar",
            "date_precision",
        ],
        &["id"],
    ),
    t("failures", &["origin", "reason", "at"], &["origin"]),
    t("doc_aliases", &["alias", "doc_id"], &["alias"]),
    Table {
        generated: &["page_date"],
        ..t(
            "incidents",
            &[
                "id",
                "first_date",
                "event_type",
                "sub_event_type",
                "place_id",
                "admin1",
                "json",
            ],
            &["id"],
        )
    },
    t("incident_events", &["event_id", "incident_id"], &["event_id"]),
    Table {
        identity: Some("seq"),
        ..t(
            "control_claims",
            &["seq", "place_id", "date", "source", "json"],
            &["seq"],
        )
    },
    Table {
        generated: &["page_date"],
        ..t(
            "contradictions",
            &[
                "id",
                "kind",
                "place_id",
                "date",
                "source_a",
                "source_b",
                "json",
                "incident_id",
                "ckey",
            ],
            &["id"],
        )
    },
    t(
        "places",
        &["place_id", "name", "name_ar", "events", "claims"],
        &["place_id"],
    ),
    t("reconcile_pending", &["event_id"], &["event_id"]),
    Table {
        identity: Some("seq"),
        ..t("alerts", &["seq", "at", "kind", "key", "json"], &["seq"])
    },
    Table {
        optional: true,
        ..t(
            "doc_bands",
            &["band", "bucket", "seq", "sketch"],
            &["band", "bucket", "seq"],
        )
    },
    Table {
        optional: true,
        ..t(
            "watch_sources",
            &[
                "name",
                "url",
                "kind",
                "etag",
                "last_modified",
                "last_poll",
                "last_ok",
                "polls",
                "not_modified",
                "errors",
                "consecutive_errors",
                "last_error",
            ],
            &["name"],
        )
    },
    Table {
        optional: true,
        ..t(
            "watch_seen",
            &["source", "key", "doc_id", "seen_at"],
            &["source", "key"],
        )
    },
    Table {
        optional: true,
        ..t("watch_meta", &["key", "value"], &["key"])
    },
    Table {
        optional: true,
        identity: Some("seq"),
        ..t(
            "corrections",
            &["seq", "event_id", "field", "value", "wrong", "note", "author", "at"],
            &["seq"],
        )
    },
];

/// The table called `name`.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}
