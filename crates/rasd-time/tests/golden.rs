//! Golden test: every gold sentence of `eval/dates/gold.tsv` (the dev split) rendered one line per expression,
//! `surface<TAB>start..end<TAB>resolved<TAB>precision<TAB>rule`, under the sentence's id and anchor.

use rasd_time::{DateFinder, parse_date};
use std::fmt::Write;

#[test]
fn gold_sentences() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../eval/dates/gold.tsv");
    let gold = std::fs::read_to_string(path).expect("eval/dates/gold.tsv is in the repository");
    let finder = DateFinder::new();
    let mut out = String::new();
    let mut last_id = String::new();
    for line in gold.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 8, "gold row: {line}");
        if cols[0] == last_id {
            continue;
        }
        last_id = cols[0].to_string();
        let anchor = if cols[1].is_empty() {
            None
        } else {
            Some(parse_date(cols[1]).expect("gold anchor"))
        };
        let text = cols[2];
        let _ = writeln!(
            out,
            "# {} anchor={}",
            cols[0],
            if cols[1].is_empty() { "-" } else { cols[1] }
        );
        for m in finder.find(text, anchor) {
            assert_eq!(&text[m.start..m.end], m.surface(text));
            let resolved = match m.resolved {
                Some(r) if r.start == r.end => r.start.to_string(),
                Some(r) => format!("{}..{}", r.start, r.end),
                None => "-".to_string(),
            };
            let _ = writeln!(
                out,
                "{}\t{}..{}\t{}\t{}\t{}",
                m.surface(text),
                m.start,
                m.end,
                resolved,
                m.precision.as_str(),
                m.rule
            );
        }
    }
    insta::assert_snapshot!(out);
}
