//! Where the act happened: the place governed by a locative word ("في", "قرب", "شرق", "على أطراف", the clitic
//! ب), not every place the sentence names. Origins and destinations ("انطلاقا من", "باتجاه") score low. A
//! sentence that names no place falls back to the document's current place, marked `carried`.

use crate::rules::{Cue, RuleKind, TriggerType, WordList};
use crate::stage::{Candidate, DocState, Sent};
use crate::{Mention, MentionKind, Resources};
use rasd_core::{Location, SubEventType};

/// The location of one act and the span it came from.
#[derive(Debug, Clone, Default)]
pub(crate) struct Placed {
    pub location: Option<Location>,
    pub span: Option<(usize, usize)>,
    pub carried: bool,
    /// Places joined to the chosen one by و ("على مخيم جباليا وحي الرمال"): ACLED codes one event per place.
    pub also: Vec<(Location, (usize, usize))>,
}

/// Where a place name begins once the quotation marks (or an opening parenthesis) right before it are counted in:
/// "في ناحية «الرشاد»", "في قضاء "الحويجة"" and "في ناحية (التون كوبري)" govern the name as the unquoted forms do.
fn unquoted_start(sent: &Sent<'_>, pos: usize) -> usize {
    let mut at = pos;
    let i = sent.tokens.partition_point(|t| t.end <= pos);
    for t in sent.tokens[..i].iter().rev() {
        let surface = t.surface(sent.text);
        let quote = t.start >= sent.start
            && !surface.is_empty()
            && surface
                .chars()
                .all(|c| matches!(c, '"' | '«' | '»' | '“' | '”' | '„' | '\'' | '‘' | '’' | '('));
        if !quote || sent.distance(t.end, at) != 0 {
            break;
        }
        at = t.start;
    }
    at
}

/// The word right before a place name when it names the kind of place ("بمنطقة" in "بمنطقة المحمودية"): its
/// start, and whether it carries the locative clitic ب itself.
fn place_noun_before(sent: &Sent<'_>, m: &Mention) -> Option<(usize, bool)> {
    if m.clitic_start != m.start {
        return None;
    }
    let start = unquoted_start(sent, m.clitic_start);
    let i = sent.tokens.partition_point(|t| t.end <= start);
    let t = sent.tokens[..i].last()?;
    if sent.distance(t.end, start) != 0 || t.start < sent.start {
        return None;
    }
    let w = rasd_text::fold_str(t.surface(sent.text), rasd_text::Mode::Key);
    for (prefix, locative) in [
        ("", false),
        ("و", false),
        ("ب", true),
        ("وب", true),
        ("ف", false),
        ("في", true),
    ] {
        if let Some(rest) = w.strip_prefix(prefix)
            && sent.rules.word_in(WordList::PlaceNoun, rest)
        {
            return Some((t.start, locative));
        }
    }
    None
}

/// The nearest locative cue right before a place mention (at most one word in between, for "شرق مدينة X").
fn cue_before(sent: &Sent<'_>, m: &Mention) -> Option<Cue> {
    let clitic = sent.slice(m.clitic_start, m.start);
    // "بمنطقة X" is a locative X; "في منطقة X" reads the cue before the place noun.
    let noun = place_noun_before(sent, m);
    if noun.is_some_and(|(_, loc)| loc) {
        return Some(Cue::Locative);
    }
    if let Some((at, _)) = noun {
        // "من قرية X" is an origin, "في منطقة X" a locative; a bare "منطقة X" names a place like "في" does.
        return Some(cue_at(sent, at).unwrap_or(Cue::Locative));
    }
    match cue_at(sent, unquoted_start(sent, m.clitic_start)) {
        Some(c) => Some(c),
        None if clitic.starts_with('ب') || clitic.starts_with("وب") => Some(Cue::Locative),
        None => None,
    }
}

/// The nearest locative cue ending right before byte `anchor`.
fn cue_at(sent: &Sent<'_>, anchor: usize) -> Option<Cue> {
    let mut best: Option<(usize, Cue)> = None;
    for h in sent.hits {
        if h.end > anchor {
            break;
        }
        if let RuleKind::Cue(c @ (Cue::Locative | Cue::Near | Cue::Away)) = sent.rules.get(h.rule).kind {
            let d = sent.distance(h.end, anchor);
            // "شرق مدينة X" reaches over one word; "في" and "باتجاه" govern only the next word.
            let reach = if c == Cue::Near { 1 } else { 0 };
            if d <= reach && best.is_none_or(|(bd, bc)| d < bd || (d == bd && c == Cue::Near && bc != Cue::Near)) {
                best = Some((d, c));
            }
        }
    }
    best.map(|(_, c)| c)
}

fn score(sent: &Sent<'_>, c: &Candidate, m: &Mention, res: &dyn Resources) -> (f32, bool) {
    let (cs, ce) = c.clause;
    let mut s = 0.0f32;
    if m.start >= cs && m.end <= ce {
        s += 3.0;
    }
    let cue = cue_before(sent, m);
    let near = cue == Some(Cue::Near);
    // A place outside the document's main country is a weaker choice (a namesake, or a mention in passing).
    if let Some(main) = sent.country
        && res.place(&m.id, 1).is_some_and(|l| l.country != main)
    {
        s -= 2.5;
    }
    // "المحمودية جنوبي بغداد": the place after a direction word that follows another place is the reference
    // point, not where the act happened.
    if near && reference_point(sent, m) {
        s -= 4.0;
    }
    // "بلدة صيدا شرقي درعا", "حي الروضة شمالي مدينة تعز": a place that a direction word locates by another, far
    // from it, is a namesake (Sidon in Lebanon, a district of Sanaa); the reference point is nearer the truth.
    if let Some(n) = located_by(sent, m)
        // A province is measured from its seat: "الرطبة غربي الأنبار" lies 280 km from Ramadi.
        && n.geo_precision.unwrap_or(1) < 3
        && let (Some(a), Some(b)) = (res.place(&m.id, 1), res.place(&n.id, 1))
        && rasd_lexicon::resolve::distance_km(a.lat, a.lon, b.lat, b.lon) > NAMESAKE_KM
    {
        s -= 6.0;
    }
    // The word right before the place (its proclitics aside), read once for the checks below.
    let before1 = sent.words_before(m.clitic_start, 1);
    let before1 = before1.first().map(String::as_str).unwrap_or("");
    // "واقتادتهم إلى مركز أمني في مادبا", "نقلوا إلى مستشفى في حلب": a place inside a destination is where people
    // were taken, not where the act happened.
    if before1 == "في" && destination(sent, m) && m.start > c.hit.end {
        s -= 8.0;
    }
    // "المنطقة الخضراء وسط بغداد": the city after وسط, right after another place, locates that place.
    if before1 == "وسط"
        && sent.mentions.iter().any(|n| {
            n.kind == MentionKind::Place
                && n.id != m.id
                && n.end <= m.clitic_start
                && sent.distance(n.end, m.clitic_start) == 1
        })
    {
        s -= 4.0;
    }
    // "كفر قدوم بنابلس", "عبوين برام الله": ب right after a place names its district or governorate.
    if sent.slice(m.clitic_start, m.start).starts_with('ب')
        && sent.mentions.iter().any(|n| {
            n.kind == MentionKind::Place && n.end <= m.clitic_start && sent.distance(n.end, m.clitic_start) == 0
        })
    {
        s -= 4.0;
    }
    // "استهدف هجوم مطار أربيل الدولي في شمال العراق", "حي الشعار في حلب": a place after في right after another
    // place, no finer than it, locates that place; it is not where the act happened.
    if before1 == "في"
        && sent.mentions.iter().any(|n| {
            n.kind == MentionKind::Place
                && n.end <= m.clitic_start
                // Only في, or the district glued to the place ("مطار أربيل الدولي بكردستان في شمال العراق"), between.
                && sent.distance(n.end, m.clitic_start) <= 2
                && sent.tokens_after(n.end, 2).take_while(|t| t.end <= m.clitic_start).all(|t| {
                    let w = sent.slice(t.start, t.end);
                    w == "في"
                        || w.starts_with('ب')
                        || sent.mentions.iter().any(|o| {
                            o.kind == MentionKind::Place && o.clitic_start <= t.start && t.end <= o.end
                        })
                })
                && n.geo_precision.unwrap_or(1) <= m.geo_precision.unwrap_or(1)
                && cue_before(sent, n) != Some(Cue::Away)
        })
    {
        s -= 4.0;
    }
    // "اعتقلت قوات الاحتلال محاضرا من مدينة نابلس", "اختطفوا عاملين من جزيرة الدوران": people are taken from
    // where they were; for an arrest or an abduction that "من" places the act.
    let taken_from = matches!(c.ty, TriggerType::Sub(SubEventType::Arrests | SubEventType::Abduction))
        && cue == Some(Cue::Away)
        && {
            let before = sent.words_before(m.clitic_start, 2);
            before.iter().any(|w| w == "من") && !before.iter().any(|w| w == "انطلاقا")
        };
    match cue {
        Some(Cue::Locative | Cue::Near) => s += 3.0,
        Some(Cue::Away) if taken_from => s += 3.0,
        // Rockets fired "باتجاه عسقلان" land there: for remote violence the direction is the target.
        Some(Cue::Away) if !remote(c) => s -= 3.0,
        _ => {}
    }
    // "سيطرت على مدينة البوكمال": the object of a territory verb is the place taken; "غارات على مخيم جباليا": the
    // target of a strike is where it fell.
    if (matches!(c.ty, TriggerType::Territory) || remote(c)) && m.start > c.hit.end && m.end <= ce {
        let before = sent.words_before(m.clitic_start, 3);
        if before.iter().any(|w| w == "علي") {
            s += 3.0;
        }
    }
    if m.start >= c.hit.end {
        s += 1.0;
    }
    s -= sent.distance(c.hit.start, m.start) as f32 * 0.1;
    if m.geo_precision == Some(3) {
        s -= 1.0;
    }
    (s, near)
}

/// The document's main country, after moving ambiguous names to a same-named place in it.
///
/// "القدس" in a report on Mosul is the Mosul district, not Jerusalem; "الجيزة" in Sirte is a Sirte district. The
/// main country is the one holding at least half the place mentions (by confidence); a name placed elsewhere moves
/// to its first runner-up in the main country, when it has one.
pub(crate) fn settle_country(mentions: &mut [Mention], res: &dyn Resources) -> Option<String> {
    let mut weight: Vec<(String, f32)> = Vec::new();
    let mut total = 0.0f32;
    for m in mentions.iter().filter(|m| m.kind == MentionKind::Place) {
        if let Some(l) = res.place(&m.id, 1) {
            total += m.confidence;
            match weight.iter_mut().find(|(c, _)| *c == l.country) {
                Some(w) => w.1 += m.confidence,
                None => weight.push((l.country, m.confidence)),
            }
        }
    }
    let (main, w) = weight.into_iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    if w < total * 0.5 {
        return None;
    }
    for m in mentions.iter_mut().filter(|m| m.kind == MentionKind::Place) {
        if res.place(&m.id, 1).is_some_and(|l| l.country != main) {
            let better = m
                .runners_up
                .iter()
                .find(|r| res.place(r, 1).is_some_and(|l| l.country == main))
                .cloned();
            if let Some(r) = better {
                m.id = r;
            }
        }
    }
    Some(main)
}

/// Whether the place `m`, after a "near" cue, is the reference point of another place named just before the cue
/// ("X جنوبي Y", "X قرب Y").
fn reference_point(sent: &Sent<'_>, m: &Mention) -> bool {
    let anchor = place_noun_before(sent, m).map_or(m.clitic_start, |(s, _)| s);
    let Some(cue) = sent
        .hits
        .iter()
        .filter(|h| h.end <= anchor && matches!(sent.rules.get(h.rule).kind, RuleKind::Cue(Cue::Near)))
        .rfind(|h| sent.distance(h.end, anchor) <= 1)
    else {
        return false;
    };
    sent.mentions.iter().any(|n| {
        n.kind == MentionKind::Place && n.end <= cue.start && n.id != m.id && sent.distance(n.end, cue.start) == 0
    })
}

/// How far a place may lie from the place a direction word locates it by ("المحمودية جنوبي بغداد": 30 km) before
/// it is read as a namesake.
const NAMESAKE_KM: f64 = 80.0;

/// The place that locates `m` by a direction word right after it ("صيدا شرقي درعا", "الروضة شمالي مدينة تعز").
fn located_by<'s>(sent: &'s Sent<'_>, m: &Mention) -> Option<&'s Mention> {
    let cue = sent
        .hits
        .iter()
        .filter(|h| h.start >= m.end && matches!(sent.rules.get(h.rule).kind, RuleKind::Cue(Cue::Near)))
        .find(|h| sent.distance(m.end, h.start) == 0)?;
    // "وفي تعز، قتلت طفلة … في حي الروضة شمالي المدينة": "the city" is the town the sentence named before.
    if sent.words_after(cue.end, 1).first().is_some_and(|w| w == "المدينه") {
        return sent.mentions.iter().rfind(|n| {
            n.kind == MentionKind::Place && n.id != m.id && n.end <= m.clitic_start && n.geo_precision.unwrap_or(1) == 1
        });
    }
    sent.mentions.iter().find(|n| {
        n.kind == MentionKind::Place
            && n.id != m.id
            && n.clitic_start >= cue.end
            && sent.distance(cue.end, n.clitic_start) <= 1
    })
}

/// "واقتادتهم إلى مركز أمني في مادبا", "نقلوا إلى مستشفى في حلب": a place after في inside a destination (إلى at
/// most two words before it) that a verb of taking opens is where people were taken. Not "امتدت الاشتباكات إلى
/// أحياء في حلب": fighting that spread there happened there.
fn destination(sent: &Sent<'_>, m: &Mention) -> bool {
    if sent.words_before(m.clitic_start, 1).first().is_none_or(|w| w != "في") {
        return false;
    }
    let before = sent.words_before(m.clitic_start, 6);
    let Some(to) = before.iter().take(4).skip(1).position(|w| w == "الي") else {
        return false;
    };
    before.iter().skip(to + 2).take(2).any(|w| {
        let w = w.trim_start_matches(['و', 'ف']);
        ["اقتاد", "نقل", "اصطحب", "حول", "احيل", "اودع", "رحل", "اخذ"]
            .iter()
            .any(|v| w.starts_with(v))
    })
}

/// "شارع الرباط", "شارع بغداد": a street named after a town is not the town; nor, in a report of another country, a
/// road, facility or neighbourhood named after one ("طريق مكة المكرمة" in Mogadishu, "أحياء صلاح الدين" in Aleppo).
fn street_name(sent: &Sent<'_>, m: &Mention, res: &dyn Resources) -> bool {
    let Some(w) = sent.words_before(m.clitic_start, 1).into_iter().next() else {
        return false;
    };
    if matches!(w.as_str(), "شارع" | "وشارع" | "بشارع" | "الشارع") {
        return true;
    }
    // "مجمع واغادوغو للمؤتمرات" in Sirte, "على طريق مكة المكرمة في العاصمة مقديشو": a facility or a road named
    // after a city of another country than the report's is in the report's country, not in that city.
    let w = w.trim_start_matches(['و', 'ب']);
    let w = w.strip_prefix("ال").unwrap_or(w);
    // "في أحياء صلاح الدين والسكري بمدينة حلب": a neighbourhood is no province, nor a place abroad.
    if matches!(w, "حي" | "احياء" | "حاره")
        && (m.geo_precision.unwrap_or(1) >= 3
            || sent
                .country
                .as_ref()
                .is_some_and(|main| res.place(&m.id, 1).is_some_and(|l| l.country != *main)))
    {
        return true;
    }
    matches!(
        w,
        "طريق"
            | "مجمع"
            | "فندق"
            | "مسجد"
            | "جامع"
            | "مدرسه"
            | "قاعه"
            | "ملعب"
            | "مستشفي"
            | "جسر"
            | "دوار"
            | "ساحه"
    ) && sent
        .country
        .as_ref()
        .is_some_and(|main| res.place(&m.id, 1).is_some_and(|l| l.country != *main))
}

fn remote(c: &Candidate) -> bool {
    matches!(c.ty, TriggerType::Sub(t) if t.event_type() == rasd_core::EventType::ExplosionsRemoteViolence)
}

/// A name glued to letters that are not proclitics of a place ("كسرت" is not ك + سرت).
fn glued_to_word(sent: &Sent<'_>, m: &Mention) -> bool {
    sent.slice(m.clitic_start, m.start).contains('ك')
}

/// Whether the words between a listed place (ending at `prev_end`) and the place `n` open another item of the
/// list: "و3 في", "ومواطن من", "وخامس في بلدة" (after a direction word that closes the item before: "بسلفيت شمالا،
/// ومواطن في عبوين").
fn counted_item(sent: &Sent<'_>, prev_end: usize, n: &Mention) -> bool {
    const DIRECTIONS: &[&str] = &["شمالا", "جنوبا", "شرقا", "غربا"];
    let noun = place_noun_before(sent, n).map_or(n.clitic_start, |(at, _)| at);
    let gap = sent.distance(prev_end, noun);
    if gap == 0 || gap > 4 {
        return false;
    }
    let words = sent.words_after(prev_end, gap);
    let words: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .skip_while(|w| DIRECTIONS.contains(w))
        .collect();
    // "و3" is two tokens ("و", "3"), "وخامس" one.
    let opens = match words.as_slice() {
        ["و", _, ..] => true,
        [first, ..] => first.len() > 'و'.len_utf8() && first.starts_with('و'),
        [] => false,
    };
    opens && words.len() >= 2 && matches!(words.last(), Some(&("في" | "من")))
}

/// Attaches a location to a candidate act.
/// "حي التضامن بتونس", "حي الزهور بالقاهرة": a place or country named right after `m` with the locative ب, in
/// another country than `country` (m's), says where m lies: the gazetteer's m is a homonym elsewhere (Damascus's
/// al-Tadamon, Mosul's al-Zuhur). The act is then placed at that city, near it (precision 2); at a country's
/// capital when m is a neighbourhood ("حي …") and the country's name is its capital's too, else at the country.
fn homonym_elsewhere(
    sent: &Sent<'_>,
    m: &Mention,
    country: &str,
    res: &dyn Resources,
) -> Option<(Location, (usize, usize))> {
    let i = sent.tokens.partition_point(|t| t.start < m.end);
    let t = sent
        .tokens
        .get(i)
        .filter(|t| t.end <= sent.end && sent.distance(m.end, t.start) == 0)?;
    let w = rasd_text::fold_str(t.surface(sent.text), rasd_text::Mode::Key);
    if !(w.starts_with('ب') || w.starts_with("وب")) {
        return None;
    }
    if let Some(n) = sent
        .mentions
        .iter()
        .find(|n| n.kind == MentionKind::Place && n.clitic_start == t.start)
    {
        let l = res.place(&n.id, n.geo_precision.unwrap_or(1).max(2))?;
        return (l.country != country).then_some((l, (n.start, n.end)));
    }
    let row = sent.countries.named(sent, i)?;
    if row.country == country {
        return None;
    }
    let neighbourhood = rasd_text::fold_str(sent.slice(m.start, m.end), rasd_text::Mode::Key).starts_with("حي ");
    let capital = row.capital.as_deref().and_then(|id| res.place(id, 2)).filter(|l| {
        neighbourhood
            && row
                .keys
                .contains(&rasd_text::fold_str(&l.name_ar, rasd_text::Mode::Key))
    });
    Some((capital.unwrap_or_else(|| row.location()), (t.start, t.end)))
}

pub(crate) fn attach(sent: &Sent<'_>, c: &Candidate, res: &dyn Resources, state: &DocState) -> Placed {
    let best = sent
        .mentions
        .iter()
        .filter(|m| m.kind == MentionKind::Place && !glued_to_word(sent, m) && !street_name(sent, m, res))
        .map(|m| (score(sent, c, m, res), m))
        .filter(|((s, _), _)| *s > -1.0)
        .max_by(|a, b| a.0.0.total_cmp(&b.0.0));
    if let Some(((_, near), m)) = best {
        let gp = m.geo_precision.unwrap_or(1).max(if near { 2 } else { 1 });
        if let Some(l) = res.place(&m.id, gp)
            && let Some((loc, span)) = homonym_elsewhere(sent, m, &l.country, res)
        {
            return Placed {
                location: Some(loc),
                span: Some(span),
                carried: false,
                also: Vec::new(),
            };
        }
        // A country of its own named between the trigger and that place is nearer the act ("تعرضوا للاختطاف في
        // ليبيا ردا على اعتقال قيادي في مطار قرطاج بتونس").
        if m.start > c.hit.end
            && let Some(l) = res.place(&m.id, gp)
            && let Some((loc, span)) = sent.countries.between(sent, c, m.clitic_start, &l.country)
        {
            return Placed {
                location: Some(loc),
                span: Some(span),
                carried: false,
                also: Vec::new(),
            };
        }
        if let Some(loc) = res.place(&m.id, gp) {
            let mut also = Vec::new();
            let mut prev_end = m.end;
            for n in sent
                .mentions
                .iter()
                .filter(|n| n.kind == MentionKind::Place && n.start >= m.end)
            {
                let gap = sent.distance(prev_end, n.clitic_start);
                // "كفر قدوم بنابلس": the district or governorate of the place just listed, not a place of its own.
                if gap == 0 && sent.slice(n.clitic_start, n.start).starts_with('ب') {
                    prev_end = n.end;
                    continue;
                }
                // "و X", "وX", a place noun with و ("قرية الباغوز وبلدة السوسة"), or a counted item of a list
                // ("اعتقال مواطن في مخيم طولكرم، و3 في كفر قدوم، وخامس في بلدة الخضر").
                let joined = (sent.slice(n.clitic_start, n.start).starts_with('و')
                    || sent.words_before(n.clitic_start, 1).first().is_some_and(|w| w == "و")
                    || place_noun_before(sent, n)
                        .is_some_and(|(at, _)| sent.slice(at, n.clitic_start).starts_with('و')))
                    && gap <= 2
                    || counted_item(sent, prev_end, n);
                if !joined || n.id == m.id {
                    break;
                }
                if let Some(l) = res.place(&n.id, n.geo_precision.unwrap_or(1)) {
                    also.push((l, (n.start, n.end)));
                }
                prev_end = n.end;
            }
            return Placed {
                location: Some(loc),
                span: Some((m.start, m.end)),
                carried: false,
                also,
            };
        }
    }
    // "في العاصمة": the capital of the report's country (or of the country its adjective names); "في عمان" in a
    // report on Jordan.
    if let Some((loc, span)) = sent
        .countries
        .capital_in_sentence(sent, c, res)
        .or_else(|| sent.countries.capital_by_name(sent, c, res))
    {
        return Placed {
            location: Some(loc),
            span: Some(span),
            carried: false,
            also: Vec::new(),
        };
    }
    // No place the clause governs: the place this sentence is about ("شهدت محافظة الحسكة قصفا … استهدفت مواقع"),
    // before the one carried from earlier sentences.
    let here = sentence_place(sent, res).filter(|(l, _, _)| sent.country.is_none_or(|c| c == l.country));
    if let Some((mut loc, s, e)) = here {
        loc.carried = true;
        return Placed {
            location: Some(loc),
            span: Some((s, e)),
            carried: true,
            also: Vec::new(),
        };
    }
    // "في سوريا", "بالعراق": a country the sentence places things in, at its centroid, before a place carried from
    // another sentence.
    if let Some((loc, span)) = sent.countries.in_sentence(sent, c, res) {
        return Placed {
            location: Some(loc),
            span: Some(span),
            carried: false,
            also: Vec::new(),
        };
    }
    match &state.place {
        Some((loc, s, e)) => {
            let mut loc = loc.clone();
            loc.carried = true;
            Placed {
                location: Some(loc),
                span: Some((*s, *e)),
                carried: true,
                also: Vec::new(),
            }
        }
        // "أطلقت السلطات المصرية سراح 30 ناشطا": with no place at all, the country the sentence's adjective names
        // (at its point, region precision).
        None => match sent.countries.by_adjective(sent) {
            Some((loc, span)) => Placed {
                location: Some(loc),
                span: Some(span),
                carried: false,
                also: Vec::new(),
            },
            None => Placed::default(),
        },
    }
}

/// The place a sentence is about, to carry forward: the first place with a locative word, else the first place
/// not marked as an origin or destination.
pub(crate) fn sentence_place(sent: &Sent<'_>, res: &dyn Resources) -> Option<(Location, usize, usize)> {
    let places = || {
        sent.mentions.iter().filter(|m| {
            m.kind == MentionKind::Place
                && !glued_to_word(sent, m)
                && !street_name(sent, m, res)
                && !destination(sent, m)
        })
    };
    let m = places()
        .find(|m| matches!(cue_before(sent, m), Some(Cue::Locative | Cue::Near)))
        .or_else(|| places().find(|m| cue_before(sent, m) != Some(Cue::Away)))?;
    let near = cue_before(sent, m) == Some(Cue::Near);
    let gp = m.geo_precision.unwrap_or(1).max(if near { 2 } else { 1 });
    res.place(&m.id, gp).map(|l| (l, m.start, m.end))
}

/// Countries as places of last resort, from the lexicon's country table (`data/lexicon/countries.tsv`, through
/// [`Resources::countries`]): the lexicon keeps country names out of the gazetteer (they are context for other
/// names, and most mentions are not where an act happened), so a record is placed in a country only when its
/// sentence names no finer place and puts something "في" the country.
#[derive(Debug, Default)]
pub(crate) struct Countries {
    rows: Vec<CountryRow>,
}

#[derive(Debug)]
struct CountryRow {
    country: String,
    name: String,
    name_ar: String,
    /// The noun forms, key-normalized.
    keys: Vec<String>,
    lat: f64,
    lon: f64,
    /// The adjectives and other names of the country, key-normalized ("السوريه", "اليمنيه").
    context: Vec<String>,
    /// The gazetteer id of the country's capital.
    capital: Option<String>,
}

impl CountryRow {
    /// The country as a record's place: its point, at region precision.
    fn location(&self) -> Location {
        Location {
            id: format!("country:{}", self.country),
            name: self.name.clone(),
            name_ar: self.name_ar.clone(),
            country: self.country.clone(),
            admin1: None,
            lat: self.lat,
            lon: self.lon,
            geo_precision: 3,
            carried: false,
        }
    }
}

impl Countries {
    /// The countries with a point, in table order; a country without one is never a place.
    pub(crate) fn new(table: &[rasd_lexicon::Country]) -> Countries {
        let rows = table
            .iter()
            .filter_map(|c| {
                let (lat, lon) = c.point?;
                Some(CountryRow {
                    country: c.iso2.clone(),
                    name: c.name.clone(),
                    name_ar: c.name_ar.clone(),
                    keys: c
                        .place_names
                        .iter()
                        .map(|n| rasd_text::fold_str(n.trim(), rasd_text::Mode::Key))
                        .collect(),
                    context: c
                        .context_names
                        .iter()
                        .map(|n| rasd_text::fold_str(n.trim(), rasd_text::Mode::Key))
                        .collect(),
                    lat,
                    lon,
                    capital: c.capital.clone(),
                })
            })
            .collect();
        Countries { rows }
    }

    #[cfg(test)]
    pub(crate) fn iso2s(&self) -> Vec<&str> {
        self.rows.iter().map(|r| r.country.as_str()).collect()
    }

    /// The country a word names after في, or with the locative clitic ب ("بسوريا", "وبالعراق"); and whether the
    /// word before it is "العاصمة".
    fn named(&self, sent: &Sent<'_>, i: usize) -> Option<&CountryRow> {
        let t = &sent.tokens[i];
        let w = rasd_text::fold_str(t.surface(sent.text), rasd_text::Mode::Key);
        let before = i
            .checked_sub(1)
            .map(|j| &sent.tokens[j])
            .filter(|p| p.start >= sent.start && sent.distance(p.end, t.start) == 0)
            .map(|p| rasd_text::fold_str(p.surface(sent.text), rasd_text::Mode::Key));
        // "في شمال مالي", "بشمال شرق نيجيريا": a part of the country, which is where it happened.
        let direction = |w: &str| {
            let w = w.strip_prefix("ب").unwrap_or(w);
            matches!(
                w,
                "شمال" | "جنوب" | "شرق" | "غرب" | "شمالي" | "جنوبي" | "شرقي" | "غربي" | "وسط"
            )
        };
        let mut j = i;
        let mut fi_before_part = false;
        for _ in 0..3 {
            let Some(p) = j
                .checked_sub(1)
                .map(|k| &sent.tokens[k])
                .filter(|p| p.start >= sent.start && sent.distance(p.end, sent.tokens[j].start) == 0)
            else {
                break;
            };
            let pw = rasd_text::fold_str(p.surface(sent.text), rasd_text::Mode::Key);
            if !direction(&pw) {
                fi_before_part = j < i && matches!(pw.as_str(), "في" | "وفي");
                break;
            }
            j -= 1;
            if pw.starts_with('ب') {
                fi_before_part = true;
                break;
            }
        }
        let after_fi = before.as_deref().is_some_and(|b| matches!(b, "في" | "وفي" | "العاصمه")) || fi_before_part;
        let forms = [("", after_fi), ("ب", true), ("وب", true)];
        self.rows.iter().find(|r| {
            forms.iter().any(|(clitic, ok)| {
                *ok && w
                    .strip_prefix(clitic)
                    .is_some_and(|rest| r.keys.iter().any(|k| k == rest))
            })
        })
    }

    /// "تظاهر المئات في عمان" in a report whose places lie in Jordan: the capital's own name, kept out of the
    /// gazetteer because it names a country too (عمان is also Oman), is the capital when a locative governs it ("في
    /// عمان", "بعمان", "وسط عمان"). Only where the capital's name is not its country's: "في تونس" stays Tunisia.
    fn capital_by_name(
        &self,
        sent: &Sent<'_>,
        c: &Candidate,
        res: &dyn Resources,
    ) -> Option<(Location, (usize, usize))> {
        // The report's country, else the one the sentence's words name ("تظاهر آلاف الأردنيين … في عمّان").
        let at = |i: usize| {
            sent.tokens
                .get(i)
                .filter(|t| t.start >= sent.start && t.end <= sent.end)
                .map(|t| rasd_text::fold_str(t.surface(sent.text), rasd_text::Mode::Key))
        };
        let row = match sent.country {
            Some(cc) => self.rows.iter().find(|r| r.country == cc),
            None => self.named_by_context(sent, &at),
        }?;
        let loc = row.capital.as_deref().and_then(|id| res.place(id, 1))?;
        let name = rasd_text::fold_str(&loc.name_ar, rasd_text::Mode::Key);
        if name.is_empty() || row.keys.contains(&name) {
            return None;
        }
        let key = |t: &rasd_text::Token| rasd_text::fold_str(t.surface(sent.text), rasd_text::Mode::Key);
        let inside = |t: &rasd_text::Token| t.start >= sent.start && t.end <= sent.end;
        let mut found: Option<(usize, usize)> = None;
        for (i, t) in sent.tokens.iter().enumerate().filter(|(_, t)| inside(t)) {
            let w = key(t);
            let governed = if w == name {
                i.checked_sub(1)
                    .map(|j| &sent.tokens[j])
                    .filter(|p| inside(p))
                    .is_some_and(|p| matches!(key(p).as_str(), "في" | "وفي" | "وسط" | "بوسط"))
            } else {
                ["ب", "وب"].iter().any(|cl| w.strip_prefix(cl) == Some(name.as_str()))
            };
            if !governed {
                continue;
            }
            let span = (t.start, t.end);
            if t.start >= c.clause.0 && t.end <= c.clause.1 {
                found = Some(span);
                break;
            }
            found.get_or_insert(span);
        }
        Some((loc, found?))
    }

    /// "في العاصمة", "بالعاصمة", "وسط العاصمة السودانية": the capital of the country its adjective names, else of
    /// the report's country, when the word is governed by a locative (the first such word in the candidate's
    /// clause, else in the sentence). "العاصمة تونس" (a country's name beside it) is [`Countries::in_sentence`]'s.
    fn capital_in_sentence(
        &self,
        sent: &Sent<'_>,
        c: &Candidate,
        res: &dyn Resources,
    ) -> Option<(Location, (usize, usize))> {
        const NEAR: &[&str] = &[
            "وسط",
            "قرب",
            "شرق",
            "غرب",
            "شمال",
            "جنوب",
            "محيط",
            "ضواحي",
            "اطراف",
            "شوارع",
            "احياء",
        ];
        let key = |i: usize| {
            sent.tokens
                .get(i)
                .filter(|t| t.start >= sent.start && t.end <= sent.end)
                .map(|t| rasd_text::fold_str(t.surface(sent.text), rasd_text::Mode::Key))
        };
        let mut found = Vec::new();
        for i in 0..sent.tokens.len() {
            let Some(w) = key(i) else { continue };
            let before = i.checked_sub(1).and_then(key);
            let precision = match w.as_str() {
                "بالعاصمه" | "وبالعاصمه" => 1,
                "العاصمه" => {
                    let b = before.as_deref().unwrap_or("");
                    let b = if NEAR.contains(&b) {
                        b
                    } else {
                        b.strip_prefix('و').unwrap_or(b)
                    };
                    let saw = |w: &str| matches!(w, "شهدت" | "شهدتها" | "شهدها" | "تشهد" | "تشهدها");
                    match b {
                        // "أعمال شغب شهدتها العاصمة", "العاصمة شهدت أعمال شغب": the capital as the place that saw the
                        // act.
                        "في" => 1,
                        b if saw(b) || key(i + 1).is_some_and(|a| saw(&a)) => 1,
                        b if NEAR.contains(&b) => 2,
                        _ => continue,
                    }
                }
                _ => continue,
            };
            let beside = |j: usize| j < sent.tokens.len() && self.named(sent, j).is_some();
            if beside(i + 1) || i.checked_sub(1).is_some_and(beside) {
                continue;
            }
            let after = key(i + 1);
            let row = match self
                .rows
                .iter()
                .find(|r| after.as_deref().is_some_and(|a| r.context.iter().any(|k| k == a)))
            {
                Some(r) => Some(r),
                None => sent
                    .country
                    .and_then(|cc| self.rows.iter().find(|r| r.country == cc))
                    .or_else(|| self.named_by_context(sent, &key)),
            };
            if let Some(l) = row
                .and_then(|r| r.capital.as_deref())
                .and_then(|id| res.place(id, precision))
            {
                found.push((i, l));
            }
        }
        let (cs, ce) = c.clause;
        let pick = found
            .iter()
            .position(|(i, _)| sent.tokens[*i].start >= cs && sent.tokens[*i].end <= ce)
            .unwrap_or(0);
        let (i, loc) = found.into_iter().nth(pick)?;
        let t = &sent.tokens[i];
        Some((loc, (t.start, t.end)))
    }

    /// The first country an adjective of the sentence names ("السلطات المصرية"), as a place, with the adjective's
    /// span.
    fn by_adjective(&self, sent: &Sent<'_>) -> Option<(Location, (usize, usize))> {
        // "الطائرات التركية", "القوات الإسرائيلية": the nationality of forces says who acted, not where.
        const FORCES: &[&str] = &[
            "الطايرات",
            "طايرات",
            "الطايره",
            "طايره",
            "الطيران",
            "طيران",
            "المقاتلات",
            "مقاتلات",
            "القوات",
            "قوات",
            "الجيش",
            "جيش",
            "الغارات",
            "غارات",
            "المدفعيه",
            "الدبابات",
            "البحريه",
            "الجنود",
            "جنود",
            "الصواريخ",
            "صواريخ",
            "المسيرات",
            "مسيرات",
        ];
        let inside: Vec<&rasd_text::Token> = sent
            .tokens
            .iter()
            .filter(|t| t.start >= sent.start && t.end <= sent.end)
            .collect();
        inside
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                !i.checked_sub(1).is_some_and(|j| {
                    let p = rasd_text::fold_str(inside[j].surface(sent.text), rasd_text::Mode::Key);
                    FORCES.contains(&p.trim_start_matches(['و', 'ف', 'ب', 'ل']))
                })
            })
            .find_map(|(_, t)| {
                let w = rasd_text::fold_str(t.surface(sent.text), rasd_text::Mode::Key);
                let w = w.strip_prefix('و').unwrap_or(&w);
                let w = w.strip_prefix(['ب', 'ل']).unwrap_or(w);
                // An adjective, not the country's own name ("في شمال سوريا" names a part of it, not the country).
                let row = self
                    .rows
                    .iter()
                    .find(|r| r.context.iter().any(|k| k == w) && !r.keys.iter().any(|k| k == w))?;
                Some((row.location(), (t.start, t.end)))
            })
    }

    /// The first country the sentence names by any of its names ("الشرطة الجزائرية", "الأردنيين").
    fn named_by_context(&self, sent: &Sent<'_>, key: &dyn Fn(usize) -> Option<String>) -> Option<&CountryRow> {
        (0..sent.tokens.len()).filter_map(key).find_map(|w| {
            let w = w.strip_prefix('و').unwrap_or(&w);
            let w = w.strip_prefix(['ب', 'ل']).unwrap_or(w);
            self.rows.iter().find(|r| r.context.iter().any(|k| k == w))
        })
    }

    /// A country named after the trigger and before `before` (a byte offset), in the act's clause, other than
    /// `other` (an ISO code): "تعرضوا للاختطاف في ليبيا ردا على اعتقال قيادي في مطار قرطاج بتونس".
    fn between(
        &self,
        sent: &Sent<'_>,
        c: &Candidate,
        before: usize,
        other: &str,
    ) -> Option<(Location, (usize, usize))> {
        let (i, row) = (0..sent.tokens.len())
            .filter(|&i| {
                let t = &sent.tokens[i];
                t.start >= c.hit.end && t.end <= before && t.start >= c.clause.0 && t.end <= c.clause.1
            })
            .find_map(|i| self.named(sent, i).map(|r| (i, r)))?;
        if row.country == other {
            return None;
        }
        let t = &sent.tokens[i];
        Some((row.location(), (t.start, t.end)))
    }

    /// The country the sentence places something in: in the candidate's clause, the first after the trigger, else
    /// the first; else the sentence's first.
    fn in_sentence(&self, sent: &Sent<'_>, c: &Candidate, res: &dyn Resources) -> Option<(Location, (usize, usize))> {
        let (cs, ce) = c.clause;
        let found: Vec<(usize, &CountryRow)> = (0..sent.tokens.len())
            .filter(|&i| sent.tokens[i].start >= sent.start && sent.tokens[i].end <= sent.end)
            .filter_map(|i| self.named(sent, i).map(|r| (i, r)))
            .collect();
        // In the act's clause, the country after the trigger first ("قال أهالٍ في تونس إن أبناءهم تعرضوا للاختطاف في
        // ليبيا": Libya), then any; else the sentence's first.
        let in_clause = |i: &usize| sent.tokens[*i].start >= cs && sent.tokens[*i].end <= ce;
        let (i, row) = found
            .iter()
            .find(|(i, _)| in_clause(i) && sent.tokens[*i].start >= c.hit.end)
            .or_else(|| found.iter().find(|(i, _)| in_clause(i)))
            .or(found.first())
            .copied()?;
        let t = &sent.tokens[i];
        // "العاصمة تونس", "تونس العاصمة", "الجزائر العاصمة": the capital.
        let capital_word = |j: usize| {
            sent.tokens.get(j).is_some_and(|t| {
                t.start >= sent.start
                    && t.end <= sent.end
                    && rasd_text::fold_str(t.surface(sent.text), rasd_text::Mode::Key) == "العاصمه"
            })
        };
        let after_capital_word = i.checked_sub(1).is_some_and(capital_word) || capital_word(i + 1);
        if after_capital_word && let Some(l) = row.capital.as_deref().and_then(|id| res.place(id, 1)) {
            return Some((l, (t.start, t.end)));
        }
        Some((row.location(), (t.start, t.end)))
    }
}
