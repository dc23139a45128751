//! A link of the knowledge library: the learning sessions a resource came out of.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resource_learning_session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub resource_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub learning_session_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::resource::Entity",
        from = "Column::ResourceId",
        to = "super::resource::Column::Id",
        on_delete = "Cascade"
    )]
    Resource,
    #[sea_orm(
        belongs_to = "super::learning_session::Entity",
        from = "Column::LearningSessionId",
        to = "super::learning_session::Column::Id",
        on_delete = "Cascade"
    )]
    LearningSession,
}

impl Related<super::resource::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Resource.def()
    }
}

impl Related<super::learning_session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::LearningSession.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
