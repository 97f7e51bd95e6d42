use crate::{ControlClaim, Incident, IncidentClaim, Options};
use chrono::NaiveDate;
use rasd_core::Stance;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;

/// What two sources disagree about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContradictionKind {
    /// Who holds a place.
    Controller,
    /// How many were killed, beyond the tolerance.
    Fatalities,
    /// When the incident happened.
    Date,
    /// Whether it happened at all: one source reports it, another denies it.
    Existence,
}

impl ContradictionKind {
    /// Every kind, in report order.
    pub const ALL: &'static [ContradictionKind] = &[
        ContradictionKind::Controller,
        ContradictionKind::Fatalities,
        ContradictionKind::Date,
        ContradictionKind::Existence,
    ];

    /// The lowercase name used in the CLI and the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            ContradictionKind::Controller => "controller",
            ContradictionKind::Fatalities => "fatalities",
            ContradictionKind::Date => "date",
            ContradictionKind::Existence => "existence",
        }
    }

    /// Parses a name case-insensitively.
    pub fn parse(s: &str) -> Option<ContradictionKind> {
        ContradictionKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for ContradictionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One side of a contradiction: a source, what it claims, and the record the claim comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    pub source: String,
    pub claim: String,
    pub event_id: String,
    pub doc_id: String,
    pub evidence: String,
}

/// Two sources that cannot both be right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contradiction {
    /// `kind:event_a:event_b`: stable while both claims exist.
    pub id: String,
    pub kind: ContradictionKind,
    pub place_id: Option<String>,
    pub place_name: Option<String>,
    pub date: Option<NaiveDate>,
    pub incident_id: Option<String>,
    pub a: Side,
    pub b: Side,
}

impl Contradiction {
    fn new(
        kind: ContradictionKind,
        place: Option<(&str, &str)>,
        date: Option<NaiveDate>,
        incident_id: Option<&str>,
        a: Side,
        b: Side,
    ) -> Contradiction {
        Contradiction {
            id: format!("{kind}:{}:{}", a.event_id, b.event_id),
            kind,
            place_id: place.map(|p| p.0.to_string()),
            place_name: place.map(|p| p.1.to_string()),
            date,
            incident_id: incident_id.map(str::to_string),
            a,
            b,
        }
    }
}

fn control_side(c: &ControlClaim) -> Side {
    let mut claim = c.describe();
    if c.stance == Stance::Denied {
        claim.push_str(DENIES);
    }
    Side {
        source: c.source.clone(),
        claim,
        event_id: c.event_id.clone(),
        doc_id: c.doc_id.clone(),
        evidence: excerpt(&c.evidence),
    }
}

/// The evidence as shown next to a contradiction: its first 240 bytes (the full span stays in the event
/// record), so that a place with thousands of contradictions still loads in milliseconds.
fn excerpt(s: &str) -> String {
    const MAX: usize = 240;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn claim_side(c: &IncidentClaim, claim: String) -> Side {
    Side {
        source: c.source.clone(),
        claim,
        event_id: c.event_id.clone(),
        doc_id: c.doc_id.clone(),
        evidence: excerpt(&c.evidence),
    }
}

/// Finds the contradictions among incidents and control claims.
/// - controller: two sources' claims about one place, dated within `day_slack` days, that conflict;
///   one per place, pair of sources and pair of views (the earliest);
/// - fatalities: within an incident, two sources' figures differing by more than both tolerances (one per
///   pair of figures: the first sources to give them);
/// - date: within an incident, two sources giving different days (one per pair of days);
/// - existence: within an incident, a source asserting it and another denying it.
///
/// Republished copies take no part: they are the same report, not a second opinion.
pub fn contradictions(incidents: &[Incident], control: &[ControlClaim], opts: &Options) -> Vec<Contradiction> {
    let mut seen = HashSet::new();
    let mut out = controller_contradictions(control, &mut seen, opts);
    for inc in incidents {
        incident_contradictions(inc, opts, &mut out);
    }
    out.sort_by(|a, b| (a.kind, a.date, &a.id).cmp(&(b.kind, b.date, &b.id)));
    out
}

/// What makes two controller contradictions the same: the place, both sources and both views.
pub type ControllerKey = (String, String, String, String, String);

/// The key of a stored controller contradiction (its sides' claims without the "denies" note).
pub fn controller_key(c: &Contradiction) -> ControllerKey {
    let view = |s: &Side| s.claim.strip_suffix(DENIES).unwrap_or(&s.claim).to_string();
    (
        c.place_id.clone().unwrap_or_default(),
        c.a.source.clone(),
        c.b.source.clone(),
        view(&c.a),
        view(&c.b),
    )
}

const DENIES: &str = " (denies the capture)";

/// The controller contradictions among `control` (claims grouped by place), skipping the (sources, views) in
/// `seen` and adding those it finds: [`contradictions`] with an empty `seen`; an incremental reconcile passes
/// the claims from some date on and the keys kept before it.
pub fn controller_contradictions(
    control: &[ControlClaim],
    seen: &mut HashSet<ControllerKey>,
    opts: &Options,
) -> Vec<Contradiction> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < control.len() {
        let place = &control[start].place_id;
        let end = control[start..]
            .iter()
            .position(|c| &c.place_id != place)
            .map_or(control.len(), |p| start + p);
        let mut dated: Vec<&ControlClaim> = control[start..end].iter().filter(|c| c.date.is_some()).collect();
        dated.sort_by(|a, b| (a.date, &a.source, &a.event_id).cmp(&(b.date, &b.source, &b.event_id)));
        for (i, a) in dated.iter().enumerate() {
            let Some(da) = a.date else { continue };
            for b in &dated[i + 1..] {
                let Some(db) = b.date else { continue };
                if (db - da).num_days() > opts.day_slack {
                    break;
                }
                if a.source == b.source || !a.conflicts_with(b) {
                    continue;
                }
                let (x, y) = if a.source <= b.source { (*a, *b) } else { (*b, *a) };
                let key = (
                    x.place_id.clone(),
                    x.source.clone(),
                    y.source.clone(),
                    x.describe(),
                    y.describe(),
                );
                if !seen.insert(key) {
                    continue;
                }
                out.push(Contradiction::new(
                    ContradictionKind::Controller,
                    Some((&x.place_id, &x.place_name)),
                    Some(da),
                    None,
                    control_side(x),
                    control_side(y),
                ));
            }
        }
        start = end;
    }
    out.sort_by(|a, b| (a.kind, a.date, &a.id).cmp(&(b.kind, b.date, &b.id)));
    out
}

fn incident_contradictions(inc: &Incident, opts: &Options, out: &mut Vec<Contradiction>) {
    let place = inc.location.as_ref().map(|l| (l.id.as_str(), l.name.as_str()));
    let counted: Vec<&IncidentClaim> = inc.claims.iter().filter(|c| c.republished_of.is_none()).collect();
    let asserting: Vec<&IncidentClaim> = counted.iter().copied().filter(|c| c.stance != Stance::Denied).collect();
    let mut pairs_seen: HashSet<(ContradictionKind, String, String)> = HashSet::new();
    let mut figures_seen: HashSet<(u64, u64)> = HashSet::new();
    let mut days_seen: HashSet<(NaiveDate, NaiveDate)> = HashSet::new();
    let mut push = |kind, a: Side, b: Side, date| {
        let (a, b) = if a.source <= b.source { (a, b) } else { (b, a) };
        if a.source != b.source && pairs_seen.insert((kind, a.source.clone(), b.source.clone())) {
            out.push(Contradiction::new(kind, place, date, Some(&inc.id), a, b));
        }
    };
    for (i, a) in asserting.iter().enumerate() {
        for b in &asserting[i + 1..] {
            if let (Some(fa), Some(fb)) = (a.fatalities, b.fatalities) {
                let (lo, hi) = (fa.min(fb), fa.max(fb));
                if hi - lo > opts.fatalities_abs
                    && (hi - lo) as f64 > opts.fatalities_rel * hi as f64
                    && a.source != b.source
                    && figures_seen.insert((lo, hi))
                {
                    push(
                        ContradictionKind::Fatalities,
                        claim_side(a, format!("{fa} killed")),
                        claim_side(b, format!("{fb} killed")),
                        inc.first_date,
                    );
                }
            }
            let day = rasd_core::DatePrecision::Day;
            if let (Some(da), Some(db)) = (a.date, b.date)
                && a.date_precision == day
                && b.date_precision == day
                && da != db
                && a.source != b.source
                && days_seen.insert((da.min(db), da.max(db)))
            {
                push(
                    ContradictionKind::Date,
                    claim_side(a, format!("on {da}")),
                    claim_side(b, format!("on {db}")),
                    Some(da.min(db)),
                );
            }
        }
    }
    for d in counted.iter().filter(|c| c.stance == Stance::Denied) {
        for a in &asserting {
            push(
                ContradictionKind::Existence,
                claim_side(a, format!("reports the {}", inc.sub_event_type)),
                claim_side(d, format!("denies the {}", inc.sub_event_type)),
                inc.first_date,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use crate::{Report, reconcile};

    fn story() -> Vec<Report> {
        vec![
            report(
                ev("e1", "d1", REGAIN, "2017-11-08", ALBUKAMAL)
                    .a1(SYRIA)
                    .a2(ISIS)
                    .by("sana"),
                None,
            ),
            report(
                ev("e2", "d2", REGAIN, "2017-11-09", ALBUKAMAL)
                    .a1(SYRIA)
                    .a2(ISIS)
                    .by("amaq")
                    .stance(Stance::Denied),
                None,
            ),
            report(
                ev("e3", "d3", AIR, "2017-11-12", MAYADIN)
                    .a1(RUSSIA)
                    .killed(12)
                    .by("sohr"),
                None,
            ),
            report(
                ev("e4", "d4", AIR, "2017-11-12", MAYADIN)
                    .a1(RUSSIA)
                    .killed(30)
                    .by("amaq"),
                None,
            ),
            report(
                ev("e5", "d5", AIR, "2017-11-12", MAYADIN)
                    .a1(RUSSIA)
                    .killed(13)
                    .by("reuters"),
                None,
            ),
            report(
                ev("e6", "d6", AIR, "2017-11-12", MAYADIN)
                    .a1(RUSSIA)
                    .killed(45)
                    .by("amaq"),
                Some("d4"),
            ),
        ]
    }

    #[test]
    fn types_the_albukamal_contradictions() {
        let r = reconcile(&story(), &Options::default());
        let got: Vec<(ContradictionKind, &str, &str, &str, &str)> = r
            .contradictions
            .iter()
            .map(|c| {
                (
                    c.kind,
                    c.a.source.as_str(),
                    c.a.claim.as_str(),
                    c.b.source.as_str(),
                    c.b.claim.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    ContradictionKind::Controller,
                    "amaq",
                    "isis holds (denies the capture)",
                    "sana",
                    "syria-gov holds"
                ),
                (ContradictionKind::Fatalities, "amaq", "30 killed", "sohr", "12 killed"),
                (
                    ContradictionKind::Fatalities,
                    "amaq",
                    "30 killed",
                    "reuters",
                    "13 killed"
                ),
                (
                    ContradictionKind::Existence,
                    "amaq",
                    "denies the Government regains territory",
                    "sana",
                    "reports the Government regains territory"
                ),
            ]
        );
    }
}
