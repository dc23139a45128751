//! Provenance: the learning sessions that informed a guideline version.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "guideline_version_session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub guideline_version_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub session_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::guideline_version::Entity",
        from = "Column::GuidelineVersionId",
        to = "super::guideline_version::Column::Id",
        on_delete = "Cascade"
    )]
    GuidelineVersion,
    #[sea_orm(
        belongs_to = "super::learning_session::Entity",
        from = "Column::SessionId",
        to = "super::learning_session::Column::Id"
    )]
    LearningSession,
}

impl Related<super::guideline_version::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::GuidelineVersion.def()
    }
}

impl Related<super::learning_session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::LearningSession.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
