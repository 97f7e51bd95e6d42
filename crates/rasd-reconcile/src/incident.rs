use crate::{Options, Report, haversine_km};
use chrono::{Datelike, Days, NaiveDate};
use rasd_core::{ActorType, DatePrecision, Event, EventType, Location, Stance, SubEventType};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, VecDeque};

/// Events from one or more reports that describe the same act. Every claim is kept; the tallies show where the
/// sources agree and where they don't.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// `inc-` + the id of the earliest claim: stable while that claim exists.
    pub id: String,
    pub event_type: EventType,
    pub sub_event_type: SubEventType,
    /// The place of the earliest claim that names one.
    pub location: Option<Location>,
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
    /// Each date given, with the sources that give it (asserting claims only).
    pub dates: Vec<Tally<NaiveDate>>,
    /// Each fatality figure given, with its sources. Running totals are left out.
    pub fatality_claims: Vec<Tally<u64>>,
    /// ACLED's conservative figure: the lowest figure any asserting source gives.
    pub fatalities: Option<u64>,
    /// The range of figures across sources: (lowest minimum, highest maximum).
    pub fatalities_range: Option<(u64, u64)>,
    pub actor1: Vec<ActorTally>,
    pub actor2: Vec<ActorTally>,
    /// Independent sources that assert or hedge the event (republished copies are not counted).
    pub sources: Vec<String>,
    /// Sources that deny it.
    pub denied_by: Vec<String>,
    pub claims: Vec<IncidentClaim>,
}

impl Incident {
    /// True when all sources giving a day-precise date give the same one.
    pub fn date_agreed(&self) -> bool {
        self.dates.len() <= 1
    }

    /// True when all sources name the same actors.
    pub fn actors_agreed(&self) -> bool {
        self.actor1.len() <= 1 && self.actor2.len() <= 1
    }

    /// True when some source asserts (or hedges) the event, i.e. it is not only a denial.
    pub fn is_reported(&self) -> bool {
        !self.sources.is_empty()
    }
}

/// A value given by some sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally<T> {
    pub value: T,
    pub sources: Vec<String>,
}

/// An actor named by some sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorTally {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub actor_type: ActorType,
    pub sources: Vec<String>,
}

/// One source's claim inside an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentClaim {
    pub event_id: String,
    pub doc_id: String,
    pub source: String,
    pub outlet: Option<String>,
    pub stance: Stance,
    pub date: Option<NaiveDate>,
    pub date_precision: DatePrecision,
    pub fatalities: Option<u64>,
    pub republished_of: Option<String>,
    pub evidence: String,
}

/// The closed date window an event may have happened in, given its precision.
pub(crate) fn date_window(e: &Event, slack: i64) -> Option<(NaiveDate, NaiveDate)> {
    Some(window_of(e.event_date?, e.date_precision, slack))
}

/// The closed date window of an event dated `d` with `precision`, widened by `slack` days (the window
/// [`event_window`] gives, from the two stored columns alone).
pub fn window_of(d: NaiveDate, precision: DatePrecision, slack: i64) -> (NaiveDate, NaiveDate) {
    let slack = Days::new(slack.max(0) as u64);
    let (lo, hi) = match precision {
        DatePrecision::Day | DatePrecision::Unknown => (d, d),
        DatePrecision::Week => (d - Days::new(7), d + Days::new(7)),
        DatePrecision::Month => {
            let first = d.with_day(1).unwrap_or(d);
            let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
            (first, next.pred_opt().unwrap_or(next))
        }
        DatePrecision::Year => (
            NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d),
            NaiveDate::from_ymd_opt(d.year(), 12, 31).unwrap_or(d),
        ),
    };
    (
        lo.checked_sub_days(slack).unwrap_or(lo),
        hi.checked_add_days(slack).unwrap_or(hi),
    )
}

fn is_fine(e: &Event) -> bool {
    matches!(e.date_precision, DatePrecision::Day | DatePrecision::Unknown)
}

fn same_or_missing(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// A place as clustering compares them: its id, latitude and longitude.
type Place = (String, f64, f64);

/// A closed window of dates.
type Window = (NaiveDate, NaiveDate);

/// What clustering reads of an event: its place, its date window, whether that is day-precise, and its actors.
/// A few short strings, so that a streamed rebuild ([`IncidentStream`]) holds these, not the events.
#[derive(Debug, Clone)]
struct Point {
    place: Option<Place>,
    window: Option<Window>,
    fine: bool,
    actor1: Option<String>,
    actor2: Option<String>,
}

impl Point {
    fn of(e: &Event, opts: &Options) -> Point {
        Point {
            place: e.location.as_ref().map(|l| (l.id.clone(), l.lat, l.lon)),
            window: date_window(e, opts.day_slack),
            fine: is_fine(e),
            actor1: e.actor1.as_ref().map(|a| a.id.clone()),
            actor2: e.actor2.as_ref().map(|a| a.id.clone()),
        }
    }

    /// Its place and date window, when it has both: otherwise it joins no cluster.
    fn placed(&self) -> Option<(&Place, Window)> {
        Some((self.place.as_ref()?, self.window?))
    }
}

/// An incident being built: the anchor's place, window and actors decide who may join. A member `M` is an
/// index into the reports ([`incidents_resume`]) or an event id ([`IncidentStream`]).
struct Cluster<M> {
    anchor: M,
    members: Vec<M>,
    window: Window,
    actor1: Option<String>,
    actor2: Option<String>,
    place: Place,
}

impl<M> Cluster<M> {
    fn accepts(&self, p: &Point, opts: &Options) -> Option<(i64, f64)> {
        let (loc, window) = p.placed()?;
        let overlap = window.0 <= self.window.1 && self.window.0 <= window.1;
        if !overlap {
            return None;
        }
        let dist = if loc.0 == self.place.0 {
            0.0
        } else {
            haversine_km(loc.1, loc.2, self.place.1, self.place.2)
        };
        if dist > opts.radius_km {
            return None;
        }
        let (a1, a2) = (p.actor1.as_deref(), p.actor2.as_deref());
        let (c1, c2) = (self.actor1.as_deref(), self.actor2.as_deref());
        let straight = same_or_missing(a1, c1) && same_or_missing(a2, c2);
        let swapped = same_or_missing(a1, c2) && same_or_missing(a2, c1);
        if !(straight || swapped) {
            return None;
        }
        let mid = |w: (NaiveDate, NaiveDate)| w.0 + Days::new(((w.1 - w.0).num_days() / 2).max(0) as u64);
        Some(((mid(window) - mid(self.window)).num_days().abs(), dist))
    }

    fn absorb(&mut self, m: M, p: &Point) {
        self.members.push(m);
        if self.actor1.is_none() {
            self.actor1 = p.actor1.clone();
        }
        if self.actor2.is_none() {
            self.actor2 = p.actor2.clone();
        }
    }
}

/// Grid cells of 0.2° (about 18–22 km) so that a 10 km radius only needs the 3×3 neighbourhood.
fn cell(lat: f64, lon: f64) -> (i32, i32) {
    ((lat / 0.2).floor() as i32, (lon / 0.2).floor() as i32)
}

type Grid = HashMap<(i32, i32), Vec<usize>>;

/// The clusters of one sub-event type, fed events in the order a full run takes them. Day-precise events (the
/// first pass) join the `live` clusters; coarse ones (the second pass) may join any cluster: in each grid cell
/// first those formed in the first pass (`first`), then those formed in the second (`second`), each list in
/// the order its clusters were formed, so that ties go where a full run sends them. Clusters are numbered by
/// their slot in `slots`; a slot freed by [`Clusters::remove`] is reused.
struct Clusters<M> {
    slots: Vec<Option<Cluster<M>>>,
    free: Vec<usize>,
    live: Grid,
    first: Grid,
    second: Grid,
}

impl<M> Default for Clusters<M> {
    fn default() -> Self {
        Clusters {
            slots: Vec::new(),
            free: Vec::new(),
            live: Grid::new(),
            first: Grid::new(),
            second: Grid::new(),
        }
    }
}

impl<M> Clusters<M> {
    fn get(&self, c: usize) -> &Cluster<M> {
        self.slots[c].as_ref().expect("a listed cluster is in its slot")
    }

    fn get_mut(&mut self, c: usize) -> &mut Cluster<M> {
        self.slots[c].as_mut().expect("a listed cluster is in its slot")
    }

    /// Forms a cluster anchored by `anchor`, seen by the first pass when `live` and by the second pass among
    /// the first pass's clusters when `first` (after them otherwise); `None` when the anchor has no place or
    /// no date.
    fn form(&mut self, anchor: M, p: &Point, live: bool, first: bool) -> Option<usize> {
        let (place, window) = p.placed()?;
        let cluster = Cluster {
            anchor,
            members: Vec::new(),
            window,
            actor1: p.actor1.clone(),
            actor2: p.actor2.clone(),
            place: place.clone(),
        };
        let c = match self.free.pop() {
            Some(c) => {
                self.slots[c] = Some(cluster);
                c
            }
            None => {
                self.slots.push(Some(cluster));
                self.slots.len() - 1
            }
        };
        let at = cell(place.1, place.2);
        if live {
            self.live.entry(at).or_default().push(c);
        }
        let grid = if first { &mut self.first } else { &mut self.second };
        grid.entry(at).or_default().push(c);
        Some(c)
    }

    /// Clusters one event of the first pass (`fine`) or the second: it joins the accepting cluster whose window's
    /// middle is closest to its own (then the nearest, then the first formed), or forms its own. The cluster it
    /// forms, if it does; an event without a place or a date joins and forms nothing.
    fn add(&mut self, m: M, p: &Point, fine: bool, opts: &Options) -> Option<usize> {
        let (place, window) = p.placed()?;
        let (cy, cx) = cell(place.1, place.2);
        let slots = &self.slots;
        let get = |c: usize| slots[c].as_ref().expect("a listed cluster is in its slot");
        let mut best: Option<((i64, f64), usize)> = None;
        let mut consider = |list: &[usize]| {
            for &c in list {
                if let Some(score) = get(c).accepts(p, opts) {
                    let better = best.is_none_or(|(s, _)| score.0 < s.0 || (score.0 == s.0 && score.1 < s.1));
                    if better {
                        best = Some((score, c));
                    }
                }
            }
        };
        for dy in -1..=1 {
            for dx in -1..=1 {
                let at = (cy + dy, cx + dx);
                if fine {
                    let Some(list) = self.live.get_mut(&at) else {
                        continue;
                    };
                    // Day windows all have the same width and come in date order: a cluster whose window ends
                    // before this one starts can never be joined again by a day-precise event.
                    list.retain(|&c| get(c).window.1 >= window.0);
                    consider(list);
                } else {
                    for grid in [&self.first, &self.second] {
                        if let Some(list) = grid.get(&at) {
                            consider(list);
                        }
                    }
                }
            }
        }
        match best {
            Some((_, c)) => {
                self.get_mut(c).absorb(m, p);
                None
            }
            None => self.form(m, p, fine, fine),
        }
    }

    /// Takes cluster `c` out (no event may join it any more), freeing its slot.
    fn remove(&mut self, c: usize) -> Option<Cluster<M>> {
        let cluster = self.slots.get_mut(c)?.take()?;
        let at = cell(cluster.place.1, cluster.place.2);
        for grid in [&mut self.live, &mut self.first, &mut self.second] {
            if let Some(list) = grid.get_mut(&at) {
                list.retain(|&x| x != c);
                if list.is_empty() {
                    grid.remove(&at);
                }
            }
        }
        self.free.push(c);
        Some(cluster)
    }

    /// Every cluster, in slot order.
    fn into_clusters(self) -> impl Iterator<Item = Cluster<M>> {
        self.slots.into_iter().flatten()
    }
}

/// Clusters the reports' events into incidents: same sub-event type, same place or within `radius_km`, date
/// windows that overlap, and compatible actors (the same, unnamed, or named the other way round). Day-precise
/// claims anchor incidents; coarser ones ("this month") join the closest one or form their own. Events without
/// a place or a date stay alone. History and forecasts take no part.
pub fn incidents(reports: &[Report], opts: &Options) -> Vec<Incident> {
    incidents_resume(reports, &[], opts)
}

/// A cluster formed before the events an incremental reconcile recomputes (indices into the reports given to
/// [`incidents_resume`]): its anchor, the day-precise members it had gathered in the first pass before the
/// recomputed day-precise events, and the coarse members it had gathered in the second pass before the
/// recomputed coarse events. A `fixed` cluster takes no part in the first pass (day-precise events from the cut on
/// cannot reach it): it is only there for the recomputed coarse events to join.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Seed {
    pub anchor: usize,
    pub members: Vec<usize>,
    pub coarse_members: Vec<usize>,
    pub fixed: bool,
}

/// Whether an event's date is day-precise (it anchors incidents in the first pass) rather than coarse (a week,
/// a month or a year: it joins one in the second).
pub fn is_day_precise(e: &Event) -> bool {
    is_fine(e)
}

/// The closed date window of an event, as clustering uses it (its date widened by its precision and `slack`).
pub fn event_window(e: &Event, slack: i64) -> Option<(NaiveDate, NaiveDate)> {
    date_window(e, slack)
}

/// Resumes clustering: `seeds` are the clusters formed before what is recomputed, with what they held then;
/// every report that is no seed's anchor or member is clustered after them, day-precise ones in the first pass and
/// coarse ones in the second, in the order a full run takes. The store's incremental reconcile picks the reports and
/// seeds so that the incidents returned equal those of a full run (`incidents` is this with no seed):
/// - the day-precise events from a cut date `A` on; the clusters anchored within `2 × day_slack` days before `A`
///   as seeds with their day-precise members dated before `A` (the first pass never looks further back);
/// - the coarse events from [`coarse_from`] on (the second pass runs in date order after the first, so an earlier
///   coarse event sees nothing that changed), and as fixed seeds every other cluster their windows overlap, with
///   the coarse members it had gathered before them.
pub fn incidents_resume(reports: &[Report], seeds: &[Seed], opts: &Options) -> Vec<Incident> {
    let mut in_seed = vec![false; reports.len()];
    for s in seeds {
        in_seed[s.anchor] = true;
        for &m in s.members.iter().chain(&s.coarse_members) {
            in_seed[m] = true;
        }
    }
    let key = |i: usize| {
        let e = &reports[i].event;
        (e.sub_event_type, e.event_date.is_none(), e.event_date, e.id.as_str())
    };
    let point = |i: usize| Point::of(&reports[i].event, opts);
    let mut order: Vec<usize> = (0..reports.len())
        .filter(|&i| !in_seed[i] && reports[i].is_claim())
        .collect();
    order.sort_by(|&a, &b| key(a).cmp(&key(b)));
    let mut seeds: Vec<&Seed> = seeds.iter().collect();
    seeds.sort_by(|a, b| key(a.anchor).cmp(&key(b.anchor)));
    let mut subs: Vec<SubEventType> = order
        .iter()
        .map(|&i| reports[i].event.sub_event_type)
        .chain(seeds.iter().map(|s| reports[s.anchor].event.sub_event_type))
        .collect();
    subs.sort();
    subs.dedup();
    let mut formed: Vec<Cluster<usize>> = Vec::new();
    let mut singles: Vec<usize> = Vec::new();
    for sub in subs {
        let lo = order.partition_point(|&i| reports[i].event.sub_event_type < sub);
        let hi = order.partition_point(|&i| reports[i].event.sub_event_type <= sub);
        let block = &order[lo..hi];
        let mut clusters: Clusters<usize> = Clusters::default();
        let mut seeded: Vec<(usize, &Seed)> = Vec::new();
        for s in seeds.iter().filter(|s| reports[s.anchor].event.sub_event_type == sub) {
            let p = point(s.anchor);
            let Some(c) = clusters.form(s.anchor, &p, p.fine && !s.fixed, p.fine) else {
                continue;
            };
            let mut members = s.members.clone();
            members.retain(|&m| m != s.anchor);
            members.sort_by(|&a, &b| key(a).cmp(&key(b)));
            for m in members {
                clusters.get_mut(c).absorb(m, &point(m));
            }
            seeded.push((c, s));
        }
        for &i in block.iter().filter(|&&i| is_fine(&reports[i].event)) {
            let p = point(i);
            if p.placed().is_none() {
                singles.push(i);
            } else {
                clusters.add(i, &p, true, opts);
            }
        }
        // The second pass: the seeds' coarse members were absorbed before the recomputed coarse events.
        for &(c, s) in &seeded {
            let mut members = s.coarse_members.clone();
            members.sort_by(|&a, &b| key(a).cmp(&key(b)));
            for m in members {
                clusters.get_mut(c).absorb(m, &point(m));
            }
        }
        for &i in block.iter().filter(|&&i| !is_fine(&reports[i].event)) {
            clusters.add(i, &point(i), false, opts);
        }
        formed.extend(clusters.into_clusters());
    }
    let mut out: Vec<Incident> = formed
        .iter()
        .map(|c| {
            let mut members = vec![c.anchor];
            members.extend(&c.members);
            build(reports, c.anchor, &members)
        })
        .chain(singles.iter().map(|&i| build(reports, i, &[i])))
        .collect();
    out.sort_by(|a, b| (a.first_date, &a.id).cmp(&(b.first_date, &b.id)));
    out
}

/// The incident an [`IncidentStream`] formed, as clustering leaves it: the id of its anchor event (the incident's
/// id is `inc-` and it) and the ids of its members, the anchor first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub anchor: String,
    pub members: Vec<String>,
}

/// The clustering of a full run ([`incidents`]) fed one event at a time, which hands back each incident's
/// members as soon as no event still to come can join it: what it holds is the clusters that the events being
/// read may still join (a year's worth where a claim is year-precise; about two weeks' worth otherwise) and a
/// few strings of each, never the events nor the whole history. [`incident_of`] builds each incident from its
/// members' reports.
///
/// Events come grouped by sub-event type (clusters never mix them; the groups in any order) and, within a
/// group, in `(event_date, id)` order; an undated event may come anywhere in its group, since it joins nothing.
/// A day-precise event is clustered when it comes (the first pass of a full run). A coarse event (a week, a
/// month, a year) waits until no day-precise event still to come can change a cluster it may join: those are
/// anchored at most `day_slack` days after its window ends and take day-precise events dated up to
/// `2 × day_slack` days after their anchor. Then it is clustered as the second pass of a full run clusters it:
/// after every earlier coarse event, against the clusters as the first pass leaves them. A cluster is done when
/// its window ends before the earliest day that the window of any event still to come can start.
pub struct IncidentStream {
    opts: Options,
    sub: Option<SubEventType>,
    clusters: Clusters<String>,
    /// The coarse events read and not yet clustered, in the order they came: `(date, id, point)`.
    waiting: VecDeque<(NaiveDate, String, Point)>,
    /// The open clusters by the end of their window, earliest first.
    ends: BinaryHeap<Reverse<(NaiveDate, usize)>>,
    /// The date of the last dated event read in this group.
    at: Option<NaiveDate>,
}

impl IncidentStream {
    pub fn new(opts: &Options) -> IncidentStream {
        IncidentStream {
            opts: opts.clone(),
            sub: None,
            clusters: Clusters::default(),
            waiting: VecDeque::new(),
            ends: BinaryHeap::new(),
            at: None,
        }
    }

    /// Reads the next event (see the order above), adding to `done` the incidents no later event can change.
    pub fn push(&mut self, e: &Event, done: &mut Vec<Membership>) {
        if self.sub != Some(e.sub_event_type) {
            self.finish(done);
            self.sub = Some(e.sub_event_type);
        }
        if !crate::is_claim(e) {
            return;
        }
        let p = Point::of(e, &self.opts);
        let (Some(date), Some(_)) = (e.event_date, p.placed()) else {
            // Without a place or a date: a day-precise claim is an incident of its own, a coarse one is in none.
            if p.fine {
                done.push(Membership {
                    anchor: e.id.clone(),
                    members: vec![e.id.clone()],
                });
            }
            return;
        };
        debug_assert!(self.at.is_none_or(|at| at <= date), "events come in date order");
        self.at = Some(date);
        if p.fine {
            self.release(Some(date));
            self.add(e.id.clone(), &p, true);
        } else {
            self.waiting.push_back((date, e.id.clone(), p));
        }
        self.close(done);
    }

    /// Ends the current group: clusters every waiting event and hands back every incident.
    pub fn finish(&mut self, done: &mut Vec<Membership>) {
        self.release(None);
        self.at = None;
        self.close(done);
    }

    fn add(&mut self, id: String, p: &Point, fine: bool) {
        if let Some(c) = self.clusters.add(id, p, fine, &self.opts) {
            self.ends.push(Reverse((self.clusters.get(c).window.1, c)));
        }
    }

    /// Clusters the waiting coarse events, in order, up to the first that a day-precise event dated `next` may
    /// still concern (all of them when no day-precise event is to come).
    fn release(&mut self, next: Option<NaiveDate>) {
        let reach = Days::new(3 * self.opts.day_slack.max(0) as u64);
        while let Some((_, _, p)) = self.waiting.front() {
            let ready = next.is_none_or(|next| {
                p.window
                    .and_then(|w| w.1.checked_add_days(reach))
                    .is_some_and(|end| next > end)
            });
            if !ready {
                break;
            }
            let Some((_, id, p)) = self.waiting.pop_front() else {
                break;
            };
            self.add(id, &p, false);
        }
    }

    /// Hands back the clusters that no event still to come can join: every one when the group is read.
    fn close(&mut self, done: &mut Vec<Membership>) {
        // The earliest day a window can start: of the first waiting coarse event, or of any event dated from the
        // last one read on (a day-precise window starts later than these).
        let from = self.waiting.front().map(|w| w.0).or(self.at).map(|d| {
            [DatePrecision::Week, DatePrecision::Month, DatePrecision::Year]
                .into_iter()
                .map(|p| window_of(d, p, self.opts.day_slack).0)
                .min()
                .unwrap_or(d)
        });
        while let Some(&Reverse((end, c))) = self.ends.peek() {
            if from.is_some_and(|from| end >= from) {
                break;
            }
            self.ends.pop();
            if let Some(cluster) = self.clusters.remove(c) {
                let mut members = vec![cluster.anchor.clone()];
                members.extend(cluster.members);
                done.push(Membership {
                    anchor: cluster.anchor,
                    members,
                });
            }
        }
    }
}

/// The incident of one cluster, from the reports of its members and the index of its anchor among them (an
/// [`IncidentStream`]'s [`Membership`], read back).
pub fn incident_of(members: &[Report], anchor: usize) -> Incident {
    let all: Vec<usize> = (0..members.len()).collect();
    build(members, anchor, &all)
}

/// The date from which the coarse events of one sub-event type are recomputed, given the cut `A` of the
/// day-precise ones and the coarse events' dates and windows: the earliest date of a coarse event whose window ends
/// less than [`resume_margin`] days before `A` (it may see a cluster that changes); `None` when there is none.
pub fn coarse_from(
    cut: NaiveDate,
    coarse: &[(NaiveDate, (NaiveDate, NaiveDate))],
    opts: &Options,
) -> Option<NaiveDate> {
    let m = resume_margin(opts);
    coarse
        .iter()
        .filter(|(_, (_, hi))| (cut - *hi).num_days() <= m)
        .map(|(d, _)| *d)
        .min()
}

/// The days before a cut within which a coarse window may reach a cluster that changes: `3 × day_slack + 1`.
pub fn resume_margin(opts: &Options) -> i64 {
    3 * opts.day_slack.max(0) + 1
}

fn sorted_unique(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn tally<T: Ord + Clone>(pairs: impl Iterator<Item = (T, String)>) -> Vec<Tally<T>> {
    let mut map: BTreeMap<T, BTreeSet<String>> = BTreeMap::new();
    for (v, s) in pairs {
        map.entry(v).or_default().insert(s);
    }
    map.into_iter()
        .map(|(value, s)| Tally {
            value,
            sources: s.into_iter().collect(),
        })
        .collect()
}

fn actor_tally<'a>(pairs: impl Iterator<Item = (&'a rasd_core::ActorRef, String)>) -> Vec<ActorTally> {
    let mut map: BTreeMap<String, (String, ActorType, BTreeSet<String>)> = BTreeMap::new();
    for (a, s) in pairs {
        map.entry(a.id.clone())
            .or_insert_with(|| (a.name.clone(), a.actor_type, BTreeSet::new()))
            .2
            .insert(s);
    }
    map.into_iter()
        .map(|(id, (name, actor_type, s))| ActorTally {
            id,
            name,
            actor_type,
            sources: s.into_iter().collect(),
        })
        .collect()
}

/// The figure one claim gives for this event's own toll: running totals ("ارتفع عدد القتلى إلى") are not it.
pub(crate) fn own_fatalities(e: &Event) -> Option<(u64, u64, u64)> {
    let f = e.fatalities.as_ref().filter(|f| !f.cumulative)?;
    let value = f.value.or(f.min).or(f.max)?;
    Some((
        value,
        f.min.unwrap_or(value).min(value),
        f.max.unwrap_or(value).max(value),
    ))
}

fn build(reports: &[Report], anchor: usize, members: &[usize]) -> Incident {
    let head = &reports[anchor].event;
    let mut members = members.to_vec();
    members.sort_by(|&a, &b| {
        (&reports[a].event.event_date, &reports[a].event.id).cmp(&(&reports[b].event.event_date, &reports[b].event.id))
    });
    // Claims that count: asserted or hedged, from documents that are not republished copies.
    let counted: Vec<&Report> = members
        .iter()
        .map(|&i| &reports[i])
        .filter(|r| r.republished_of.is_none() && r.event.stance != Stance::Denied)
        .collect();
    let dates = tally(
        counted
            .iter()
            .filter(|r| r.event.date_precision == DatePrecision::Day)
            .filter_map(|r| r.event.event_date.map(|d| (d, r.source.clone()))),
    );
    let fatality_claims = tally(
        counted
            .iter()
            .filter_map(|r| own_fatalities(&r.event).map(|f| (f.0, r.source.clone()))),
    );
    let fatalities = fatality_claims.iter().map(|t| t.value).min();
    let fatalities_range = counted
        .iter()
        .filter_map(|r| own_fatalities(&r.event))
        .fold(None, |acc: Option<(u64, u64)>, (_, lo, hi)| {
            Some(acc.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))))
        });
    let actor1 = actor_tally(
        counted
            .iter()
            .filter_map(|r| r.event.actor1.as_ref().map(|a| (a, r.source.clone()))),
    );
    let actor2 = actor_tally(
        counted
            .iter()
            .filter_map(|r| r.event.actor2.as_ref().map(|a| (a, r.source.clone()))),
    );
    let sources = sorted_unique(counted.iter().map(|r| r.source.clone()).collect());
    let denied_by = sorted_unique(
        members
            .iter()
            .map(|&i| &reports[i])
            .filter(|r| r.republished_of.is_none() && r.event.stance == Stance::Denied)
            .map(|r| r.source.clone())
            .collect(),
    );
    let all_dates: Vec<NaiveDate> = members.iter().filter_map(|&i| reports[i].event.event_date).collect();
    let location = members.iter().find_map(|&i| reports[i].event.location.clone());
    let claims = members
        .iter()
        .map(|&i| {
            let r = &reports[i];
            IncidentClaim {
                event_id: r.event.id.clone(),
                doc_id: r.event.doc_id.clone(),
                source: r.source.clone(),
                outlet: r.outlet.clone(),
                stance: r.event.stance,
                date: r.event.event_date,
                date_precision: r.event.date_precision,
                fatalities: own_fatalities(&r.event).map(|f| f.0),
                republished_of: r.republished_of.clone(),
                evidence: r.event.evidence.text.clone(),
            }
        })
        .collect();
    Incident {
        id: format!("inc-{}", head.id),
        event_type: head.event_type,
        sub_event_type: head.sub_event_type,
        location,
        first_date: all_dates.iter().min().copied(),
        last_date: all_dates.iter().max().copied(),
        dates,
        fatality_claims,
        fatalities,
        fatalities_range,
        actor1,
        actor2,
        sources,
        denied_by,
        claims,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;

    #[test]
    fn merges_the_same_strike_across_outlets_and_keeps_the_range() {
        let reports = vec![
            report(
                ev("e1", "d1", AIR, "2017-11-12", ALBUKAMAL)
                    .a1(RUSSIA)
                    .killed(12)
                    .by("sohr"),
                None,
            ),
            report(
                ev("e2", "d2", AIR, "2017-11-12", ALBUKAMAL)
                    .a1(RUSSIA)
                    .killed(30)
                    .by("amaq"),
                None,
            ),
            report(
                ev("e3", "d3", AIR, "2017-11-13", AL_QAIM).killed(14).by("reuters"),
                None,
            ),
            // a different kind of event at the same place and day is another incident
            report(
                ev("e4", "d4", CLASH, "2017-11-12", ALBUKAMAL)
                    .a1(SYRIA)
                    .a2(ISIS)
                    .by("sana"),
                None,
            ),
            // a month later: another incident
            report(ev("e5", "d5", AIR, "2017-12-20", ALBUKAMAL).a1(RUSSIA).by("sohr"), None),
        ];
        let inc = incidents(&reports, &Options::default());
        assert_eq!(inc.len(), 3);
        let strike = inc.iter().find(|i| i.id == "inc-e1").expect("strike incident");
        assert_eq!(strike.claims.len(), 3);
        assert_eq!(strike.sources, ["amaq", "reuters", "sohr"]);
        assert_eq!(strike.fatalities, Some(12));
        assert_eq!(strike.fatalities_range, Some((12, 30)));
        assert!(!strike.date_agreed());
        assert_eq!(strike.actor1.len(), 1);
    }

    #[test]
    fn conflicting_actors_split_and_republished_copies_do_not_count() {
        let reports = vec![
            report(
                ev("e1", "d1", CLASH, "2017-11-09", ALBUKAMAL)
                    .a1(SYRIA)
                    .a2(ISIS)
                    .by("sana"),
                None,
            ),
            report(
                ev("e2", "d2", CLASH, "2017-11-09", ALBUKAMAL)
                    .a1(ISIS)
                    .a2(SYRIA)
                    .by("amaq"),
                None,
            ),
            report(
                ev("e3", "d3", CLASH, "2017-11-09", ALBUKAMAL)
                    .a1(SDF)
                    .a2(ISIS)
                    .by("sdf-media"),
                None,
            ),
            report(
                ev("e4", "d4", CLASH, "2017-11-09", ALBUKAMAL)
                    .a1(SYRIA)
                    .a2(ISIS)
                    .by("sana"),
                Some("d1"),
            ),
        ];
        let inc = incidents(&reports, &Options::default());
        assert_eq!(inc.len(), 2);
        let main = inc.iter().find(|i| i.claims.len() == 3).expect("merged incident");
        assert_eq!(main.sources, ["amaq", "sana"]);
        assert_eq!(main.claims.iter().filter(|c| c.republished_of.is_some()).count(), 1);
    }

    #[test]
    fn placeless_and_background_events_stay_out_of_clusters() {
        let mut bg = ev("e2", "d2", CLASH, "2017-11-09", ALBUKAMAL).by("sana");
        bg.background = true;
        let reports = vec![
            report(ev("e1", "d1", CLASH, "2017-11-09", "").by("sana"), None),
            report(bg, None),
        ];
        let inc = incidents(&reports, &Options::default());
        assert_eq!(inc.len(), 1);
        assert_eq!(inc[0].claims[0].event_id, "e1");
    }
}
