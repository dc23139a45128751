//! A rule's provenance: the learning sessions that informed it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "guideline_rule_session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub rule_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub session_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::guideline_rule::Entity",
        from = "Column::RuleId",
        to = "super::guideline_rule::Column::Id",
        on_delete = "Cascade"
    )]
    Rule,
    #[sea_orm(
        belongs_to = "super::learning_session::Entity",
        from = "Column::SessionId",
        to = "super::learning_session::Column::Id",
        on_delete = "Cascade"
    )]
    Target,
}

impl Related<super::learning_session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Target.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
