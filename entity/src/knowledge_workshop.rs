//! The knowledge workshops: three national ones and the European think tank.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "knowledge_workshop")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable across installations: the record's identity in global ids, exports and imports.
    #[sea_orm(unique)]
    pub uuid: Uuid,
    #[sea_orm(unique)]
    pub key: String,
    pub name: String,
    pub country_code: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::workshop_membership::Entity")]
    WorkshopMembership,
    #[sea_orm(has_many = "super::visit::Entity")]
    Visit,
    #[sea_orm(has_many = "super::learning_session::Entity")]
    LearningSession,
    #[sea_orm(has_many = "super::workshop_principle::Entity")]
    WorkshopPrinciple,
    #[sea_orm(has_many = "super::workshop_theme::Entity")]
    WorkshopTheme,
    #[sea_orm(has_many = "super::workshop_goal::Entity")]
    WorkshopGoal,
    #[sea_orm(has_many = "super::workshop_activity::Entity")]
    WorkshopActivity,
}

impl Related<super::workshop_membership::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WorkshopMembership.def()
    }
}

impl Related<super::stakeholder::Entity> for Entity {
    fn to() -> RelationDef {
        super::workshop_membership::Relation::Stakeholder.def()
    }
    fn via() -> Option<RelationDef> {
        Some(
            super::workshop_membership::Relation::KnowledgeWorkshop
                .def()
                .rev(),
        )
    }
}

impl ActiveModelBehavior for ActiveModel {}
