-- The near-duplicate lookup's candidate reads under four layouts (BENCHMARKS.md, "Fourth pass" and "Fifth pass").
-- Run on a COPY of a rasd database of schema 7 or 8 (it adds tables and an index):
--     sqlite3 copy.db < scripts/near_lookup_layouts.sql
-- For the LSH buckets of the last 1,200 documents stored, reads each bucket's latest 64 originals with their
-- sketches as `find_near` does: joined to `docs`, through the covering index `docs_sketch` (schema 7), through a
-- compact table keyed by seq that holds only the sketch (`seq_sketch`, WITHOUT ROWID), from a bucket table that
-- holds the sketch (`bands2`, the shape of `doc_bands` since schema 8), and the bucket rows alone. Compare the
-- `Run Time` lines.
CREATE INDEX IF NOT EXISTS docs_sketch ON docs(seq, id, sketch);
CREATE TABLE IF NOT EXISTS seq_sketch(seq INTEGER PRIMARY KEY, sketch BLOB NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO seq_sketch SELECT seq, sketch FROM docs INDEXED BY docs_sketch WHERE sketch IS NOT NULL;
CREATE TABLE IF NOT EXISTS bands2(band INTEGER NOT NULL, bucket INTEGER NOT NULL, seq INTEGER NOT NULL,
    sketch BLOB, PRIMARY KEY(band, bucket, seq)) WITHOUT ROWID;
INSERT OR IGNORE INTO bands2 SELECT b.band, b.bucket, b.seq, d.sketch
    FROM doc_bands b JOIN docs d INDEXED BY docs_sketch ON d.seq = b.seq ORDER BY b.band, b.bucket, b.seq;
.timer on
CREATE TEMP TABLE k AS SELECT band, bucket FROM doc_bands WHERE seq > (SELECT max(seq) - 1200 FROM docs);
SELECT count(*) FROM k;
SELECT sum((SELECT count(*) + sum(length(s)) FROM (SELECT d.sketch s FROM doc_bands b JOIN docs d ON d.seq = b.seq WHERE b.band = k.band AND b.bucket = k.bucket ORDER BY b.seq DESC LIMIT 64))) FROM k;
SELECT sum((SELECT count(*) + sum(length(s)) FROM (SELECT d.sketch s FROM doc_bands b JOIN docs d INDEXED BY docs_sketch ON d.seq = b.seq WHERE b.band = k.band AND b.bucket = k.bucket ORDER BY b.seq DESC LIMIT 64))) FROM k;
SELECT sum((SELECT count(*) + sum(length(s)) FROM (SELECT q.sketch s FROM doc_bands b JOIN seq_sketch q ON q.seq = b.seq WHERE b.band = k.band AND b.bucket = k.bucket ORDER BY b.seq DESC LIMIT 64))) FROM k;
SELECT sum((SELECT count(*) + sum(length(s)) FROM (SELECT b.sketch s FROM bands2 b WHERE b.band = k.band AND b.bucket = k.bucket ORDER BY b.seq DESC LIMIT 64))) FROM k;
SELECT sum((SELECT count(*) FROM (SELECT b.seq FROM doc_bands b WHERE b.band = k.band AND b.bucket = k.bucket ORDER BY b.seq DESC LIMIT 64))) FROM k;
