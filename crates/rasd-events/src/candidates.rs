//! Stage 1 of extraction: candidates.
//!
//! [`candidate_clauses`] lists every clause that holds a trigger word; [`pick`] chooses, per clause of a
//! sentence, the trigger that names its act, after the rules that say a trigger names no act here (a name, a
//! negation, a state of control, a claim of responsibility for an act already told, context before the act).
//!
//! A candidate is a clause that holds at least one trigger word. Every such clause is listed, before any rule
//! decides whether it reports an event: this is the unit the team labels (event, background, reference, generic,
//! irrealis, commentary, not-event; see `eval/ANNOTATION.md`) and the unit the learned scorer is trained on.

use crate::rules::{Cue, Hit, Role, RuleKind, Rules, TriggerType};
use crate::stage::{Candidate, Sent};
use rasd_core::SubEventType;
use rasd_text::sentence::split_sentences_into;
use rasd_text::{Mode, Normalized, Normalizer, Token, TokenKind, Tokenizer, fold_str};

/// One trigger word inside a candidate clause.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerHit {
    pub start: usize,
    pub end: usize,
    /// The ACLED sub-type the rule proposes, or "territory" / "casualty".
    pub rule_type: String,
}

/// A clause with one or more trigger words: byte offsets into the original text.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateClause {
    pub start: usize,
    pub end: usize,
    pub triggers: Vec<TriggerHit>,
}

/// The name of a trigger type, as written in candidate and label files.
pub fn trigger_type_name(ty: TriggerType) -> &'static str {
    match ty {
        TriggerType::Sub(s) => s.name(),
        TriggerType::Territory => "territory",
        TriggerType::Casualty => "casualty",
    }
}

/// Every clause of `text` that holds a trigger word, in text order.
pub fn candidate_clauses(rules: &Rules, text: &str) -> Vec<CandidateClause> {
    let mut norm = Normalized::default();
    if Normalizer::new(Mode::Key).normalize_into(text, &mut norm).is_err() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    rules.find(text, &norm, &mut hits);
    let mut tokenizer = Tokenizer::new();
    let tokens = tokenizer.tokenize(text);
    let mut sentences = Vec::new();
    split_sentences_into(text, tokens, &mut sentences);
    let mut out: Vec<CandidateClause> = Vec::new();
    for s in &sentences {
        let toks = &tokens[s.first_token..s.end_token];
        for (cs, ce) in clauses(text, toks, s.start, s.end) {
            let triggers: Vec<TriggerHit> = hits
                .iter()
                .filter(|h| h.start >= cs && h.start < ce)
                .filter_map(|h| match rules.get(h.rule).kind {
                    RuleKind::Trigger { ty, .. } => Some(TriggerHit {
                        start: h.start,
                        end: h.end,
                        rule_type: trigger_type_name(ty).to_string(),
                    }),
                    _ => None,
                })
                .collect();
            if !triggers.is_empty() {
                out.push(CandidateClause {
                    start: cs,
                    end: ce,
                    triggers,
                });
            }
        }
    }
    out
}

/// What the whole sentence says about its acts: a question, or a hypothetical (a condition, a call, sport or
/// economy in war words). The scorer reads both; without a scorer they drop the sentence.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Flags {
    pub question: bool,
    pub hypothetical: bool,
}

pub(crate) fn sentence_flags(sent: &Sent<'_>) -> Flags {
    let question = sent.slice(sent.start, sent.end).trim_end().ends_with(['؟', '?'])
        || sent
            .cues(Cue::Question)
            .any(|h| sent.distance(sent.start, h.start) <= 1);
    let hypothetical = sent.cues(Cue::Hypothetical).next().is_some() || sent.cues(Cue::NotConflict).next().is_some();
    Flags { question, hypothetical }
}

/// "قتل خمسة إثر غارة جوية، استهدفت سوقا", "في انفجار عبوة ناسفة استهدفت دورية": the weak targeting verb
/// (استهدف, a shelling of unknown means on its own) a few words after an act names what that act hit; it is no
/// second act, and the act it follows (even after إثر) keeps its type. A targeting verb that opens a new clause
/// with a conjunction ("فيما استهدفت المدفعية", "واستهدفت") is an act of its own.
fn describes_previous_act(sent: &Sent<'_>, h: &Hit, ty: TriggerType, weight: f32, acts: &[Hit]) -> bool {
    if ty != TriggerType::Sub(SubEventType::ShellingArtilleryMissile) || weight >= 0.5 {
        return false;
    }
    let word = rasd_text::normalize_key(sent.slice(h.start, h.end));
    if !word.starts_with("استهدف") {
        return false;
    }
    // "واستهدفت": the conjunction is a proclitic of the word the match starts inside.
    let proclitic = sent.token_at(h.start).is_some_and(|t| t.start < h.start);
    let joined = proclitic
        || sent
            .words_before(h.start, 1)
            .first()
            .is_some_and(|w| matches!(w.as_str(), "فيما" | "بينما" | "كما" | "ثم" | "حيث" | "و" | "ف"));
    !joined
        && acts
            .last()
            .is_some_and(|a| a.end <= h.start && sent.distance(a.end, h.start) <= 8)
}

/// The best trigger of each clause of `sent` that names an act, in text order; empty when none does.
pub(crate) fn pick(sent: &Sent<'_>) -> Vec<Candidate> {
    let mut picked: Vec<Candidate> = Vec::new();
    // The act triggers read so far (killings aside), for a targeting verb that only describes one of them.
    let mut acts: Vec<Hit> = Vec::new();
    for h in sent.hits {
        let RuleKind::Trigger { ty, role, weight } = sent.rules.get(h.rule).kind else {
            continue;
        };
        if blocked(sent, h, role)
            || aggregate(sent, h)
            || called_for(sent, h)
            || inside_name(sent, h)
            || negated(sent, h)
            || seized(sent, h, ty)
            || claimed(sent, h, role)
            || (ty == TriggerType::Territory && state_of_control(sent, h, role))
            || describes_previous_act(sent, h, ty, weight, &acts)
            || toll_of_protests(sent, h, ty)
            // "لقي ثلاثة عمال حتفهم إثر انهيار مبنى": a death beside an accident, a disaster or a match is no act.
            || ty == TriggerType::Casualty && sent.cues(Cue::NotConflict).next().is_some()
            || fiction_or_accident(sent, h, ty)
        {
            continue;
        }
        if ty != TriggerType::Casualty {
            acts.push(*h);
        }
        let clause = sent.clause_of(h.start);
        let c = Candidate {
            hit: *h,
            ty,
            role,
            weight,
            clause,
        };
        // A strong trigger beats a weak one; among equals the more specific type wins, then the surer word.
        // A killing never wins a clause: it is the toll of whatever act the clause names.
        // "نهبوا محال في عفرين عقب دخولها": an act right after بعد / عقب / إثر is the context of the clause's act.
        // "توقيف 632 شخصا شاركوا في أعمال شغب": an act the people acted on took part in describes them; the clause's
        // act is the one done to them.
        // "قُتل الوالي على يد مسلحين بعد ساعات من اختطافه": an act a span of time before the clause's is its
        // context; even a killing beats it.
        let key = |c: &Candidate| {
            (
                !crate::frames::after_a_span(sent, c.hit.start),
                c.ty != TriggerType::Casualty,
                !after_another(sent, c.hit.start),
                !sent.words_before(c.hit.start, 2).iter().any(|w| {
                    let w = w.trim_start_matches(['و', 'ف']);
                    w.starts_with("شارك") || w.starts_with("المشارك") || w.starts_with("بالمشارك")
                }),
                c.weight >= 0.6,
                rank(c.ty),
                (c.weight * 100.0) as u32,
            )
        };
        match picked.iter_mut().find(|p| p.clause == clause) {
            Some(p) => {
                if key(&c) > key(p) {
                    *p = c;
                }
            }
            None => picked.push(c),
        }
    }
    if picked.is_empty() {
        return picked;
    }
    supported_strikes(sent, &mut picked);
    // A killing next to another act is that act's toll, not an event of its own; but not looting's or burning's:
    // "قتلت المليشيات ثلاثة مواطنين ونهبت الممتلكات" is an attack on civilians, and a looting beside it.
    let has_act = picked.iter().any(|c| {
        !matches!(
            c.ty,
            TriggerType::Casualty | TriggerType::Sub(SubEventType::LootingPropertyDestruction)
        )
    });
    if has_act {
        picked.retain(|c| c.ty != TriggerType::Casualty);
    }
    // "استعادت القوات الحيين، بعد اشتباكات مع عناصر داعش قتل فيها 40", "نهبوا محال في عفرين عقب دخولها": what
    // came before the act a sentence reports is its context (its toll goes to the act), not a second event.
    // A noun two words after them counts too ("بعد أربعة أيام من المواجهات" opens its clause).
    let context = |c: &Candidate| {
        let before = sent.words_before(c.hit.start, 2);
        let opens = sent
            .words_after(c.clause.0, 2)
            .iter()
            .find(|w| w.chars().any(char::is_alphabetic))
            .is_some_and(|w| matches!(w.as_str(), "بعد" | "عقب" | "اثر"));
        before
            .first()
            .is_some_and(|w| matches!(w.as_str(), "بعد" | "عقب" | "اثر"))
            || c.role == Role::Noun && opens
    };
    // "إثر انفجار عبوة ناسفة في مدينة الصنمين، تبعه إطلاق نار كثيف": what followed the act does not make the
    // first one context (both are kept: "تفجير …، تلاه إطلاق نار على المصلين" is two acts).
    let follows = |c: &Candidate| {
        sent.words_before(c.hit.start, 2).iter().any(|w| {
            matches!(
                w.trim_start_matches(['و', 'ف']),
                "تبعه" | "تبعها" | "تبعته" | "تبعتها" | "اعقبه" | "اعقبها" | "تلاه" | "تلاها"
            )
        })
    };
    if picked.iter().any(|c| !context(c) && !follows(c)) {
        picked.retain(|c| !context(c));
    }
    // "في أكبر تقدم للتنظيم منذ سقوط الموصل", "منذ بدء هجوم قوات حفتر": an act named after منذ dates the
    // report's story; it is not reported as news here. A running toll ("ارتفع عدد القتلى إلى 1168 منذ بدء
    // المعارك") is the exception: the campaign it counts is its record.
    if sent.cues(Cue::Cumulative).next().is_none() {
        picked.retain(|c| !sent.words_before(c.hit.start, 2).iter().any(|w| w == "منذ"));
    }
    // "انسحبت قوات البيشمركة …، وتسلمت قوات الحشد مواقعها": one transfer, coded from the side that took over.
    let takeover = picked.iter().any(|c| c.role != Role::Withdraw && is_transfer(c.ty));
    if takeover {
        picked.retain(|c| c.role != Role::Withdraw);
    }
    picked
}

/// "سيطرت القوات على البلدة بدعم من غارات جوية روسية": a change of hands "supported by" strikes is two acts, and
/// the strikes are a record of their own (one act per clause is too few here).
fn supported_strikes(sent: &Sent<'_>, picked: &mut Vec<Candidate>) {
    let territory: Vec<(usize, usize)> = picked
        .iter()
        .filter(|c| c.ty == TriggerType::Territory)
        .map(|c| c.clause)
        .collect();
    for clause in territory {
        let strike = sent.hits.iter().find_map(|h| match sent.rules.get(h.rule).kind {
            RuleKind::Trigger {
                ty: ty @ TriggerType::Sub(SubEventType::AirDroneStrike | SubEventType::ShellingArtilleryMissile),
                role,
                weight,
            } if h.start >= clause.0
                && h.end <= clause.1
                && sent.words_before(h.start, 3).iter().any(|w| {
                    matches!(
                        w.as_str(),
                        "بدعم"
                            | "دعم"
                            | "بغطاء"
                            | "غطاء"
                            | "باسناد"
                            | "اسناد"
                            | "بمساندة"
                            | "مساندة"
                            | "وسط"
                            | "تحت"
                    )
                }) =>
            {
                Some(Candidate {
                    hit: *h,
                    ty,
                    role,
                    weight,
                    clause,
                })
            }
            _ => None,
        });
        if let Some(c) = strike {
            picked.push(c);
        }
    }
}

/// How strongly a type wins a clause over another trigger in it.
fn rank(ty: TriggerType) -> u8 {
    use SubEventType as S;
    match ty {
        TriggerType::Territory => 90,
        TriggerType::Casualty => 5,
        TriggerType::Sub(s) => match s {
            // "تفكيك العبوات", "اعتراض صاروخ": the weapon named is the one disrupted.
            S::DisruptedWeaponsUse => 86,
            S::SuicideBomb | S::ChemicalWeapon => 85,
            S::ExcessiveForceAgainstProtesters => 84,
            S::AirDroneStrike => 80,
            S::RemoteExplosive | S::Grenade => 75,
            S::ProtestWithIntervention => 72,
            S::ShellingArtilleryMissile => 70,
            S::ViolentDemonstration | S::MobViolence => 66,
            S::SexualViolence | S::Abduction => 64,
            S::Attack => 62,
            S::Arrests => 60,
            S::PeacefulProtest => 55,
            S::ArmedClash => 50,
            S::NonViolentTransferOfTerritory => 48,
            S::Agreement => 45,
            S::HeadquartersOrBaseEstablished | S::LootingPropertyDestruction => 40,
            _ => 20,
        },
    }
}

/// Words of a time told between commas ("أعدم التنظيم، أمس السبت، أربعة شبان"): such an aside opens no clause.
const TIME_ASIDE: &[&str] = &[
    "امس",
    "اليوم",
    "يوم",
    "غدا",
    "السبت",
    "الاحد",
    "الاثنين",
    "الثلاثاء",
    "الاربعاء",
    "الخميس",
    "الجمعه",
    "صباح",
    "مساء",
    "ليل",
    "ليله",
    "فجر",
    "ظهر",
    "عصر",
    "الماضي",
    "الماضيه",
    "اول",
    "الجاري",
];

/// Is the comma at token `i` the opening of a time aside closed by another comma within five words? Returns the
/// closing comma's index.
fn time_aside(text: &str, tokens: &[Token], i: usize) -> Option<usize> {
    let comma = |t: &Token| t.kind == TokenKind::Punct && matches!(t.surface(text), "،" | ",");
    for (words, (j, t)) in tokens.iter().enumerate().skip(i + 1).take(6).enumerate() {
        if comma(t) {
            return (words > 0).then_some(j);
        }
        let ok = match t.kind {
            TokenKind::Number => true,
            TokenKind::Arabic => {
                let k = fold_str(t.surface(text), Mode::Key);
                TIME_ASIDE.contains(&k.trim_start_matches('و'))
            }
            _ => false,
        };
        if !ok {
            return None;
        }
    }
    None
}

/// Clause boundaries: commas, semicolons, colons, and connectives that open a new clause. A time told between two
/// commas is an aside inside its clause ("أعدم تنظيم داعش، أمس السبت، أربعة شبان").
pub(crate) fn clauses(text: &str, tokens: &[Token], start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = start;
    let mut aside_until: Option<usize> = None;
    for (i, t) in tokens.iter().enumerate() {
        if let Some(close) = aside_until {
            if i <= close {
                continue;
            }
            aside_until = None;
        }
        let comma = t.kind == TokenKind::Punct && matches!(t.surface(text), "،" | ",");
        if comma && let Some(close) = time_aside(text, tokens, i) {
            aside_until = Some(close);
            continue;
        }
        let cut = match t.kind {
            TokenKind::Punct => matches!(t.surface(text), "،" | "," | ";" | "؛" | ":" | "-" | "–" | "—"),
            TokenKind::Arabic => {
                let k = fold_str(t.surface(text), Mode::Key);
                matches!(
                    k.as_str(),
                    "فيما" | "بينما" | "حيث" | "اذ" | "ثم" | "وفيما" | "وبينما" | "كما" | "وكما"
                )
            }
            _ => false,
        };
        if cut && t.start > from {
            out.push((from, t.start));
            from = t.start;
        }
    }
    out.push((from, end));
    out
}

pub(crate) fn is_transfer(ty: TriggerType) -> bool {
    matches!(
        ty,
        TriggerType::Territory | TriggerType::Sub(SubEventType::NonViolentTransferOfTerritory)
    )
}

/// "وتبنى تنظيم الدولة الهجوم": a definite act noun after a claim of responsibility names an act already
/// reported, not a new one.
fn claimed(sent: &Sent<'_>, h: &Hit, role: Role) -> bool {
    if role != Role::Noun {
        return false;
    }
    let definite = sent.token_at(h.start).is_some_and(|t| {
        let w = fold_str(t.surface(sent.text), Mode::Key);
        w.starts_with("ال") || w.starts_with("وال") || w.starts_with("بال")
    });
    let (cs, _) = sent.clause_of(h.start);
    definite && sent.cues(Cue::Claim).any(|c| c.start >= cs && c.end <= h.start)
}

/// "مقتل 1126 مدنيا بالألغام خلال نحو ثلاث سنوات", "قتل 300 شخص منذ بداية العام": a total over a period in the
/// trigger's clause counts many acts; it reports no one event.
fn aggregate(sent: &Sent<'_>, h: &Hit) -> bool {
    let (cs, ce) = sent.clause_of(h.start);
    sent.cues(Cue::Aggregate).any(|c| c.start >= cs && c.end <= ce) || counted_incidents(sent, cs, ce)
}

/// "كشف تقرير للشبكة … 38 حادثة جديدة استهدفت فيها قوات التحالف مناطق مدنية": a number of incidents or
/// violations in the clause is a tally of many acts.
fn counted_incidents(sent: &Sent<'_>, cs: usize, ce: usize) -> bool {
    let from = sent.tokens.partition_point(|t| t.start < cs);
    let to = sent.tokens.partition_point(|t| t.end <= ce);
    sent.tokens[from..to.max(from)].windows(2).any(|w| {
        w[0].surface(sent.text).chars().all(|ch| ch.is_numeric())
            && matches!(
                fold_str(w[1].surface(sent.text), Mode::Key).as_str(),
                "حادثه" | "حوادث" | "انتهاكا" | "انتهاكات" | "خرقا" | "خروقات" | "واقعه"
            )
    })
}

/// "ويعرض المسلسل في حلقاته الأولى مشاهد القصف بالبراميل": an act in a clause about a drama's episodes or a film
/// is fiction; "إثر انفجار صهريج لنقل الوقود اصطدم بسيارة أجرة": a blast beside a road accident in its clause is
/// no bomb. Only these not-conflict cues: "المركز الثقافي" beside a bomb is its target.
fn fiction_or_accident(sent: &Sent<'_>, h: &Hit, ty: TriggerType) -> bool {
    sent.cues(Cue::NotConflict).any(|c| {
        let w = sent.slice(c.start, c.end);
        sent.clause_of(c.start) == sent.clause_of(h.start)
            && (["مسلسل", "حلقات", "الحلقة", "فيلم", "الوثائقي", "الدرامي", "مؤثرات"]
                .iter()
                .any(|a| w.contains(a))
                || ty == TriggerType::Sub(SubEventType::RemoteExplosive)
                    && ["اصطدم", "حادث", "تصادم", "انقلاب", "تسرب"]
                        .iter()
                        .any(|a| w.contains(a)))
    })
}

/// "ليرتفع عدد قتلى الاحتجاجات إلى 71", "ضحايا التظاهرات": protests named as whose toll it is are the protests
/// told already (or a period's), not a protest of this clause.
fn toll_of_protests(sent: &Sent<'_>, h: &Hit, ty: TriggerType) -> bool {
    let TriggerType::Sub(sub) = ty else {
        return false;
    };
    if sub.event_type() != rasd_core::EventType::Protests {
        return false;
    }
    sent.words_before(h.start, 1).first().is_some_and(|w| {
        matches!(
            w.trim_start_matches('و'),
            "قتلي" | "ضحايا" | "شهداء" | "جرحي" | "مصابي" | "اصابات" | "حصيله" | "عدد"
        )
    })
}

/// "الدعوة إلى التظاهر", "دعوات للتظاهر", "دعت أنصارها إلى التظاهر": the trigger is inside a call's words, the act
/// called for, not one that happened.
/// "قد يؤدي إلى اندلاع مواجهات", "مخاوف من هجوم", "حذرت من اقتحام": an act right after a warning, a fear or a
/// condition (two words at most between, in its clause) is one that may happen.
fn called_for(sent: &Sent<'_>, h: &Hit) -> bool {
    sent.cues(Cue::Hypothetical).any(|c| {
        (c.start <= h.start && h.end <= c.end)
            || (c.end <= h.start
                && sent.distance(c.end, h.start) <= 2
                && sent.clause_of(c.start) == sent.clause_of(h.start))
    })
}

/// "وعثرت بحوزتهم على أسلحة آلية وعبوات ناسفة معدة للتفجير", "وضبط الجيش كميات من الأسلحة والأحزمة الناسفة": explosives
/// or rockets found or seized in the clause before them are no blast and no strike.
fn seized(sent: &Sent<'_>, h: &Hit, ty: TriggerType) -> bool {
    if !matches!(
        ty,
        TriggerType::Sub(
            SubEventType::RemoteExplosive | SubEventType::SuicideBomb | SubEventType::ShellingArtilleryMissile
        )
    ) {
        return false;
    }
    let clause = sent.clause_of(h.start);
    sent.tokens_before(h.start, 12)
        .take_while(|t| t.start >= clause.0)
        .any(|t| {
            let w = rasd_text::normalize_key(t.surface(sent.text));
            let w = w.trim_start_matches(['و', 'ف']);
            ["ضبط", "عثر", "صادر", "مصادره", "بحوزت"]
                .iter()
                .any(|s| w.starts_with(s))
        })
}

/// "لم تسجل أي اشتباكات", "انسحبت دون قتال": a negation just before the trigger. A cue may end inside the
/// trigger's word, on its proclitic: "تنديدا بالقصف" (the cue's ب is the first letter of "بالقصف").
fn negated(sent: &Sent<'_>, h: &Hit) -> bool {
    negated_by_cue(sent, h) || grievance_of_refused(sent, h)
}

fn negated_by_cue(sent: &Sent<'_>, h: &Hit) -> bool {
    sent.cues(Cue::Negation)
        .any(|c| c.start < h.start && c.end <= h.end && sent.distance(c.end.min(h.start), h.start) <= 3)
}

/// "أعلنت السلطات رفضها لتنظيم وقفة احتجاجية دعا إليها نشطاء احتجاجا على الأزمة": "احتجاجا على" names the
/// cause of a protest its clause has already named; when that protest is negated, the cause is no protest either.
fn grievance_of_refused(sent: &Sent<'_>, h: &Hit) -> bool {
    if !sent.cues(Cue::Negation).any(|c| c.start == h.start && c.end > h.end) {
        return false;
    }
    let (cs, _) = sent.clause_of(h.start);
    sent.hits.iter().any(|o| {
        let protest = matches!(
            sent.rules.get(o.rule).kind,
            RuleKind::Trigger { ty: TriggerType::Sub(s), .. } if s.event_type() == rasd_core::EventType::Protests
        );
        o.start >= cs && o.end <= h.start && protest && negated_by_cue(sent, o)
    })
}

/// Words that describe who holds a place rather than a change of hands:
/// - "الخاضعة لسيطرة", "تخضع لسيطرة": ل before a territory noun;
/// - "لتستقر سيطرته في …", "كان يبسط سيطرته": a possessed noun ("سيطرته") not followed by "على";
/// - "المناطق التي سيطر عليها التنظيم": a relative clause closed by "عليها".
fn state_of_control(sent: &Sent<'_>, h: &Hit, role: Role) -> bool {
    let Some(tok) = sent.token_at(h.start) else {
        return false;
    };
    // The article is no ل: "أعلن الجيش السيطرة على المدينة" is a change of hands; "للسيطرة" keeps its ل.
    let prefix = sent.slice(tok.start, h.start);
    let article = prefix.strip_suffix("ال");
    if article.unwrap_or(prefix).ends_with('ل') {
        return true;
    }
    // "أنباء متضاربة عن السيطرة على المدينة", "تضاربت الأنباء حول السيطرة": talk about control, not a change.
    if article.is_some()
        && sent
            .words_before(tok.start, 1)
            .first()
            .is_some_and(|w| matches!(w.as_str(), "عن" | "حول" | "بشان" | "حيال" | "بخصوص"))
    {
        return true;
    }
    if role != Role::Gain {
        return false;
    }
    let word = fold_str(sent.slice(h.start, tok.end), Mode::Key);
    let after = sent.words_after(tok.end, 2);
    let next = after.first().map(String::as_str).unwrap_or("");
    // "أحكمت سيطرتها الكاملة على": the object may follow an adjective.
    let on = after.iter().any(|w| w == "علي");
    if ["ته", "تها", "تهم", "تهما"]
        .iter()
        .any(|suffix| word.ends_with(suffix) && word.len() > suffix.len() + 4)
        && !on
    {
        return true;
    }
    let before = sent.words_before(tok.start, 1);
    matches!(before.first().map(String::as_str), Some("التي" | "الذي" | "التى")) && matches!(next, "عليها" | "عليه")
}

/// A trigger word inside a name ("تحرير" in "هيئة تحرير الشام", "الفجر" in a brigade's name) is no act.
fn inside_name(sent: &Sent<'_>, h: &Hit) -> bool {
    sent.mentions
        .iter()
        .any(|m| m.kind != crate::MentionKind::Place && m.start <= h.start && h.end <= m.end)
}

/// "أصبحت المدينة تحت سيطرة الحركة", "باتت كيدال الآن تحت سيطرة": a place that has come under someone's control
/// changed hands; "تحت سيطرة" alone is a state (the cue before it blocks).
fn came_under(sent: &Sent<'_>, cue: &Hit) -> bool {
    rasd_text::normalize_key(sent.slice(cue.start, cue.end)) == "تحت"
        && sent.words_before(cue.start, 4).iter().any(|w| {
            matches!(
                w.trim_start_matches(['و', 'ف']),
                "اصبحت"
                    | "اصبح"
                    | "اصبحتا"
                    | "باتت"
                    | "بات"
                    | "باتتا"
                    | "صارت"
                    | "صار"
                    | "اضحت"
                    | "اضحي"
                    | "سقطت"
            )
        })
}

/// "عقب دخولها", "بعد أشهر من احتجازهم", "بعد يومين من التفجير": an act right after بعد / عقب / إثر, or after a
/// span of time they open, is the context of its clause's act.
pub(crate) fn after_another(sent: &Sent<'_>, at: usize) -> bool {
    let before = sent.words_before(at, 3);
    let after_word = |w: &String| matches!(w.as_str(), "بعد" | "عقب" | "اثر");
    match before.first().map(String::as_str) {
        Some("بعد" | "عقب" | "اثر") => true,
        Some("من") => before.iter().skip(1).take(2).any(after_word),
        _ => false,
    }
}

/// "ما أسفر عن سقوط سبعة عشر قتيلاً", "سقوط 12 جريحا", "سقوط أكثر من ثلاثين": a count right after a fall is a
/// toll falling, never a place.
fn count_follows(sent: &Sent<'_>, h: &Hit) -> bool {
    let Some(w) = sent.tokens.iter().find(|t| t.start >= h.end) else {
        return false;
    };
    let w = fold_str(w.surface(sent.text), Mode::Key);
    crate::actors::count_word(&w)
        || matches!(
            w.as_str(),
            "اكثر" | "نحو" | "قرابه" | "حوالي" | "اثني" | "اثنا" | "مئه" | "ما"
        )
}

/// Whether a blocking cue sits right before or after the trigger ("تحت سيطرة", "هجوم على الحريات"), or a "no fight"
/// cue holds it ("دون قتال").
fn blocked(sent: &Sent<'_>, h: &Hit, role: Role) -> bool {
    role == Role::Fall && count_follows(sent, h)
        || sent.hits.iter().any(|c| match sent.rules.get(c.rule).kind {
            // "متابعين بتهم \"التجمهر غير المسلح\"": an opening quote between the cue and the trigger.
            RuleKind::Cue(Cue::BlockBefore) => {
                c.end <= h.start
                    && (sent.distance(c.end, h.start) == 0 || {
                        // The quote opens the trigger's word, whose article or proclitic the hit may leave out.
                        let gap = sent.slice(c.end, h.start).trim_start();
                        let rest = gap.trim_start_matches(['"', '«', '“', '\'']);
                        rest.len() < gap.len() && matches!(rest, "" | "ال" | "و" | "وال" | "ب" | "بال" | "ل" | "لل")
                    })
                    && !came_under(sent, c)
            }
            RuleKind::Cue(Cue::BlockAfter) => c.start >= h.end && sent.distance(h.end, c.start) <= 1,
            // "سقوط قتلى", "اسفر عن سقوط قتيلين", "سقوط شهيدين": a toll's word right after the fall is no fall.
            RuleKind::Cue(Cue::BlockFall | Cue::Kill) => {
                role == Role::Fall && c.start >= h.end && sent.distance(h.end, c.start) <= 1
            }
            RuleKind::Cue(Cue::BlockName) => c.start >= h.end && sent.distance(h.end, c.start) == 0,
            // "تسلم الجيش المدينة دون قتال": the fight that did not happen is no act (the takeover is).
            RuleKind::Cue(Cue::NoFight) => c.start <= h.start && h.end <= c.end,
            // "دخل عمال الشركة في إضراب مفتوح": entering into a strike or a sit-in is that protest, not a place entered.
            RuleKind::Trigger {
                ty: TriggerType::Sub(p),
                ..
            } if role == Role::Gain && p.event_type() == rasd_core::EventType::Protests => {
                // "ودخل الأطباء في عدد من مستشفيات الخرطوم اليوم في إضراب": the clause may name where first.
                c.start >= h.end
                    && sent.distance(h.end, c.start) <= 10
                    && sent.words_before(c.start, 1).first().is_some_and(|w| w == "في")
                    && rasd_text::normalize_key(sent.slice(h.start, h.end)).starts_with("دخل")
            }
            // "قذيفتين سقطتا على حي الميدان", "سقطت قذيفة هاون": what fell is a shell, not a town.
            RuleKind::Trigger {
                ty: TriggerType::Sub(SubEventType::ShellingArtilleryMissile),
                ..
            } if role == Role::Fall => {
                (c.end <= h.start && sent.distance(c.end, h.start) <= 1)
                    || (c.start >= h.end && sent.distance(h.end, c.start) <= 1)
            }
            _ => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_each_clause_with_a_trigger_once() {
        let rules = Rules::embedded().unwrap();
        let text = "سيطرت قوات النظام على مدينة البوكمال، فيما قتل 12 مدنياً في غارة جوية. وعقد الوزير مؤتمراً صحفياً.";
        let c = candidate_clauses(&rules, text);
        assert_eq!(c.len(), 2, "{c:?}");
        assert!(text[c[0].start..c[0].end].starts_with("سيطرت"));
        assert!(text[c[1].start..c[1].end].contains("غارة"));
        assert!(c[1].triggers.iter().any(|t| t.rule_type == "Air/drone strike"));
        for cl in &c {
            for t in &cl.triggers {
                assert!(cl.start <= t.start && t.end <= cl.end.max(t.end));
            }
        }
    }
}
