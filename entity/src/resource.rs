//! The knowledge library: reports, studies, videos, toolkits and other works
//! that hold what is known about small-scale detention.

use sea_orm::entity::prelude::*;

use crate::value::{LocalizedText, ResourceKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "resource")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable across installations: the record's identity in global ids, exports and imports.
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub kind: ResourceKind,
    pub title: LocalizedText,
    pub summary: Option<LocalizedText>,
    pub publisher: Option<String>,
    /// The year of publication, also when the day is not known.
    pub published_year: Option<i32>,
    /// The day of publication, when known; its year is `published_year`.
    pub published_on: Option<Date>,
    pub url: Option<String>,
    pub licence: Option<String>,
    pub open_access: Option<bool>,
    /// The English title folded, to order by.
    #[serde(skip)]
    pub sort_title: String,
    /// Titles, summaries, publisher and organisation authors folded, to search.
    #[serde(skip)]
    pub search_text: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::resource_author::Entity")]
    ResourceAuthor,
}

impl Related<super::resource_author::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ResourceAuthor.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
