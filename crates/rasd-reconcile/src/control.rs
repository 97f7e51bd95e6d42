use crate::Report;
use chrono::{Days, NaiveDate};
use rasd_core::{DatePrecision, Stance, SubEventType, TerritoryShare};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One source's claim about who controls a place on a date. Every claim is its own record: a timeline never
/// overwrites one source's claim with another's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlClaim {
    pub place_id: String,
    pub place_name: String,
    pub place_name_ar: String,
    pub date: Option<NaiveDate>,
    pub date_precision: DatePrecision,
    /// True when the claim itself gave no date and the report's publication date stands in for it: a claim
    /// about who holds a place speaks of the moment it is published.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dated_by_publication: bool,
    /// The lane: who makes the claim.
    pub source: String,
    pub outlet: Option<String>,
    /// Who holds the place according to this claim, when the claim says.
    pub holder: Option<String>,
    /// Who does not hold it: the side that lost it, or the side whose capture is denied.
    pub not_holder: Option<String>,
    /// The share held, when only part of the place is claimed ("40 في المئة").
    pub share: Option<TerritoryShare>,
    pub stance: Stance,
    pub event_id: String,
    pub doc_id: String,
    pub evidence: String,
}

impl ControlClaim {
    /// A claim to part of the place only (under 90 %).
    pub fn is_partial(&self) -> bool {
        self.share.is_some_and(|s| s.max.or(s.min).is_some_and(|m| m < 90.0))
    }

    /// Whether two claims cannot both be true: different holders of the whole place, a whole place against a
    /// part held by someone else, or a holder that the other claim says does not hold it. Two partial claims by
    /// different sides are consistent (the place is split).
    pub fn conflicts_with(&self, other: &ControlClaim) -> bool {
        if let (Some(a), Some(b)) = (&self.holder, &other.holder)
            && a != b
            && !(self.is_partial() && other.is_partial())
        {
            return true;
        }
        let denies = |x: &ControlClaim, y: &ControlClaim| {
            x.holder.is_none() && y.holder.is_some() && x.not_holder == y.holder && !y.is_partial()
        };
        denies(self, other) || denies(other, self)
    }

    /// A short human description: "isis holds 40–50%", "not syria-gov".
    pub fn describe(&self) -> String {
        let share = match self.share {
            Some(TerritoryShare {
                min: Some(a),
                max: Some(b),
            }) if a != b => format!(" {a}–{b}%"),
            Some(TerritoryShare { min: Some(a), .. } | TerritoryShare { max: Some(a), .. }) => format!(" {a}%"),
            _ => String::new(),
        };
        match (&self.holder, &self.not_holder) {
            (Some(h), _) => format!("{h} holds{share}"),
            (None, Some(n)) => format!("not held by {n}"),
            (None, None) => "unknown".to_string(),
        }
    }
}

/// The sub-event types whose events are control claims: the territory changes.
pub const TERRITORY: [SubEventType; 3] = [
    SubEventType::GovernmentRegainsTerritory,
    SubEventType::NonStateActorOvertakesTerritory,
    SubEventType::NonViolentTransferOfTerritory,
];

fn is_territory(sub: SubEventType) -> bool {
    TERRITORY.contains(&sub)
}

/// Whether a non-violent transfer was told from the side that gave the place up ("انسحب التنظيم من …",
/// "سلّم … المدينة"): the extractor then names the leaving side as actor1, as the grammar of the sentence does.
fn gives_up(e: &rasd_core::Event) -> bool {
    if e.sub_event_type != SubEventType::NonViolentTransferOfTerritory {
        return false;
    }
    let Some(trigger) = e.field_evidence.get("trigger") else {
        return false;
    };
    let t = trigger.text.trim_start_matches(['و', 'ف']);
    t.contains("انسحب")
        || t.contains("انسحاب")
        || t.starts_with("سلم")
        || t.starts_with("سلّم")
        || t.starts_with("تسليم")
}

/// Derives control claims from territory events. An asserted (or hedged) capture says actor1 holds the place
/// (or the share given) and actor2 no longer does; a denied capture says the place is still held by the side
/// that allegedly lost it. A claim without a date of its own is dated by its report's publication. Republished
/// copies add no claims.
pub fn control_claims(reports: &[Report]) -> Vec<ControlClaim> {
    let mut out: Vec<ControlClaim> = reports
        .iter()
        .filter(|r| r.is_claim() && r.republished_of.is_none() && is_territory(r.event.sub_event_type))
        .filter_map(|r| {
            let e = &r.event;
            let loc = e.location.as_ref()?;
            let a1 = e.actor1.as_ref().map(|a| a.id.clone());
            let a2 = e.actor2.as_ref().map(|a| a.id.clone());
            // A withdrawal or hand-over names the side that leaves as actor1: the place goes to actor2.
            let (a1, a2) = if gives_up(e) { (a2, a1) } else { (a1, a2) };
            let (holder, not_holder) = match e.stance {
                Stance::Denied => (a2, Some(a1?)),
                // Only the side that lost it known ("انسحب التنظيم من المدينة"): a claim that it no longer holds it.
                _ if a1.is_none() && a2.is_none() => return None,
                _ => (a1, a2),
            };
            let by_publication = e.event_date.is_none() && r.published.is_some();
            Some(ControlClaim {
                place_id: loc.id.clone(),
                place_name: loc.name.clone(),
                place_name_ar: loc.name_ar.clone(),
                date: e.event_date.or(r.published),
                date_precision: if by_publication {
                    DatePrecision::Day
                } else {
                    e.date_precision
                },
                dated_by_publication: by_publication,
                source: r.source.clone(),
                outlet: r.outlet.clone(),
                holder,
                not_holder,
                share: if e.stance == Stance::Denied {
                    None
                } else {
                    e.territory_share
                },
                stance: e.stance,
                event_id: e.id.clone(),
                doc_id: e.doc_id.clone(),
                evidence: e.evidence.text.clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.place_id, a.date, &a.source, &a.event_id).cmp(&(&b.place_id, b.date, &b.source, &b.event_id))
    });
    out
}

/// The control timeline of one place: one lane per source, and a step for every date on which some source
/// made a claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    pub place_id: String,
    pub place_name: String,
    pub place_name_ar: String,
    pub lanes: Vec<Lane>,
    pub steps: Vec<Step>,
}

/// Every dated claim of one source, in date order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lane {
    pub source: String,
    pub claims: Vec<ControlClaim>,
}

/// The state of the place on one date: each source's current view, and the controller when they agree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub date: NaiveDate,
    /// The agreed holder; `None` when contested or unknown.
    pub controller: Option<String>,
    pub share: Option<TerritoryShare>,
    pub contested: bool,
    /// Each source's latest claim within the horizon, by source.
    pub views: Vec<ControlClaim>,
}

impl Timeline {
    /// Builds the timeline of the place of `claims` (all claims must be about one place; undated ones are
    /// skipped). A source's claim remains its view for `horizon_days`.
    pub fn build(claims: &[ControlClaim], horizon_days: i64) -> Option<Timeline> {
        let first = claims.first()?;
        let mut lanes: BTreeMap<&str, Vec<ControlClaim>> = BTreeMap::new();
        for c in claims
            .iter()
            .filter(|c| c.date.is_some() && c.place_id == first.place_id)
        {
            lanes.entry(c.source.as_str()).or_default().push(c.clone());
        }
        let lanes: Vec<Lane> = lanes
            .into_iter()
            .map(|(source, mut claims)| {
                claims.sort_by(|a, b| (a.date, &a.event_id).cmp(&(b.date, &b.event_id)));
                Lane {
                    source: source.to_string(),
                    claims,
                }
            })
            .collect();
        let mut dates: Vec<NaiveDate> = lanes
            .iter()
            .flat_map(|l| l.claims.iter().filter_map(|c| c.date))
            .collect();
        dates.sort();
        dates.dedup();
        let mut tl = Timeline {
            place_id: first.place_id.clone(),
            place_name: first.place_name.clone(),
            place_name_ar: first.place_name_ar.clone(),
            lanes,
            steps: Vec::new(),
        };
        tl.steps = dates.iter().map(|&d| tl.as_of(d, horizon_days)).collect();
        Some(tl)
    }

    /// Who held the place on `date`, according to whom: each lane's latest claim made at most `horizon_days`
    /// before.
    pub fn as_of(&self, date: NaiveDate, horizon_days: i64) -> Step {
        let oldest = date
            .checked_sub_days(Days::new(horizon_days.max(0) as u64))
            .unwrap_or(date);
        let views: Vec<ControlClaim> = self
            .lanes
            .iter()
            .filter_map(|l| {
                l.claims
                    .iter()
                    .rev()
                    .find(|c| c.date.is_some_and(|d| d <= date && d >= oldest))
                    .cloned()
            })
            .collect();
        let contested = views
            .iter()
            .enumerate()
            .any(|(i, a)| views[i + 1..].iter().any(|b| a.conflicts_with(b)));
        let (controller, share) = if contested {
            (None, None)
        } else {
            let full = views.iter().find(|v| v.holder.is_some() && !v.is_partial());
            let any = full.or_else(|| views.iter().find(|v| v.holder.is_some()));
            (
                any.and_then(|v| v.holder.clone()),
                any.and_then(|v| if v.is_partial() { v.share } else { None }),
            )
        };
        Step {
            date,
            controller,
            share,
            contested,
            views,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;

    fn albukamal_story() -> Vec<Report> {
        vec![
            report(
                ev("e1", "d1", REGAIN, "2017-11-08", ALBUKAMAL)
                    .a1(SYRIA)
                    .a2(ISIS)
                    .by("syria-army-command"),
                None,
            ),
            report(
                ev("e2", "d2", REGAIN, "2017-11-08", ALBUKAMAL)
                    .a1(SYRIA)
                    .a2(ISIS)
                    .by("sana"),
                None,
            ),
            report(
                ev("e3", "d3", REGAIN, "2017-11-09", ALBUKAMAL)
                    .a1(SYRIA)
                    .a2(ISIS)
                    .by("amaq")
                    .stance(Stance::Denied),
                None,
            ),
            report(
                ev("e4", "d4", OVERTAKE, "2017-11-11", ALBUKAMAL)
                    .a1(ISIS)
                    .a2(SYRIA)
                    .share(40.0, 50.0)
                    .by("sohr"),
                None,
            ),
            report(
                ev("e5", "d5", REGAIN, "2017-11-19", ALBUKAMAL)
                    .a1(SYRIA)
                    .a2(ISIS)
                    .by("sohr"),
                None,
            ),
            report(
                ev("e6", "d6", REGAIN, "2017-11-08", ALBUKAMAL)
                    .a1(SYRIA)
                    .a2(ISIS)
                    .by("sana"),
                Some("d2"),
            ),
        ]
    }

    #[test]
    fn the_albukamal_timeline_has_lanes_and_contested_steps() {
        let claims = control_claims(&albukamal_story());
        assert_eq!(claims.len(), 5, "the republished copy adds no claim");
        let tl = Timeline::build(&claims, 7).expect("timeline");
        let lanes: Vec<&str> = tl.lanes.iter().map(|l| l.source.as_str()).collect();
        assert_eq!(lanes, ["amaq", "sana", "sohr", "syria-army-command"]);
        let steps: Vec<(String, Option<&str>, bool)> = tl
            .steps
            .iter()
            .map(|s| (s.date.to_string(), s.controller.as_deref(), s.contested))
            .collect();
        assert_eq!(
            steps,
            [
                ("2017-11-08".to_string(), Some(SYRIA), false),
                ("2017-11-09".to_string(), None, true),
                ("2017-11-11".to_string(), None, true),
                ("2017-11-19".to_string(), Some(SYRIA), false),
            ]
        );
        let amaq = &tl.steps[1]
            .views
            .iter()
            .find(|v| v.source == "amaq")
            .expect("amaq view");
        assert_eq!(amaq.holder.as_deref(), Some(ISIS));
        assert_eq!(amaq.describe(), "isis holds");
        let sohr = &tl.steps[2]
            .views
            .iter()
            .find(|v| v.source == "sohr")
            .expect("sohr view");
        assert_eq!(sohr.describe(), "isis holds 40–50%");
    }

    #[test]
    fn an_undated_denial_speaks_of_its_publication_day() {
        let mut e = ev("d", "doc", REGAIN, "2017-11-09", ALBUKAMAL)
            .a1(SYRIA)
            .a2(ISIS)
            .by("amaq")
            .stance(Stance::Denied);
        e.event_date = None;
        let claims = control_claims(&[report(e, None).published(chrono::NaiveDate::from_ymd_opt(2017, 11, 9))]);
        assert_eq!(claims[0].date.map(|d| d.to_string()).as_deref(), Some("2017-11-09"));
        assert!(claims[0].dated_by_publication);
        assert_eq!(claims[0].describe(), "isis holds");
    }

    #[test]
    fn a_withdrawal_hands_the_place_to_the_other_side() {
        let mut e = ev(
            "w",
            "doc",
            SubEventType::NonViolentTransferOfTerritory,
            "2015-01-26",
            ALBUKAMAL,
        )
        .a1(ISIS)
        .a2(SDF)
        .by("sohr");
        e.field_evidence.insert(
            "trigger".to_string(),
            rasd_core::Evidence {
                text: "وانسحب".to_string(),
                start: 0,
                end: 12,
            },
        );
        let c = control_claims(&[report(e, None)]);
        assert_eq!(
            (c[0].holder.as_deref(), c[0].not_holder.as_deref()),
            (Some(SDF), Some(ISIS))
        );
    }

    #[test]
    fn split_control_is_not_a_conflict() {
        let a = report(
            ev("a", "d", OVERTAKE, "2017-11-11", ALBUKAMAL)
                .a1(ISIS)
                .share(40.0, 50.0)
                .by("sohr"),
            None,
        );
        let b = report(
            ev("b", "d", REGAIN, "2017-11-11", ALBUKAMAL)
                .a1(SYRIA)
                .share(50.0, 60.0)
                .by("sana"),
            None,
        );
        let c = control_claims(&[a, b]);
        assert!(!c[0].conflicts_with(&c[1]));
    }
}
