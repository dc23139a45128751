//! People and organisations taking part in the knowledge workshops.

use sea_orm::entity::prelude::*;

use crate::value::{AgeBand, Discipline, Gender, StakeholderKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "stakeholder")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable across installations: the record's identity in global ids, exports and imports.
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub name: String,
    pub kind: StakeholderKind,
    pub organisation: Option<String>,
    pub country_code: Option<String>,
    /// Personal data: editors and admins only.
    pub email: Option<String>,
    /// Personal data: editors and admins only.
    pub phone: Option<String>,
    /// Name folded to lower-case ASCII, so that both databases order alike.
    pub sort_name: String,
    /// Public fields folded to lower-case ASCII; never holds email or phone.
    pub search_text: String,
    /// Whether their name may be public: without it, only editors and
    /// admins see them as a record, and others as an anonymous participant.
    pub consent_name: bool,
    /// Whether their organisation and country may be public.
    pub consent_affiliation: bool,
    /// Whether their kind may be public.
    pub consent_kind: bool,
    /// When the consent was last recorded; none while it never was.
    pub consent_recorded_at: Option<DateTimeUtc>,
    /// The subject of the token that recorded it.
    pub consent_recorded_by: Option<String>,
    /// When the person was erased: the row stays, anonymous, so that the
    /// visits and sessions they took part in stay whole.
    pub erased_at: Option<DateTimeUtc>,
    /// The discipline they work in. Personal data: editors and admins only;
    /// others see it only counted, in a workshop's balance.
    pub discipline: Option<Discipline>,
    /// Personal data, recorded only with `consent_demographics`.
    pub gender: Option<Gender>,
    /// Personal data, recorded only with `consent_demographics`.
    pub age_band: Option<AgeBand>,
    /// Whether they agreed that their gender and age band be recorded, to be
    /// counted in the balance of the workshops they belong to.
    pub consent_demographics: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::workshop_membership::Entity")]
    WorkshopMembership,
}

impl Related<super::workshop_membership::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WorkshopMembership.def()
    }
}

impl Related<super::knowledge_workshop::Entity> for Entity {
    fn to() -> RelationDef {
        super::workshop_membership::Relation::KnowledgeWorkshop.def()
    }
    fn via() -> Option<RelationDef> {
        Some(
            super::workshop_membership::Relation::Stakeholder
                .def()
                .rev(),
        )
    }
}

impl ActiveModelBehavior for ActiveModel {}
