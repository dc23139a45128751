//! A competence of relational security: what professionals in small-scale
//! detention need to know and be able to do, so that (new) staff can be
//! trained in it.

use sea_orm::entity::prelude::*;

use crate::value::LocalizedText;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "competence")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable across installations: the record's identity in global ids, exports and imports.
    #[sea_orm(unique)]
    pub uuid: Uuid,
    /// Stable, readable key (`de-escalation`): what filters and links name.
    #[sea_orm(unique)]
    pub key: String,
    pub area_id: i32,
    /// Where it goes within its area.
    pub position: i32,
    pub name: LocalizedText,
    pub description: Option<LocalizedText>,
    /// Key, names and descriptions folded, to search.
    #[serde(skip)]
    pub search_text: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::competence_area::Entity",
        from = "Column::AreaId",
        to = "super::competence_area::Column::Id",
        on_delete = "Restrict"
    )]
    CompetenceArea,
}

impl Related<super::competence_area::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CompetenceArea.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
