//! Which stakeholders belong to which knowledge workshop, in which role.

use sea_orm::entity::prelude::*;

use crate::value::MemberRole;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workshop_membership")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub workshop_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub stakeholder_id: i32,
    /// What they do in the workshop's network.
    pub role: MemberRole,
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
    #[sea_orm(
        belongs_to = "super::stakeholder::Entity",
        from = "Column::StakeholderId",
        to = "super::stakeholder::Column::Id",
        on_delete = "Cascade"
    )]
    Stakeholder,
}

impl Related<super::knowledge_workshop::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::KnowledgeWorkshop.def()
    }
}

impl Related<super::stakeholder::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Stakeholder.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
