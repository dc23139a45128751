//! Stakeholders who took part in a visit.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "visit_participant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub visit_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub stakeholder_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::visit::Entity",
        from = "Column::VisitId",
        to = "super::visit::Column::Id",
        on_delete = "Cascade"
    )]
    Visit,
    #[sea_orm(
        belongs_to = "super::stakeholder::Entity",
        from = "Column::StakeholderId",
        to = "super::stakeholder::Column::Id"
    )]
    Stakeholder,
}

impl Related<super::visit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Visit.def()
    }
}

impl Related<super::stakeholder::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Stakeholder.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
