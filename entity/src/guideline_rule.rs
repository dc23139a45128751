//! The numbered parts and rules of a guideline version: one row per rule
//! per version. `lineage` is "the same rule" across versions; the row's
//! `uuid` is derived from its version's and its lineage, so that it stays
//! the same while a draft is edited.

use sea_orm::entity::prelude::*;

use crate::value::LocalizedText;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "guideline_rule")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub guideline_version_id: i32,
    pub lineage: Uuid,
    /// "4" for a part, "4.2" for a rule in it.
    pub number: String,
    /// Order within the version, from 0.
    pub position: i32,
    #[sea_orm(column_type = "Json")]
    pub title: LocalizedText,
    #[sea_orm(column_type = "Json")]
    pub text: LocalizedText,
    #[sea_orm(column_type = "Json", nullable)]
    pub commentary: Option<LocalizedText>,
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
}

impl Related<super::guideline_version::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::GuidelineVersion.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
