//! The Parquet export: one row per event record, the same records and order as the JSONL export, flattened into
//! typed columns ([`PARQUET_COLUMNS`]).
//!
//! Rows stream from the same cursor as the JSONL export (`for_each_event` of [`crate::ReadDb`]) into column buffers that
//! are written out as a row group every [`ROW_GROUP_ROWS`] rows (or sooner, when the buffered text reaches
//! [`ROW_GROUP_BYTES`]), so memory is bounded by one row group however large the database is.
//!
//! Types: text is `BYTE_ARRAY (STRING)`; `event_date` is a `DATE` (days since 1970-01-01, read as a date by
//! DuckDB, polars and pandas); integers (`geo_precision`, fatalities, evidence byte offsets) are `INT64`;
//! coordinates, territory shares and `confidence` are `DOUBLE`; flags are `BOOLEAN`. A column is `optional`
//! (null) where the JSONL record has null or nothing; lists of actors and sources are joined with "; " (as in
//! the CSV export), null when empty; `field_evidence` and `corrections` are JSON text. Pages are
//! Snappy-compressed.

use crate::export::{Corrections, ExportOptions, export_record, marked_wrong};
use crate::{Error, Filter, ReadDb, Result};
use ::parquet::basic::Compression;
use ::parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use ::parquet::file::properties::WriterProperties;
use ::parquet::file::writer::SerializedFileWriter;
use ::parquet::schema::parser::parse_message_type;
use serde_json::Value;
use std::io::Write;
use std::sync::Arc;

/// Rows in a full row group.
pub const ROW_GROUP_ROWS: usize = 65_536;

/// Buffered data (in bytes, text mostly) at which a row group is written before it has [`ROW_GROUP_ROWS`]
/// rows.
pub const ROW_GROUP_BYTES: usize = 64 << 20;

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// UTF-8 text.
    Text,
    /// A calendar date.
    Date,
    /// A 64-bit integer.
    Int,
    /// A 64-bit float.
    Double,
    /// A boolean.
    Bool,
}

/// Where a column's value comes from in the record the JSONL export writes for the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The value at a JSON pointer ("/location/lat"); null when missing or null.
    At(&'static str),
    /// The `key` of each object in the list at the pointer, joined with "; "; null when the list is empty.
    Join(&'static str, &'static str),
    /// A flag: the `key` of the object at the pointer, false when the object lacks it; null when there is no
    /// object there.
    Flag(&'static str, &'static str),
    /// The value at the pointer as JSON text; null when missing, null or empty.
    Json(&'static str),
}

/// One column of the Parquet export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParquetColumn {
    pub name: &'static str,
    pub kind: ColumnType,
    /// Never null.
    pub required: bool,
    pub source: Source,
}

const fn col(name: &'static str, kind: ColumnType, required: bool, source: Source) -> ParquetColumn {
    ParquetColumn {
        name,
        kind,
        required,
        source,
    }
}

use ColumnType::{Bool, Date, Double, Int, Text};
use Source::{At, Flag, Join, Json};

/// The columns, in order.
pub const PARQUET_COLUMNS: &[ParquetColumn] = &[
    col("id", Text, true, At("/id")),
    col("doc_id", Text, true, At("/doc_id")),
    col("incident_id", Text, false, At("/incident_id")),
    col("event_type", Text, true, At("/event_type")),
    col("sub_event_type", Text, true, At("/sub_event_type")),
    col("event_date", Date, false, At("/event_date")),
    col("date_precision", Text, true, At("/date_precision")),
    col("date_text", Text, false, At("/date_text")),
    col("date_rule", Text, false, At("/date_rule")),
    col("actor1", Text, false, At("/actor1/name")),
    col("actor1_id", Text, false, At("/actor1/id")),
    col("actor1_ar", Text, false, At("/actor1/name_ar")),
    col("actor1_type", Text, false, At("/actor1/type")),
    col("assoc_actor_1", Text, false, Join("/assoc_actor_1", "name")),
    col("assoc_actor_1_ids", Text, false, Join("/assoc_actor_1", "id")),
    col("actor2", Text, false, At("/actor2/name")),
    col("actor2_id", Text, false, At("/actor2/id")),
    col("actor2_ar", Text, false, At("/actor2/name_ar")),
    col("actor2_type", Text, false, At("/actor2/type")),
    col("assoc_actor_2", Text, false, Join("/assoc_actor_2", "name")),
    col("assoc_actor_2_ids", Text, false, Join("/assoc_actor_2", "id")),
    col("location", Text, false, At("/location/name")),
    col("location_id", Text, false, At("/location/id")),
    col("location_ar", Text, false, At("/location/name_ar")),
    col("country", Text, false, At("/location/country")),
    col("admin1", Text, false, At("/location/admin1")),
    col("admin1_code", Text, false, At("/location/admin1_code")),
    col("latitude", Double, false, At("/location/lat")),
    col("longitude", Double, false, At("/location/lon")),
    col("geo_precision", Int, false, At("/location/geo_precision")),
    col("location_carried", Bool, false, Flag("/location", "carried")),
    col("fatalities", Int, false, At("/fatalities/value")),
    col("fatalities_min", Int, false, At("/fatalities/min")),
    col("fatalities_max", Int, false, At("/fatalities/max")),
    col("fatalities_text", Text, false, At("/fatalities/text")),
    col("fatalities_cumulative", Bool, false, Flag("/fatalities", "cumulative")),
    col("territory_share_min", Double, false, At("/territory_share/min")),
    col("territory_share_max", Double, false, At("/territory_share/max")),
    col("reported_by", Text, false, Join("/reported_by", "name")),
    col("reported_by_ids", Text, false, Join("/reported_by", "id")),
    col("reported_by_kinds", Text, false, Join("/reported_by", "kind")),
    col("source", Text, true, At("/source")),
    col("outlet", Text, false, At("/outlet")),
    col("stance", Text, true, At("/stance")),
    col("background", Bool, true, Flag("", "background")),
    col("evidence", Text, true, At("/evidence/text")),
    col("evidence_start", Int, true, At("/evidence/start")),
    col("evidence_end", Int, true, At("/evidence/end")),
    col("field_evidence", Text, false, Json("/field_evidence")),
    col("confidence", Double, true, At("/confidence")),
    col("corrections", Text, false, Json("/corrections")),
];

/// The Parquet schema of [`PARQUET_COLUMNS`], in Parquet's message syntax.
pub fn parquet_schema() -> String {
    let mut s = String::from("message rasd_event {\n");
    for c in PARQUET_COLUMNS {
        let repetition = if c.required { "required" } else { "optional" };
        let ty = match c.kind {
            Text => "binary",
            Date => "int32",
            Int => "int64",
            Double => "double",
            Bool => "boolean",
        };
        let logical = match c.kind {
            Text => " (STRING)",
            Date => " (DATE)",
            _ => "",
        };
        s.push_str(&format!("  {repetition} {ty} {}{logical};\n", c.name));
    }
    s.push('}');
    s
}

/// A column's values for the rows of one row group: the non-null values, and a definition level per row
/// (1 value, 0 null) for an optional column. Text is kept as one byte string and the end of each value in it
/// (a few bytes per value, not an allocation each), and cut into Parquet values one column at a time when the
/// row group is written.
enum Values {
    Text { bytes: Vec<u8>, ends: Vec<usize> },
    Date(Vec<i32>),
    Int(Vec<i64>),
    Double(Vec<f64>),
    Bool(Vec<bool>),
}

struct Buffer {
    values: Values,
    defs: Vec<i16>,
}

/// Days from 1970-01-01 to a "YYYY-MM-DD" date.
fn days_since_epoch(s: &str) -> Option<i32> {
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from((d - epoch).num_days()).ok()
}

fn at<'a>(v: &'a Value, pointer: &str) -> Option<&'a Value> {
    v.pointer(pointer).filter(|x| !x.is_null())
}

fn parquet_error(e: ::parquet::errors::ParquetError) -> Error {
    Error::Io(std::io::Error::other(format!("Parquet: {e}")))
}

impl Buffer {
    fn new(kind: ColumnType) -> Buffer {
        let values = match kind {
            Text => Values::Text {
                bytes: Vec::new(),
                ends: Vec::new(),
            },
            Date => Values::Date(Vec::new()),
            Int => Values::Int(Vec::new()),
            Double => Values::Double(Vec::new()),
            Bool => Values::Bool(Vec::new()),
        };
        Buffer {
            values,
            defs: Vec::new(),
        }
    }

    /// Appends the row's value of `c`, returning about how many bytes that buffered.
    fn push(&mut self, c: &ParquetColumn, row: &Value) -> Result<usize> {
        let mut buffered = 10;
        let present = match (&mut self.values, c.source) {
            (Values::Text { bytes, ends }, source) => {
                let text = match source {
                    At(p) => at(row, p).map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    }),
                    Join(p, key) => at(row, p)
                        .and_then(Value::as_array)
                        .map(|items| {
                            items
                                .iter()
                                .filter_map(|i| i.get(key).and_then(Value::as_str))
                                .collect::<Vec<_>>()
                                .join("; ")
                        })
                        .filter(|s| !s.is_empty()),
                    Json(p) => at(row, p)
                        .filter(|v| match v {
                            Value::Object(m) => !m.is_empty(),
                            Value::Array(a) => !a.is_empty(),
                            _ => true,
                        })
                        .map(Value::to_string),
                    Flag(..) => None,
                };
                let text = text.or_else(|| c.required.then(String::new));
                text.map(|t| {
                    buffered += t.len();
                    bytes.extend_from_slice(t.as_bytes());
                    ends.push(bytes.len());
                })
                .is_some()
            }
            (Values::Date(out), At(p)) => {
                let d = at(row, p).and_then(Value::as_str).and_then(days_since_epoch);
                let d = d.or_else(|| c.required.then_some(0));
                d.map(|d| out.push(d)).is_some()
            }
            (Values::Int(out), At(p)) => {
                let n = at(row, p).and_then(|v| v.as_i64().or_else(|| v.as_u64().map(|u| u as i64)));
                let n = n.or_else(|| c.required.then_some(0));
                n.map(|n| out.push(n)).is_some()
            }
            (Values::Double(out), At(p)) => {
                let x = at(row, p).and_then(Value::as_f64);
                let x = x.or_else(|| c.required.then_some(0.0));
                x.map(|x| out.push(x)).is_some()
            }
            (Values::Bool(out), Flag(p, key)) => {
                let b = row
                    .pointer(p)
                    .and_then(Value::as_object)
                    .map(|m| m.get(key).and_then(Value::as_bool).unwrap_or(false));
                let b = b.or_else(|| c.required.then_some(false));
                b.map(|b| out.push(b)).is_some()
            }
            _ => {
                return Err(Error::Query(format!(
                    "Parquet column {} cannot be read from {:?}",
                    c.name, c.source
                )));
            }
        };
        if !c.required {
            self.defs.push(i16::from(present));
        }
        Ok(buffered)
    }

    fn clear(&mut self) {
        self.defs.clear();
        match &mut self.values {
            Values::Text { bytes, ends } => {
                bytes.clear();
                ends.clear();
            }
            Values::Date(v) => v.clear(),
            Values::Int(v) => v.clear(),
            Values::Double(v) => v.clear(),
            Values::Bool(v) => v.clear(),
        }
    }
}

/// Writes the buffered rows as one row group and empties the buffers.
fn flush_row_group<W: Write + Send>(w: &mut SerializedFileWriter<W>, buffers: &mut [Buffer]) -> Result<()> {
    let mut rg = w.next_row_group().map_err(parquet_error)?;
    let mut i = 0;
    while let Some(mut cw) = rg.next_column().map_err(parquet_error)? {
        let b = &buffers[i];
        let defs = (!PARQUET_COLUMNS[i].required).then_some(b.defs.as_slice());
        let written = match &b.values {
            Values::Text { bytes, ends } => {
                let mut start = 0;
                let values: Vec<ByteArray> = ends
                    .iter()
                    .map(|&end| {
                        let value = ByteArray::from(bytes[start..end].to_vec());
                        start = end;
                        value
                    })
                    .collect();
                cw.typed::<ByteArrayType>().write_batch(&values, defs, None)
            }
            Values::Date(v) => cw.typed::<Int32Type>().write_batch(v, defs, None),
            Values::Int(v) => cw.typed::<Int64Type>().write_batch(v, defs, None),
            Values::Double(v) => cw.typed::<DoubleType>().write_batch(v, defs, None),
            Values::Bool(v) => cw.typed::<BoolType>().write_batch(v, defs, None),
        };
        written.map_err(parquet_error)?;
        cw.close().map_err(parquet_error)?;
        i += 1;
    }
    rg.close().map_err(parquet_error)?;
    for b in buffers.iter_mut() {
        b.clear();
    }
    Ok(())
}

impl<'a> dyn ReadDb + 'a {
    /// Writes the event records (those `export_jsonl_with` writes, in the same order) as a Parquet
    /// file of [`PARQUET_COLUMNS`], in row groups of at most [`ROW_GROUP_ROWS`] rows written as the rows
    /// stream. Returns the number of rows. `out` gets a complete file or an error: write it to a temporary file
    /// and rename it into place to keep a failed export from replacing a good file.
    pub fn export_parquet_with<W: Write + Send>(&self, f: &Filter, opts: ExportOptions, out: W) -> Result<u64> {
        self.export_parquet_grouped(f, opts, out, ROW_GROUP_ROWS)
    }

    /// [`Self::export_parquet_with`] with row groups of at most `group_rows` rows (at least 1), for tests and
    /// tuning.
    pub fn export_parquet_grouped<W: Write + Send>(
        &self,
        f: &Filter,
        opts: ExportOptions,
        out: W,
        group_rows: usize,
    ) -> Result<u64> {
        let group_rows = group_rows.max(1);
        let corrections: Corrections = self.corrections_by_event()?;
        let schema = Arc::new(parse_message_type(&parquet_schema()).map_err(parquet_error)?);
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("rasd {}", env!("CARGO_PKG_VERSION")))
            .build();
        let mut w = SerializedFileWriter::new(out, schema, Arc::new(props)).map_err(parquet_error)?;
        let mut buffers: Vec<Buffer> = PARQUET_COLUMNS.iter().map(|c| Buffer::new(c.kind)).collect();
        let (mut rows, mut buffered_rows, mut buffered_bytes) = (0u64, 0usize, 0usize);
        self.for_each_event(f, 0, None, &mut |e| {
            if opts.exclude_corrected && marked_wrong(&corrections, &e.event.id) {
                return Ok(());
            }
            let v = export_record(&e, &corrections)?;
            for (b, c) in buffers.iter_mut().zip(PARQUET_COLUMNS) {
                buffered_bytes += b.push(c, &v)?;
            }
            rows += 1;
            buffered_rows += 1;
            if buffered_rows >= group_rows || buffered_bytes >= ROW_GROUP_BYTES {
                flush_row_group(&mut w, &mut buffers)?;
                (buffered_rows, buffered_bytes) = (0, 0);
            }
            Ok(())
        })?;
        if buffered_rows > 0 {
            flush_row_group(&mut w, &mut buffers)?;
        }
        let mut out = w.into_inner().map_err(parquet_error)?;
        out.flush()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_parses_and_has_every_column_once() {
        let schema = parse_message_type(&parquet_schema()).expect("schema");
        assert_eq!(schema.get_fields().len(), PARQUET_COLUMNS.len());
        let mut names: Vec<&str> = PARQUET_COLUMNS.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PARQUET_COLUMNS.len());
    }

    #[test]
    fn dates_count_days_from_1970() {
        assert_eq!(days_since_epoch("1970-01-01"), Some(0));
        assert_eq!(days_since_epoch("2017-11-09"), Some(17479));
        assert_eq!(days_since_epoch("not a date"), None);
    }
}
