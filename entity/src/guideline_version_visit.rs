//! Provenance: the visits that informed a guideline version.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "guideline_version_visit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub guideline_version_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub visit_id: i32,
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
        belongs_to = "super::visit::Entity",
        from = "Column::VisitId",
        to = "super::visit::Column::Id"
    )]
    Visit,
}

impl Related<super::guideline_version::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::GuidelineVersion.def()
    }
}

impl Related<super::visit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Visit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
