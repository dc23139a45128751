//! The goals of a knowledge workshop's change agenda, in the workshop's order.

use sea_orm::entity::prelude::*;

use crate::value::LocalizedText;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workshop_goal")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub workshop_id: i32,
    /// From 1, in the order the workshop lists its goals.
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
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
