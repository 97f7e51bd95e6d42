//! Stage 2 of extraction: the arguments of a picked candidate.
//!
//! Who acted and who was acted on, the ACLED sub-type now that the actors are known, where and when, the toll and
//! the share of territory, who says so, and whether it is history. A candidate that names nothing an analyst can
//! use (a weak trigger with no actor and no place of its own, without the scorer to judge it) gives `None`.

use crate::Extractor;
use crate::Options;
use crate::actors::{self, Actors};
use crate::candidates::is_transfer;
use crate::frames::{self, Attribution};
use crate::place::{self, Placed};
use crate::rules::{Cue, FrameKind, Role, RuleKind, TriggerType};
use crate::stage::{Candidate, DocState, Sent};
use crate::toll;
use crate::when::{self, Dated};
use rasd_core::{ActorRef, ActorType, Doc, Event, Fatalities, SubEventType, TerritoryShare};
use rasd_text::NumberMention;

/// A span of the original text.
type Span = (usize, usize);

/// The arguments of one candidate.
pub(crate) struct Arguments {
    pub who: Actors,
    /// actor2 after the defaults (civilians, the other side of a battle, the target's owner).
    pub actor2: Option<(ActorRef, Option<Span>)>,
    pub sub: SubEventType,
    pub where_: Placed,
    pub dated: Dated,
    pub fatalities: Option<(Fatalities, Span)>,
    pub share: Option<(TerritoryShare, Span)>,
    pub background: bool,
    pub attribution: Attribution,
    /// A weak trigger without its actor or its own place (kept only for the scorer to judge).
    pub weak: bool,
}

/// Attaches the arguments of `c`. `events` are the document's records so far (a restatement with no place of its
/// own adds nothing to them).
#[allow(clippy::too_many_arguments)]
pub(crate) fn attach(
    x: &Extractor,
    doc: &Doc,
    published: Option<chrono::NaiveDate>,
    opts: &Options,
    keep_weak: bool,
    sent: &Sent<'_>,
    c: &Candidate,
    picked: &[Candidate],
    numbers: &[NumberMention],
    state: &DocState,
    events: &mut [Event],
) -> Option<Arguments> {
    let res = x.resources();
    let mut who: Actors = actors::attach(sent, c, res);
    suffered(sent, c, &mut who);
    let attribution: Attribution = frames::attribute(sent, c, res, state, doc.outlet.as_deref());
    speakers_are_no_sides(sent, c, &attribution, &mut who);
    // "تجددت المعارك بين الطرفين في محيط الفاشر": "the two sides" of a fight are the report's two main opponents.
    if who.actor1.is_none()
        && who.actor2.is_none()
        && c.ty == TriggerType::Sub(SubEventType::ArmedClash)
        && let Some(t) = sent
            .tokens_after(c.hit.end, 6)
            .take_while(|t| t.end <= c.clause.1)
            .find_map(|t| {
                let w = rasd_text::normalize_key(sent.slice(t.start, t.end));
                matches!(w.as_str(), "الطرفين" | "الجانبين").then_some((t.start, t.end))
            })
        && let Some((a1, _)) = sent.doc_actors.iter().find(|(a, n)| {
            *n >= 2
                && matches!(
                    a.actor_type,
                    ActorType::StateForces
                        | ActorType::RebelGroup
                        | ActorType::PoliticalMilitia
                        | ActorType::IdentityMilitia
                )
        })
        && let Some(a2) = actors::opponent(sent.doc_actors, a1)
    {
        who.actor1 = Some((a1.clone(), Some(t)));
        who.actor2 = Some((a2, Some(t)));
    }
    // "أعلنت القيادة الأمريكية في أفريقيا أنها نفذت غارة جوية", "أعلن الجيش أنه قتل 20 مسلحا": a pronoun after the
    // complementizer is the speaker, who did the act told after it (no other actor named between).
    if who.actor1.is_none()
        && let Some(f) = attribution.frames.first().filter(|f| f.kind == FrameKind::Say)
        && let Some((_, fe)) = f.span
        && fe <= c.hit.start
        && let Some(t) = sent
            .tokens
            .iter()
            .filter(|t| t.start >= fe && t.end <= c.hit.start && sent.distance(t.end, c.hit.start) <= 4)
            .find(|t| {
                let w = rasd_text::normalize_key(t.surface(sent.text));
                let w = w.strip_prefix('ب').unwrap_or(&w);
                matches!(w, "انه" | "انها" | "انهم")
            })
        && !sent
            .mentions
            .iter()
            .any(|m| m.kind == crate::MentionKind::Actor && m.start >= t.end && m.end <= c.hit.start)
        && let Some(a) = res
            .actor_for_source(&f.source.id)
            .and_then(|id| res.actor(&id, false))
            .filter(|a| who.actor2.as_ref().is_none_or(|(a2, _)| a2.id != a.id))
    {
        who.actor1 = Some((a, Some((t.start, t.end))));
    }
    // "أعلن المركز الإعلامي … أن قواته سيطرت": forces named by a possessive pronoun are the speaker's own.
    if who.actor1.is_none()
        && let Some(span) = actors::own_forces(sent, c)
    {
        who.actor1 = attribution
            .frames
            .first()
            .and_then(|f| res.actor_for_source(&f.source.id).or_else(|| Some(f.source.id.clone())))
            .filter(|id| who.actor2.as_ref().is_none_or(|(a2, _)| a2.id != *id))
            .and_then(|id| res.actor(&id, true))
            .map(|a| (a, Some(span)));
    }
    // "أعلنت وزارة الدفاع العراقية استعادة مدينة الفلوجة": the verbal noun just after the source that announces it:
    // the side the announcer speaks for took the place (its name is the actor's evidence).
    // "أعلنت وزارة الداخلية السودانية عن اعتقال 600 شخص": so too the arrests an authority announces.
    let arrest = c.ty == TriggerType::Sub(SubEventType::Arrests) && c.role == Role::Noun;
    if (matches!(c.ty, TriggerType::Territory) && c.role == Role::Gain || arrest) && who.actor1.is_none() {
        who.actor1 = announced_gain(sent, c, &attribution, res)
            .and_then(|(id, span)| res.actor(&id, false).map(|a| (a, Some(span))))
            .filter(|(a, _)| who.actor2.as_ref().is_none_or(|(a2, _)| a2.id != a.id));
    }
    // "وخسر التنظيم عشرات القرى", "استعادت القوات المدينة": a change of hands with no taker named goes to
    // the report's main other actor.
    if matches!(c.ty, TriggerType::Territory) && who.actor1.is_none() {
        who.actor1 = actors::likely_taker(sent.doc_actors, who.actor2.as_ref().map(|a| &a.0)).map(|a| (a, None));
        // "تحرير المدينة من قبضة داعش" with no other side named: what a non-state group lost, the state of
        // the report's country took back.
        if who.actor1.is_none()
            && c.role == Role::Gain
            && who
                .actor2
                .as_ref()
                .is_some_and(|(a, _)| a.actor_type != ActorType::StateForces)
        {
            who.actor1 = sent.army.and_then(|id| res.actor(id, false)).map(|a| (a, None));
        }
    }
    // A report already telling of protests or riots: its clashes with nobody armed named are the crowd's.
    let protest_report = events.iter().any(|e| {
        matches!(
            e.event_type,
            rasd_core::EventType::Protests | rasd_core::EventType::Riots
        )
    });
    let mut sub = decide_type(sent, c, &who, protest_report)?;
    // "سلمت حركة حماس جثامين أسرى": who hands over people, taken as the loser of a handover of ground, acted.
    if c.ty == TriggerType::Sub(SubEventType::NonViolentTransferOfTerritory)
        && sub == SubEventType::Other
        && who.actor1.is_none()
    {
        who.actor1 = who.actor2.take();
    }
    // "قتلوا بعد اقتحام مسلحين من حركة الشباب فندقا": the storming that became an attack on civilians was done by
    // the side the territory reading took for the loser.
    if c.ty == TriggerType::Territory
        && sub == SubEventType::Attack
        && who
            .actor2
            .as_ref()
            .is_some_and(|(a, _)| a.actor_type != ActorType::Civilians)
    {
        who.actor1 = who.actor2.take();
    }
    // "تبادل مسلحون وقوات الأمن إطلاق النار", "تبادل كثيف لإطلاق النار": an exchange of fire is a clash, not
    // an attack on civilians.
    if sub == SubEventType::Attack && exchange_of_fire(sent, c) {
        sub = SubEventType::ArmedClash;
    }
    // "اغتال مسلحون ضابطاً في الأمن العام": an attack on fighters, soldiers or police is an armed clash.
    if sub == SubEventType::Attack && !toll::civilian_victims(sent, c) {
        let (cs, ce) = c.clause;
        if sent.cues(Cue::Combatant).any(|h| h.start >= cs && h.end <= ce) {
            sub = SubEventType::ArmedClash;
        }
    }
    // "توصلت قسد والحكومة السورية إلى اتفاق": the parties to an agreement, joined by و, are its two actors; the
    // prisoners or civilians it is about are none ("اتفاق لتبادل الأسرى").
    if sub == SubEventType::Agreement {
        let party = |a: &Option<(rasd_core::ActorRef, Option<(usize, usize)>)>| {
            a.as_ref().is_none_or(|(a, _)| a.actor_type != ActorType::Civilians)
        };
        if !party(&who.actor1) {
            who.actor1 = who.actor2.take();
        }
        if !party(&who.actor2) {
            who.actor2 = None;
        }
        if who.actor2.is_none() && !who.assoc1.is_empty() {
            who.actor2 = Some((who.assoc1.remove(0), None));
        }
        // The party joined by و right after the first one.
        if who.actor2.is_none()
            && let Some((a1, Some((_, a1_end)))) = &who.actor1
            && let Some(m) = sent.mentions.iter().find(|m| {
                m.kind == crate::MentionKind::Actor
                    && m.start > *a1_end
                    && m.id != a1.id
                    && sent.distance(*a1_end, m.start) <= 1
                    && sent.slice(m.clitic_start, m.start).starts_with('و')
            })
            && let Some(a) = res
                .actor(&m.id, m.coreference)
                .filter(|a| a.actor_type != ActorType::Civilians)
        {
            who.actor2 = Some((a, Some((m.start, m.end))));
        }
    }
    let where_: Placed = place::attach(sent, c, res, state);
    // ACLED's codebook: a foreign state's forces that take a place overtake it, as a non-state actor does; only
    // the forces of the place's own state regain it ("سيطرت القوات التركية على مدينة عفرين").
    if sub == SubEventType::GovernmentRegainsTerritory
        && let (Some((taker, _)), Some(place)) = (&who.actor1, &where_.location)
        && taker.actor_type == ActorType::StateForces
        && res
            .actor_country(&taker.id)
            .is_some_and(|c| !c.is_empty() && c != place.country)
    {
        sub = SubEventType::NonStateActorOvertakesTerritory;
    }
    // Protests and riots are coded from the crowd: actor1 is the protesters (or rioters), and the force that
    // met them, when named, is actor2.
    let crowd = match sub.event_type() {
        rasd_core::EventType::Protests => Some("protesters"),
        rasd_core::EventType::Riots => Some("rioters"),
        _ => None,
    };
    if let Some(id) = crowd {
        let is_crowd = |a: &Option<(rasd_core::ActorRef, Option<(usize, usize)>)>| {
            a.as_ref()
                .is_some_and(|(a, _)| matches!(a.actor_type, ActorType::Protesters | ActorType::Rioters))
        };
        if !is_crowd(&who.actor1) {
            // "رشق شبان غاضبون قوات الأمن بالحجارة": the young men (a civilian word) are the crowd itself; the
            // force named beside them is whom they met.
            let civilians = who
                .actor2
                .as_ref()
                .is_some_and(|(a, _)| a.actor_type == ActorType::Civilians);
            if who.actor2.is_none() || is_crowd(&who.actor2) || civilians && who.actor1.is_some() {
                who.actor2 = who.actor1.take();
            }
            who.actor1 = res.actor(id, false).map(|a| (a, None));
        }
    }
    let weak = !strong_enough(sent, c, &who, &where_);
    if !keep_weak && weak {
        return None;
    }
    // A change of hands with nobody named and no place of its own says nothing an analyst can use.
    if is_transfer(c.ty)
        && who.actor1.is_none()
        && who.actor2.is_none()
        && (where_.carried || where_.location.is_none())
    {
        return None;
    }
    // "إلى أن انتزاع السيطرة جاء بعد حصار": the same act restated with no place of its own. A restatement by
    // another named source ("وتحدثت وكالة رويترز عن مقتل عشرين") is that source's claim, a record of its own.
    // "وأسفرت الغارة عن مقتل سبعة أشخاص" after the strike: the toll goes back to the act it counts.
    // "قصفت المدفعية بلدة بيت حانون. وقال مسؤول إن 11 مدنيا قتلوا في الهجوم": "the attack", with no place or
    // attacker of its own, is the act just told, whatever its kind.
    let claimant = attribution.frames.first().map(|f| f.source.id.as_str());
    let the_attack = the_attack(sent, c);
    // Read only for an act with no place of its own, the only one they can merge.
    let (the_fight, the_strike) = if where_.carried {
        (the_fight(sent, c), the_strike(sent, c))
    } else {
        (false, false)
    };
    // "قتل ثمانية أشخاص في غارة على زاخو. … وقالت السلطات إن القتلى هم ثلاث نساء وطفلان وثلاثة رجال": a killing with
    // no act, no place and no killer of its own gives its toll to the act just told when that act has none. The
    // candidate itself goes on (the scorer decides whether it is news of its own).
    if where_.carried
        && c.ty == TriggerType::Casualty
        && who.actor1.is_none()
        && let Some(e) = events.last_mut().filter(|e| {
            e.fatalities.is_none()
                && matches!(
                    e.event_type,
                    rasd_core::EventType::Battles
                        | rasd_core::EventType::ExplosionsRemoteViolence
                        | rasd_core::EventType::ViolenceAgainstCivilians
                )
                && claimant.is_none_or(|id| e.reported_by.first().is_some_and(|r| r.id == id))
        })
        && let Some((f, (s, t))) = toll::fatalities(sent, c, picked, numbers)
        // A running total ("منذ بدء الحملة") is no one act's toll.
        && !f.cumulative
        && let Some(ev) = rasd_core::Evidence::from_text(sent.text, s, t)
    {
        e.fatalities = Some(f);
        e.field_evidence.insert("fatalities".into(), ev);
        credit_toll_source(e, &attribution, sent.text);
    }
    if where_.carried
        && let Some(e) = events.iter_mut().rev().find(|e| {
            let same_actor = e.actor1.as_ref().map(|a| &a.id) == who.actor1.as_ref().map(|a| &a.0.id);
            let same = e.sub_event_type == sub && same_actor;
            let told = the_attack
                && (same_actor || who.actor1.is_none())
                && matches!(
                    e.event_type,
                    rasd_core::EventType::Battles
                        | rasd_core::EventType::ExplosionsRemoteViolence
                        | rasd_core::EventType::ViolenceAgainstCivilians
                );
            // "تخوض القوات معارك عنيفة مع الفصائل … وأضافت المصادر أن الاشتباكات أسفرت عن مقتل 12": the fighting,
            // named again with no side and no place of its own, is the fight just told.
            // The dead counted by side ("مقتل 12 عنصرا من قوات النظام") name one of the sides already told.
            let side_told = who.actor2.as_ref().is_none_or(|(a2, _)| {
                e.actor1.as_ref().is_some_and(|a| a.id == a2.id) || e.actor2.as_ref().is_some_and(|a| a.id == a2.id)
            });
            let told = told
                || who.actor1.is_none()
                    && side_told
                    && (the_fight && e.event_type == sub.event_type() || the_strike && e.sub_event_type == sub);
            // Another source's toll of the fight the report told in its own voice is that fight's ("same" acts
            // of two sources stay two claims).
            let claimed = claimant.is_none_or(|id| e.reported_by.first().is_some_and(|r| r.id == id));
            same && claimed || told && (claimed || !e.field_evidence.contains_key("reported_by[0]"))
        })
    {
        if e.fatalities.is_none()
            && let Some((f, (s, t))) = toll::fatalities(sent, c, picked, numbers)
            && let Some(ev) = rasd_core::Evidence::from_text(sent.text, s, t)
        {
            e.fatalities = Some(f);
            e.field_evidence.insert("fatalities".into(), ev);
            credit_toll_source(e, &attribution, sent.text);
        }
        return None;
    }
    let dated: Dated = when::attach(sent, c, state);
    let fatalities = toll::fatalities(sent, c, picked, numbers);
    let share = if matches!(c.ty, TriggerType::Territory) {
        toll::share(sent, c, numbers)
    } else {
        None
    };
    // "كما أسفر الانفجار عن مقتل 12 شخصا" after a sentence about an old act is that old act: background too.
    let background = frames::background(sent, c, dated.hit.as_ref(), published)
        || dated
            .rule
            .as_deref()
            .is_some_and(|r| r.starts_with("previous-sentence-act"));
    if background && opts.drop_background {
        return None;
    }
    // "قتل 37 مدنيا، بينهم أطفال، في هجوم على قرية": a toll that reaches back over the clause names the victims.
    let toll_civilians = fatalities.as_ref().is_some_and(|(_, (s, _))| {
        *s < c.clause.0 && sent.cues(Cue::Civilian).any(|h| h.start >= *s && h.end <= c.clause.0)
    });
    let civilians_hit = toll::civilian_victims(sent, c) || toll_civilians;
    // "قتل جندي تركي في هجوم لحزب العمال": soldiers or police named by a toll that reaches back over the clause
    // fell in a fight (ACLED codes attacks on armed forces as armed clashes).
    if sub == SubEventType::Attack
        && !civilians_hit
        && fatalities.as_ref().is_some_and(|(_, (s, _))| {
            *s < c.clause.0 && sent.cues(Cue::Combatant).any(|h| h.start >= *s && h.end <= c.clause.0)
        })
    {
        sub = SubEventType::ArmedClash;
    }
    // "أطلقت قوات الأمن الرصاص الحي لتفريق المتظاهرين …، ما أدى إلى مقتل 19 شخصا": a dispersal whose own toll (in the
    // next clause) counts dead is excessive force, unless the dead are police or soldiers.
    if sub == SubEventType::ProtestWithIntervention
        && fatalities
            .as_ref()
            .is_some_and(|(f, (s, _))| !f.cumulative && f.value.is_some_and(|v| v > 0) && *s >= c.clause.1)
        && !sent.cues(Cue::Combatant).any(|h| h.start >= c.clause.0)
    {
        sub = SubEventType::ExcessiveForceAgainstProtesters;
    }
    let mut actor2 = who.actor2.clone();
    if actor2.is_none() && (!matches!(c.ty, TriggerType::Territory) || sub == SubEventType::Attack) {
        // Civilians are the target when the victims or the place hit are civilian, and by default of the
        // acts that ACLED counts as violence against civilians.
        let (cs, ce) = c.clause;
        let civilian_place = sent.cues(Cue::CivilianTarget).any(|h| h.start >= cs && h.end <= ce);
        let against_civilians = matches!(
            sub,
            SubEventType::Attack
                | SubEventType::Abduction
                | SubEventType::SexualViolence
                | SubEventType::LootingPropertyDestruction
        );
        // "وذكر مسؤول محلي أن 30 قتلوا في الغارة": a strike or a bombing that killed, with no fighter among the
        // dead and no armed side named as its target, killed civilians (ACLED's default for remote violence).
        let remote_deaths = sub.event_type() == rasd_core::EventType::ExplosionsRemoteViolence
            && sub != SubEventType::DisruptedWeaponsUse
            && fatalities.as_ref().is_some_and(|(f, _)| f.value.is_some_and(|v| v > 0))
            && !sent.cues(Cue::Combatant).any(|h| h.start >= cs && h.end <= ce)
            // "ولقي أربعة أعضاء يفترض أنهم من القاعدة مصرعهم": an armed group named beside the dead, other than
            // the attacker, may be who they were.
            && !sent.mentions.iter().any(|m| {
                m.kind == crate::MentionKind::Actor
                    && m.start >= cs
                    && m.end <= ce
                    && m.id != "civilians"
                    && who.actor1.as_ref().is_none_or(|(a, _)| a.id != m.id)
            });
        if civilians_hit || civilian_place || against_civilians || remote_deaths {
            actor2 = res.actor("civilians", false).map(|a| (a, None));
        }
        // "شنت حركة الشباب هجوما على فندق في مقديشو": an attack on a civilian place, with no armed side named
        // against it and no fighter among the victims, is an attack on civilians.
        if sub == SubEventType::ArmedClash
            && civilian_place
            && matches!(sent.rules.get(c.hit.rule).key.as_str(), "هجوم" | "هاجم")
            && !sent.cues(Cue::Combatant).any(|h| h.start >= cs && h.end <= ce)
        {
            sub = SubEventType::Attack;
        }
    }
    // "قتل ثلاثة جنود بانفجار عبوة ناسفة على دورية": soldiers among the dead of a strike, a bombing or a fight with
    // no target named are the report's country's army.
    if actor2.is_none()
        && matches!(
            sub.event_type(),
            rasd_core::EventType::Battles | rasd_core::EventType::ExplosionsRemoteViolence
        )
        && sub != SubEventType::DisruptedWeaponsUse
        && let Some(army) = sent
            .army
            .filter(|id| who.actor1.as_ref().is_none_or(|(a, _)| a.id != *id))
    {
        let (cs, ce) = c.clause;
        let soldiers = sent.cues(Cue::Combatant).any(|h| {
            h.start >= cs
                && h.end <= ce
                && matches!(
                    rasd_text::normalize_key(sent.slice(h.start, h.end)).as_str(),
                    "جندي"
                        | "جنود"
                        | "جنديان"
                        | "جنديين"
                        | "عسكريين"
                        | "عسكريان"
                        | "ضابط"
                        | "ضباط"
                        | "ضابطان"
                        | "ضابطين"
                )
        });
        if soldiers {
            actor2 = res.actor(army, false).map(|a| (a, None));
        }
    }
    // A battle with one side named: the other side is the side the reporting source speaks for ("قسد …
    // مؤكدة مقتل عناصر داعش في الاشتباكات"), else the document's main opponent of that side.
    if actor2.is_none()
        && sub.event_type() == rasd_core::EventType::Battles
        && let Some((a1, _)) = &who.actor1
    {
        let speaker = attribution
            .frames
            .first()
            .and_then(|f| res.actor_for_source(&f.source.id))
            .filter(|id| *id != a1.id)
            .and_then(|id| res.actor(&id, false))
            // Two state forces reporting each other's gains are allies, not sides (Russian media on Syria).
            .filter(|a| !(a.actor_type == ActorType::StateForces && a1.actor_type == ActorType::StateForces));
        actor2 = speaker
            .or_else(|| actors::opponent(sent.doc_actors, a1))
            .map(|a| (a, None));
    }
    // "قصف التنظيم مواقعهم", "هجمات على 15 كميناً عسكرياً": a strike on positions, convoys or checkpoints
    // hits the other side of the report's war.
    if actor2.is_none()
        && sub.event_type() == rasd_core::EventType::ExplosionsRemoteViolence
        && !civilians_hit
        && let Some((a1, _)) = &who.actor1
        && military_target(sent, c)
    {
        actor2 = actors::opponent(sent.doc_actors, a1).map(|a| (a, None));
    }
    // An armed clash whose victims are civilians is an attack on them.
    let named_civilians = who.actor2.as_ref().is_some_and(|(a, _)| a.id == "civilians");
    // "قتل 4 أشخاص في هجوم شنه مسلحون": an assault (not a clash) whose only victims are persons is one on
    // civilians too.
    let assault = {
        let w = rasd_text::normalize_key(sent.slice(c.hit.start, c.hit.end));
        ["هجوم", "هجمات", "هجوما", "هاجم", "هجم"].iter().any(|p| w.contains(p))
    };
    if sub == SubEventType::ArmedClash
        && (toll::named_civilian_victims(sent, c)
            || named_civilians
            || (assault && civilians_hit && who.actor2.is_none()))
        && actor2.as_ref().is_some_and(|(a, _)| a.id == "civilians")
    {
        if !assault && gunmen_in_clause(sent, c) {
            // "استشهد 4 شبان خلال اشتباكات بين مقاومين وقوات الاحتلال": the dead fell in a fight between armed
            // sides; they are not its target.
            actor2 = None;
        } else {
            sub = SubEventType::Attack;
        }
    }
    // "اغتال مسلحون مجهولون الأمين العام لمليشيا حزب الله": the assassination of a member of an armed force or group
    // is a fight with it (ACLED codes attacks on soldiers, police and fighters as armed clashes).
    // So is any killing or attack whose named target is an armed force or group ("أعلن الجيش أنه قتل ثلاثة مسلحين
    // حاولوا التسلل"), but an execution of captives stays an attack.
    let execution = {
        let w = rasd_text::normalize_key(sent.slice(c.hit.start, c.hit.end));
        w.contains("اعدم") || w.contains("اعدام") || w.contains("ذبح")
    };
    let assassination = rasd_text::normalize_key(sent.slice(c.hit.start, c.hit.end)).contains("اغت");
    if sub == SubEventType::Attack
        && !execution
        && (assassination || !civilians_hit)
        && who.actor2.as_ref().is_some_and(|(a, _)| {
            matches!(
                a.actor_type,
                ActorType::StateForces
                    | ActorType::RebelGroup
                    | ActorType::PoliticalMilitia
                    | ActorType::IdentityMilitia
            )
        })
    {
        sub = SubEventType::ArmedClash;
    }
    // A peaceful protest has no second actor (ACLED's codebook): whom the protesters oppose or stand with
    // ("احتجاجا على الغارات الأمريكية", "للمطالبة بإسقاط النظام") is their cause, and the workers or doctors who
    // strike are the protesters themselves.
    if sub == SubEventType::PeacefulProtest {
        actor2 = None;
    }
    Some(Arguments {
        who,
        actor2,
        sub,
        where_,
        dated,
        fatalities,
        share,
        background,
        attribution,
        weak,
    })
}

/// Whether the act is an exchange of fire: a form of تبادل at most four words before the trigger.
fn exchange_of_fire(sent: &Sent<'_>, c: &Candidate) -> bool {
    let w = rasd_text::normalize_key(sent.slice(c.hit.start, c.hit.end));
    (w.contains("اطلاق") || w.contains("اطلق"))
        && sent
            .words_before(c.hit.start, 4)
            .iter()
            .any(|w| w.trim_start_matches(['و', 'ف']).starts_with("تبادل"))
}

/// A weak trigger needs its actor and its own place; a nominal trigger needs an actor or a place in its clause
/// ("بعد سنوات من حروب ومعارك" names neither: commentary, not an act).
fn strong_enough(sent: &Sent<'_>, c: &Candidate, who: &Actors, where_: &Placed) -> bool {
    if c.weight < 0.6 && (who.actor1.is_none() || where_.carried || where_.location.is_none()) {
        return false;
    }
    if c.role == Role::Noun && c.weight < 0.8 {
        let (cs, ce) = c.clause;
        return sent
            .mentions
            .iter()
            .any(|m| m.kind != crate::MentionKind::Outlet && m.start >= cs && m.end <= ce);
    }
    true
}

/// Who reports, denies or accuses is no side of the act told ("نفت شرطة البصرة وقوع اشتباكات", "وقال مراسل عنب
/// بلدي إن طائرات …", "اتهمت قسد فصائل … بإعدام …", "أفادت الشرطة بأن جنديا قتل"), with the exceptions each rule
/// names.
fn speakers_are_no_sides(sent: &Sent<'_>, c: &Candidate, attribution: &Attribution, who: &mut Actors) {
    // "نفت شرطة البصرة وقوع اشتباكات": who denies that an act happened at all is no side of it ("نفى الجيش قصف
    // المستشفى" denies its own act, and stays its actor).
    if let Some((fs, fe)) = attribution
        .frames
        .first()
        .filter(|f| f.kind == FrameKind::Deny)
        .and_then(|f| f.span)
        && who
            .actor1
            .as_ref()
            .is_some_and(|(_, sp)| sp.is_some_and(|(s, e)| s < fe && e > fs))
        && sent
            .words_before(c.hit.start, 2)
            .iter()
            .any(|w| matches!(w.as_str(), "وقوع" | "حدوث" | "وجود"))
    {
        who.actor1 = None;
    }
    // "وقال مراسل عنب بلدي إن طائرات حربية روسية نفذت غارات على السوق": who reports an act (the outlet's
    // correspondent glued to its name, too) is not its target.
    if let Some((_, Some((s, e)))) = who.actor2.as_ref()
        && let (s, e) = (*s, *e)
        && e <= c.hit.start
        && attribution.frames.iter().any(|f| {
            f.kind != FrameKind::Deny
                && f.span
                    .is_some_and(|(fs, fe)| s < fe && e > fs || e <= fs && sent.distance(e, fs) == 0)
        })
    {
        who.actor2 = None;
    }
    // The accuser of "اتهمت قسد فصائل موالية لتركيا بإعدام …" is never the actor, whatever it is.
    if let Some((_, Some((s, e)))) = who.actor1.as_ref()
        && let (s, e) = (*s, *e)
        && attribution.frames.iter().any(|f| {
            f.kind == FrameKind::Say
                && f.span.is_some_and(|(fs, fe)| s < fe && e > fs)
                && rasd_text::normalize_key(sent.slice(f.start, f.end)).contains("تهم")
        })
    {
        who.actor1 = None;
    }
    // "قال الجيش إن مدنيين قتلا بانفجار عبوة", "أفادت الشرطة بأن جنديا قتل": the state that reports an act is not
    // its actor. A pronoun ("أعلن الجيش أنه قصف"), its own forces ("أن قواته سيطرت", below) and its arms, unnamed
    // ("إن الدفاعات الجوية اعترضت", "إن منظومة القبة الحديدية اعترضت", "إن طائرات حربية قصفت") keep the speaker; so
    // does an armed group, whose statement about an attack is its claim ("أوضح التنظيم أن صاروخا استهدف").
    if let Some((a1, Some((s, e)))) = who.actor1.as_ref()
        && let (s, e) = (*s, *e)
        && a1.actor_type == ActorType::StateForces
        && e <= c.hit.start
        && attribution
            .frames
            .iter()
            .any(|f| f.kind != FrameKind::Deny && f.span.is_some_and(|(fs, fe)| s < fe && e > fs))
        && let between = sent
            .tokens
            .iter()
            .filter(|t| t.start >= e && t.end <= c.hit.start)
            .map(|t| rasd_text::normalize_key(t.surface(sent.text)))
            .collect::<Vec<_>>()
        && between.iter().any(|w| matches!(w.as_str(), "ان" | "بان" | "وان"))
        && !between.iter().any(|w| {
            w.strip_prefix('ب')
                .unwrap_or(w)
                .strip_prefix("ان")
                .is_some_and(|rest| matches!(rest, "ه" | "ها" | "هم" | "هما"))
        })
        && !between
            .iter()
            .any(|w| crate::coref::MILITARY_NOUNS.contains(&w.trim_start_matches('و')) || w == "منظومه")
        && !sent.cues(Cue::Intercept).any(|h| h.start >= e && h.end <= c.hit.start)
    {
        who.actor1 = None;
    }
}

/// The actor a "say" frame's source speaks for, with the source's span, when the trigger is a definite verbal
/// noun ("السيطرة", "استعادة") at most four words after the source's name ("أعلنت وزارة الدفاع الروسية السيطرة
/// على", "أعلنت قاعدة حميميم الروسية في الساحل السوري السيطرة على").
fn announced_gain(
    sent: &Sent<'_>,
    c: &Candidate,
    attribution: &Attribution,
    res: &dyn crate::Resources,
) -> Option<(String, (usize, usize))> {
    let f = attribution.frames.first().filter(|f| f.kind == FrameKind::Say)?;
    let span = f.span?;
    if span.1 > c.hit.start || sent.distance(span.1, c.hit.start) > 4 {
        return None;
    }
    // The article may be outside the hit ("ال" + "سيطرة"); "استعادة" is a masdar as it stands.
    let word = rasd_text::normalize_key(sent.slice(c.hit.start, c.hit.end));
    let definite = sent.text[..c.hit.start].ends_with("ال");
    let announced = sent.words_before(c.hit.start, 1).first().is_some_and(|w| w == "عن");
    let masdar = definite || word.starts_with("است") || announced && c.ty == TriggerType::Sub(SubEventType::Arrests);
    if !masdar {
        return None;
    }
    let id = res.actor_for_source(&f.source.id)?;
    // A foreign state's forces announcing a capture in the report's country usually announce their ally's
    // ("أعلنت وزارة الدفاع الروسية السيطرة على البوكمال", taken by the Syrian army with Russian air cover): the
    // taker is left to the report's other actors.
    let home = sent
        .country
        .map(str::to_string)
        .or_else(|| sent.army.and_then(|army| res.actor_country(army)));
    let foreign = |a: &str| {
        res.actor_type(a) == Some(ActorType::StateForces)
            && home
                .as_deref()
                .is_some_and(|home| res.actor_country(a).is_some_and(|c| c != home))
    };
    (!foreign(&id)).then_some((id, span))
}

/// Whether the act's clause names a military target after the trigger (positions, convoys, checkpoints, bases).
fn military_target(sent: &Sent<'_>, c: &Candidate) -> bool {
    const TARGETS: &[&str] = &[
        "مواقع",
        "موقع",
        "تجمعات",
        "تجمع",
        "رتل",
        "رتلا",
        "ارتال",
        "كمين",
        "كمينا",
        "كماين",
        "ثكنه",
        "معسكر",
        "نقطه",
        "نقاط",
        "دوريه",
        "مقر",
        "مقرات",
        "قاعده",
        "اليات",
        "اليه",
        "اهداف",
        "تحصينات",
        "تعزيزات",
    ];
    let (_, ce) = c.clause;
    sent.words_after(c.hit.end, 8)
        .iter()
        .zip(sent.tokens.iter().skip_while(|t| t.start < c.hit.end))
        .take_while(|(_, t)| t.end <= ce)
        .any(|(w, _)| {
            let w = w.trim_start_matches(['و', 'ب', 'ل']);
            let w = w.strip_prefix("ال").unwrap_or(w);
            TARGETS.contains(&w)
                || w.strip_suffix("هم")
                    .or_else(|| w.strip_suffix("ها"))
                    .is_some_and(|s| TARGETS.contains(&s))
        })
}

/// A crowd cue of the clause names partisans of a side ("أنصار", "مؤيدي", "مناصري") rather than a crowd facing
/// the authorities, and no state forces are named in the clause ("بين أنصار المرشح وقوات الأمن" is a violent
/// demonstration).
fn partisans(sent: &Sent<'_>, c: &Candidate) -> bool {
    let (cs, ce) = c.clause;
    let partisan = sent.cues(Cue::Crowd).any(|h| {
        h.start >= cs && h.end <= ce && !group_name(sent, h.end) && {
            let w = rasd_text::normalize_key(sent.slice(h.start, h.end));
            ["انصار", "مويدي", "مناصري"].iter().any(|p| w.starts_with(p))
        }
    });
    let forces = sent.tokens_after(cs, 60).take_while(|t| t.end <= ce).any(|t| {
        let w = rasd_text::normalize_key(sent.slice(t.start, t.end));
        let w = w.trim_start_matches(['و', 'ب', 'ل']);
        matches!(w, "قوات" | "الشرطه" | "شرطه" | "الامن" | "الجيش" | "عناصر" | "رجال")
    });
    partisan && !forces
}

/// "استشهد 4 شبان خلال اشتباكات بين مقاومين وقوات الاحتلال": fighters named in the clause by a bare word that no
/// lexicon entry holds (it is an ordinary word elsewhere) make it a fight, not a crowd's riot.
fn gunmen_in_clause(sent: &Sent<'_>, c: &Candidate) -> bool {
    let (cs, ce) = c.clause;
    sent.tokens_after(cs, 80).take_while(|t| t.end <= ce).any(|t| {
        let w = rasd_text::normalize_key(sent.slice(t.start, t.end));
        let w = w.trim_start_matches('و');
        let w = w.strip_prefix("ال").unwrap_or(w);
        matches!(
            w,
            "مقاومين"
                | "مقاومون"
                | "مسلحين"
                | "مسلحون"
                | "مقاتلين"
                | "مقاتلون"
                | "فدائيين"
                | "مقاتلي"
                | "مسلحي"
                | "مهاجمين"
                | "مهاجمون"
        )
    })
}

/// "أنصار الشريعة", "أنصار الله", "أنصار الدين": the crowd word opens an armed group's name, which the lexicon
/// may not list in that form.
fn group_name(sent: &Sent<'_>, end: usize) -> bool {
    // Key-folded words (ة is ه).
    let next = sent.words_after(end, 1);
    next.first()
        .is_some_and(|w| matches!(w.as_str(), "الله" | "الشريعه" | "الدين" | "الاسلام" | "بيت" | "السنه"))
}

/// The ACLED sub-type of a candidate, now that its actors are known.
fn decide_type(sent: &Sent<'_>, c: &Candidate, who: &Actors, protest_report: bool) -> Option<SubEventType> {
    use rasd_core::ActorType;
    let (cs, ce) = c.clause;
    // A cue word inside a place's name is no cue ("ساحة الشهداء" names a square, not deaths); nor is the adjective
    // of an air base or an airport ("سقطت صواريخ على مطار كركوك الجوي": rockets, not an air strike).
    let in_place = |s: usize, e: usize| {
        sent.mentions.iter().any(|m| {
            m.kind == crate::MentionKind::Place
                && (m.start <= s && e <= m.end
                    || sent.distance(m.end, s) == 0
                        && matches!(
                            rasd_text::normalize_key(sent.slice(s, e)).as_str(),
                            "الجوي" | "الجويه" | "جوي" | "جويه"
                        )
                        && sent
                            .words_before(m.end, 4)
                            .iter()
                            .any(|w| matches!(w.trim_start_matches(['و', 'ب', 'ف', 'ل']), "مطار" | "قاعده")))
        })
    };
    let in_clause = |cue: Cue| {
        sent.cues(cue)
            .any(|h| h.start >= cs && h.end <= ce && !in_place(h.start, h.end))
    };
    // A trigger of sub-type `sub` in the clause.
    let clause_has = |sub: SubEventType| {
        sent.hits.iter().any(|h| {
            h.start >= cs
                && h.end <= ce
                && matches!(sent.rules.get(h.rule).kind, RuleKind::Trigger { ty: TriggerType::Sub(s), .. } if s == sub)
        })
    };
    // "اشتبكت جماهير النادي مع قوات الأمن", "مواجهات بين شبان وقوات الاحتلال": a crowd word, with no armed group
    // named on either side, makes the crowd the side that fights.
    let armed = |a: &Option<(rasd_core::ActorRef, Option<(usize, usize)>)>| {
        a.as_ref().is_some_and(|(a, _)| {
            matches!(
                a.actor_type,
                ActorType::RebelGroup
                    | ActorType::PoliticalMilitia
                    | ActorType::IdentityMilitia
                    | ActorType::ExternalOther
            )
        })
    };
    // A death in the clause, unless it is the protest's grievance ("وقفة تضامنا مع ضحايا الغارات").
    let own_kill = sent.cues(Cue::Kill).any(|k| {
        k.start >= cs
            && k.end <= ce
            && !in_place(k.start, k.end)
            && !sent.cues(Cue::Negation).any(|g| g.start >= cs && g.end <= k.start)
            // "شيّع آلاف المحتجين جثمان القتيل": the dead a funeral carries died before it.
            && !toll::carried_by_funeral(sent, k)
    });
    let state = |a: &Option<(rasd_core::ActorRef, Option<(usize, usize)>)>| {
        a.as_ref().is_some_and(|(a, _)| a.actor_type == ActorType::StateForces)
    };
    // "تظاهر الآلاف في المحلة … وتجددت الصدامات بعد ظهر الاثنين": in a report of protests, clashes with no side
    // named are the protesters'.
    let unnamed_clash = protest_report
        && c.ty == TriggerType::Sub(SubEventType::ArmedClash)
        && who.actor1.is_none()
        && who.actor2.is_none()
        && !gunmen_in_clause(sent, c);
    let crowd = unnamed_clash
        || in_clause(Cue::Protester)
        || who
            .actor1
            .as_ref()
            .is_some_and(|(a, _)| matches!(a.actor_type, ActorType::Protesters | ActorType::Rioters))
        || sent
            .cues(Cue::Crowd)
            .any(|h| h.start >= cs && h.end <= ce && !in_place(h.start, h.end) && !group_name(sent, h.end))
            && !armed(&who.actor1)
            && !armed(&who.actor2)
            && !gunmen_in_clause(sent, c);
    Some(match c.ty {
        // "مواجهات بين المتظاهرين والشرطة", "اقتحم متظاهرون مبنى البرلمان": a crowd fighting the police or storming
        // a building is a violent demonstration, not a battle or a change of territory (ACLED's codebook).
        // "صدامات بين أنصار الحزبين", "المواجهات بين مؤيدي الرئيس المعزول ومعارضيه": partisans fighting each
        // other, with no state forces named on either side, are mob violence.
        TriggerType::Sub(SubEventType::ArmedClash)
            if crowd && partisans(sent, c) && !state(&who.actor1) && !state(&who.actor2) =>
        {
            SubEventType::MobViolence
        }
        TriggerType::Sub(SubEventType::ArmedClash) if crowd => SubEventType::ViolentDemonstration,
        TriggerType::Territory if crowd && c.role == crate::rules::Role::Gain => SubEventType::ViolentDemonstration,
        // "بدأت القوات العراقية عملية تحرير قضاء هيت", "انطلقت معركة تطهير ناحية آمرلي": an operation or a battle
        // *to* take a place is the fight for it (ACLED codes the taking once it is reported done).
        // An operation reported finished ("أعلن انتهاء عملية تحرير المدينة") took it.
        TriggerType::Territory
            if sent.words_before(c.hit.start, 1).first().is_some_and(|w| {
                matches!(
                    w.trim_start_matches('و'),
                    "عمليه" | "معركه" | "معارك" | "عمليات" | "حمله" | "لعمليه" | "لمعركه"
                )
            }) && !sent.words_before(c.hit.start, 4).iter().any(|w| {
                let w = w.trim_start_matches(['و', 'ب']);
                [
                    "انتهاء",
                    "انهاء",
                    "اكتمال",
                    "استكمال",
                    "ختام",
                    "نجاح",
                    "اختتام",
                    "اتمام",
                    "انجاز",
                ]
                .iter()
                .any(|p| w.starts_with(p))
            }) =>
        {
            SubEventType::ArmedClash
        }
        // "اقتحم عناصر من الدعم السريع قرية وقتلوا أكثر من مئة من سكانها": a storming that killed civilians in its
        // clause, no fighter among the dead, is an attack on them (ACLED), not a change of hands.
        TriggerType::Territory
            if matches!(sent.rules.get(c.hit.rule).key.as_str(), "اقتحم" | "اقتحام")
                // The killing follows the storming ("اقتحموا القرية وقتلوا"), or is told as after it ("قتلوا بعد
                // اقتحام مسلحين فندقا"); not one by forces a relative clause says stormed ("… برصاص الجيش الذي
                // اقتحم المخيم").
                && (sent.cues(Cue::Kill).any(|k| k.start >= c.hit.end && k.end <= ce)
                    || crate::candidates::after_another(sent, c.hit.start)
                    // "قتل 23 مدنيا عندما اقتحمت قوات الدعم السريع قرية": the storming is when they were killed.
                    || sent.words_before(c.hit.start, 1).first().is_some_and(|w| {
                        matches!(w.as_str(), "عندما" | "حينما" | "حين" | "لدي" | "بعدما" | "اثناء" | "خلال")
                    }))
                && own_kill
                // "اقتحم مسلحون منزل عائلة وقتلوا أربعة من أفرادها": civilians named, or a home stormed.
                && (toll::civilian_victims(sent, c) || in_clause(Cue::CivilianTarget))
                && !in_clause(Cue::Combatant) =>
        {
            SubEventType::Attack
        }
        TriggerType::Territory if sent.cues(Cue::NoFight).next().is_some() => {
            SubEventType::NonViolentTransferOfTerritory
        }
        TriggerType::Territory => {
            let taker = who.actor1.as_ref().map(|(a, _)| a.actor_type);
            let loser = who.actor2.as_ref().map(|(a, _)| a.actor_type);
            match (taker, loser) {
                (Some(ActorType::StateForces), _) => SubEventType::GovernmentRegainsTerritory,
                (Some(_), _) => SubEventType::NonStateActorOvertakesTerritory,
                (None, Some(ActorType::StateForces)) => SubEventType::NonStateActorOvertakesTerritory,
                (None, Some(_)) => SubEventType::GovernmentRegainsTerritory,
                (None, None) => SubEventType::NonStateActorOvertakesTerritory,
            }
        }
        // Protesters who storm or burn make a violent demonstration, whatever the police did.
        TriggerType::Casualty
        | TriggerType::Sub(
            SubEventType::Attack
            | SubEventType::ExcessiveForceAgainstProtesters
            | SubEventType::LootingPropertyDestruction
            | SubEventType::ProtestWithIntervention,
        ) if toll::protester_victims(sent, c) && sent.cues(Cue::Riot).next().is_some() => {
            SubEventType::ViolentDemonstration
        }
        // "استخدمت شرطة مكافحة الشغب الغاز المسيل للدموع بعد إضرام النيران في سيارات للشرطة": police answering
        // fires or stones in the same clause met a riot, whoever the words name.
        TriggerType::Sub(SubEventType::ProtestWithIntervention)
            if sent
                .cues(Cue::Riot)
                .any(|h| h.start >= cs && h.end <= ce && !in_place(h.start, h.end)) =>
        {
            SubEventType::ViolentDemonstration
        }
        // "اعتقلت الشرطة عشرات المتظاهرين خلال مظاهرة": protesters arrested at their protest are a protest the police
        // intervened in (ACLED), not arrests of their own. The protest must be named apart from the protesters
        // ("اعتقلت قوات الأمن عشرات المحتجين" alone stays an arrest).
        TriggerType::Sub(SubEventType::Arrests)
            if toll::protester_victims(sent, c)
                && sent.hits.iter().any(|h| {
                    h.start >= cs
                        && h.end <= ce
                        && !sent.cues(Cue::Protester).any(|p| p.start < h.end && h.start < p.end)
                        && matches!(
                            sent.rules.get(h.rule).kind,
                            RuleKind::Trigger { ty: TriggerType::Sub(s), .. }
                                if s.event_type() == rasd_core::EventType::Protests
                        )
                }) =>
        {
            SubEventType::ProtestWithIntervention
        }
        // Force against protesters is the state's; "قتل مسلحون مجهولون أربعة محتجين" is an attack on civilians.
        TriggerType::Casualty | TriggerType::Sub(SubEventType::Attack)
            if toll::protester_victims(sent, c)
                && !who
                    .actor1
                    .as_ref()
                    .is_some_and(|(a, _)| !matches!(a.actor_type, ActorType::StateForces | ActorType::Protesters)) =>
        {
            SubEventType::ExcessiveForceAgainstProtesters
        }
        TriggerType::Casualty => {
            // A bare killing is an event only when the victims are civilians or the killer is named.
            if toll::civilian_victims(sent, c) || who.actor1.is_some() {
                SubEventType::Attack
            } else if in_clause(Cue::Combatant)
                // "قتل 5 من عناصر داعش في عملية أمنية": fighters of a named group among the dead.
                || who.actor2.as_ref().is_some_and(|(a, _)| {
                    matches!(
                        a.actor_type,
                        ActorType::StateForces
                            | ActorType::RebelGroup
                            | ActorType::PoliticalMilitia
                            | ActorType::IdentityMilitia
                    )
                })
            {
                // "قتل 13 جنديا وأصيب 18 آخرون": soldiers, police or fighters killed, no act named, fell in a
                // fight (ACLED codes an attack on armed forces as an armed clash).
                SubEventType::ArmedClash
            } else {
                return None;
            }
        }
        // "مسيرات انتحارية": kamikaze drones strike from the air; brought down, their attack was disrupted.
        TriggerType::Sub(SubEventType::SuicideBomb)
            if sent.words_before(c.hit.start, 1).first().is_some_and(|w| {
                let w = w.trim_start_matches(['و', 'ب']);
                let w = w.strip_prefix("ال").unwrap_or(w);
                matches!(w, "مسيره" | "مسيرات" | "طائره" | "طائرات" | "درون" | "درونات")
            }) =>
        {
            if in_clause(Cue::Intercept) {
                SubEventType::DisruptedWeaponsUse
            } else {
                SubEventType::AirDroneStrike
            }
        }
        // "تصدت الدفاعات الجوية لصواريخ معادية", "التصدي لهجوم إسرائيلي جوي": ACLED codes the interception itself.
        // Forces that repel a ground assault ("تصدت قوات الجيش لهجوم شنه مسلحون") fought it: that stays a clash.
        TriggerType::Sub(
            SubEventType::AirDroneStrike | SubEventType::ShellingArtilleryMissile | SubEventType::RemoteExplosive,
        ) if in_clause(Cue::Intercept) => SubEventType::DisruptedWeaponsUse,
        TriggerType::Sub(SubEventType::ArmedClash) if in_clause(Cue::Intercept) && in_clause(Cue::Air) => {
            SubEventType::DisruptedWeaponsUse
        }
        // "استهدف مسلحون مجهولون بالرصاص …", "في إطلاق نار استهدف مشيعين": the generic "targeted" with gunfire in its
        // clause is a shooting, not shelling: a clash when soldiers or fighters were hit, else an attack.
        TriggerType::Sub(SubEventType::ShellingArtilleryMissile)
            if sent.rules.get(c.hit.rule).key == "استهدف" && in_clause(Cue::SmallArms) && !in_clause(Cue::Air) =>
        {
            if in_clause(Cue::Combatant) {
                SubEventType::ArmedClash
            } else {
                SubEventType::Attack
            }
        }
        // "تعرضت دورية للجيش لإطلاق نار", "أطلق مسلحون النار على حاجز للجيش": gunfire at armed forces is a fight
        // (ACLED codes attacks on them as armed clashes).
        TriggerType::Sub(SubEventType::Attack)
            if matches!(
                sent.rules.get(c.hit.rule).key.as_str(),
                "اطلاق نار" | "اطلق النار" | "النار علي"
            ) && who.actor2.as_ref().is_some_and(|(a, _)| {
                matches!(
                    a.actor_type,
                    ActorType::StateForces | ActorType::RebelGroup | ActorType::PoliticalMilitia
                )
            }) =>
        {
            SubEventType::ArmedClash
        }
        TriggerType::Sub(SubEventType::ShellingArtilleryMissile)
            if in_clause(Cue::Air)
                || who.actor1.as_ref().is_some_and(|(a, _)| {
                    a.id.contains("coalition")
                        || a.id.contains("air-force")
                        || a.id == "russia" && sent.country == Some("SY")
                }) =>
        {
            // Shelling by a named aircraft, or by an air coalition, is an air strike; so is Russia's in Syria, where
            // it fights from the air ("قصف روسي على بلدة كفرنبل").
            SubEventType::AirDroneStrike
        }
        TriggerType::Sub(SubEventType::RemoteExplosive) if clause_has(SubEventType::SuicideBomb) => {
            SubEventType::SuicideBomb
        }
        TriggerType::Sub(SubEventType::PeacefulProtest) if own_kill => SubEventType::ExcessiveForceAgainstProtesters,
        // "سقط قتيلان خلال قيام قوات الأمن بفض المسيرة": a dispersal that kills is excessive force, unless the
        // dead are police or soldiers ("شرطيان قتلا أثناء فض الاعتصام": the crowd fought back).
        TriggerType::Sub(SubEventType::ProtestWithIntervention) if own_kill && !in_clause(Cue::Combatant) => {
            SubEventType::ExcessiveForceAgainstProtesters
        }
        // "قتلت المليشيات ثلاثة مواطنين ونهبت الممتلكات": looting with people killed in the same clause is an attack
        // (ACLED codes the violence against people, not the property).
        TriggerType::Sub(SubEventType::LootingPropertyDestruction)
            if in_clause(Cue::Kill) && !in_clause(Cue::Combatant) =>
        {
            SubEventType::Attack
        }
        // "اعتقلت الأجهزة الأمنية ثمانية من المعتصمين واقتادتهم إلى مركز أمني": state forces that arrest and take
        // away made an arrest, not an abduction.
        TriggerType::Sub(SubEventType::Abduction) if state(&who.actor1) && clause_has(SubEventType::Arrests) => {
            SubEventType::Arrests
        }
        // "سلمت حركة حماس جثامين أربعة أسرى إلى الصليب الأحمر": handing over prisoners, hostages or bodies is no
        // handover of ground (ACLED: Other).
        TriggerType::Sub(SubEventType::NonViolentTransferOfTerritory)
            // The verb's rows (سلم, سلمت, سلموا …) and its masdar.
            if {
                let key = sent.rules.get(c.hit.rule).key.as_str();
                key.starts_with("سلم") || key == "تسليم"
            } && sent.words_after(c.hit.end, 4).iter().any(|w| {
                let w = w.trim_start_matches('و');
                let w = w.strip_prefix("ال").unwrap_or(w);
                matches!(
                    w,
                    "جثامين"
                        | "جثمان"
                        | "جثث"
                        | "جثه"
                        | "اسري"
                        | "اسير"
                        | "اسيرا"
                        | "اسيرين"
                        | "رهاين"
                        | "رهينه"
                        | "معتقلين"
                        | "محتجزين"
                        | "مختطفين"
                        | "اسرائيليين"
                )
            }) =>
        {
            SubEventType::Other
        }
        // "قتلت قوات الأمن ثلاثة مدنيين خلال مداهمة منزل": a raid that killed, with no one arrested in its clause, is
        // an attack on the dead, or a fight when fighters or soldiers fell.
        TriggerType::Sub(SubEventType::Arrests)
            if matches!(sent.rules.get(c.hit.rule).key.as_str(), "مداهمه" | "داهم")
                && own_kill
                && !sent.hits.iter().any(|h| {
                    h.start >= cs
                        && h.end <= ce
                        && matches!(
                            sent.rules.get(h.rule).kind,
                            RuleKind::Trigger {
                                ty: TriggerType::Sub(SubEventType::Arrests),
                                ..
                            }
                        )
                        && !matches!(sent.rules.get(h.rule).key.as_str(), "مداهمه" | "داهم")
                }) =>
        {
            // "قتل مسلح من داعش خلال مداهمة": an armed group named in the clause, other than the raiders, fought.
            let group_hit = sent.mentions.iter().any(|m| {
                m.kind == crate::MentionKind::Actor
                    && m.start >= cs
                    && m.end <= ce
                    && who.actor1.as_ref().is_none_or(|(a, _)| a.id != m.id)
                    && sent.doc_actors.iter().any(|(a, _)| {
                        a.id == m.id
                            && matches!(
                                a.actor_type,
                                ActorType::RebelGroup | ActorType::PoliticalMilitia | ActorType::IdentityMilitia
                            )
                    })
            });
            if in_clause(Cue::Combatant) || group_hit || gunmen_in_clause(sent, c) {
                SubEventType::ArmedClash
            } else {
                SubEventType::Attack
            }
        }
        // "احتجاجات ليلية تخللتها صدامات مع رجال الأمن": a protest whose clause goes on to clashes with someone is
        // a violent demonstration (the protest trigger wins the clause over the clash word).
        TriggerType::Sub(SubEventType::PeacefulProtest | SubEventType::ProtestWithIntervention)
            if !armed(&who.actor1)
                && !armed(&who.actor2)
                && sent.hits.iter().any(|h| {
                    h.start >= c.hit.end
                        && h.end <= ce
                        && matches!(
                            sent.rules.get(h.rule).kind,
                            RuleKind::Trigger {
                                ty: TriggerType::Sub(SubEventType::ArmedClash),
                                role: crate::rules::Role::Noun,
                                ..
                            }
                        )
                        && sent.words_after(h.end, 1).first().is_some_and(|w| w == "مع")
                }) =>
        {
            SubEventType::ViolentDemonstration
        }
        // "إن عشرات المهاجمين أضرموا النار في المباني": fires set by gunmen or attackers, with no crowd named, are
        // their destruction of property, not a riot.
        TriggerType::Sub(SubEventType::ViolentDemonstration)
            if !crowd
                && {
                    let k = sent.rules.get(c.hit.rule).key.as_str();
                    k.starts_with("اضرم") || k.starts_with("اضرام")
                }
                && (armed(&who.actor1) || gunmen_in_clause(sent, c)) =>
        {
            SubEventType::LootingPropertyDestruction
        }
        // "انطلقت تظاهرة في البصرة احتجاجا على انقطاع الكهرباء، وتم قطع الطريق بالإطارات المحترقة": a protest the
        // sentence goes on to tell of stones, fire or burning tyres is a violent demonstration (ACLED counts road
        // blocking with burning tyres), unless the act is the protest's grievance ("احتجاجا على إحراق المسجد") or
        // a storming that may be someone else's.
        TriggerType::Sub(SubEventType::PeacefulProtest)
            if !armed(&who.actor1)
                && !armed(&who.actor2)
                && sent.cues(Cue::Riot).any(|h| {
                    h.start >= c.hit.end
                        && !in_place(h.start, h.end)
                        && !matches!(sent.rules.get(h.rule).key.as_str(), "اقتحام" | "حاولوا اقتحام")
                        && {
                            // The grievance words ("احتجاجا على", "تنديدا ب", "رفضا ل") are negation cues, as for
                            // `own_kill`.
                            let (hs, _) = sent.clause_of(h.start);
                            !sent.cues(Cue::Negation).any(|g| g.start >= hs && g.end <= h.start)
                        }
                }) =>
        {
            SubEventType::ViolentDemonstration
        }
        TriggerType::Sub(s) => s,
    })
}

/// "تعرضت دورية للجيش اللبناني لإطلاق نار", "تعرض رتل للقوات التركية لقصف": the subject of تعرض suffered the act
/// named after it with ل; it is the act's target (actor2), not its author, unless the author is named as such.
fn suffered(sent: &Sent<'_>, c: &Candidate, who: &mut Actors) {
    let Some(t) = sent.token_at(c.hit.start) else {
        return;
    };
    let w = rasd_text::fold_str(t.surface(sent.text), rasd_text::Mode::Key);
    if !(w.starts_with('ل') || w.starts_with("ول")) || t.start == c.hit.start {
        return;
    }
    let Some(verb) = sent
        .tokens_before(c.hit.start, 8)
        .filter(|v| v.start >= c.clause.0)
        .find(|v| {
            let v = rasd_text::fold_str(v.surface(sent.text), rasd_text::Mode::Key);
            let v = v.trim_start_matches(['و', 'ف']);
            v.starts_with("تعرض") || v.starts_with("يتعرض")
        })
        .map(|v| v.start)
    else {
        return;
    };
    let subject = who
        .actor1
        .as_ref()
        .is_some_and(|(_, span)| span.is_some_and(|(s, e)| s >= verb && e <= t.start));
    if subject && who.actor2.is_none() {
        who.actor2 = who.actor1.take();
    }
}

/// "الاشتباكات", "المعارك", "المواجهات": a definite noun of fighting, which names a fight already told.
fn the_fight(sent: &Sent<'_>, c: &Candidate) -> bool {
    sent.token_at(c.hit.start).is_some_and(|t| {
        let w = rasd_text::fold_str(t.surface(sent.text), rasd_text::Mode::Key);
        let w = w.trim_start_matches(['و', 'ف']);
        let w = w.strip_prefix('ب').or_else(|| w.strip_prefix('ل')).unwrap_or(w);
        matches!(
            w,
            "الاشتباكات"
                | "الاشتباك"
                | "المعارك"
                | "المواجهات"
                | "لاشتباكات"
                | "لمعارك"
                | "لمواجهات"
        )
    })
}

/// A named source that gives the toll of an act the report told in its own voice is that act's first source ("تجددت
/// المعارك أمس … وقال مصدر عسكري إن 12 … قتلوا في المواجهات": the military source reports the fight).
fn credit_toll_source(e: &mut Event, attribution: &Attribution, text: &str) {
    if e.field_evidence.contains_key("reported_by[0]") {
        return;
    }
    let Some(f) = attribution.frames.first() else { return };
    let Some(ev) = f.span.and_then(|(a, b)| rasd_core::Evidence::from_text(text, a, b)) else {
        return;
    };
    if !e.reported_by.iter().any(|r| r.id == f.source.id) {
        e.reported_by.insert(0, f.source.clone());
    }
    e.field_evidence.insert("reported_by[0]".into(), ev);
}

/// "وأضافت اللجان أن القصف طال أيضا أحياء سكنية": a definite noun of shelling, a strike or a blast, which names the
/// act of that kind just told.
fn the_strike(sent: &Sent<'_>, c: &Candidate) -> bool {
    sent.token_at(c.hit.start).is_some_and(|t| {
        let w = rasd_text::fold_str(t.surface(sent.text), rasd_text::Mode::Key);
        let w = w.trim_start_matches(['و', 'ف']);
        matches!(w, "القصف" | "الغاره" | "الغارات" | "التفجير" | "الانفجار")
    })
}

/// The trigger is "الهجوم" (the attack), definite: an act already told, not a new one, when nothing else is named.
fn the_attack(sent: &Sent<'_>, c: &Candidate) -> bool {
    sent.rules.get(c.hit.rule).key == "هجوم"
        && sent.token_at(c.hit.start).is_some_and(|t| {
            let w = rasd_text::fold_str(t.surface(sent.text), rasd_text::Mode::Key);
            matches!(w.as_str(), "الهجوم" | "والهجوم" | "بالهجوم" | "للهجوم" | "فالهجوم")
        })
}
