//! The date grammar: patterns over consecutive atoms, tried leftmost-longest.
//!
//! Each pattern reads a bounded number of atoms ahead, so a document is parsed in time linear in its atoms.
//! Patterns only build an [`Expr`]; turning it into dates against an anchor is `resolve`'s job.

use crate::lexicon::{Count, Lx, Rel, Unit};
use crate::scan::{Atom, K};

/// The calendar content of one expression, before any anchor is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PtKind {
    Day {
        y: Option<i32>,
        m: u8,
        d: u8,
        hijri: bool,
        year_rel: Option<Rel>,
    },
    Month {
        y: Option<i32>,
        m: u8,
        hijri: bool,
        year_rel: Option<Rel>,
    },
    Year {
        y: i32,
        hijri: bool,
    },
    DayOfRelMonth {
        d: u8,
    },
    Weekday {
        wd: u8,
        shift: Option<i32>,
    },
    RelDay(i32),
    /// A day counted from the date named just before ("اليوم التالي" = +1).
    FromEarlier(i32),
    RelUnit(Unit),
}

/// A point expression: what it names, its past/current/next marker, and how it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pt {
    pub kind: PtKind,
    pub rel: Rel,
    pub weekday: Option<u8>,
    /// A part of the period was named ("مطلع", "منتصف", "أواخر"); the range stays the whole period.
    pub part: bool,
    /// Numeric date written month-first because the day-first reading was impossible.
    pub mdy: bool,
}

impl Pt {
    fn new(kind: PtKind) -> Pt {
        Pt {
            kind,
            rel: Rel::Bare,
            weekday: None,
            part: false,
            mdy: false,
        }
    }
}

/// One recognized expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expr {
    Point(Pt),
    Since(Pt),
    Between(Pt, Pt),
    /// "خلال الـ48 ساعة الماضية", "خلال الأيام الثلاثة الماضية".
    LastN {
        unit: Unit,
        n: u32,
    },
    /// "خلال الأيام الماضية", "الأشهر الماضية".
    LastVague(Unit),
    /// "قبل 3 أيام".
    Ago {
        unit: Unit,
        n: u32,
    },
    /// "قبل عدة أيام", "قبل أيام".
    AgoVague(Unit),
    /// "منذ 3 أيام": the span from then to the anchor.
    SinceDuration {
        unit: Unit,
        n: u32,
    },
}

/// An expression and the atoms it covers (`first..end`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Found {
    pub expr: Expr,
    pub first: usize,
    pub end: usize,
}

pub(crate) struct Parser<'a> {
    a: &'a [Atom],
}

/// Parses every expression in `atoms`, leftmost-longest, without overlaps.
pub(crate) fn parse(atoms: &[Atom], out: &mut Vec<Found>) {
    let p = Parser { a: atoms };
    let mut i = 0;
    while i < atoms.len() {
        match p.expr(i) {
            Some((expr, first, end)) if end > i => {
                out.push(Found { expr, first, end });
                i = end;
            }
            _ => i += 1,
        }
    }
}

impl<'a> Parser<'a> {
    fn kind(&self, i: usize) -> Option<K> {
        self.a.get(i).map(|a| a.kind)
    }

    fn word(&self, i: usize) -> Option<Lx> {
        match self.kind(i) {
            Some(K::W(lx)) => Some(lx),
            _ => None,
        }
    }

    /// True when atom `i` directly follows atom `i - 1` in the text (no ordinary word between them).
    fn adj(&self, i: usize) -> bool {
        i > 0
            && match (self.a.get(i - 1), self.a.get(i)) {
                (Some(p), Some(n)) => p.tok.wrapping_add(1) == n.tok,
                _ => false,
            }
    }

    /// The word at `i` when it is adjacent to `i - 1`.
    fn next_word(&self, i: usize) -> Option<Lx> {
        if self.adj(i) { self.word(i) } else { None }
    }

    fn next_punct(&self, i: usize, set: &[char]) -> bool {
        self.adj(i) && matches!(self.kind(i), Some(K::P(c)) if set.contains(&c))
    }

    fn next_num(&self, i: usize) -> Option<(u32, u8)> {
        if !self.adj(i) {
            return None;
        }
        match self.kind(i) {
            Some(K::Num { v, digits }) => Some((v, digits)),
            _ => None,
        }
    }

    fn num(&self, i: usize) -> Option<(u32, u8)> {
        match self.kind(i) {
            Some(K::Num { v, digits }) => Some((v, digits)),
            _ => None,
        }
    }

    /// The word just before `i`, when adjacent.
    fn prev_word(&self, i: usize) -> Option<Lx> {
        if i == 0 || !self.adj(i) { None } else { self.word(i - 1) }
    }

    fn expr(&self, i: usize) -> Option<(Expr, usize, usize)> {
        let operand = self.adj(i + 1);
        match self.word(i).filter(|_| operand) {
            Some(Lx::Between) => {
                if let Some((e, end)) = self.range(i + 1, true) {
                    return Some((e, i, end));
                }
            }
            Some(Lx::From) => {
                if let Some((e, end)) = self.range(i + 1, false) {
                    return Some((e, i, end));
                }
            }
            Some(Lx::Since) => {
                if let Some((unit, n, end)) = self.duration(i + 1) {
                    return Some((Expr::SinceDuration { unit, n }, i, end));
                }
                if let Some((pt, end)) = self.point(i + 1, true) {
                    return Some((Expr::Since(pt), i, end));
                }
            }
            Some(Lx::Within) => {
                if let Some((e, end)) = self.last_period(i + 1) {
                    return Some((e, i, end));
                }
                if let Some((pt, end)) = self.point(i + 1, true) {
                    return Some((Expr::Point(pt), i, end));
                }
            }
            Some(Lx::Ago) => {
                if let Some((unit, n, end)) = self.duration(i + 1) {
                    return Some((Expr::Ago { unit, n }, i, end));
                }
                if let Some((unit, end)) = self.vague_duration(i + 1) {
                    return Some((Expr::AgoVague(unit), i, end));
                }
            }
            _ => {}
        }
        if let Some((e, end)) = self.last_period(i).filter(|_| self.is_plural_def(i)) {
            return Some((e, i, end));
        }
        let ctx = self.context_before(i);
        self.point(i, ctx).map(|(pt, end)| (Expr::Point(pt), i, end))
    }

    fn is_plural_def(&self, i: usize) -> bool {
        matches!(
            self.word(i),
            Some(Lx::Unit {
                n: Count::Many,
                def: true,
                ..
            })
        )
    }

    /// A temporal preposition right before `i` makes an ambiguous month word a month ("في مارس").
    fn context_before(&self, i: usize) -> bool {
        matches!(
            self.prev_word(i),
            Some(Lx::In | Lx::Since | Lx::Until | Lx::From | Lx::Within | Lx::Between | Lx::Part | Lx::Ago | Lx::After)
        )
    }

    /// "بين X و Y", "من X حتى Y". A bare day number before the conjunction borrows the month of the second end.
    fn range(&self, i: usize, between: bool) -> Option<(Expr, usize)> {
        let (first, j) = match self.point(i, true) {
            Some(r) => r,
            None => {
                let (d, digits) = self.num(i)?;
                if !self.adj(i) || digits > 2 || !(1..=31).contains(&d) {
                    return None;
                }
                (
                    Pt::new(PtKind::Day {
                        y: None,
                        m: 0,
                        d: d as u8,
                        hijri: false,
                        year_rel: None,
                    }),
                    i + 1,
                )
            }
        };
        // The joint: a separate "و" before a number, a "و" clitic on the next word, or "حتى/إلى" for "من".
        let k = if between {
            if self.next_word(j) == Some(Lx::And) {
                j + 1
            } else if self.adj(j) && self.a.get(j).is_some_and(|a| a.conj) {
                j
            } else {
                return None;
            }
        } else if self.next_word(j) == Some(Lx::Until) || self.next_punct(j, &['-']) {
            j + 1
        } else {
            return None;
        };
        if !self.adj(k) {
            return None;
        }
        let (second, end) = self.point(k, true)?;
        let first = match (first.kind, second.kind) {
            (
                PtKind::Day { m: 0, d, .. },
                PtKind::Day {
                    y, m, hijri, year_rel, ..
                },
            ) => Pt {
                kind: PtKind::Day {
                    y,
                    m,
                    d,
                    hijri,
                    year_rel,
                },
                rel: second.rel,
                ..first
            },
            (PtKind::Day { m: 0, .. }, _) => return None,
            _ => first,
        };
        Some((Expr::Between(first, second), end))
    }

    /// A counted duration: "3 أيام", "ثلاثة أيام", "يومين", "أسبوع", "48 ساعة".
    fn duration(&self, i: usize) -> Option<(Unit, u32, usize)> {
        if !self.adj(i) {
            return None;
        }
        let (n, j) = match self.kind(i) {
            Some(K::Num { v, digits }) if digits <= 4 && v > 0 => (v, i + 1),
            Some(K::W(Lx::NumWord(n))) => (u32::from(n), i + 1),
            Some(K::W(Lx::Ashar)) => (10, i + 1),
            Some(K::W(Lx::Unit {
                u,
                n: Count::Two,
                def: false,
            })) => return Some((u, 2, i + 1)),
            // "قبل أسبوع", but not "منذ عام 2014" (a year, not a duration).
            Some(K::W(Lx::Unit {
                u,
                n: Count::One,
                def: false,
            })) if self.next_num(i + 1).is_none() => {
                return Some((u, 1, i + 1));
            }
            _ => return None,
        };
        match self.next_word(j) {
            Some(Lx::Unit { u, def: false, .. }) => Some((u, n, j + 1)),
            _ => None,
        }
    }

    /// "عدة أيام", "بضعة أسابيع", "أيام".
    fn vague_duration(&self, i: usize) -> Option<(Unit, usize)> {
        if !self.adj(i) {
            return None;
        }
        let j = if self.word(i) == Some(Lx::Few) { i + 1 } else { i };
        if j > i && !self.adj(j) {
            return None;
        }
        match self.word(j) {
            Some(Lx::Unit {
                u,
                n: Count::Many,
                def: false,
            }) => Some((u, j + 1)),
            _ => None,
        }
    }

    /// "الـ48 ساعة الماضية", "الأيام الثلاثة الماضية", "الأيام الماضية", "48 ساعة الماضية".
    fn last_period(&self, i: usize) -> Option<(Expr, usize)> {
        let mut j = i;
        if j > 0 && !self.adj(j) && self.word(j - 1) == Some(Lx::Within) {
            return None;
        }
        if self.word(j) == Some(Lx::Article) {
            j += 1;
            if !self.adj(j) {
                return None;
            }
        }
        match self.kind(j) {
            Some(K::Num { v, digits }) if digits <= 4 && v > 0 => {
                let Some(Lx::Unit { u, .. }) = self.next_word(j + 1) else {
                    return None;
                };
                if self.next_word(j + 2) != Some(Lx::Rel(Rel::Past)) {
                    return None;
                }
                Some((Expr::LastN { unit: u, n: v }, j + 3))
            }
            Some(K::W(Lx::Unit {
                u,
                n: Count::Many,
                def: true,
            })) => match self.next_word(j + 1) {
                Some(Lx::Rel(Rel::Past)) => Some((Expr::LastVague(u), j + 2)),
                Some(Lx::NumWord(n)) if self.next_word(j + 2) == Some(Lx::Rel(Rel::Past)) => Some((
                    Expr::LastN {
                        unit: u,
                        n: u32::from(n),
                    },
                    j + 3,
                )),
                _ => None,
            },
            _ => None,
        }
    }

    /// A point expression starting at `i`. `ctx` says a temporal word precedes, which licenses ambiguous months.
    fn point(&self, i: usize, ctx: bool) -> Option<(Pt, usize)> {
        let mut j = i;
        let mut part = false;
        let mut day_part = false;
        // Prefixes: "مساء", "يوم", "مساء يوم", "مطلع", "منتصف".
        loop {
            let is_first = j == i;
            if !is_first && !self.adj(j) {
                return None;
            }
            match self.word(j) {
                Some(Lx::DayPart) if is_first => {
                    day_part = true;
                    j += 1;
                }
                Some(Lx::Yawm) if is_first || day_part => j += 1,
                Some(Lx::Part) if is_first => {
                    part = true;
                    j += 1;
                }
                // "النصف الثاني من الشهر الماضي": a half is a part of the period, not a day "الثاني".
                Some(Lx::Half) if is_first => {
                    let half = matches!(self.next_word(j + 1), Some(Lx::Ord(1 | 2)));
                    if !half || self.next_word(j + 2) != Some(Lx::From) {
                        return None;
                    }
                    part = true;
                    j += 3;
                }
                _ => break,
            }
        }
        if j > i && !self.adj(j) {
            return None;
        }
        let ctx = ctx || j > i;
        let mut r = self.core(j, ctx, part)?;
        r.0.part = part;
        Some(r)
    }

    fn core(&self, j: usize, ctx: bool, part: bool) -> Option<(Pt, usize)> {
        let kind = self.kind(j)?;
        match kind {
            K::W(Lx::Yesterday) => {
                if self.next_word(j + 1) == Some(Lx::Awwal) {
                    return Some((Pt::new(PtKind::RelDay(-2)), j + 2));
                }
                Some(
                    self.weekday_after(j + 1, -1)
                        .unwrap_or((Pt::new(PtKind::RelDay(-1)), j + 1)),
                )
            }
            K::W(Lx::Awwal) => {
                let k = if self.next_word(j + 1) == Some(Lx::From) {
                    j + 2
                } else {
                    j + 1
                };
                if self.next_word(k) == Some(Lx::Yesterday) {
                    Some(
                        self.weekday_after(k + 1, -2)
                            .unwrap_or((Pt::new(PtKind::RelDay(-2)), k + 1)),
                    )
                } else {
                    None
                }
            }
            K::W(Lx::Today) => {
                // "في مثل هذا اليوم": an anniversary, not today.
                if self.prev_word(j) == Some(Lx::This) && j > 0 && self.prev_word(j - 1) == Some(Lx::Block) {
                    return None;
                }
                // "اليوم التالي", "اليوم السابق", "اليوم نفسه": relative to a date named earlier, not to the anchor.
                let shift = match self.next_word(j + 1) {
                    Some(Lx::Following) => Some(1),
                    Some(Lx::Rel(Rel::Past)) => Some(-1),
                    Some(Lx::Same) => Some(0),
                    _ => None,
                };
                if let Some(k) = shift {
                    return Some((Pt::new(PtKind::FromEarlier(k)), j + 2));
                }
                if matches!(self.next_word(j + 1), Some(Lx::Block | Lx::Ord(_) | Lx::Tens(_))) {
                    return None;
                }
                Some(
                    self.weekday_after(j + 1, 0)
                        .unwrap_or((Pt::new(PtKind::RelDay(0)), j + 1)),
                )
            }
            K::W(Lx::Tonight) => match self.next_word(j + 1) {
                Some(Lx::Rel(Rel::Past)) => Some((Pt::new(PtKind::RelDay(-1)), j + 2)),
                _ => None,
            },
            K::W(Lx::Tomorrow) => {
                if self.prev_word(j) == Some(Lx::Qad) {
                    return None;
                }
                Some(
                    self.weekday_after(j + 1, 1)
                        .unwrap_or((Pt::new(PtKind::RelDay(1)), j + 1)),
                )
            }
            K::W(Lx::After) => {
                if self.next_word(j + 1) == Some(Lx::Ghad) {
                    Some((Pt::new(PtKind::RelDay(2)), j + 2))
                } else {
                    None
                }
            }
            K::W(Lx::Weekday(wd)) => self.weekday(j, wd),
            K::Num { .. } => self
                .numeric(j)
                .or_else(|| self.day_month(j))
                .or_else(|| self.bare_year(j, ctx || part)),
            K::W(Lx::Ord(_) | Lx::Tens(_)) => self.day_month(j),
            K::W(Lx::Unit {
                u: Unit::Month,
                n: Count::One,
                def,
            }) => {
                if self.adj(j + 1)
                    && let Some((pt, end)) = self.month(j + 1, true)
                {
                    return Some((pt, end));
                }
                if def {
                    return self.rel_unit(j, Unit::Month, part);
                }
                None
            }
            K::W(Lx::Unit {
                u: Unit::Year,
                n: Count::One,
                def,
            }) => {
                if let Some((y, digits)) = self.next_num(j + 1) {
                    return self.year_number(j + 1, y, digits, true);
                }
                if def {
                    return self.rel_unit(j, Unit::Year, part);
                }
                None
            }
            K::W(Lx::Unit {
                u: Unit::Week,
                n: Count::One,
                def: true,
            }) => self.rel_unit(j, Unit::Week, part),
            K::W(Lx::This) => match self.next_word(j + 1) {
                Some(Lx::Unit {
                    u: u @ (Unit::Week | Unit::Month | Unit::Year),
                    n: Count::One,
                    def: true,
                }) => {
                    let mut pt = Pt::new(PtKind::RelUnit(u));
                    pt.rel = Rel::Current;
                    Some((pt, j + 2))
                }
                _ => None,
            },
            K::W(Lx::Month { .. } | Lx::Kanun | Lx::Tishrin | Lx::HijriMonth(_) | Lx::Rabi | Lx::Jumada | Lx::Dhu) => {
                self.month(j, ctx || part)
            }
            _ => None,
        }
    }

    /// "الأسبوع الماضي", "الشهر الجاري", "العام المقبل"; after a part word ("مطلع الشهر") a bare unit is current.
    fn rel_unit(&self, j: usize, unit: Unit, part: bool) -> Option<(Pt, usize)> {
        let mut pt = Pt::new(PtKind::RelUnit(unit));
        match self.next_word(j + 1) {
            Some(Lx::Rel(rel)) => {
                pt.rel = rel;
                Some((pt, j + 2))
            }
            _ if part => {
                pt.rel = Rel::Current;
                Some((pt, j + 1))
            }
            _ => None,
        }
    }

    /// A weekday after "أمس", "اليوم", "غدا".
    fn weekday_after(&self, k: usize, shift: i32) -> Option<(Pt, usize)> {
        // "مساء اليوم (الأربعاء)": the weekday in parentheses belongs to the same expression.
        if self.next_punct(k, &['('])
            && let Some(Lx::Weekday(wd)) = self.next_word(k + 1)
            && self.next_punct(k + 2, &[')'])
        {
            let mut pt = Pt::new(PtKind::Weekday { wd, shift: Some(shift) });
            pt.weekday = Some(wd);
            return Some((pt, k + 3));
        }
        match self.next_word(k) {
            Some(Lx::Weekday(wd)) if self.weekday_is_date(k) => {
                let mut pt = Pt::new(PtKind::Weekday { wd, shift: Some(shift) });
                pt.weekday = Some(wd);
                // "أمس الخميس 9 نوفمبر": the explicit date wins, the weekday is kept.
                if let Some((mut d, end)) = self.date_after_weekday(k + 1) {
                    d.weekday = Some(wd);
                    return Some((d, end));
                }
                Some((pt, k + 1))
            }
            _ => None,
        }
    }

    /// False when the weekday word is part of a name ("الشيخ عبدالله السبت", "سوق الخميس") or a number
    /// ("الأحد عشر").
    fn weekday_is_date(&self, j: usize) -> bool {
        if self.prev_word(j) == Some(Lx::NameIntro) {
            return false;
        }
        !matches!(self.next_word(j + 1), Some(Lx::Ashar | Lx::Bin))
    }

    fn weekday(&self, j: usize, wd: u8) -> Option<(Pt, usize)> {
        if !self.weekday_is_date(j) {
            return None;
        }
        if let Some((mut d, end)) = self.date_after_weekday(j + 1) {
            d.weekday = Some(wd);
            return Some((d, end));
        }
        let mut pt = Pt::new(PtKind::Weekday { wd, shift: None });
        pt.weekday = Some(wd);
        // "ليل الأربعاء الخميس", "ليل الأربعاء - الخميس": a night named by the two days it spans is the first.
        let k = if self.next_punct(j + 1, &['-', '/']) {
            j + 2
        } else {
            j + 1
        };
        if let Some(Lx::Weekday(next)) = self.next_word(k)
            && next == (wd + 1) % 7
        {
            return Some((pt, k + 1));
        }
        if let Some(Lx::Rel(rel)) = self.next_word(j + 1) {
            pt.rel = rel;
            return Some((pt, j + 2));
        }
        Some((pt, j + 1))
    }

    /// "السبت 11/11/2017", "الخميس، 24 يناير", "الخميس الموافق 24 يناير".
    fn date_after_weekday(&self, k: usize) -> Option<(Pt, usize)> {
        let k = if self.next_punct(k, &[',', '-']) || self.next_word(k) == Some(Lx::Muwafiq) {
            k + 1
        } else {
            k
        };
        if !self.adj(k) {
            return None;
        }
        match self.kind(k)? {
            K::Num { .. } => self.numeric(k).or_else(|| self.day_month(k)),
            K::W(Lx::Ord(_) | Lx::Tens(_)) => self.day_month(k),
            _ => None,
        }
    }

    /// "11/11/2017", "2017-11-11", "20.10.2017", "11/نوفمبر/2017", optionally followed by a clock time.
    fn numeric(&self, j: usize) -> Option<(Pt, usize)> {
        let (a, ad) = self.num(j)?;
        let sep = match self.kind(j + 1) {
            Some(K::P(c @ ('/' | '-' | '.'))) if self.adj(j + 1) => c,
            _ => return None,
        };
        let (b, month_end) = if let Some((b, _)) = self.next_num(j + 2) {
            (b, j + 3)
        } else if self.adj(j + 2) {
            let (m, _, hijri, end) = self.month_name(j + 2)?;
            if hijri {
                return None;
            }
            (u32::from(m), end)
        } else {
            return None;
        };
        if !self.next_punct(month_end, &[sep]) {
            return None;
        }
        let (c, cd) = self.next_num(month_end + 1)?;
        let end = month_end + 2;
        let (y, mut m, mut d) = if ad == 4 && cd <= 2 {
            (a, b, c)
        } else if cd == 4 && ad <= 2 {
            (c, b, a)
        } else {
            return None;
        };
        let mut mdy = false;
        if m > 12 && d <= 12 {
            std::mem::swap(&mut m, &mut d);
            mdy = true;
        }
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1800..=2200).contains(&y) {
            return None;
        }
        let mut pt = Pt::new(PtKind::Day {
            y: Some(y as i32),
            m: m as u8,
            d: d as u8,
            hijri: false,
            year_rel: None,
        });
        pt.mdy = mdy;
        Some((pt, self.clock_after(end)))
    }

    /// "- 12:04 ص", "الساعة 10:30": a clock time belongs to the date it follows.
    fn clock_after(&self, k: usize) -> usize {
        let mut t = k;
        if self.next_punct(t, &['-', ',']) || self.next_word(t) == Some(Lx::Clock) {
            t += 1;
        }
        let Some((h, hd)) = self.next_num(t) else { return k };
        if hd > 2 || h > 24 || !self.next_punct(t + 1, &[':']) {
            return k;
        }
        let Some((mi, md)) = self.next_num(t + 2) else { return k };
        if md != 2 || mi > 59 {
            return k;
        }
        let mut end = t + 3;
        if matches!(self.next_word(end), Some(Lx::AmPm | Lx::DayPart | Lx::GregorianMark)) {
            end += 1;
        }
        end
    }

    /// An ordinal day in words: "السادس", "الحادي عشر", "الثاني والعشرين", "العشرين".
    fn ordinal(&self, j: usize) -> Option<(u8, usize)> {
        match self.word(j)? {
            Lx::Tens(t) => Some((t, j + 1)),
            Lx::Ord(u) => {
                if self.next_word(j + 1) == Some(Lx::Ashar) && u < 10 {
                    return Some((10 + u, j + 2));
                }
                if let Some(Lx::Tens(t)) = self.next_word(j + 1)
                    && self.a.get(j + 1).is_some_and(|a| a.conj)
                    && u < 10
                {
                    let v = t + u;
                    return (v <= 31).then_some((v, j + 2));
                }
                Some((u, j + 1))
            }
            _ => None,
        }
    }

    /// A day of a month: "24 من يناير/كانون الثاني 2019", "السادس من الشهر الحالي", "21 صفر 1439 هـ".
    fn day_month(&self, j: usize) -> Option<(Pt, usize)> {
        let (d, k) = match self.kind(j)? {
            K::Num { v, digits } if digits <= 2 && (1..=31).contains(&v) => (v as u8, j + 1),
            K::W(_) => self.ordinal(j)?,
            _ => return None,
        };
        let ordinal = !matches!(self.kind(j), Some(K::Num { .. }));
        let k = if self.next_word(k) == Some(Lx::From) { k + 1 } else { k };
        if !self.adj(k) {
            return None;
        }
        // "السادس من الشهر الجاري".
        if let Some(Lx::Unit {
            u: Unit::Month,
            n: Count::One,
            def: true,
        }) = self.word(k)
        {
            let rel = match self.next_word(k + 1) {
                Some(Lx::Rel(rel)) => rel,
                _ => return None,
            };
            let mut pt = Pt::new(PtKind::DayOfRelMonth { d });
            pt.rel = rel;
            return Some((pt, k + 2));
        }
        let k = if matches!(
            self.word(k),
            Some(Lx::Unit {
                u: Unit::Month,
                n: Count::One,
                def: false
            })
        ) {
            if !self.adj(k + 1) {
                return None;
            }
            k + 1
        } else {
            k
        };
        let (m, _amb, hijri, end) = self.month_name(k)?;
        let (pt, end) = self.year_tail(
            end,
            PtKind::Day {
                y: None,
                m,
                d,
                hijri,
                year_rel: None,
            },
        )?;
        // An ordinal "الأول" alone before a month is the month's pair word, not a day, unless "من" joins them.
        if ordinal && d == 1 && k == j + 1 {
            return None;
        }
        Some((pt, self.clock_after(end)))
    }

    /// A month name with its pair and its year or marker: "سبتمبر (أيلول) الماضي", "نوفمبر 2017", "رمضان 1439 هـ".
    fn month(&self, j: usize, ctx: bool) -> Option<(Pt, usize)> {
        let (m, amb, hijri, end) = self.month_name(j)?;
        let paired = end > j + 1
            && !matches!(
                self.word(j),
                Some(Lx::Kanun | Lx::Tishrin | Lx::Rabi | Lx::Jumada | Lx::Dhu)
            );
        let (pt, e) = self.year_tail(
            end,
            PtKind::Month {
                y: None,
                m,
                hijri,
                year_rel: None,
            },
        )?;
        let marked = e > end;
        if hijri && !matches!(pt.kind, PtKind::Month { y: Some(_), .. }) {
            // A Hijri month without a year is a season ("شهر رمضان"), not a date.
            return None;
        }
        if amb && !(ctx || paired || marked) {
            return None;
        }
        // "منطقة مايو", "ساحة تموز": a month word right after a place or name word is part of a name.
        if !marked && self.prev_word(j) == Some(Lx::NameIntro) {
            return None;
        }
        Some((pt, e))
    }

    /// A month name, with an optional second series after "/" or in parentheses. Returns (month, ambiguous,
    /// hijri, end).
    fn month_name(&self, j: usize) -> Option<(u8, bool, bool, usize)> {
        let (m, amb, hijri, end) = match self.word(j)? {
            Lx::Month { m, amb } => (m, amb, false, j + 1),
            Lx::Kanun => match self.next_word(j + 1)? {
                Lx::Ord(1) => (12, false, false, j + 2),
                Lx::Ord(2) => (1, false, false, j + 2),
                _ => return None,
            },
            Lx::Tishrin => match self.next_word(j + 1)? {
                Lx::Ord(1) => (10, false, false, j + 2),
                Lx::Ord(2) => (11, false, false, j + 2),
                _ => return None,
            },
            Lx::HijriMonth(m) => (m, m == 2, true, j + 1),
            Lx::Rabi => match self.next_word(j + 1)? {
                Lx::Ord(1) => (3, false, true, j + 2),
                Lx::Ord(2) | Lx::Akhir => (4, false, true, j + 2),
                _ => return None,
            },
            Lx::Jumada => match self.next_word(j + 1)? {
                Lx::Ord(1) => (5, false, true, j + 2),
                Lx::Ord(2) | Lx::Akhir => (6, false, true, j + 2),
                _ => return None,
            },
            Lx::Dhu => match self.next_word(j + 1)? {
                Lx::Qada => (11, false, true, j + 2),
                Lx::Hijja => (12, false, true, j + 2),
                _ => return None,
            },
            _ => return None,
        };
        if hijri {
            return Some((m, amb, hijri, end));
        }
        // "يناير/كانون الثاني", "نوفمبر (تشرين الثاني)", "أيار/مايو".
        if self.next_punct(end, &['/', '(']) && self.adj(end + 1) {
            let open = matches!(self.kind(end), Some(K::P('(')));
            if let Some((m2, _, false, e2)) = self.month_name_single(end + 1)
                && m2 == m
            {
                let e2 = if open && self.next_punct(e2, &[')']) {
                    e2 + 1
                } else {
                    e2
                };
                return Some((m, false, false, e2));
            }
        }
        Some((m, amb, false, end))
    }

    /// A Gregorian month name without looking for a pair (the pair's second half).
    fn month_name_single(&self, j: usize) -> Option<(u8, bool, bool, usize)> {
        match self.word(j)? {
            Lx::Month { m, amb } => Some((m, amb, false, j + 1)),
            Lx::Kanun | Lx::Tishrin => {
                let second = match self.next_word(j + 1)? {
                    Lx::Ord(1) => 1,
                    Lx::Ord(2) => 2,
                    _ => return None,
                };
                let m = match (self.word(j)?, second) {
                    (Lx::Kanun, 1) => 12,
                    (Lx::Kanun, _) => 1,
                    (_, 1) => 10,
                    _ => 11,
                };
                Some((m, false, false, j + 2))
            }
            _ => None,
        }
    }

    /// What may follow a month: a year (with "هـ"/"م"), a marker ("الماضي"), or "من العام الحالي".
    fn year_tail(&self, k: usize, kind: PtKind) -> Option<(Pt, usize)> {
        let mut pt = Pt::new(kind);
        // "الجمعة، 31 يوليو/ تموز، 2015": a comma may separate the year.
        let k = match self.next_num(k + 1) {
            Some((_, 4)) if self.next_punct(k, &[',']) => k + 1,
            _ => k,
        };
        let hijri_month = matches!(
            kind,
            PtKind::Day { hijri: true, .. } | PtKind::Month { hijri: true, .. }
        );
        if let Some((y, digits)) = self.next_num(k) {
            let hijri_mark = self.next_word(k + 1) == Some(Lx::HijriMark);
            let greg_mark = self.next_word(k + 1) == Some(Lx::GregorianMark);
            let plausible = if hijri_month || hijri_mark {
                (1..=1600).contains(&y)
            } else {
                (1800..=2200).contains(&y)
            };
            if digits >= 3 && plausible && (hijri_month == hijri_mark || hijri_month) {
                let y = Some(y as i32);
                pt.kind = match kind {
                    PtKind::Day { m, d, hijri, .. } => PtKind::Day {
                        y,
                        m,
                        d,
                        hijri,
                        year_rel: None,
                    },
                    PtKind::Month { m, hijri, .. } => PtKind::Month {
                        y,
                        m,
                        hijri,
                        year_rel: None,
                    },
                    other => other,
                };
                let mut end = k + 1;
                if hijri_mark || greg_mark {
                    end += 1;
                }
                // "منتصف 2018 الماضي", "نوفمبر 2017 الماضي".
                if let Some(Lx::Rel(rel)) = self.next_word(end) {
                    pt.rel = rel;
                    end += 1;
                }
                return Some((pt, end));
            }
        }
        // "28 من يونيو/حزيران من عام 2014", "يونيو عام 2014".
        let f = if self.next_word(k) == Some(Lx::From) { k + 1 } else { k };
        if self.adj(f)
            && let Some(Lx::Unit {
                u: Unit::Year,
                n: Count::One,
                ..
            }) = self.word(f)
            && let Some((y, digits)) = self.next_num(f + 1)
            && digits == 4
            && (1800..=2200).contains(&y)
            && !hijri_month
        {
            let y = Some(y as i32);
            pt.kind = match kind {
                PtKind::Day { m, d, hijri, .. } => PtKind::Day {
                    y,
                    m,
                    d,
                    hijri,
                    year_rel: None,
                },
                PtKind::Month { m, hijri, .. } => PtKind::Month {
                    y,
                    m,
                    hijri,
                    year_rel: None,
                },
                other => other,
            };
            return Some((pt, f + 2));
        }
        if hijri_month {
            return Some((pt, k));
        }
        if let Some(Lx::Rel(rel)) = self.next_word(k) {
            pt.rel = rel;
            return Some((pt, k + 1));
        }
        // "من العام الحالي", "من السنة الماضية".
        let f = if self.next_word(k) == Some(Lx::From) { k + 1 } else { k };
        if (f > k || self.adj(f))
            && self.adj(f)
            && let Some(Lx::Unit {
                u: Unit::Year,
                n: Count::One,
                def: true,
            }) = self.word(f)
            && let Some(Lx::Rel(rel)) = self.next_word(f + 1)
        {
            pt.kind = match kind {
                PtKind::Day { m, d, hijri, .. } => PtKind::Day {
                    y: None,
                    m,
                    d,
                    hijri,
                    year_rel: Some(rel),
                },
                PtKind::Month { m, hijri, .. } => PtKind::Month {
                    y: None,
                    m,
                    hijri,
                    year_rel: Some(rel),
                },
                other => other,
            };
            return Some((pt, f + 2));
        }
        Some((pt, k))
    }

    /// A year after "عام"/"سنة" (`after_word`) or after a part/preposition: "عام 2014", "1350 هـ", "2018 الماضي".
    fn year_number(&self, j: usize, y: u32, digits: u8, after_word: bool) -> Option<(Pt, usize)> {
        let hijri = self.next_word(j + 1) == Some(Lx::HijriMark);
        let greg = self.next_word(j + 1) == Some(Lx::GregorianMark);
        let ok = if hijri {
            digits >= 3 && (1..=1600).contains(&y)
        } else {
            digits == 4 && (1800..=2200).contains(&y)
        };
        if !ok || (!after_word && !hijri && digits != 4) {
            return None;
        }
        let mut pt = Pt::new(PtKind::Year { y: y as i32, hijri });
        let mut end = j + 1;
        if hijri || greg {
            end += 1;
        }
        if let Some(Lx::Rel(rel)) = self.next_word(end) {
            pt.rel = rel;
            end += 1;
        }
        Some((pt, end))
    }

    /// A bare four-digit year needs a reason to be a year: a preceding temporal word, a part word, a marker after
    /// it ("2018 الماضي"), or "هـ".
    fn bare_year(&self, j: usize, ctx: bool) -> Option<(Pt, usize)> {
        let (y, digits) = self.num(j)?;
        let marked = matches!(
            self.next_word(j + 1),
            Some(Lx::Rel(_) | Lx::HijriMark | Lx::GregorianMark)
        );
        if !marked && (!ctx || digits != 4) {
            return None;
        }
        if !marked && !(1950..=2100).contains(&y) {
            return None;
        }
        self.year_number(j, y, digits, false)
    }
}
