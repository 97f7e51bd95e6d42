//! Reconciliation: the step from many reports to one picture that still shows who said what.
//!
//! Each report yields event records ([`rasd_core::Event`]). Across reports this crate
//! - clusters the events that describe one incident ([`Incident`]), keeping every claim and showing where
//!   sources agree and where they differ (date, fatalities, actors);
//! - derives control claims from territory events, one record per source and claim ([`ControlClaim`]), and per
//!   place a dated [`Timeline`] with one lane per source and "contested" where lanes disagree;
//! - lists typed [`Contradiction`]s: controller, fatalities, date and existence.
//!
//! The crate is pure (no I/O): the store feeds it [`Report`]s and keeps what it returns.

mod contradiction;
mod control;
mod geo;
mod incident;

pub use contradiction::{
    Contradiction, ContradictionKind, ControllerKey, Side, contradictions, controller_contradictions, controller_key,
};
pub use control::{ControlClaim, Lane, Step, TERRITORY, Timeline, control_claims};
pub use geo::haversine_km;
pub use incident::{
    ActorTally, Incident, IncidentClaim, IncidentStream, Membership, Seed, Tally, coarse_from, event_window,
    incident_of, incidents, incidents_resume, is_day_precise, resume_margin, window_of,
};

use rasd_core::{Event, SourceKind, Stance};
use serde::{Deserialize, Serialize};

/// One event together with what reconciliation needs to know about the report it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub event: Event,
    /// The lane this claim belongs to: the attributed source, see [`claim_source`].
    pub source: String,
    /// The outlet that published the document, when known.
    pub outlet: Option<String>,
    /// Set when the document is a near-duplicate (a republished story) of another document: its claims then do
    /// not count as independent confirmation.
    pub republished_of: Option<String>,
    /// The document's publication date: the date of an undated claim about who holds a place *now* ("the city
    /// is still in its hands").
    #[serde(default)]
    pub published: Option<chrono::NaiveDate>,
}

impl Report {
    /// Wraps an event, deriving its source lane from the attribution and the outlet.
    pub fn new(event: Event, outlet: Option<String>, republished_of: Option<String>) -> Report {
        let source = claim_source(&event, outlet.as_deref());
        Report {
            event,
            source,
            outlet,
            republished_of,
            published: None,
        }
    }

    /// The same report with its document's publication date.
    pub fn published(mut self, date: Option<chrono::NaiveDate>) -> Report {
        self.published = date;
        self
    }

    /// Whether the claim takes part in reconciliation: history and forecasts are not claims about the present.
    fn is_claim(&self) -> bool {
        is_claim(&self.event)
    }
}

/// Whether an event is a claim about the present: history and forecasts are not.
fn is_claim(e: &Event) -> bool {
    !e.background && e.stance != Stance::Expected
}

/// The lane id of a claim: the nearest attributed source ("sana", "sohr"), or the publishing outlet when the
/// report names none. Anonymous sources ("مصادر محلية") are qualified by the outlet that quotes them
/// ("local-sources@alaraby"): two outlets' local sources are not the same witness.
pub fn claim_source(event: &Event, outlet: Option<&str>) -> String {
    match (event.reported_by.first(), outlet) {
        (Some(s), Some(o)) if matches!(s.kind, SourceKind::LocalSources | SourceKind::Unnamed) => {
            format!("{}@{}", s.id, o)
        }
        (Some(s), _) => s.id.clone(),
        (None, Some(o)) if !o.trim().is_empty() => o.trim().to_string(),
        _ => "unattributed".to_string(),
    }
}

/// Tunable thresholds. The defaults follow the issue: ~10 km, the date precision window, a fatality tolerance.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Events at different places closer than this may be one incident.
    pub radius_km: f64,
    /// Extra days of slack around a day-precise date: reports of the same act often differ by a day or two
    /// ("مساء أول من أمس" against "أمس").
    pub day_slack: i64,
    /// Two fatality figures contradict when they differ by more than this many deaths …
    pub fatalities_abs: u64,
    /// … and by more than this fraction of the larger figure.
    pub fatalities_rel: f64,
    /// A source's control claim stays its current view for this many days in a timeline.
    pub control_horizon_days: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            radius_km: 10.0,
            day_slack: 2,
            fatalities_abs: 2,
            fatalities_rel: 0.25,
            control_horizon_days: 7,
        }
    }
}

/// Everything reconciliation derives from a set of reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reconciled {
    pub incidents: Vec<Incident>,
    pub control: Vec<ControlClaim>,
    pub contradictions: Vec<Contradiction>,
}

/// Runs the whole reconciliation over `reports`. Output order is deterministic for a given input set, whatever
/// order the reports come in.
pub fn reconcile(reports: &[Report], opts: &Options) -> Reconciled {
    let incidents = incidents(reports, opts);
    let control = control_claims(reports);
    let contradictions = contradictions(&incidents, &control, opts);
    Reconciled {
        incidents,
        control,
        contradictions,
    }
}

#[cfg(test)]
pub(crate) mod testutil;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use proptest::prelude::*;

    fn reports() -> Vec<Report> {
        let places = [ALBUKAMAL, AL_QAIM, MAYADIN];
        let subs = [REGAIN, OVERTAKE, CLASH, AIR];
        let sources = ["sana", "amaq", "sohr", "afp", "local-sources"];
        (0..40)
            .map(|i: usize| {
                let (a1, a2) = if i.is_multiple_of(3) {
                    (ISIS, SYRIA)
                } else {
                    (SYRIA, ISIS)
                };
                let mut e = ev(
                    &format!("e{i:02}"),
                    &format!("d{}", i / 2),
                    subs[i % 4],
                    &format!("2017-11-{:02}", 8 + i % 5),
                    places[i % 3],
                )
                .a1(a1)
                .a2(a2)
                .by(sources[i % 5])
                .killed((i as u64 * 7) % 40);
                if i.is_multiple_of(7) {
                    e = e.stance(rasd_core::Stance::Denied);
                }
                report(e, i.is_multiple_of(11).then_some("d0"))
            })
            .collect()
    }

    proptest! {
        /// Reconciliation depends on the set of reports, never on the order they are loaded in.
        #[test]
        fn order_of_reports_does_not_matter(seed in any::<u64>()) {
            let base = reports();
            let expected = reconcile(&base, &Options::default());
            let mut shuffled = base.clone();
            let mut x = seed | 1;
            for i in (1..shuffled.len()).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                shuffled.swap(i, (x % (i as u64 + 1)) as usize);
            }
            prop_assert_eq!(reconcile(&shuffled, &Options::default()), expected);
        }
    }

    /// Random reports over three places (two within 10 km of each other), two weeks, two sub-types, with some
    /// week- and month-precise dates, missing actors and denials.
    fn random_reports(spec: &[(u8, u8, u8, u8, u8, u8)]) -> Vec<Report> {
        let places = [ALBUKAMAL, AL_QAIM, MAYADIN, ""];
        let actors = [Some(SYRIA), Some(ISIS), None];
        spec.iter()
            .enumerate()
            .map(|(i, &(p, day, sub, a, prec, st))| {
                let mut e = ev(
                    &format!("e{i:03}"),
                    &format!("d{i}"),
                    [CLASH, REGAIN][sub as usize % 2],
                    &format!("2017-11-{:02}", 1 + day % 28),
                    places[p as usize % 4],
                )
                .by(["sana", "amaq", "sohr"][i % 3])
                .killed(u64::from(day) * 3 % 17);
                if let Some(x) = actors[a as usize % 3] {
                    e = e.a1(x);
                }
                if let Some(x) = actors[(a / 3) as usize % 3] {
                    e = e.a2(x);
                }
                e.date_precision = match prec % 10 {
                    0 => rasd_core::DatePrecision::Month,
                    1 => rasd_core::DatePrecision::Week,
                    _ => rasd_core::DatePrecision::Day,
                };
                if prec % 17 == 3 {
                    e.event_date = None;
                }
                if st % 5 == 0 {
                    e = e.stance(rasd_core::Stance::Denied);
                }
                report(e, None)
            })
            .collect()
    }

    /// Feeds `reports` to an [`IncidentStream`] in the store's order (sub-event type by name, date with undated
    /// first, id) and builds the incidents it hands back; also how many it handed back before the end.
    fn streamed(reports: &[Report], opts: &Options) -> (Vec<Incident>, usize) {
        let mut order: Vec<&Report> = reports.iter().collect();
        order.sort_by(|a, b| {
            let key = |r: &Report| (r.event.sub_event_type.name(), r.event.event_date, r.event.id.clone());
            key(a).cmp(&key(b))
        });
        let mut stream = IncidentStream::new(opts);
        let mut done = Vec::new();
        for r in order {
            stream.push(&r.event, &mut done);
        }
        let early = done.len();
        stream.finish(&mut done);
        let by_id: std::collections::HashMap<&str, &Report> =
            reports.iter().map(|r| (r.event.id.as_str(), r)).collect();
        let mut out: Vec<Incident> = done
            .iter()
            .map(|m| {
                let members: Vec<Report> = m.members.iter().map(|id| by_id[id.as_str()].clone()).collect();
                incident_of(&members, 0)
            })
            .collect();
        out.sort_by(|a, b| (a.first_date, &a.id).cmp(&(b.first_date, &b.id)));
        (out, early)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        /// A streamed clustering forms exactly the incidents of a full run, with the events spread in clumps over
        /// two years (across New Year) and some year-precise dates, so that clusters close while it reads.
        #[test]
        fn a_streamed_clustering_equals_a_full_run(
            spec in proptest::collection::vec((0u8..4, 0u8..28, 0u8..2, 0u8..9, 0u8..40, 0u8..10), 1..80),
            spread in proptest::collection::vec(0u8..8, 80),
        ) {
            let opts = Options::default();
            let mut reports = random_reports(&spec);
            for (r, &s) in reports.iter_mut().zip(&spread) {
                let e = &mut r.event;
                let shift = [0, 0, 25, 60, 75, 370, 400, 700][s as usize];
                e.event_date = e.event_date.map(|d| d + chrono::Days::new(shift));
                if s == 7 && e.event_date.is_some() {
                    e.date_precision = rasd_core::DatePrecision::Year;
                }
            }
            let (got, _) = streamed(&reports, &opts);
            prop_assert_eq!(got, incidents(&reports, &opts));
        }
    }

    /// The stream hands incidents back as it reads: a clash a year after another closes the first (a coarse
    /// claim still to come may be year-precise: its window starts on the 1st of January, less the slack).
    #[test]
    fn a_stream_closes_clusters_that_nothing_can_join() {
        let opts = Options::default();
        let reports: Vec<Report> = (0..6)
            .map(|i| {
                let date = format!("{}-03-10", 2012 + i);
                report(
                    ev(&format!("e{i}"), &format!("d{i}"), CLASH, &date, ALBUKAMAL).by("sana"),
                    None,
                )
            })
            .collect();
        let (got, early) = streamed(&reports, &opts);
        assert_eq!(got, incidents(&reports, &opts));
        assert_eq!((got.len(), early), (6, 5), "all but the last closed before the end");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Resuming the clustering at any cut, with seeds and recomputed coarse events picked as the store picks
        /// them from its tables, gives exactly the incidents a full run gives for what is recomputed.
        #[test]
        fn resuming_at_a_cut_equals_a_full_run(
            spec in proptest::collection::vec((0u8..4, 0u8..28, 0u8..2, 0u8..9, 0u8..40, 0u8..10), 1..60),
            cut in 0u32..32,
        ) {
            use std::collections::{HashMap, HashSet};
            let opts = Options::default();
            let s = opts.day_slack as u64;
            let reports = random_reports(&spec);
            let full = incidents(&reports, &opts);
            let cut = chrono::NaiveDate::from_ymd_opt(2017, 10, 25).unwrap() + chrono::Days::new(u64::from(cut));
            let fine = |r: &Report| is_day_precise(&r.event);
            let coarse: Vec<_> = reports
                .iter()
                .filter(|r| !fine(r))
                .filter_map(|r| Some((r.event.event_date?, event_window(&r.event, opts.day_slack)?)))
                .collect();
            let d0 = coarse_from(cut, &coarse, &opts);
            let recomputed = |r: &Report| match r.event.event_date {
                None => true,
                Some(d) if fine(r) => d >= cut,
                Some(d) => d0.is_some_and(|d0| d >= d0),
            };
            let (lo, hi) = reports
                .iter()
                .filter(|r| !fine(r) && recomputed(r))
                .filter_map(|r| event_window(&r.event, opts.day_slack))
                .fold((None, None), |(l, h): (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>), w| {
                    (Some(l.map_or(w.0, |l| l.min(w.0))), Some(h.map_or(w.1, |h| h.max(w.1))))
                });
            let by_id: HashMap<&str, usize> =
                reports.iter().enumerate().map(|(i, r)| (r.event.id.as_str(), i)).collect();
            let mut seeds: Vec<Seed> = Vec::new();
            for inc in &full {
                let anchor = by_id[&inc.id["inc-".len()..]];
                let e = &reports[anchor].event;
                let (Some(d), Some(w)) = (e.event_date, event_window(e, opts.day_slack)) else { continue };
                if e.location.is_none() || recomputed(&reports[anchor]) {
                    continue;
                }
                let near = d >= cut - chrono::Days::new(2 * s);
                let overlaps = matches!((lo, hi), (Some(l), Some(h)) if w.0 <= h && w.1 >= l);
                if !near && !overlaps {
                    continue;
                }
                let members: Vec<usize> = inc.claims.iter().map(|c| by_id[c.event_id.as_str()]).filter(|&m| m != anchor).collect();
                seeds.push(Seed {
                    anchor,
                    members: members.iter().copied().filter(|&m| fine(&reports[m]) && !recomputed(&reports[m])).collect(),
                    coarse_members: members.iter().copied().filter(|&m| !fine(&reports[m]) && !recomputed(&reports[m])).collect(),
                    fixed: !near || !fine(&reports[anchor]),
                });
            }
            let mut subset: Vec<Report> = Vec::new();
            let mut index = HashMap::new();
            for (i, r) in reports.iter().enumerate() {
                let seeded = seeds.iter().any(|x| x.anchor == i || x.members.contains(&i) || x.coarse_members.contains(&i));
                if seeded || recomputed(r) {
                    index.insert(i, subset.len());
                    subset.push(r.clone());
                }
            }
            let seed_ids: HashSet<String> = seeds.iter().map(|x| format!("inc-{}", reports[x.anchor].event.id)).collect();
            let seeds: Vec<Seed> = seeds
                .iter()
                .map(|x| Seed {
                    anchor: index[&x.anchor],
                    members: x.members.iter().map(|m| index[m]).collect(),
                    coarse_members: x.coarse_members.iter().map(|m| index[m]).collect(),
                    fixed: x.fixed,
                })
                .collect();
            let resumed = incidents_resume(&subset, &seeds, &opts);
            let expected: Vec<&Incident> = full
                .iter()
                .filter(|inc| {
                    seed_ids.contains(&inc.id)
                        || inc.claims.iter().any(|c| recomputed(&reports[by_id[c.event_id.as_str()]]))
                })
                .collect();
            let got: Vec<&Incident> = resumed.iter().collect();
            prop_assert_eq!(got, expected);
        }
    }
}
