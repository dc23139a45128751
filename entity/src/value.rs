//! Value types stored in columns: string-backed enums (portable across SQLite
//! and PostgreSQL, no database enum types) and localised prose.

use std::collections::BTreeMap;

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Declares a string-backed enum whose stored values are its snake_case names.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))", rename_all = "snake_case")]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// The value stored in the database and used in CSV files.
            #[must_use]
            pub fn as_str(self) -> String {
                self.to_value()
            }

            /// Every stored value, in declaration order (for CHECK constraints and messages).
            #[must_use]
            pub fn all_values() -> Vec<String> {
                <Self as sea_orm::Iterable>::iter().map(|v| v.to_value()).collect()
            }

            /// Parses a stored value.
            #[must_use]
            pub fn parse(value: &str) -> Option<Self> {
                <Self as sea_orm::Iterable>::iter().find(|v| v.to_value() == value)
            }
        }
    };
}

string_enum!(
    /// What kind of small-scale facility this is.
    FacilityType {
        DetentionHouse,
        TransitionHouse,
        YouthSmallScale,
        CommunityCustodyUnit,
        HalfwayHouse,
        OpenPrison,
        MotherChildUnit,
        Other,
    }
);

string_enum!(
    /// A register that names facilities: what an external reference's value is a key of.
    RefScheme { Rescaled, PrisonInsider, Wikidata, Osm, Other }
);

string_enum!(
    /// Whether a facility runs today.
    FacilityStatus { Open, Planned, Closed }
);

string_enum!(
    /// Who manages a facility.
    ManagedBy { NationalPrisonAdministration, OtherPublic, Ngo, Private }
);

string_enum!(
    /// Who lives in a facility, as sources describe it: by gender, or "youth"
    /// where a source names only the age group.
    Population { Men, Women, Mixed, Youth }
);

string_enum!(
    /// The age group a facility is for.
    TargetAge { Adults, Youth, YoungAdults, All }
);

string_enum!(
    /// How open a facility's regime is.
    Regime { Open, SemiOpen, Closed }
);

string_enum!(
    /// How exactly a facility's coordinates place it: on the building, in
    /// its street, anywhere in its city (a city centre), or in its region.
    LocationPrecision { Exact, Street, City, Region }
);

string_enum!(
    /// The facts of a facility that a source can support.
    FacilityFact {
        Name,
        Location,
        FacilityType,
        Status,
        Capacity,
        OpenedYear,
        Operator,
        ManagedBy,
        Population,
        TargetAge,
        Regime,
        SecurityLevel,
        Principles,
        SocialEnterprise,
        Description,
        Ecosystem,
    }
);

string_enum!(
    /// The security level a source gives for a facility.
    SecurityLevel { Low, Medium, High }
);

string_enum!(
    /// The RESCALED principles.
    Principle { SmallScale, Differentiation, CommunityIntegration }
);

string_enum!(
    /// The nine dimensions of a small-scale facility's ecosystem.
    EcosystemDimension {
        Architecture,
        SocialClimate,
        Security,
        CommunityIntegration,
        Sustainability,
        Work,
        IndividualNeeds,
        StaffWellbeing,
        Technology,
    }
);

string_enum!(
    /// Where a learning session is held.
    SessionLevel { National, European }
);

string_enum!(
    /// What a learning session is about.
    SessionTopic { Ecosystem, RelationalSecurity }
);

string_enum!(
    /// The principles a knowledge workshop is built on, as the project names them.
    WorkshopPrinciple {
        FutureOriented,
        InclusiveMultidisciplinary,
        Collaboration,
        AddedValue,
        ConnectingTheDots,
        EyeForThePublic,
    }
);

string_enum!(
    /// The kinds of activity a workshop's change agenda attaches to its
    /// goals, as the project names them.
    AgendaActivityKind {
        LastingConnection,
        Research,
        SpreadingKnowledge,
        PolicyDevelopment,
        StakeholderSupport,
        ChangingPerceptionOfSanctions,
    }
);

string_enum!(
    /// Where an activity of a change agenda stands.
    AgendaActivityStatus { Planned, UnderWay, Done, Dropped }
);

string_enum!(
    /// The perspective a stakeholder brings.
    StakeholderKind { Practice, Policy, Research, LivedExperience, Education, Community }
);

string_enum!(
    /// What a member does in a knowledge workshop's network, as the
    /// project speaks of it: the workshop's coordinator, its partners, and
    /// its members. A role says what one does, not how much one's voice
    /// weighs: every member has an equal voice.
    MemberRole { Coordinator, Partner, Member }
);

string_enum!(
    /// The discipline a stakeholder works in, for a network's balance.
    Discipline {
        Law,
        Criminology,
        Psychology,
        SocialWork,
        HealthCare,
        Education,
        Architecture,
        PublicAdministration,
        Security,
        Other,
    }
);

string_enum!(
    /// A stakeholder's gender, recorded only with their consent.
    Gender { Woman, Man, NonBinary, Other }
);

string_enum!(
    /// A stakeholder's age band, recorded only with their consent.
    AgeBand { Under25, From25To34, From35To44, From45To54, From55To64, From65 }
);

string_enum!(
    /// The life cycle of a guideline version: one way, DRAFT to ADOPTED.
    GuidelineStatus { Draft, Consultation, Adopted }
);

string_enum!(
    /// The kinds of record the audit log and the change feed name.
    AuditEntity {
        Facility,
        Visit,
        LearningSession,
        Stakeholder,
        GuidelineVersion,
        Organisation,
        Proposal,
        Resource,
        KnowledgeWorkshop,
        ConsultationComment,
        CompetenceArea,
        Competence,
        WebhookEndpoint,
    }
);

string_enum!(
    /// Where a consultation comment stands: open until an editor answers
    /// it with one of the four marks, or its author withdraws it.
    CommentStatus {
        Open,
        Accepted,
        PartlyAccepted,
        NotAccepted,
        OutOfScope,
        Withdrawn,
    }
);

string_enum!(
    /// What a proposal proposes.
    ProposalKind { Change, NewFacility }
);

string_enum!(
    /// Where a proposal stands: pending until an editor approves or rejects
    /// it, or its organisation withdraws it.
    ProposalStatus { Pending, Approved, Rejected, Withdrawn }
);

string_enum!(
    /// What kind of work a resource of the knowledge library is.
    ResourceKind {
        Report,
        Study,
        Article,
        Book,
        Video,
        Podcast,
        Toolkit,
        TrainingMaterial,
        PolicyText,
        Dataset,
        Other,
    }
);

string_enum!(
    /// What a write did to a record.
    AuditAction { Created, Updated, Deleted, Erased }
);

string_enum!(
    /// The one role type: what a token's `role` claim names (partner, editor
    /// or admin), what `wish-api token --role` signs, what GraphQL reports,
    /// and who wrote in the audit log, where `system` is the command line.
    Role { Partner, Editor, Admin, System }
);

impl Role {
    /// The roles a token may carry: every role but the command line's.
    pub const OF_TOKENS: [Role; 3] = [Role::Partner, Role::Editor, Role::Admin];

    /// Editors, admins and the command line write all content and read drafts.
    #[must_use]
    pub fn writes_all_content(self) -> bool {
        self != Role::Partner
    }

    /// Admins and the command line delete and read the audit log.
    #[must_use]
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Admin | Role::System)
    }
}

/// Prose in several languages, keyed by ISO 639-1 code (`en`, `fr`, `nl`, `es`).
/// English is the reference text that the others fall back to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct LocalizedText(pub BTreeMap<String, String>);

impl LocalizedText {
    /// The text in `lang`, else in English, else in any language it has.
    #[must_use]
    pub fn get(&self, lang: &str) -> Option<&str> {
        self.served(lang).map(|(_, text)| text)
    }

    /// What [`get`](Self::get) serves, with the code of its language.
    #[must_use]
    pub fn served(&self, lang: &str) -> Option<(&str, &str)> {
        self.0
            .get_key_value(lang)
            .or_else(|| self.0.get_key_value("en"))
            .or_else(|| self.0.iter().next())
            .map(|(code, text)| (code.as_str(), text.as_str()))
    }

    /// English text only.
    #[must_use]
    pub fn english(text: impl Into<String>) -> Self {
        Self(BTreeMap::from([("en".to_owned(), text.into())]))
    }
}

/// Where facts of a record come from: a document on the web, who published
/// it, when it was read, and which facts it supports (none named: the
/// record as a whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_on: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supports: Vec<FacilityFact>,
}

impl Source {
    /// A source known only by its address.
    #[must_use]
    pub fn at(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            title: None,
            publisher: None,
            read_on: None,
            supports: Vec::new(),
        }
    }
}

/// The sources of a record, in the order its editors gave them: the first is
/// the one the record was made from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct Sources(pub Vec<Source>);

string_enum!(
    /// Where a webhook delivery stands: waiting to be sent (or sent again),
    /// answered with a 2xx, or given up on.
    DeliveryStatus { Pending, Delivered, Failed }
);
