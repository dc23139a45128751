//! Stakeholders who took part in a learning session.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "learning_session_participant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub session_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub stakeholder_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::learning_session::Entity",
        from = "Column::SessionId",
        to = "super::learning_session::Column::Id",
        on_delete = "Cascade"
    )]
    LearningSession,
    #[sea_orm(
        belongs_to = "super::stakeholder::Entity",
        from = "Column::StakeholderId",
        to = "super::stakeholder::Column::Id"
    )]
    Stakeholder,
}

impl Related<super::learning_session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::LearningSession.def()
    }
}

impl Related<super::stakeholder::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Stakeholder.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
