//! Numbered versions of a guideline; immutable once they leave DRAFT.

use sea_orm::entity::prelude::*;

use crate::value::GuidelineStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "guideline_version")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable across installations: the record's identity in global ids, exports and imports.
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub guideline_id: i32,
    /// Gapless per guideline, starting at 1.
    pub number: i32,
    pub status: GuidelineStatus,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub published_on: Option<Date>,
    pub search_text: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::guideline::Entity",
        from = "Column::GuidelineId",
        to = "super::guideline::Column::Id"
    )]
    Guideline,
}

impl Related<super::guideline::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Guideline.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
