//! Study visits to facilities.

use sea_orm::entity::prelude::*;

use crate::value::LocalizedText;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "visit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable across installations: the record's identity in global ids, exports and imports.
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub facility_id: i32,
    pub visited_on: Date,
    pub workshop_id: Option<i32>,
    pub summary: Option<LocalizedText>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::facility::Entity",
        from = "Column::FacilityId",
        to = "super::facility::Column::Id"
    )]
    Facility,
    #[sea_orm(
        belongs_to = "super::knowledge_workshop::Entity",
        from = "Column::WorkshopId",
        to = "super::knowledge_workshop::Column::Id",
        on_delete = "SetNull"
    )]
    KnowledgeWorkshop,
    #[sea_orm(has_many = "super::visit_participant::Entity")]
    VisitParticipant,
    #[sea_orm(has_many = "super::visit_finding::Entity")]
    VisitFinding,
}

impl Related<super::facility::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Facility.def()
    }
}

impl Related<super::knowledge_workshop::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::KnowledgeWorkshop.def()
    }
}

impl Related<super::visit_finding::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::VisitFinding.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
