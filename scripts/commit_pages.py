#!/usr/bin/env python3
"""What a run's commits write: the pages of each WAL checkpoint, by B-tree, from an strace log.

SQLite writes a transaction's dirty pages to the write-ahead log at commit, and checkpoints (copies the log
into the database file, syncing both) inside a commit that leaves 1,000 pages or more in the log. Each
checkpoint's writes to the database file, at offset (page - 1) * page_size, name the pages that the commits
before it dirtied; `dbstat` of the database afterwards names the table or index each page belongs to.

Record the run (the database must not be touched by another process meanwhile), then read it:

    strace -f -y -tt -T -e trace=pwrite64,pread64,fsync,fdatasync -o run.strace rasd ingest new.jsonl --db run.db
    scripts/commit_pages.py run.strace run.db

For each span between two fsyncs it prints the pages written to the log and to the database file, the pages
read, the seconds spent in those calls and the fsync that ends the span; then, for each checkpoint, its pages
by B-tree. strace slows every traced call: the counts are exact, the seconds are not the run's. To time the
syncs alone with little overhead: `strace --seccomp-bpf -f -ttt -T -e trace=fsync`.

Needs an sqlite3 module with dbstat (Debian's python3 has it).
"""
import collections
import re
import sqlite3
import sys

CALL = re.compile(r"^\d+\s+(\d+):(\d+):([\d.]+) (\w+)\((\d+)<([^>]*)>(.*)\)\s+= (-?\d+).*<([\d.]+)>$")


def spans(log):
    """Yields (start, end, counts, closing fsync, checkpoint pages) for each span of the log."""
    span = None
    for line in open(log, encoding="utf-8", errors="replace"):
        m = CALL.match(line.strip())
        if not m:
            continue
        h, mi, s, call, _fd, path, args, ret, dur = m.groups()
        t = int(h) * 3600 + int(mi) * 60 + float(s)
        dur, ret = float(dur), int(ret)
        if span is None:
            span = {"start": t, "c": collections.Counter(), "pages": []}
        c = span["c"]
        if call in ("fsync", "fdatasync"):
            yield span["start"], t, c, f"{call} {path} {dur:.3f} s", span["pages"]
            span = {"start": t + dur, "c": collections.Counter(), "pages": []}
            continue
        where = "log" if path.endswith("-wal") else "db" if not path.endswith("-shm") else None
        if where is None:
            continue
        if call == "pwrite64":
            if ret >= 512:  # a frame's page (its 24-byte header is a write of its own)
                c[f"{where} pages written"] += 1
                if where == "db":
                    span["pages"].append(args.rsplit(",", 1)[1].strip())
            c["write s"] += dur
        elif call == "pread64":
            if ret >= 512:
                c[f"{where} pages read"] += 1
            c["read s"] += dur
    if span is not None:
        yield span["start"], span["start"], span["c"], "end of log", span["pages"]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: scripts/commit_pages.py RUN.strace DATABASE (see the top of this file)")
    log, db = sys.argv[1], sys.argv[2]
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    owner = dict(conn.execute("SELECT pageno, name FROM dbstat"))
    checkpoint = 0
    for start, end, c, closing, pages in spans(log):
        counts = ", ".join(f"{k} {v:.3f}" if k.endswith(" s") else f"{k} {v}" for k, v in sorted(c.items()))
        print(f"{end - start:7.3f} s: {counts or 'nothing'} -> {closing}")
        if pages:
            by_tree = collections.Counter(owner.get(int(off) // page_size + 1, "(free now)") for off in pages)
            print(f"  checkpoint {checkpoint}: {len(pages)} pages")
            for name, n in by_tree.most_common():
                print(f"  {n:8d} {name}")
            checkpoint += 1


if __name__ == "__main__":
    main()
