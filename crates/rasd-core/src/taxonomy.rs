use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// ACLED's six event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventType {
    #[serde(rename = "Battles")]
    Battles,
    #[serde(rename = "Explosions/Remote violence")]
    ExplosionsRemoteViolence,
    #[serde(rename = "Violence against civilians")]
    ViolenceAgainstCivilians,
    #[serde(rename = "Protests")]
    Protests,
    #[serde(rename = "Riots")]
    Riots,
    #[serde(rename = "Strategic developments")]
    StrategicDevelopments,
}

impl EventType {
    pub const fn name(self) -> &'static str {
        match self {
            EventType::Battles => "Battles",
            EventType::ExplosionsRemoteViolence => "Explosions/Remote violence",
            EventType::ViolenceAgainstCivilians => "Violence against civilians",
            EventType::Protests => "Protests",
            EventType::Riots => "Riots",
            EventType::StrategicDevelopments => "Strategic developments",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

macro_rules! sub_event_types {
    ($($variant:ident => $name:literal, $parent:ident;)*) => {
        /// ACLED's 25 sub-event types. The serialized form is ACLED's own name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum SubEventType {
            $(#[serde(rename = $name)] $variant,)*
        }

        impl SubEventType {
            /// Every sub-event type, in ACLED's order.
            pub const ALL: &'static [SubEventType] = &[$(SubEventType::$variant,)*];

            /// ACLED's name, e.g. "Government regains territory".
            pub const fn name(self) -> &'static str {
                match self { $(SubEventType::$variant => $name,)* }
            }

            /// The parent event type.
            pub const fn event_type(self) -> EventType {
                match self { $(SubEventType::$variant => EventType::$parent,)* }
            }
        }
    };
}

sub_event_types! {
    ArmedClash => "Armed clash", Battles;
    GovernmentRegainsTerritory => "Government regains territory", Battles;
    NonStateActorOvertakesTerritory => "Non-state actor overtakes territory", Battles;
    ChemicalWeapon => "Chemical weapon", ExplosionsRemoteViolence;
    AirDroneStrike => "Air/drone strike", ExplosionsRemoteViolence;
    SuicideBomb => "Suicide bomb", ExplosionsRemoteViolence;
    ShellingArtilleryMissile => "Shelling/artillery/missile attack", ExplosionsRemoteViolence;
    RemoteExplosive => "Remote explosive/landmine/IED", ExplosionsRemoteViolence;
    Grenade => "Grenade", ExplosionsRemoteViolence;
    SexualViolence => "Sexual violence", ViolenceAgainstCivilians;
    Attack => "Attack", ViolenceAgainstCivilians;
    Abduction => "Abduction/forced disappearance", ViolenceAgainstCivilians;
    PeacefulProtest => "Peaceful protest", Protests;
    ProtestWithIntervention => "Protest with intervention", Protests;
    ExcessiveForceAgainstProtesters => "Excessive force against protesters", Protests;
    ViolentDemonstration => "Violent demonstration", Riots;
    MobViolence => "Mob violence", Riots;
    Agreement => "Agreement", StrategicDevelopments;
    Arrests => "Arrests", StrategicDevelopments;
    ChangeToGroupActivity => "Change to group/activity", StrategicDevelopments;
    DisruptedWeaponsUse => "Disrupted weapons use", StrategicDevelopments;
    HeadquartersOrBaseEstablished => "Headquarters or base established", StrategicDevelopments;
    LootingPropertyDestruction => "Looting/property destruction", StrategicDevelopments;
    NonViolentTransferOfTerritory => "Non-violent transfer of territory", StrategicDevelopments;
    Other => "Other", StrategicDevelopments;
}

impl fmt::Display for SubEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A string that is not one of ACLED's 25 sub-event type names.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown ACLED sub-event type {0:?}")]
pub struct UnknownSubEventType(pub String);

impl FromStr for SubEventType {
    type Err = UnknownSubEventType;

    /// Accepts ACLED's name, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        SubEventType::ALL
            .iter()
            .copied()
            .find(|t| t.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownSubEventType(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_five_sub_types_six_types() {
        assert_eq!(SubEventType::ALL.len(), 25);
        let mut parents: Vec<_> = SubEventType::ALL.iter().map(|t| t.event_type()).collect();
        parents.dedup();
        assert_eq!(parents.len(), 6);
    }

    #[test]
    fn names_round_trip_through_json_and_from_str() {
        for t in SubEventType::ALL {
            let json = serde_json::to_string(t).expect("serializes");
            assert_eq!(json, format!("\"{}\"", t.name()));
            assert_eq!(t.name().parse::<SubEventType>().ok(), Some(*t));
        }
        assert!("Airstrike".parse::<SubEventType>().is_err());
    }
}
