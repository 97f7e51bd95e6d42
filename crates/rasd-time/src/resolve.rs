//! Turning a parsed expression into dates against an anchor.
//!
//! Rules are named in the output so that a coder can audit every date: "weekday-yesterday",
//! "month-past-year-rollback", "hijri-tabular" … An expression that needs an anchor and has none stays
//! unresolved (its rule ends in ":no-anchor"); the only thing ever borrowed without an anchor is a missing YEAR, and
//! the rule says where it came from.

use crate::DateRange;
use crate::grammar::{Expr, Pt, PtKind};
use crate::lexicon::{Rel, Unit};
use chrono::{Datelike, Days, Months, NaiveDate};
use rasd_core::DatePrecision;

/// A year borrowed from elsewhere in the document, used only when there is no anchor.
#[derive(Debug, Clone, Copy)]
pub(crate) struct YearHint {
    pub year: i32,
    pub rule: &'static str,
}

/// The outcome for one expression.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub range: Option<DateRange>,
    pub precision: DatePrecision,
    pub rule: String,
    pub future: bool,
}

type Out = Result<(DateRange, DatePrecision, String), (DatePrecision, String)>;

fn day(d: NaiveDate) -> DateRange {
    DateRange { start: d, end: d }
}

fn no_anchor(precision: DatePrecision, rule: &str) -> Out {
    Err((precision, format!("{rule}:no-anchor")))
}

fn add_days(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    if n >= 0 {
        d.checked_add_days(Days::new(n as u64))
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs()))
    }
}

fn add_months(d: NaiveDate, n: i32) -> Option<NaiveDate> {
    if n >= 0 {
        d.checked_add_months(Months::new(n as u32))
    } else {
        d.checked_sub_months(Months::new(n.unsigned_abs()))
    }
}

/// The whole Gregorian month.
pub(crate) fn month_range(y: i32, m: u32) -> Option<DateRange> {
    let start = NaiveDate::from_ymd_opt(y, m, 1)?;
    let next = add_months(start, 1)?;
    Some(DateRange {
        start,
        end: next.pred_opt()?,
    })
}

fn year_range(y: i32) -> Option<DateRange> {
    Some(DateRange {
        start: NaiveDate::from_ymd_opt(y, 1, 1)?,
        end: NaiveDate::from_ymd_opt(y, 12, 31)?,
    })
}

/// Julian day number of 1 January of year 1 (proleptic Gregorian), minus one: chrono counts days from there.
const JDN_CE_OFFSET: i64 = 1_721_425;

/// The arithmetic (tabular) Islamic calendar, civil epoch (1 Muharram 1 AH = 16 July 622 Julian), with the
/// standard 11 leap years in 30 (2, 5, 7, 10, 13, 16, 18, 21, 24, 26, 29). It can differ by a day or two from
/// sighting-based calendars such as Umm al-Qura, which is why the rule says "tabular".
pub(crate) fn hijri_to_gregorian(y: i32, m: u8, d: u8) -> Option<NaiveDate> {
    if !(1..=12).contains(&m) || !(1..=30).contains(&d) || !(1..=9999).contains(&y) {
        return None;
    }
    let y = i64::from(y);
    let m = i64::from(m);
    let month_days = (59 * (m - 1) + 1) / 2; // ceil(29.5 * (m - 1))
    let jdn = i64::from(d) + month_days + (y - 1) * 354 + (3 + 11 * y).div_euclid(30) + 1_948_439;
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(jdn - JDN_CE_OFFSET).ok()?)
}

fn hijri_month_range(y: i32, m: u8) -> Option<DateRange> {
    let start = hijri_to_gregorian(y, m, 1)?;
    let next = if m == 12 {
        hijri_to_gregorian(y + 1, 1, 1)?
    } else {
        hijri_to_gregorian(y, m + 1, 1)?
    };
    Some(DateRange {
        start,
        end: next.pred_opt()?,
    })
}

fn hijri_year_range(y: i32) -> Option<DateRange> {
    let start = hijri_to_gregorian(y, 1, 1)?;
    Some(DateRange {
        start,
        end: hijri_to_gregorian(y + 1, 1, 1)?.pred_opt()?,
    })
}

fn rel_name(rel: Rel) -> &'static str {
    match rel {
        Rel::Bare => "bare",
        Rel::Past => "past",
        Rel::Current => "current",
        Rel::Next => "next",
    }
}

fn unit_name(u: Unit) -> &'static str {
    match u {
        Unit::Hour => "hours",
        Unit::Day => "days",
        Unit::Week => "weeks",
        Unit::Month => "months",
        Unit::Year => "years",
    }
}

fn rel_offset(rel: Rel) -> i32 {
    match rel {
        Rel::Past => -1,
        Rel::Bare | Rel::Current => 0,
        Rel::Next => 1,
    }
}

/// The Saturday-to-Friday week holding `d` (the working week of most Arab newsrooms starts on Saturday or Sunday;
/// Saturday keeps Friday, the usual day off, at its end).
fn week_of(d: NaiveDate) -> Option<DateRange> {
    let back = (d.weekday().num_days_from_monday() + 2) % 7; // Saturday = 0
    let start = add_days(d, -i64::from(back))?;
    Some(DateRange {
        start,
        end: add_days(start, 6)?,
    })
}

/// `DatePrecision` is ordered finest first (day < week < month < year < unknown).
fn coarser(a: DatePrecision, b: DatePrecision) -> DatePrecision {
    a.max(b)
}

/// Resolves a point. `hint` supplies a missing year when there is no anchor.
pub(crate) fn point(pt: &Pt, anchor: Option<NaiveDate>, hint: Option<YearHint>) -> Out {
    let part = if pt.part { "+part" } else { "" };
    match pt.kind {
        PtKind::Day {
            y, m, d, hijri: true, ..
        } => match y {
            Some(y) => hijri_to_gregorian(y, m, d)
                .map(|g| (day(g), DatePrecision::Day, "hijri-tabular".to_string()))
                .ok_or((DatePrecision::Day, "hijri-invalid".to_string())),
            None => Err((DatePrecision::Day, "hijri-no-year".to_string())),
        },
        PtKind::Month { y, m, hijri: true, .. } => match y {
            Some(y) => hijri_month_range(y, m)
                .map(|r| (r, DatePrecision::Month, format!("hijri-tabular-month{part}")))
                .ok_or((DatePrecision::Month, "hijri-invalid".to_string())),
            None => Err((DatePrecision::Month, "hijri-no-year".to_string())),
        },
        PtKind::Year { y, hijri } => {
            let (r, rule) = if hijri {
                (hijri_year_range(y), "hijri-tabular-year")
            } else {
                (year_range(y), "explicit-year")
            };
            r.map(|r| (r, DatePrecision::Year, format!("{rule}{part}")))
                .ok_or((DatePrecision::Year, "year-invalid".to_string()))
        }
        PtKind::Day { y, m, d, year_rel, .. } => {
            let build = |y: i32| NaiveDate::from_ymd_opt(y, u32::from(m), u32::from(d));
            let invalid = || (DatePrecision::Day, "date-invalid".to_string());
            if let Some(y) = y {
                let rule = if pt.mdy {
                    "explicit-date-month-first"
                } else {
                    "explicit-date"
                };
                return build(y)
                    .map(|g| (day(g), DatePrecision::Day, weekday_check(pt, day(g), rule.to_string())))
                    .ok_or_else(invalid);
            }
            if let Some(rel) = year_rel {
                let Some(a) = anchor else {
                    return no_anchor(DatePrecision::Day, "day-month-relative-year");
                };
                let rule = format!("day-month-year-{}", rel_name(rel));
                return build(a.year() + rel_offset(rel))
                    .map(|g| (day(g), DatePrecision::Day, rule))
                    .ok_or_else(invalid);
            }
            let Some(a) = anchor else {
                // A borrowed year says nothing about the month the document was written in, so "الماضي" and
                // "المقبل" cannot be applied to it.
                return match hint.filter(|_| matches!(pt.rel, Rel::Bare | Rel::Current)) {
                    Some(h) => build(h.year)
                        .map(|g| {
                            (
                                day(g),
                                DatePrecision::Day,
                                weekday_check(pt, day(g), format!("day-month+{}", h.rule)),
                            )
                        })
                        .ok_or_else(invalid),
                    None => no_anchor(DatePrecision::Day, "day-month"),
                };
            };
            let this = build(a.year());
            let (date, rule) = match pt.rel {
                Rel::Past => match this {
                    Some(t) if t < a => (Some(t), "day-month-past"),
                    _ => (build(a.year() - 1), "day-month-past-year-rollback"),
                },
                Rel::Next => match this {
                    Some(t) if t > a => (Some(t), "day-month-next"),
                    _ => (build(a.year() + 1), "day-month-next-year-rollover"),
                },
                Rel::Current => (this, "day-month-current-year"),
                Rel::Bare => match this {
                    Some(t) if t <= a => (Some(t), "day-month-same-year"),
                    _ => (build(a.year() - 1), "day-month-most-recent-year-rollback"),
                },
            };
            // "غدا الأحد 20 مارس" said on 19 March: the weekday names the year when the marker rule disagrees.
            if let (Some(g), Some(wd), Rel::Bare) = (date, pt.weekday, pt.rel)
                && g.weekday().num_days_from_monday() != u32::from(wd)
                && let Some(better) = [a.year(), a.year() + 1, a.year() - 1]
                    .into_iter()
                    .filter_map(build)
                    .filter(|c| c.weekday().num_days_from_monday() == u32::from(wd))
                    .find(|c| (*c - a).num_days().abs() <= 31)
            {
                return Ok((
                    day(better),
                    DatePrecision::Day,
                    "day-month-year-from-weekday".to_string(),
                ));
            }
            date.map(|g| (day(g), DatePrecision::Day, weekday_check(pt, day(g), rule.to_string())))
                .ok_or_else(invalid)
        }
        PtKind::Month { y, m, year_rel, .. } => {
            let m32 = u32::from(m);
            let invalid = || (DatePrecision::Month, "month-invalid".to_string());
            if let Some(y) = y {
                return month_range(y, m32)
                    .map(|r| (r, DatePrecision::Month, format!("month-year{part}")))
                    .ok_or_else(invalid);
            }
            if let Some(rel) = year_rel {
                let Some(a) = anchor else {
                    return no_anchor(DatePrecision::Month, "month-relative-year");
                };
                let rule = format!("month-year-{}{part}", rel_name(rel));
                return month_range(a.year() + rel_offset(rel), m32)
                    .map(|r| (r, DatePrecision::Month, rule))
                    .ok_or_else(invalid);
            }
            let Some(a) = anchor else {
                return match hint.filter(|_| matches!(pt.rel, Rel::Bare | Rel::Current)) {
                    Some(h) => month_range(h.year, m32)
                        .map(|r| (r, DatePrecision::Month, format!("month{part}+{}", h.rule)))
                        .ok_or_else(invalid),
                    None => no_anchor(DatePrecision::Month, "month"),
                };
            };
            let am = a.month();
            let (y, rule) = match pt.rel {
                Rel::Past if m32 < am => (a.year(), "month-past"),
                Rel::Past => (a.year() - 1, "month-past-year-rollback"),
                Rel::Next if m32 > am => (a.year(), "month-next"),
                Rel::Next => (a.year() + 1, "month-next-year-rollover"),
                Rel::Current => (a.year(), "month-current-year"),
                Rel::Bare if m32 <= am => (a.year(), "month-same-year"),
                Rel::Bare => (a.year() - 1, "month-most-recent-year-rollback"),
            };
            month_range(y, m32)
                .map(|r| (r, DatePrecision::Month, format!("{rule}{part}")))
                .ok_or_else(invalid)
        }
        PtKind::DayOfRelMonth { d } => {
            let Some(a) = anchor else {
                return no_anchor(DatePrecision::Day, "day-of-relative-month");
            };
            let first = add_months(a.with_day(1).unwrap_or(a), rel_offset(pt.rel));
            first
                .and_then(|f| f.with_day(u32::from(d)))
                .map(|g| (day(g), DatePrecision::Day, format!("day-of-month-{}", rel_name(pt.rel))))
                .ok_or((DatePrecision::Day, "date-invalid".to_string()))
        }
        PtKind::Weekday { wd, shift } => {
            let Some(a) = anchor else {
                let rule = match shift {
                    Some(-1) => "weekday-yesterday",
                    Some(0) => "weekday-today",
                    Some(_) => "weekday-relative-day",
                    None => "weekday",
                };
                return no_anchor(DatePrecision::Day, rule);
            };
            let awd = i64::from(a.weekday().num_days_from_monday());
            let wd = i64::from(wd);
            let (offset, rule) = match (shift, pt.rel) {
                (Some(k), _) => {
                    let date_wd = (awd + i64::from(k)).rem_euclid(7);
                    let name = match k {
                        -2 => "weekday-day-before-yesterday",
                        -1 => "weekday-yesterday",
                        0 => "weekday-today",
                        1 => "weekday-tomorrow",
                        _ => "weekday-relative-day",
                    };
                    let rule = if date_wd == wd {
                        name.to_string()
                    } else {
                        format!("{name}-weekday-mismatch")
                    };
                    (i64::from(k), rule)
                }
                (None, Rel::Past) => {
                    let back = (awd - wd).rem_euclid(7);
                    (-(if back == 0 { 7 } else { back }), "weekday-past".to_string())
                }
                (None, Rel::Next) => {
                    let fwd = (wd - awd).rem_euclid(7);
                    (if fwd == 0 { 7 } else { fwd }, "weekday-next".to_string())
                }
                (None, _) => (-(awd - wd).rem_euclid(7), "weekday-most-recent".to_string()),
            };
            add_days(a, offset)
                .map(|g| (day(g), DatePrecision::Day, rule))
                .ok_or((DatePrecision::Day, "date-invalid".to_string()))
        }
        // Resolved by the caller, which knows the date named before; reaching here means there was none.
        PtKind::FromEarlier(_) => Err((DatePrecision::Day, "day-from-earlier-date:no-earlier-date".to_string())),
        PtKind::RelDay(k) => {
            let rule = match k {
                -2 => "day-before-yesterday",
                -1 => "yesterday",
                0 => "today",
                1 => "tomorrow",
                _ => "day-after-tomorrow",
            };
            let Some(a) = anchor else {
                return no_anchor(DatePrecision::Day, rule);
            };
            add_days(a, i64::from(k))
                .map(|g| (day(g), DatePrecision::Day, rule.to_string()))
                .ok_or((DatePrecision::Day, "date-invalid".to_string()))
        }
        PtKind::RelUnit(u) => {
            let (precision, name) = match u {
                Unit::Week => (DatePrecision::Week, "week"),
                Unit::Month => (DatePrecision::Month, "month"),
                _ => (DatePrecision::Year, "year"),
            };
            let rule = format!(
                "{name}-{}{part}",
                rel_name(if pt.rel == Rel::Bare { Rel::Current } else { pt.rel })
            );
            let Some(a) = anchor else {
                return Err((precision, format!("{rule}:no-anchor")));
            };
            let off = rel_offset(pt.rel);
            let r = match u {
                Unit::Week => add_days(a, 7 * i64::from(off)).and_then(week_of),
                Unit::Month => {
                    add_months(a.with_day(1).unwrap_or(a), off).and_then(|f| month_range(f.year(), f.month()))
                }
                _ => year_range(a.year() + off),
            };
            r.map(|r| (r, precision, rule))
                .ok_or((precision, "date-invalid".to_string()))
        }
    }
}

/// "الأربعاء 24 يناير" when the 24th was a Thursday: keep the explicit date, and say so in the rule.
fn weekday_check(pt: &Pt, r: DateRange, rule: String) -> String {
    match pt.weekday {
        Some(wd) if u32::from(wd) != r.start.weekday().num_days_from_monday() => format!("{rule}-weekday-mismatch"),
        _ => rule,
    }
}

/// Precision of a span that ends at the anchor, from how far back it reaches.
fn span_precision(unit: Unit, n: u32) -> DatePrecision {
    let days = match unit {
        Unit::Hour => n.div_ceil(24),
        Unit::Day => n,
        Unit::Week => n.saturating_mul(7),
        Unit::Month => n.saturating_mul(30),
        Unit::Year => n.saturating_mul(365),
    };
    match days {
        0..=1 => DatePrecision::Day,
        2..=7 => DatePrecision::Week,
        8..=31 => DatePrecision::Month,
        _ => DatePrecision::Year,
    }
}

/// The moment `n` units before `a`.
fn back(a: NaiveDate, unit: Unit, n: u32) -> Option<NaiveDate> {
    let n64 = i64::from(n);
    match unit {
        Unit::Hour => add_days(a, -(n64 / 24)),
        Unit::Day => add_days(a, -n64),
        Unit::Week => add_days(a, -7 * n64),
        Unit::Month => add_months(a, -i32::try_from(n).ok()?),
        Unit::Year => add_months(a, -i32::try_from(n.checked_mul(12)?).ok()?),
    }
}

/// Resolves an expression against `anchor`.
pub(crate) fn expr(e: &Expr, anchor: Option<NaiveDate>, hint: Option<YearHint>) -> Resolved {
    let out: Out = match e {
        Expr::Point(pt) => point(pt, anchor, hint),
        Expr::Since(pt) => match (point(pt, anchor, hint), anchor) {
            (Ok((r, p, rule)), Some(a)) if r.start <= a => {
                Ok((DateRange { start: r.start, end: a }, p, format!("since/{rule}")))
            }
            (Ok((r, p, rule)), Some(_)) => Ok((r, p, format!("since/{rule}"))),
            (Ok((_, p, rule)), None) => Err((p, format!("since/{rule}:no-anchor"))),
            (Err((p, rule)), _) => Err((p, format!("since/{rule}"))),
        },
        Expr::Between(p1, p2) => match (point(p1, anchor, hint), point(p2, anchor, hint)) {
            (Ok((r1, q1, _)), Ok((r2, q2, rule2))) if r1.start <= r2.end => Ok((
                DateRange {
                    start: r1.start,
                    end: r2.end,
                },
                coarser(q1, q2),
                format!("between/{rule2}"),
            )),
            (Ok(_), Ok((_, q, _))) => Err((q, "between-inverted".to_string())),
            (Err((q, rule)), _) | (_, Err((q, rule))) => Err((q, format!("between/{rule}"))),
        },
        Expr::LastN { unit, n } => {
            let p = span_precision(*unit, *n);
            let rule = format!("last-{}", unit_name(*unit));
            match anchor {
                None => no_anchor(p, &rule),
                Some(a) => {
                    let days = if *unit == Unit::Hour {
                        Some(add_days(a, -i64::from(n.div_ceil(24))))
                    } else {
                        None
                    };
                    days.unwrap_or_else(|| back(a, *unit, *n))
                        .map(|s| (DateRange { start: s, end: a }, p, rule))
                        .ok_or((p, "date-invalid".to_string()))
                }
            }
        }
        Expr::LastVague(unit) => match (unit, anchor) {
            (Unit::Day, None) => no_anchor(DatePrecision::Week, "vague-recent-days"),
            (Unit::Hour, None) => no_anchor(DatePrecision::Day, "vague-recent-hours"),
            (Unit::Day, Some(a)) => add_days(a, -7)
                .map(|s| {
                    (
                        DateRange { start: s, end: a },
                        DatePrecision::Week,
                        "vague-recent-days".to_string(),
                    )
                })
                .ok_or((DatePrecision::Week, "date-invalid".to_string())),
            (Unit::Hour, Some(a)) => add_days(a, -1)
                .map(|s| {
                    (
                        DateRange { start: s, end: a },
                        DatePrecision::Day,
                        "vague-recent-hours".to_string(),
                    )
                })
                .ok_or((DatePrecision::Day, "date-invalid".to_string())),
            (u, _) => Err((DatePrecision::Unknown, format!("vague-recent-{}", unit_name(*u)))),
        },
        Expr::Ago { unit, n } => {
            let rule = format!("ago-{}", unit_name(*unit));
            match anchor {
                None => no_anchor(span_precision(*unit, 1).max(DatePrecision::Day), &rule),
                Some(a) => {
                    let invalid = || (DatePrecision::Day, "date-invalid".to_string());
                    match unit {
                        Unit::Hour | Unit::Day => back(a, *unit, *n)
                            .map(|d| (day(d), DatePrecision::Day, rule))
                            .ok_or_else(invalid),
                        Unit::Week => back(a, *unit, *n)
                            .map(|d| (day(d), DatePrecision::Week, rule))
                            .ok_or_else(invalid),
                        Unit::Month => back(a, *unit, *n)
                            .and_then(|d| month_range(d.year(), d.month()))
                            .map(|r| (r, DatePrecision::Month, rule))
                            .ok_or_else(invalid),
                        Unit::Year => back(a, *unit, *n)
                            .and_then(|d| year_range(d.year()))
                            .map(|r| (r, DatePrecision::Year, rule))
                            .ok_or_else(invalid),
                    }
                }
            }
        }
        Expr::AgoVague(unit) => match (unit, anchor) {
            (Unit::Day, Some(a)) => match (add_days(a, -7), add_days(a, -1)) {
                (Some(s), Some(e)) => Ok((
                    DateRange { start: s, end: e },
                    DatePrecision::Week,
                    "vague-days-ago".to_string(),
                )),
                _ => Err((DatePrecision::Week, "date-invalid".to_string())),
            },
            (Unit::Day, None) => no_anchor(DatePrecision::Week, "vague-days-ago"),
            (u, _) => Err((DatePrecision::Unknown, format!("vague-{}-ago", unit_name(*u)))),
        },
        Expr::SinceDuration { unit, n } => {
            let p = span_precision(*unit, *n);
            let rule = format!("since-{}", unit_name(*unit));
            match anchor {
                None => no_anchor(p, &rule),
                Some(a) => back(a, *unit, *n)
                    .map(|s| (DateRange { start: s, end: a }, p, rule))
                    .ok_or((p, "date-invalid".to_string())),
            }
        }
    };
    match out {
        Ok((range, precision, rule)) => {
            let future = is_future(e) || anchor.is_some_and(|a| range.start > a);
            Resolved {
                range: Some(range),
                precision,
                rule,
                future,
            }
        }
        Err((precision, rule)) => Resolved {
            range: None,
            precision,
            rule,
            future: is_future(e),
        },
    }
}

/// The words mark the future ("غدا", "المقبل"), whatever the anchor.
fn is_future(e: &Expr) -> bool {
    let pt_future = |pt: &Pt| {
        pt.rel == Rel::Next
            || matches!(pt.kind, PtKind::RelDay(k) if k > 0)
            || matches!(pt.kind, PtKind::Weekday { shift: Some(k), .. } if k > 0)
    };
    match e {
        Expr::Point(pt) => pt_future(pt),
        Expr::Between(a, b) => pt_future(a) || pt_future(b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn tabular_hijri_epoch_and_known_new_years() {
        // 1 Muharram 1 AH = 16 July 622 Julian = 19 July 622 proleptic Gregorian.
        assert_eq!(hijri_to_gregorian(1, 1, 1), Some(ymd(622, 7, 19)));
        assert_eq!(hijri_to_gregorian(1440, 1, 1), Some(ymd(2018, 9, 12)));
        assert_eq!(hijri_to_gregorian(1439, 9, 1), Some(ymd(2018, 5, 16)));
        assert_eq!(hijri_to_gregorian(1439, 13, 1), None);
        assert_eq!(hijri_month_range(1439, 12).map(|r| r.end), Some(ymd(2018, 9, 11)));
    }

    #[test]
    fn weeks_run_saturday_to_friday() {
        let w = week_of(ymd(2017, 11, 10)).expect("in range");
        assert_eq!((w.start, w.end), (ymd(2017, 11, 4), ymd(2017, 11, 10)));
        let w = week_of(ymd(2017, 11, 11)).expect("in range");
        assert_eq!(w.start, ymd(2017, 11, 11));
    }

    #[test]
    fn precision_order() {
        assert_eq!(coarser(DatePrecision::Day, DatePrecision::Month), DatePrecision::Month);
        assert_eq!(coarser(DatePrecision::Year, DatePrecision::Day), DatePrecision::Year);
        assert_eq!(coarser(DatePrecision::Day, DatePrecision::Day), DatePrecision::Day);
    }
}
