//! Who acted and who was acted on.
//!
//! Arabic news is mostly verb-first: "سيطرت قوات النظام على البوكمال" puts the actor right after the verb and the
//! place or target after a preposition. Nominal triggers take their actor as a genitive ("غارة للتحالف", "سيطرة
//! قوات النظام على …"). A passive verb, "على يد" or "من قبل" mark the actor explicitly; "لصالح" and "أمام" mark who
//! gained what the subject lost; "على", "ضد", "بحق" and "مع" mark the other side. Each actor mention is scored from
//! its marker and its distance to the trigger, rather than simply taking the nearest name.

use crate::rules::{Role, TriggerType, WordList};
use crate::stage::{Candidate, Sent};
use crate::{Mention, MentionKind, Resources};
use rasd_core::{ActorRef, SubEventType};

/// The actors of one act, with the span each came from.
#[derive(Debug, Clone, Default)]
pub(crate) struct Actors {
    pub actor1: Option<(ActorRef, Option<(usize, usize)>)>,
    pub actor2: Option<(ActorRef, Option<(usize, usize)>)>,
    pub assoc1: Vec<ActorRef>,
}

/// The word that relates an actor mention to the act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// على يد، من قبل، بيد: the actor of a passive or nominal act.
    Agent,
    /// على، ضد، بحق: the target.
    Patient,
    /// مع: the other side of a clash.
    With,
    /// لصالح، أمام: who gained what the subject lost.
    Gainer,
    /// بين: the first of two sides.
    Between,
    /// و: joined to the previous actor.
    And,
    /// من، إلى، باتجاه، في …: a place-like or origin phrase, not a participant.
    Other,
    /// No marker: a subject, object or genitive.
    None,
    /// Inside another noun phrase ("دفاعات مسلحي داعش"): rarely the actor.
    Genitive,
    /// The subject of a relative verb about the weapon ("عبوة زرعها التنظيم", "قذائف أطلقها مسلحو الشباب"): who
    /// fired or planted it. The actor of the act, except when the act disrupts that weapon.
    Launcher,
    /// A possessive ل ("للتحالف"): the actor of a nominal act right after it ("غارة جوية للتحالف"), the owner
    /// of the target farther on ("غارات على تجمعات للدعم السريع").
    Possessor,
}

/// Particles after which a head noun starts a subject ("أن قوات النظام", "و عناصر التنظيم").
const PARTICLES: &[&str] = &[
    "ان",
    "بان",
    "وان",
    "و",
    "ف",
    "ثم",
    "قد",
    "لقد",
    "كما",
    "بعد",
    "حيث",
    "اذ",
    "التي",
    "الذي",
    "لكن",
    "فيما",
    "بينما",
    "حين",
    "عندما",
    "اليوم",
    "امس",
];

fn is_marker_word(w: &str) -> bool {
    matches!(
        w,
        "علي"
            | "ضد"
            | "بحق"
            | "مع"
            | "ومع"
            | "لصالح"
            | "امام"
            | "بين"
            | "من"
            | "الي"
            | "باتجاه"
            | "نحو"
            | "عن"
            | "عبر"
            | "في"
            | "داخل"
            | "ضمن"
            | "قبل"
            | "يد"
            | "بيد"
            | "بايدي"
            | "برصاص"
            | "بنيران"
            | "بقصف"
            | "استهدف"
            | "استهدفت"
    ) || LAUNCHERS.contains(&w)
}

/// Verbs with the act as their object pronoun ("هجوم شنه مسلحون", "عبوة زرعها التنظيم"): who comes after them
/// carried the act out.
const LAUNCHERS: &[&str] = &[
    "زرعها",
    "زرعه",
    "زرعتها",
    "زرعوها",
    "اطلقها",
    "اطلقه",
    "اطلقتها",
    "اطلقوها",
    "شنها",
    "شنه",
    "شنتها",
    "نفذها",
    "نفذه",
    "نفذتها",
    "القاها",
    "القتها",
    "فخخها",
    "وضعها",
];

/// Verbs whose object is the act's noun ("شن مسلحو داعش هجوما", "نصب مسلحون كمينا"): a head noun right after one
/// opens its subject, not a genitive.
const SUPPORT_VERBS: &[&str] = &["شن", "شنت", "شنوا", "نفذ", "نفذت", "نفذوا", "نصب", "نصبت", "نصبوا"];

/// Head nouns between a preposition and the actor's name ("على مواقع داعش", "ضد مسلحي التنظيم").
const HEADS: &[&str] = &[
    "قوات",
    "عناصر",
    "مسلحي",
    "مقاتلي",
    "مسلحو",
    "مقاتلو",
    "افراد",
    "فلول",
    "مواقع",
    "مقرات",
    "تجمعات",
    "صفوف",
    "ميليشيات",
    "مليشيات",
    "وحدات",
    "كتايب",
    "جنود",
    "ارهابيي",
    "خلايا",
    "قياديين",
    "دوريه",
    "رتل",
    "ارتال",
    "معاقل",
    "نقاط",
    "حواجز",
    "عنصرا",
    "مسلحين",
    "مقاتلين",
    "جماعه",
    "مجموعه",
    "مجموعات",
];

/// A count before a partitive من: digits, a number word, or a vague quantity ("عشرات", "عدد").
pub(crate) fn count_word(w: &str) -> bool {
    let w = w.strip_prefix('و').unwrap_or(w);
    (!w.is_empty() && w.chars().all(|c| c.is_numeric()))
        || matches!(
            w,
            "عدد"
                | "عشرات"
                | "العشرات"
                | "مئات"
                | "المئات"
                | "العديد"
                | "اثنان"
                | "اثنين"
                | "ثلاثه"
                | "اربعه"
                | "خمسه"
                | "سته"
                | "سبعه"
                | "ثمانيه"
                | "تسعه"
                | "عشره"
                | "احد"
                | "عشرين"
                | "عشرون"
                | "ثلاثين"
                | "ثلاثون"
                | "اربعين"
                | "اربعون"
                | "خمسين"
                | "خمسون"
        )
}

/// The marker before a mention, skipping quotes and head nouns. `trigger` is the act's trigger span: a head noun
/// right after the trigger verb heads its subject ("دخلت وحدات الجيش"), it is not a genitive inside an object.
pub(crate) fn marker(sent: &Sent<'_>, m: &Mention, trigger: (usize, usize)) -> Marker {
    let clitic = sent.slice(m.clitic_start, m.start);
    let clitic = clitic.trim_end_matches("ال");
    match clitic {
        "ل" | "لل" | "ول" | "فل" => return Marker::Possessor,
        "و" | "ف" => return Marker::And,
        "ب" | "وب" | "فب" => return Marker::Other,
        _ => {}
    }
    let words: Vec<String> = sent
        .words_before(m.clitic_start, 5)
        .into_iter()
        // Digits stay: "مقتل 5 من عناصر داعش" counts the dead.
        .filter(|w| w.chars().any(|c| c.is_alphabetic() || c.is_numeric()))
        .collect();
    // "أعدم التنظيم ثلاثة مدنيين بتهمة التعاون مع التحالف": an actor in the charge, after the act, is no party to it.
    if m.start >= trigger.1
        && words
            .iter()
            .take(4)
            .any(|w| matches!(w.as_str(), "بتهمه" | "بتهم" | "بحجه" | "بذريعه" | "تهمه"))
    {
        return Marker::Other;
    }
    let mut i = 0;
    // A partitive "وحدات من الجيش", "عناصر من قسد", "مسلحون من حركة الشباب": the unit noun and its من head the
    // phrase.
    if words.first().is_some_and(|w| w == "من")
        && words
            .get(1)
            .is_some_and(|w| HEADS.contains(&w.as_str()) || matches!(w.as_str(), "مسلحون" | "مقاتلون"))
    {
        i = 2;
        // "لقي خمسة عناصر من الشرطة الصومالية حتفهم": a count before the unit noun counts the act's victims.
        if words.get(2).is_some_and(|w| count_word(w)) {
            return Marker::Patient;
        }
    }
    while i < words.len() && i < 2 && HEADS.contains(&words[i].as_str()) {
        i += 1;
    }
    // "قتل ثمانية من عناصر تنظيم القاعدة", "أصيب عدد من عناصر الجيش": a count before the partitive من counts
    // the people an act killed, wounded or took, its target.
    if words.get(i).is_some_and(|w| w == "من") && words.get(i + 1).is_some_and(|w| count_word(w)) {
        return Marker::Patient;
    }
    // "اغتيال قائد ميداني في حزب الله": the group a leader or member belongs to, after في, is whom the act hit.
    if words.first().is_some_and(|w| w == "في")
        && words.iter().skip(1).take(2).any(|w| {
            let w = w.strip_prefix("ال").unwrap_or(w);
            matches!(
                w,
                "قائد"
                    | "قايد"
                    | "قياديا"
                    | "قيادي"
                    | "عضو"
                    | "عضوا"
                    | "عنصر"
                    | "عنصرا"
                    | "مسوول"
                    | "مسوولا"
                    | "زعيم"
            )
        })
    {
        return Marker::Patient;
    }
    // "مسلحون مجهولون قتلوا أربعة محتجين": a counted name after the act is what it killed, wounded or took, not its
    // subject.
    if i == 0 && m.start >= trigger.1 && words.first().is_some_and(|w| count_word(w) && w != "عدد") {
        return Marker::Patient;
    }
    // The word before the head nouns, as a token, to tell the trigger verb from any other content word.
    let before_heads = sent.tokens[..sent.tokens.partition_point(|t| t.end <= m.clitic_start)]
        .iter()
        .rev()
        .filter(|t| t.surface(sent.text).chars().any(|c| c.is_alphabetic()))
        .nth(i);
    let after_trigger = before_heads.is_some_and(|t| t.start < trigger.1 && trigger.0 < t.end);
    if i > 0 && after_trigger {
        return Marker::None;
    }
    // "استهدفت كتائب القسام دبابة": right after the targeting verb that is the act itself, or that opens the
    // clause, comes its subject (the verb first), not its target.
    let opens_clause = before_heads.is_some_and(|t| sent.distance(sent.clause_of(t.start).0, t.start) == 0);
    if i == 0
        && (after_trigger || opens_clause)
        && words
            .first()
            .is_some_and(|w| matches!(w.trim_start_matches(['و', 'ف']), "استهدف" | "استهدفت"))
    {
        return Marker::None;
    }
    // "كسرت دفاعات مسلحي داعش": a head noun after another content word makes the name a genitive inside an
    // object, not a subject.
    if i > 0
        && let Some(w) = words.get(i)
        && !PARTICLES.contains(&w.as_str())
        && !is_marker_word(w)
        && !SUPPORT_VERBS.contains(&w.trim_start_matches(['و', 'ف']))
    {
        return Marker::Genitive;
    }
    let w0 = words.get(i).map(String::as_str).unwrap_or("");
    let w1 = words.get(i + 1).map(String::as_str).unwrap_or("");
    // A head noun with its own proclitic ("وعناصر الحشد") joins the phrase to the previous actor.
    if i > 0 && words[i - 1].starts_with('و') {
        return Marker::And;
    }
    match (w0, w1) {
        // "تحرير المدينة من قبضة داعش": who held the place lost it.
        ("قبضه" | "سيطره" | "ايدي" | "يد", "من") => Marker::Patient,
        // "قذائف على مدينة محردة الخاضعة لسيطرة النظام": who holds the place describes it; it is no party to the act.
        ("لسيطره" | "لسلطه", "الخاضعه" | "الخاضع" | "خاضعه" | "خاضع") => Marker::Other,
        ("قبل", "من") | ("يد", "علي") | ("بيد" | "بايدي" | "ايدي", _) => Marker::Agent,
        // "قتل ثلاثة متظاهرين برصاص قوات الجيش", "بقصف لقوات النظام": the weapon's owner acted.
        ("برصاص" | "بنيران" | "رصاص" | "نيران" | "بقصف" | "بغاره" | "بغارات" | "بهجوم" | "بقذايف", _) => {
            Marker::Agent
        }
        ("علي" | "ضد" | "بحق" | "استهدف" | "استهدفت" | "تجاه", _) => Marker::Patient,
        (w, _) if LAUNCHERS.contains(&w) => Marker::Launcher,
        ("مع" | "ومع", "بالتعاون" | "بالتنسيق" | "جنبا") => Marker::And,
        ("بمساندة" | "بدعم" | "بمشاركه" | "مسنوده" | "مدعومه" | "بغطاء" | "واسناد" | "باسناد", _) => {
            Marker::And
        }
        ("من", "بدعم" | "بمساندة" | "مدعومه") => Marker::And,
        ("مع" | "ومع", _) => Marker::With,
        ("لصالح" | "امام", _) => Marker::Gainer,
        ("بين", _) => Marker::Between,
        ("و", _) => Marker::And,
        ("من" | "الي" | "باتجاه" | "نحو" | "عن" | "عبر" | "في" | "داخل" | "ضمن" | "فيها" | "منها", _) => {
            Marker::Other
        }
        _ => Marker::None,
    }
}

/// "لقصف جوي عنيف من الطيران الروسي": the mention follows من, which follows the act's nominal trigger with at most
/// two adjectives between; not for changes of hands, arrests or abductions ("اعتقال شاب من الحي").
fn from_after_act(sent: &Sent<'_>, c: &Candidate, m: &Mention) -> bool {
    let attack = matches!(
        c.ty,
        TriggerType::Sub(
            SubEventType::AirDroneStrike
                | SubEventType::ShellingArtilleryMissile
                | SubEventType::RemoteExplosive
                | SubEventType::Attack
                | SubEventType::ArmedClash
        )
    );
    attack
        && m.clitic_start >= c.hit.end
        && sent.words_before(m.clitic_start, 1).first().is_some_and(|w| w == "من")
        && sent.distance(c.hit.end, m.clitic_start) <= 3
        && sent
            .tokens_after(c.hit.end, 4)
            .take_while(|t| t.end <= m.clitic_start)
            .all(|t| t.kind == rasd_text::tokenize::TokenKind::Arabic)
}

/// "كمينا لدورية من الحشد الشعبي": من after the act's target (a ل phrase) names whose the target is.
fn target_owner(sent: &Sent<'_>, c: &Candidate, m: &Mention) -> bool {
    sent.words_after(c.hit.end, sent.distance(c.hit.end, m.clitic_start))
        .iter()
        .any(|w| w.starts_with('ل') && !w.starts_with("ال"))
}

/// Attaches actor1, actor2 and associated actors to a candidate act.
pub(crate) fn attach(sent: &Sent<'_>, c: &Candidate, res: &dyn Resources) -> Actors {
    let trig = c.hit.start;
    let (cs, ce) = c.clause;
    let disrupt = c.ty == TriggerType::Sub(SubEventType::DisruptedWeaponsUse);
    let mentions: Vec<(&Mention, Marker)> = sent
        .mentions
        .iter()
        .filter(|m| m.kind == MentionKind::Actor && !sent.in_describing_relative(c, m.start, false))
        .map(|m| {
            let mk = match marker(sent, m, (c.hit.start, c.hit.end)) {
                // "تعرضت المدينة لقصف جوي عنيف من الطيران الروسي": من right after an act (its adjectives between)
                // names who did it; after a change of hands it names who lost the place ("تحرير المدينة من داعش").
                Marker::Other if from_after_act(sent, c, m) => {
                    if target_owner(sent, c, m) {
                        Marker::Patient
                    } else {
                        Marker::Agent
                    }
                }
                Marker::Possessor => possessor(sent, c, m),
                Marker::Launcher if disrupt => Marker::Patient,
                Marker::Launcher => Marker::Agent,
                mk => mk,
            };
            (m, mk)
        })
        .collect();
    if mentions.is_empty() {
        return Actors::default();
    }
    let subject_score = |m: &Mention, mk: Marker| -> Option<f32> {
        if m.id == "civilians" || affiliation_of_another(sent, m) || reporter(sent, m, c.hit.end) {
            return None;
        }
        let d = sent.distance(trig, m.start) as f32;
        let in_clause = m.start >= cs && m.end <= ce;
        let after = m.start >= c.hit.end;
        // "قسد التي أعلنت انتزاع السيطرة": the antecedent of a relative pronoun before the act is its subject.
        let antecedent = !after
            && sent
                .words_after(m.end, 2)
                .iter()
                .find(|w| w.chars().any(char::is_alphabetic))
                .is_some_and(|w| matches!(w.as_str(), "التي" | "الذي" | "الذين"))
            && d <= 12.0;
        if antecedent && mk != Marker::Patient {
            return Some(7.0 - d * 0.1);
        }
        // The subject of reported content: "أعلنت سانا أن قوات النظام … دخلت".
        let after_an = !after
            && sent
                .words_before(m.clitic_start, 3)
                .iter()
                .any(|w| matches!(w.as_str(), "ان" | "بان" | "وان"));
        match mk {
            Marker::Agent => Some(if in_clause || d < 8.0 {
                10.0 - d * 0.1
            } else {
                4.0 - d * 0.1
            }),
            Marker::None if after_an && d <= 20.0 => Some(5.5 - d * 0.05),
            Marker::None | Marker::Between if after && in_clause && d <= 8.0 => Some(6.0 - d * 0.3),
            Marker::None if !after && in_clause => Some(5.0 - d * 0.3),
            Marker::None if !after => Some(3.0 - d * 0.1),
            Marker::Genitive if !after && in_clause => Some(3.5 - d * 0.3),
            Marker::None | Marker::Between if after && d <= 14.0 => Some(2.0 - d * 0.1),
            _ => None,
        }
    };
    let best = |f: &dyn Fn(&Mention, Marker) -> Option<f32>, skip: Option<&str>| {
        mentions
            .iter()
            .filter(|(m, _)| Some(m.id.as_str()) != skip)
            .filter_map(|(m, mk)| f(m, *mk).map(|s| (s, *m)))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, m)| m)
    };
    let (first, second): (Option<&Mention>, Option<&Mention>) = match c.role {
        Role::Loss | Role::Fall => {
            // The subject lost the place; the one after لصالح / أمام / بيد took it.
            let gainer = best(
                &|m, mk| {
                    matches!(mk, Marker::Gainer | Marker::Agent)
                        .then(|| 10.0 - sent.distance(trig, m.start) as f32 * 0.1)
                },
                None,
            );
            // The loser is the subject of "خسر" itself: look in its own clause only.
            let loser = best(
                &|m, mk| {
                    if m.start >= cs && m.end <= ce {
                        subject_score(m, mk)
                    } else {
                        None
                    }
                },
                gainer.map(|g| g.id.as_str()),
            );
            (gainer, loser)
        }
        Role::Passive => {
            let agent = best(
                &|m, mk| (mk == Marker::Agent).then(|| 10.0 - sent.distance(trig, m.start) as f32 * 0.1),
                None,
            );
            let patient = best(&subject_score, agent.map(|a| a.id.as_str()));
            (agent, patient)
        }
        _ => {
            // "قتل ثمانية من عناصر القاعدة في اشتباكات مع قوات الحزام الأمني": with no subject, the side met
            // (مع) acted on the side counted among the dead.
            let with_side = || {
                let w = mentions.iter().find(|(_, mk)| *mk == Marker::With).map(|(m, _)| *m)?;
                mentions
                    .iter()
                    .any(|(m, mk)| *mk == Marker::Patient && m.id != w.id && m.start < w.start)
                    .then_some(w)
            };
            let a1 = best(&subject_score, None).or_else(with_side);
            let between = mentions.iter().find(|(_, mk)| *mk == Marker::Between).map(|(m, _)| *m);
            let a2 = best(
                &|m, mk| {
                    if affiliation_of_another(sent, m) {
                        return None;
                    }
                    let d = sent.distance(trig, m.start) as f32;
                    let in_clause = m.start >= cs && m.end <= ce;
                    match mk {
                        Marker::Patient | Marker::With => Some(if in_clause { 8.0 } else { 4.0 } - d * 0.1),
                        // "بين X و Y": Y is the other side; any other و joins an ally to actor1.
                        Marker::And => between.filter(|b| b.end <= m.start).map(|_| 7.0 - d * 0.1),
                        Marker::None if m.start > trig && in_clause => Some(3.0 - d * 0.1),
                        Marker::None if in_clause => Some(2.0 - d * 0.1),
                        _ => None,
                    }
                },
                a1.map(|a| a.id.as_str()),
            );
            (a1, a2)
        }
    };
    let to_ref = |m: &Mention| res.actor(&m.id, m.coreference).map(|a| (a, Some((m.start, m.end))));
    let mut out = Actors {
        actor1: first.and_then(to_ref),
        actor2: second.and_then(to_ref),
        assoc1: Vec::new(),
    };
    // "قوات الجيش العراقي وعناصر الحشد الشعبي": actors joined to actor1 by و are associated with it.
    if let Some(a1) = first {
        let mut prev_end = a1.end;
        for (m, mk) in &mentions {
            if m.start < prev_end || Some(m.id.as_str()) == second.map(|s| s.id.as_str()) {
                continue;
            }
            if *mk == Marker::And && sent.distance(prev_end, m.start) <= 2 && m.id != a1.id && m.id != "civilians" {
                if let Some(r) = res.actor(&m.id, m.coreference)
                    && !out.assoc1.iter().any(|x| x.id == r.id)
                {
                    out.assoc1.push(r);
                }
                prev_end = m.end;
            } else if m.start > prev_end {
                break;
            }
        }
    }
    out
}

/// "وأفاد مراسل لوكالة فرانس برس عن سماع دوي انفجارات": a journalist right after a reporting verb (a `say` frame of
/// data/events/frames.tsv) or a verb of witness is the act's source, not its author. So is any actor named right
/// after a reporting frame that follows the act ("قتل خمسة أشخاص في هجوم انتحاري، حسبما أعلنت الشرطة").
fn reporter(sent: &Sent<'_>, m: &Mention, act_end: usize) -> bool {
    let frame = |h: &crate::rules::Hit| matches!(sent.rules.get(h.rule).kind, crate::rules::RuleKind::Frame(_));
    if m.start >= act_end
        && sent.hits.iter().any(|h| {
            frame(h) && h.start >= act_end && h.end <= m.clitic_start && sent.distance(h.end, m.clitic_start) <= 1
        })
    {
        return true;
    }
    if m.id != "journalists" {
        return false;
    }
    let said = sent.hits.iter().any(|h| {
        h.end <= m.clitic_start
            && sent.distance(h.end, m.clitic_start) == 0
            && sent.rules.get(h.rule).kind == crate::rules::RuleKind::Frame(crate::rules::FrameKind::Say)
    });
    said || sent
        .words_before(m.clitic_start, 1)
        .first()
        .is_some_and(|w| matches!(w.trim_start_matches(['و', 'ف']), "شاهد" | "سمع" | "راي"))
}

/// The group a sentence says claimed an act: "وتبنت حركة الشباب الهجوم", "أعلن تنظيم داعش مسؤوليته عن التفجير".
/// The actor named nearest to the claim's words in their clause (not an allegiance of another actor, not civilians),
/// with the evidence of its name.
pub(crate) fn claimant(sent: &Sent<'_>, res: &dyn Resources) -> Option<(ActorRef, rasd_core::Evidence)> {
    let cue = sent.cues(crate::rules::Cue::Claim).next()?;
    // "نفت الحركة مسؤوليتها عن الهجوم", "لم تتبن أي جهة": no claim.
    let denied = sent.hits.iter().any(|h| {
        matches!(
            sent.rules.get(h.rule).kind,
            crate::rules::RuleKind::Frame(crate::rules::FrameKind::Deny)
                | crate::rules::RuleKind::Cue(crate::rules::Cue::Denied | crate::rules::Cue::Negation)
        )
    });
    // "ولم تتبن أي جهة الهجوم، إلا أن التنظيم غالبا ما يتبنى هجمات مماثلة": a claim negated, or one the group
    // habitually makes, claims nothing here.
    let habitual = sent.cues(crate::rules::Cue::Claim).any(|c| {
        sent.words_before(c.start, 3).iter().any(|w| {
            matches!(
                w.as_str(),
                "لم" | "ولم" | "غالبا" | "عاده" | "عادتها" | "دايما" | "اعتاد" | "اعتادت"
            )
        })
    });
    if denied || habitual {
        return None;
    }
    let (cs, ce) = sent.clause_of(cue.start);
    let m = sent
        .mentions
        .iter()
        .filter(|m| {
            m.kind == MentionKind::Actor
                && m.id != "civilians"
                && m.start >= cs
                && m.end <= ce
                && !affiliation_of_another(sent, m)
        })
        .min_by_key(|m| {
            if m.end <= cue.start {
                sent.distance(m.end, cue.start)
            } else {
                sent.distance(cue.end, m.start)
            }
        })?;
    let a = res.actor(&m.id, m.coreference)?;
    if !matches!(
        a.actor_type,
        rasd_core::ActorType::RebelGroup
            | rasd_core::ActorType::PoliticalMilitia
            | rasd_core::ActorType::IdentityMilitia
            | rasd_core::ActorType::ExternalOther
    ) {
        return None;
    }
    Some((a, rasd_core::Evidence::from_text(sent.text, m.start, m.end)?))
}

/// "حركة الشباب الموالية لتنظيم القاعدة", "فصائل المعارضة المدعومة من تركيا": an actor named as the allegiance
/// of the actor right before it describes that actor; it is not the one acting.
fn affiliation_of_another(sent: &Sent<'_>, m: &Mention) -> bool {
    let fold = |t: &rasd_text::Token| rasd_text::fold_str(t.surface(sent.text), rasd_text::Mode::Key);
    let mut before = sent.tokens_before(m.clitic_start, 2);
    let Some(mut adj) = before.next() else {
        return false;
    };
    let mut w = fold(adj);
    // "المدعومة من": the word between is "من".
    if w == "من" {
        let Some(a) = before.next() else {
            return false;
        };
        (adj, w) = (a, fold(a));
    }
    if !sent.rules.word_in(WordList::Affiliation, &w) {
        return false;
    }
    sent.mentions
        .iter()
        .any(|o| o.kind == MentionKind::Actor && o.end <= adj.start && sent.distance(o.end, adj.start) == 0)
}

/// A possessive ل right after a nominal trigger (an adjective may come between) names its actor; farther on
/// after the act it names the owner of the target; before the act it sits inside another noun phrase
/// ("مقاومين من كتيبة جنين التابعة لسرايا القدس").
fn possessor(sent: &Sent<'_>, c: &Candidate, m: &Mention) -> Marker {
    if m.start < c.hit.end {
        return Marker::Genitive;
    }
    let between = sent.words_after(c.hit.end, sent.distance(c.hit.end, m.clitic_start));
    let target_word = between
        .iter()
        .any(|w| matches!(w.as_str(), "علي" | "ضد" | "بحق" | "استهدف" | "استهدفت") || w.starts_with('ب'));
    // "نصب مسلحون كمينا لدورية للجيش": after an ambush, ل names its target; so does a ل phrase between ("كمينا
    // لدورية للجيش": the patrol's owner).
    let ambush = rasd_text::normalize_key(sent.slice(c.hit.start, c.hit.end)).contains("كمين");
    // "هاجمت مسيرات انتحارية مواقع للجيش": the owner of the positions, bases or patrols hit is the target.
    let owner_of_target = between.last().is_some_and(|w| {
        let w = w.strip_prefix("ال").unwrap_or(w);
        matches!(
            w,
            "مواقع"
                | "موقعا"
                | "مقرات"
                | "مقر"
                | "مقرا"
                | "تجمعات"
                | "تجمعا"
                | "نقاط"
                | "نقطه"
                | "حواجز"
                | "حاجزا"
                | "دوريه"
                | "رتلا"
                | "ارتال"
                | "قاعده"
                | "ثكنه"
                | "معسكر"
                | "معسكرا"
                | "اليات"
                | "مخازن"
                | "مستودعات"
        )
    });
    let target_phrase = between.iter().any(|w| w.starts_with('ل') && !w.starts_with("ال"));
    if between.len() <= 1 && !target_word && !ambush && !target_phrase && !owner_of_target {
        Marker::Agent
    } else {
        Marker::Patient
    }
}

/// Forces named only by a possessive pronoun ("قواته", "مقاتليها", "مسيّراته") as the subject of the act, or a
/// subject pronoun after أن ("أعلنت القيادة أنها سيطرت"): the span of that word, if any. They are whoever is
/// speaking.
pub(crate) fn own_forces(sent: &Sent<'_>, c: &Candidate) -> Option<(usize, usize)> {
    const OWN: &[&str] = &[
        "قوات",
        "وحدات",
        "مقاتلي",
        "مقاتلو",
        "طايرات",
        "مسيرات",
        "ضربات",
        "عناصر",
        "قطعات",
        "طيران",
        "مدفعيت",
        "مقاتلات",
        "صواريخ",
        "دفاعات",
        "غارات",
    ];
    let (cs, _) = c.clause;
    let i = sent.tokens.partition_point(|t| t.end <= c.hit.start);
    // The word before the act (SVO after "أن") or the one right after it (VSO).
    let before = sent.tokens[..i].iter().rev().take(2).filter(|t| t.start >= cs);
    let after = sent.tokens.get(i + 1);
    // "أعلنت القيادة أنها سيطرت": the pronoun of أن before the verb is the speaker.
    let speaker = sent.tokens[..i].last().filter(|t| {
        t.start >= cs
            && matches!(
                rasd_text::fold_str(t.surface(sent.text), rasd_text::Mode::Key).as_str(),
                "انها" | "انه" | "بانها" | "بانه" | "وانها" | "وانه" | "انهم" | "بانهم"
            )
    });
    if let Some(t) = speaker {
        return Some((t.start, t.end));
    }
    before.chain(after).find_map(|t| {
        let w = rasd_text::fold_str(t.surface(sent.text), rasd_text::Mode::Key);
        let w = w.strip_prefix('و').unwrap_or(&w);
        ["ه", "ها", "هم"]
            .iter()
            .filter_map(|p| w.strip_suffix(p))
            .any(|stem| OWN.contains(&stem))
            .then_some((t.start, t.end))
    })
}

/// How often the document names each actor (by id), most frequent first; civilians and crowds left out.
pub(crate) fn tally(mentions: &[Mention], res: &dyn Resources) -> Vec<(ActorRef, usize)> {
    let mut counts: Vec<(ActorRef, usize)> = Vec::new();
    for m in mentions.iter().filter(|m| m.kind == MentionKind::Actor) {
        match counts.iter_mut().find(|(a, _)| a.id == m.id) {
            Some(c) => c.1 += 1,
            None => {
                if let Some(a) = res.actor(&m.id, false)
                    && !matches!(
                        a.actor_type,
                        rasd_core::ActorType::Civilians
                            | rasd_core::ActorType::Protesters
                            | rasd_core::ActorType::Rioters
                    )
                {
                    counts.push((a, 1));
                }
            }
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
}

/// The other side of a battle the text names only one side of: the document's most named actor on the other
/// side of the state / non-state line (a government retaking a town is fighting the group the report is about).
pub(crate) fn opponent(doc_actors: &[(ActorRef, usize)], a1: &ActorRef) -> Option<ActorRef> {
    let state = |a: &ActorRef| a.actor_type == rasd_core::ActorType::StateForces;
    doc_actors
        .iter()
        .find(|(a, n)| a.id != a1.id && state(a) != state(a1) && *n >= 2)
        .map(|(a, _)| a.clone())
}

/// The taker of a place the text does not name: the document's most named actor other than the loser.
pub(crate) fn likely_taker(doc_actors: &[(ActorRef, usize)], loser: Option<&ActorRef>) -> Option<ActorRef> {
    doc_actors
        .iter()
        .find(|(a, n)| loser.is_none_or(|l| l.id != a.id) && *n >= 2)
        .map(|(a, _)| a.clone())
}
