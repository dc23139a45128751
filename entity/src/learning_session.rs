//! Expert learning sessions, national or European.

use sea_orm::entity::prelude::*;

use crate::value::{LocalizedText, SessionLevel, SessionTopic};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "learning_session")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable across installations: the record's identity in global ids, exports and imports.
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub title: String,
    pub held_on: Date,
    pub level: SessionLevel,
    pub country_code: Option<String>,
    pub topic: SessionTopic,
    pub workshop_id: Option<i32>,
    pub outcomes: Option<LocalizedText>,
    pub search_text: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::knowledge_workshop::Entity",
        from = "Column::WorkshopId",
        to = "super::knowledge_workshop::Column::Id",
        on_delete = "SetNull"
    )]
    KnowledgeWorkshop,
    #[sea_orm(has_many = "super::learning_session_participant::Entity")]
    LearningSessionParticipant,
}

impl Related<super::knowledge_workshop::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::KnowledgeWorkshop.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
