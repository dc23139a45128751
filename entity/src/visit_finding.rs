//! What a visit found, per ecosystem dimension.

use sea_orm::entity::prelude::*;

use crate::value::EcosystemDimension;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "visit_finding")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub visit_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub dimension: EcosystemDimension,
    pub note: String,
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
}

impl Related<super::visit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Visit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
