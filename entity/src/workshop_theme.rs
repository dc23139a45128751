//! The themes a knowledge workshop focuses on: the project's two, as learning sessions name them.

use sea_orm::entity::prelude::*;

use crate::value::SessionTopic;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workshop_theme")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub workshop_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub theme: SessionTopic,
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
