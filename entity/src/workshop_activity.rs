//! The activities attached to the goals of a knowledge workshop's change
//! agenda; a goal is named by its position, as the agenda is written whole.

use sea_orm::entity::prelude::*;

use crate::value::{AgendaActivityKind, AgendaActivityStatus, LocalizedText};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workshop_activity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub workshop_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub goal_position: i32,
    /// From 1, in the order the goal lists its activities.
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub kind: AgendaActivityKind,
    pub title: LocalizedText,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub status: AgendaActivityStatus,
    pub outcome: Option<LocalizedText>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::knowledge_workshop::Entity",
        from = "Column::WorkshopId",
        to = "super::knowledge_workshop::Column::Id",
        on_delete = "Cascade"
    )]
    KnowledgeWorkshop,
}

impl Related<super::knowledge_workshop::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::KnowledgeWorkshop.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
