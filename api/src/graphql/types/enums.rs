//! GraphQL enums. Those stored in the database mirror the entity enums
//! through `remote`, which generates the conversions both ways.

use async_graphql::Enum;
use entity::value as db;

/// What kind of small-scale facility this is.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::FacilityType")]
pub enum FacilityType {
    /// A detention house: a small unit in the community for people serving a sentence (Belgium's "detentiehuis").
    DetentionHouse,
    /// A transition house: a small unit that prepares people for release.
    TransitionHouse,
    /// A small-scale facility for young people.
    YouthSmallScale,
    /// A community custody unit.
    CommunityCustodyUnit,
    /// A halfway house between prison and release.
    HalfwayHouse,
    /// A small open prison.
    OpenPrison,
    /// A unit where mothers in custody live with their young children.
    MotherChildUnit,
    /// Another kind of small-scale facility.
    Other,
}

/// Whether a facility runs today.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::FacilityStatus")]
pub enum FacilityStatus {
    /// Open and receiving people.
    Open,
    /// Announced or being built.
    Planned,
    /// No longer in use.
    Closed,
}

/// Who manages a facility.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::ManagedBy")]
pub enum ManagedBy {
    /// The national prison administration.
    NationalPrisonAdministration,
    /// Another public body (a region, a municipality, a youth-care agency).
    OtherPublic,
    /// A non-governmental organisation.
    Ngo,
    /// A private operator.
    Private,
}

/// Who lives in a facility as its source describes it: by gender, or only "youth".
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::Population")]
pub enum Population {
    /// Men.
    Men,
    /// Women.
    Women,
    /// Men and women.
    Mixed,
    /// Young people; the source does not say more.
    Youth,
}

/// The target group of a facility by gender.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum TargetGender {
    /// Men.
    Men,
    /// Women.
    Women,
    /// Men and women.
    Mixed,
}

impl TargetGender {
    #[must_use]
    pub fn from_population(population: db::Population) -> Option<Self> {
        match population {
            db::Population::Men => Some(Self::Men),
            db::Population::Women => Some(Self::Women),
            db::Population::Mixed => Some(Self::Mixed),
            db::Population::Youth => None,
        }
    }

    #[must_use]
    pub fn population(self) -> db::Population {
        match self {
            Self::Men => db::Population::Men,
            Self::Women => db::Population::Women,
            Self::Mixed => db::Population::Mixed,
        }
    }
}

/// The target group of a facility by age.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::TargetAge")]
pub enum TargetAge {
    /// Adults.
    Adults,
    /// Minors.
    Youth,
    /// Young adults (roughly 18 to 25).
    YoungAdults,
    /// Every age.
    All,
}

/// How open a facility's regime is.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::Regime")]
pub enum Regime {
    /// Residents leave and return on their own, for work, training or family.
    Open,
    /// Some leave under conditions.
    SemiOpen,
    /// Residents do not leave without escort.
    Closed,
}

/// The security level a source gives for a facility.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::SecurityLevel")]
pub enum SecurityLevel {
    /// Low security.
    Low,
    /// Medium security.
    Medium,
    /// High security.
    High,
}

/// The principles of the RESCALED movement.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::Principle")]
pub enum Principle {
    /// Small scale: a few dozen people at most.
    SmallScale,
    /// Differentiation: the right place and security for each person.
    Differentiation,
    /// Community integration: a facility that is part of its neighbourhood.
    CommunityIntegration,
}

/// The nine dimensions of a small-scale facility's ecosystem that WISH-EU studies.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::EcosystemDimension")]
pub enum EcosystemDimension {
    /// The building and its place in its surroundings.
    Architecture,
    /// The relations and atmosphere among residents and staff.
    SocialClimate,
    /// Safety, from relationships more than from walls.
    Security,
    /// Ties with the neighbourhood and local services.
    CommunityIntegration,
    /// Environmental and financial sustainability.
    Sustainability,
    /// Work, training and daily activity.
    Work,
    /// Care for each person's needs.
    IndividualNeeds,
    /// The wellbeing of staff.
    StaffWellbeing,
    /// The use of technology.
    Technology,
}

/// The life cycle of a guideline version: DRAFT, then CONSULTATION, then ADOPTED.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::GuidelineStatus")]
pub enum GuidelineStatus {
    /// Being written; editors and admins only.
    Draft,
    /// Published for consultation; its text no longer changes.
    Consultation,
    /// Adopted; its text no longer changes.
    Adopted,
}

/// The perspective a stakeholder brings.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::StakeholderKind")]
pub enum StakeholderKind {
    /// Practitioners working in detention.
    Practice,
    /// Policy makers.
    Policy,
    /// Researchers.
    Research,
    /// People with lived experience of detention.
    LivedExperience,
    /// Education and training.
    Education,
    /// The community around a facility.
    Community,
}

/// Orders of a facility list. Ties are broken by id, so pages are stable.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum FacilityOrder {
    /// By name, A to Z, ignoring case and accents.
    NameAsc,
    /// By name, Z to A, ignoring case and accents.
    NameDesc,
    /// Smallest capacity first; unknown capacities last.
    CapacityAsc,
    /// Largest capacity first; unknown capacities last.
    CapacityDesc,
    /// Oldest first; unknown opening years last.
    OpenedAsc,
    /// Newest first; unknown opening years last.
    OpenedDesc,
    /// Most recently changed first.
    UpdatedDesc,
}

impl From<FacilityOrder> for crate::service::facility::Ordering {
    fn from(order: FacilityOrder) -> Self {
        match order {
            FacilityOrder::NameAsc => Self::NameAsc,
            FacilityOrder::NameDesc => Self::NameDesc,
            FacilityOrder::CapacityAsc => Self::CapacityAsc,
            FacilityOrder::CapacityDesc => Self::CapacityDesc,
            FacilityOrder::OpenedAsc => Self::OpenedAsc,
            FacilityOrder::OpenedDesc => Self::OpenedDesc,
            FacilityOrder::UpdatedDesc => Self::UpdatedDesc,
        }
    }
}

/// Where a learning session is held.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::SessionLevel")]
pub enum SessionLevel {
    /// Organised by a national knowledge workshop.
    National,
    /// Organised at European level.
    European,
}

/// What a learning session is about.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::SessionTopic")]
pub enum SessionTopic {
    /// The ecosystem of small-scale detention facilities.
    Ecosystem,
    /// Relational security.
    RelationalSecurity,
}

/// How a line of a diff relates the two versions.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum DiffLineKind {
    /// In both versions.
    Context,
    /// Only in the newer version.
    Added,
    /// Only in the older version.
    Removed,
}
