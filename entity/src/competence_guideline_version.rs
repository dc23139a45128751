//! A link of the competence framework: the guideline versions that treat a competence.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "competence_guideline_version")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub competence_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub guideline_version_id: i32,
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
        belongs_to = "super::guideline_version::Entity",
        from = "Column::GuidelineVersionId",
        to = "super::guideline_version::Column::Id",
        on_delete = "Cascade"
    )]
    GuidelineVersion,
}

impl Related<super::competence::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Competence.def()
    }
}

impl Related<super::guideline_version::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::GuidelineVersion.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
