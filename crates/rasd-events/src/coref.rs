//! Actor names the lexicon cannot settle alone, settled in the document's context.
//!
//! - Nisbas after a military noun ("غارات روسية", "مواقع حوثية") name the state or group they relate to.
//! - Generic forces ("قوات الأمن", "الشرطة", "القوات الحكومية", "التحالف") are the forces of the report's main
//!   country (`data/events/country_forces.tsv`): the lexicon gives "قوات الأمن" to Egypt's police wherever it is.
//! - "التنظيم" is the Islamic State when the report names it, not the last rebel group named (the SDF).
//! - "الأخير" / "الأخيرة" (the latter) is the actor named last before it.

use crate::rules::{Hit, RuleKind, Rules};
use crate::{Mention, MentionKind, Resources, Result};
use rasd_text::tokenize::is_arabic_letter;
use rasd_text::{Mode, fold_str};

const COUNTRY_FORCES: &str = include_str!("../../../data/events/country_forces.tsv");

/// Nouns a nisba must follow to name an actor (key-normalized): arms, forces and targets.
pub(crate) const MILITARY_NOUNS: &[&str] = &[
    "غارات",
    "غاره",
    "الغارات",
    "الغاره",
    "ضربات",
    "الضربات",
    "ضربه",
    "الضربه",
    "قصف",
    "القصف",
    "طايرات",
    "الطايرات",
    "طايره",
    "الطايره",
    "مقاتلات",
    "المقاتلات",
    "مروحيات",
    "المروحيات",
    "طيران",
    "الطيران",
    "مسيرات",
    "المسيرات",
    "مسيره",
    "المسيره",
    "مدفعيه",
    "المدفعيه",
    "قوات",
    "القوات",
    "القوه",
    "قوه",
    "الجيش",
    "جيش",
    "جنود",
    "الجنود",
    "مسلحون",
    "مسلحين",
    "المسلحين",
    "مقاتلين",
    "مقاتلون",
    "عناصر",
    "مواقع",
    "المواقع",
    "تجمعات",
    "قناص",
    "قناصه",
    "صواريخ",
    "الصواريخ",
    "صاروخ",
    "زوارق",
    "الزوارق",
    "بوارج",
    "البوارج",
    "سفن",
    "السفن",
    "دبابات",
    "الدبابات",
    "دوريات",
    "الدوريات",
    "دوريه",
    "الدوريه",
    "خبراء",
    "الخبراء",
    "الدفاعات",
    "دفاعات",
    "البحريه",
    "الهجمات",
    "هجمات",
    "هجوم",
    "الهجوم",
];

/// Adjectives that may sit between the military noun and the nisba ("طائرات حربية روسية").
const MILITARY_ADJECTIVES: &[&str] = &[
    "حربيه",
    "الحربيه",
    "جويه",
    "الجويه",
    "مسيره",
    "المسيره",
    "عسكريه",
    "العسكريه",
    "الجوي",
    "جوي",
    "الجويه",
    "البحريه",
    "مسلحه",
    "المسلحه",
    "الارضيه",
    "مدفعي",
    "المدفعي",
    "صاروخي",
    "الصاروخي",
];

/// The forces of each country (police, army, coalition), from `data/events/country_forces.tsv`.
#[derive(Debug, Default)]
pub(crate) struct Forces {
    rows: Vec<(String, [Option<String>; 3])>,
}

impl Forces {
    pub(crate) fn embedded() -> Result<Forces> {
        Forces::parse("data/events/country_forces.tsv", COUNTRY_FORCES)
    }

    pub(crate) fn parse(name: &str, contents: &str) -> Result<Forces> {
        let header = ["country", "police", "army", "coalition", "source"];
        let id = |s: &str| (s != "-" && !s.is_empty()).then(|| s.to_string());
        let rows = crate::tsv::rows(name, contents, &header)?
            .into_iter()
            .map(|(_, f)| (f[0].to_string(), [id(f[1]), id(f[2]), id(f[3])]))
            .collect();
        Ok(Forces { rows })
    }

    /// The actor a generic word (`@police`, `@army`, `@coalition`) stands for in a country.
    fn get(&self, country: &str, target: &str) -> Option<&str> {
        let col = match target {
            "@police" => 0,
            "@army" => 1,
            "@coalition" => 2,
            _ => return None,
        };
        self.rows
            .iter()
            .find(|(c, _)| c == country)
            .and_then(|(_, r)| r[col].as_deref())
    }

    /// The military forces of a country.
    pub(crate) fn army(&self, country: &str) -> Option<&str> {
        self.get(country, "@army")
    }

    /// Whether an actor is some country's generic force of this kind (another country's police, say).
    fn is_generic(&self, id: &str, target: &str) -> bool {
        self.rows.iter().any(|(c, _)| self.get(c, target) == Some(id))
    }
}

fn word_start(text: &str, at: usize) -> usize {
    let mut s = at;
    while let Some(c) = text[..s].chars().next_back() {
        if is_arabic_letter(c) {
            s -= c.len_utf8();
        } else {
            break;
        }
    }
    s
}

/// Whether an actor is named right after byte `at`: in the next word ("مسلحون حوثيون", "مسلحين مجهولين"), or
/// after a word that ties the gunmen to a group ("مسلحين من داعش", "مسلحين تابعين لقوات الدعم السريع"); a lexicon
/// mention or an actor word. The object of their act ("هاجم مسلحون حاجزا للشرطة") is not their name.
fn actor_follows(text: &str, at: usize, mentions: &[Mention], hits: &[Hit], rules: &Rules) -> bool {
    const TIES: &[&str] = &[
        "من",
        "تابعين",
        "تابعون",
        "ينتمون",
        "يتبعون",
        "موالين",
        "موالون",
        "مرتبطين",
        "مرتبطون",
        "ينتمي",
    ];
    // Byte spans of the next four words.
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, ch) in text[at..].char_indices() {
        match (ch.is_whitespace(), start) {
            (true, Some(s)) => {
                words.push((s, at + i));
                start = None;
                if words.len() == 4 {
                    break;
                }
            }
            (false, None) => start = Some(at + i),
            _ => {}
        }
    }
    if let Some(s) = start.filter(|_| words.len() < 4) {
        words.push((s, text.len()));
    }
    let Some(&(_, first_end)) = words.first() else {
        return false;
    };
    let tied = TIES.contains(&fold_str(&text[words[0].0..words[0].1], Mode::Key).as_str());
    let end = if tied {
        words.last().map_or(first_end, |w| w.1)
    } else {
        first_end
    };
    mentions
        .iter()
        .any(|m| m.kind == MentionKind::Actor && m.start >= at && m.start < end)
        || hits
            .iter()
            .any(|o| o.start >= at && o.start < end && matches!(rules.get(o.rule).kind, RuleKind::ActorWord { .. }))
}

/// The key-normalized words before byte `at`, nearest first (at most `n`).
fn words_before(text: &str, at: usize, n: usize) -> Vec<String> {
    text[..at]
        .split(|c: char| c.is_whitespace())
        .rev()
        .filter(|w| !w.is_empty())
        .take(n)
        .map(|w| {
            let k = fold_str(w, Mode::Key);
            // "وسفن حربية أمريكية": a noun joined by و heads the nisba as well; so does one after a preposition
            // ("تعرضت البلدة لغارة إسرائيلية", "بقصف مدفعي تركي", "للقصف الروسي").
            let known = |w: &str| MILITARY_NOUNS.contains(&w) || MILITARY_ADJECTIVES.contains(&w);
            let bare = k.strip_prefix(['و', 'ف']).unwrap_or(&k);
            let bare = match bare.strip_prefix("لل") {
                Some(rest) => format!("ال{rest}"),
                None => bare.strip_prefix(['ب', 'ل']).unwrap_or(bare).to_string(),
            };
            if !known(&k) && known(&bare) { bare } else { k }
        })
        .collect()
}

fn is_is(id: &str) -> bool {
    id == "isis" || id.starts_with("isis-")
}

/// Adds the actor words of a document to its mentions and settles generic names by the document's country.
/// `mentions` comes sorted by span and leaves sorted.
pub(crate) fn apply(
    text: &str,
    rules: &Rules,
    hits: &[Hit],
    mentions: &mut Vec<Mention>,
    country: Option<&str>,
    forces: &Forces,
    res: &dyn Resources,
) {
    let mut added: Vec<Mention> = Vec::new();
    let mut drop: Vec<usize> = Vec::new();
    // Linear in the document: each lookup below is a binary search over an index built once, where a scan of
    // every earlier mention per actor word made a long document quadratic.
    //
    // The first non-place mention overlapping a hit: `reach[i]` is the furthest end of the non-place mentions
    // up to `i` (mentions are sorted by start), so the first `i` whose reach passes the hit's start is the first
    // mention ending after it.
    let reach: Vec<usize> = mentions
        .iter()
        .scan(0usize, |r, m| {
            if m.kind != MentionKind::Place {
                *r = (*r).max(m.end);
            }
            Some(*r)
        })
        .collect();
    // The latest actor mention ending at or before a point (the antecedent of "الأخير"): per end offset, the last
    // mention in order, as a scan keeping the last maximum would find it.
    let antecedent = |m: &Mention| m.kind == MentionKind::Actor && m.id != "civilians";
    let mut by_end: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    for (i, m) in mentions.iter().enumerate().filter(|(_, m)| antecedent(m)) {
        by_end.insert(m.end, i);
    }
    let mut added_by_end: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    for h in hits {
        let RuleKind::ActorWord { nisba, bare } = rules.get(h.rule).kind else {
            continue;
        };
        let target = rules.get(h.rule).target.as_str();
        // "إلى جهة مجهولة", "طائرة مجهولة": a feminine ending after a masculine word (the key folds ة into the
        // pronoun ه) makes it an adjective of a thing, not the people the word names.
        if text[h.end..].starts_with('ة') {
            continue;
        }
        let clitic_start = word_start(text, h.start);
        let first = reach.partition_point(|&r| r <= h.start);
        if let Some(i) = (first < mentions.len() && mentions[first].start < h.end).then_some(first) {
            // The lexicon named it: only a generic force of the wrong country is corrected.
            let m = &mentions[i];
            if !target.starts_with('@') || target == "@latter" || !forces.is_generic(&m.id, target) {
                continue;
            }
            // "قوات الأمن المركزي" is a unit of its own, "طيران التحالف العربي" a named coalition: only the
            // generic words, with at most military nouns around them, are re-read.
            let rest = format!(
                "{} {}",
                &text[m.start..h.start.max(m.start)],
                &text[h.end.min(m.end)..m.end]
            );
            // "الجيش الوطني" (the national army) is as generic as "الجيش": Yemen's name for its army, every
            // country's in its own reports.
            let generic = rest
                .split_whitespace()
                .map(|w| fold_str(w, Mode::Key))
                .all(|w| MILITARY_NOUNS.contains(&w.as_str()) || matches!(w.as_str(), "الوطني" | "النظامي"));
            if !generic {
                continue;
            }
            match country.and_then(|c| forces.get(c, target)) {
                Some(id) if id != m.id && res.actor(id, false).is_some() => mentions[i].id = id.to_string(),
                Some(_) => {}
                // A country's police named in a report about another country the table has no forces for.
                None => {
                    if let (Some(c), Some(ac)) = (country, res.actor_country(&m.id))
                        && c != ac
                    {
                        drop.push(i);
                    }
                }
            }
            continue;
        }
        let id = match target {
            "@latter" => {
                // "الأيام الأخيرة", "المرحلة الأخيرة": after a definite noun it is an adjective, not the latter.
                let bare = clitic_start == h.start;
                if bare
                    && words_before(text, clitic_start, 1)
                        .first()
                        .is_some_and(|w| w.starts_with("ال") || w.chars().all(|c| c.is_ascii_digit()))
                {
                    continue;
                }
                let known = by_end.range(..=clitic_start).next_back();
                let new = added_by_end.range(..=clitic_start).next_back();
                // On equal ends the mention added later wins, as it comes later in the scan order.
                let last = match (known, new) {
                    (Some((ke, _)), Some((ae, &a))) if ae >= ke => Some(&added[a]),
                    (Some((_, &k)), _) => Some(&mentions[k]),
                    (None, Some((_, &a))) => Some(&added[a]),
                    (None, None) => None,
                };
                match last {
                    Some(m) => m.id.clone(),
                    None => continue,
                }
            }
            t if t.starts_with('@') => match country.and_then(|c| forces.get(c, t)) {
                Some(id) => id.to_string(),
                None => continue,
            },
            t => t.to_string(),
        };
        if nisba {
            let before = words_before(text, clitic_start, 2);
            let head = |w: Option<&String>| w.is_some_and(|w| MILITARY_NOUNS.contains(&w.as_str()));
            let adj = before
                .first()
                .is_some_and(|w| MILITARY_ADJECTIVES.contains(&w.as_str()));
            if !(head(before.first()) || adj && head(before.get(1))) {
                continue;
            }
        }
        // "هاجم مسلحون حوثيون", "مسلحين من داعش", "مسلحين مجهولين": the group named after it is the actor.
        if bare && actor_follows(text, h.end, mentions, hits, rules) {
            continue;
        }
        if res.actor(&id, false).is_none() {
            continue;
        }
        if id != "civilians" {
            added_by_end.insert(h.end, added.len());
        }
        added.push(Mention {
            start: h.start,
            end: h.end,
            clitic_start,
            kind: MentionKind::Actor,
            id,
            geo_precision: None,
            coreference: target == "@latter",
            confidence: 0.7,
            runners_up: Vec::new(),
        });
    }
    if !drop.is_empty() {
        let mut keep = vec![true; mentions.len()];
        for i in drop {
            keep[i] = false;
        }
        let mut k = keep.into_iter();
        mentions.retain(|_| k.next().unwrap_or(true));
    }
    // "التنظيم" in a report that names the Islamic State is the Islamic State.
    let named_is = {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for m in mentions
            .iter()
            .filter(|m| m.kind == MentionKind::Actor && !m.coreference && is_is(&m.id))
        {
            match counts.iter_mut().find(|(id, _)| *id == m.id) {
                Some(c) => c.1 += 1,
                None => counts.push((m.id.as_str(), 1)),
            }
        }
        counts.into_iter().max_by_key(|c| c.1).map(|c| c.0.to_string())
    };
    if let Some(is_id) = named_is {
        for m in mentions
            .iter_mut()
            .filter(|m| m.kind == MentionKind::Actor && m.coreference)
        {
            if m.id != is_id && fold_str(&text[m.start..m.end], Mode::Key) == "التنظيم" {
                m.id = is_id.clone();
            }
        }
    }
    if !added.is_empty() {
        mentions.extend(added);
        mentions.sort_by_key(|m| (m.start, m.end));
    }
}
