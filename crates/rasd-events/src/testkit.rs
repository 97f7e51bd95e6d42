//! A small fixture of names and dates, so that the stages can be tested without the full lexicon.

use crate::{DateHit, Mention, MentionKind, Resources};
use chrono::{Days, NaiveDate};
use rasd_core::{ActorRef, ActorType, DatePrecision, Location, SourceKind, SourceRef};

/// (surface, kind, id, actor type)
const NAMES: &[(&str, MentionKind, &str)] = &[
    ("قوات النظام", MentionKind::Actor, "syria-gov"),
    ("الجيش السوري", MentionKind::Actor, "syria-gov"),
    ("النظام", MentionKind::Actor, "syria-gov"),
    ("داعش", MentionKind::Actor, "isis"),
    ("التنظيم", MentionKind::Actor, "isis"),
    ("قسد", MentionKind::Actor, "sdf"),
    ("التحالف الدولي", MentionKind::Actor, "us-coalition"),
    ("الحوثيون", MentionKind::Actor, "houthis"),
    ("الجيش اليمني", MentionKind::Actor, "yemen-gov"),
    ("قوات الدعم السريع", MentionKind::Actor, "rsf"),
    ("الجيش السوداني", MentionKind::Actor, "saf"),
    ("مدنيين", MentionKind::Actor, "civilians"),
    ("المتظاهرين", MentionKind::Actor, "protesters"),
    ("البوكمال", MentionKind::Place, "albukamal"),
    ("الرقة", MentionKind::Place, "raqqa"),
    ("تعز", MentionKind::Place, "taiz"),
    ("الفاشر", MentionKind::Place, "el-fasher"),
    ("دير الزور", MentionKind::Place, "deir-ez-zor"),
    ("المرصد السوري لحقوق الإنسان", MentionKind::Outlet, "sohr"),
    ("المرصد", MentionKind::Outlet, "sohr"),
    ("وكالة سانا", MentionKind::Outlet, "sana"),
    ("سانا", MentionKind::Outlet, "sana"),
    ("وكالة أعماق", MentionKind::Outlet, "amaq"),
    ("مصادر محلية", MentionKind::Outlet, "local-sources"),
];

fn actor_type(id: &str) -> ActorType {
    match id {
        "syria-gov" | "yemen-gov" | "saf" => ActorType::StateForces,
        "civilians" => ActorType::Civilians,
        "protesters" => ActorType::Protesters,
        "us-coalition" => ActorType::ExternalOther,
        _ => ActorType::RebelGroup,
    }
}

/// The fixture resources.
pub(crate) struct Fixture;

impl Resources for Fixture {
    fn mentions(&self, text: &str, out: &mut Vec<Mention>) {
        let mut taken: Vec<(usize, usize)> = Vec::new();
        for (surface, kind, id) in NAMES {
            for (at, _) in text.match_indices(surface) {
                let end = at + surface.len();
                if taken.iter().any(|&(s, e)| s < end && at < e) {
                    continue;
                }
                let before = &text[..at];
                let word_start = before
                    .rfind(|c: char| c.is_whitespace() || c == '"')
                    .map_or(0, |i| i + 1);
                let clitic = &text[word_start..at];
                if !matches!(clitic, "" | "و" | "ب" | "ل" | "وب" | "ول" | "ف" | "بـ") {
                    continue;
                }
                taken.push((at, end));
                out.push(Mention {
                    start: at,
                    end,
                    clitic_start: word_start,
                    kind: *kind,
                    id: id.to_string(),
                    geo_precision: (*kind == MentionKind::Place).then_some(1),
                    coreference: *surface == "التنظيم",
                    confidence: 0.9,
                    runners_up: Vec::new(),
                });
            }
        }
        out.sort_by_key(|m| m.start);
    }

    fn dates(&self, text: &str, anchor: Option<NaiveDate>, out: &mut Vec<DateHit>) {
        for (at, w) in text.match_indices("أمس") {
            out.push(DateHit {
                start: at,
                end: at + w.len(),
                range: anchor.and_then(|a| a.checked_sub_days(Days::new(1))).map(|d| (d, d)),
                precision: DatePrecision::Day,
                rule: "yesterday".into(),
                future: false,
                background: false,
            });
        }
        for (at, w) in text.match_indices("عام 2014") {
            let d =
                NaiveDate::from_ymd_opt(2014, 1, 1).map(|s| (s, NaiveDate::from_ymd_opt(2014, 12, 31).unwrap_or(s)));
            out.push(DateHit {
                start: at,
                end: at + w.len(),
                range: d,
                precision: DatePrecision::Year,
                rule: "year".into(),
                future: false,
                background: true,
            });
        }
    }

    fn actor(&self, id: &str, coreference: bool) -> Option<ActorRef> {
        Some(ActorRef {
            id: id.to_string(),
            name: id.to_string(),
            name_ar: id.to_string(),
            actor_type: actor_type(id),
            coreference,
        })
    }

    fn place(&self, id: &str, geo_precision: u8) -> Option<Location> {
        let (lat, lon) = match id {
            "albukamal" => (34.45, 40.94),
            "raqqa" => (35.95, 39.01),
            "taiz" => (13.58, 44.02),
            "el-fasher" => (13.63, 25.35),
            _ => (35.33, 40.14),
        };
        Some(Location {
            id: id.to_string(),
            name: id.to_string(),
            name_ar: id.to_string(),
            country: "SY".into(),
            admin1: None,
            lat,
            lon,
            geo_precision,
            carried: false,
        })
    }

    fn countries(&self) -> Vec<rasd_lexicon::Country> {
        let country = |iso2: &str, name: &str, name_ar: &str, point: (f64, f64)| rasd_lexicon::Country {
            iso2: iso2.into(),
            name: name.into(),
            name_ar: name_ar.into(),
            place_names: vec![name_ar.into()],
            context_names: vec![name_ar.into()],
            point: Some(point),
            capital: None,
        };
        vec![
            country("SY", "Syria", "سوريا", (35.0, 38.5)),
            country("IQ", "Iraq", "العراق", (33.2, 43.7)),
            country("YE", "Yemen", "اليمن", (15.0, 48.0)),
            country("SD", "Sudan", "السودان", (15.0, 30.0)),
        ]
    }

    fn source(&self, id: &str) -> Option<SourceRef> {
        let kind = match id {
            "sohr" => SourceKind::Monitor,
            "sana" => SourceKind::Agency,
            "amaq" => SourceKind::Party,
            "local-sources" => SourceKind::LocalSources,
            _ => return None,
        };
        Some(SourceRef {
            id: id.to_string(),
            name: id.to_string(),
            kind,
        })
    }

    fn actor_for_source(&self, source_id: &str) -> Option<String> {
        (source_id == "amaq").then(|| "isis".to_string())
    }

    fn source_for_actor(&self, actor_id: &str) -> Option<SourceRef> {
        match actor_id {
            "isis" => self.source("amaq"),
            _ => None,
        }
    }
}
