//! A link of the competence framework: the learning sessions that treated a competence.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "competence_learning_session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub competence_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub learning_session_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::competence::Entity",
        from = "Column::CompetenceId",
        to = "super::competence::Column::Id",
        on_delete = "Cascade"
    )]
    Competence,
    #[sea_orm(
        belongs_to = "super::learning_session::Entity",
        from = "Column::LearningSessionId",
        to = "super::learning_session::Column::Id",
        on_delete = "Cascade"
    )]
    LearningSession,
}

impl Related<super::competence::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Competence.def()
    }
}

impl Related<super::learning_session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::LearningSession.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
