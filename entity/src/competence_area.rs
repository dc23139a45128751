//! The areas of the competence framework of relational security: each
//! groups the competences professionals need for one part of the work.

use sea_orm::entity::prelude::*;

use crate::value::LocalizedText;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "competence_area")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable across installations: the record's identity in global ids, exports and imports.
    #[sea_orm(unique)]
    pub uuid: Uuid,
    /// Stable, readable key (`de-escalation`): what filters and links name.
    #[sea_orm(unique)]
    pub key: String,
    /// Where it goes in the framework's order.
    pub position: i32,
    pub name: LocalizedText,
    pub description: Option<LocalizedText>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::competence::Entity")]
    Competence,
}

impl Related<super::competence::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Competence.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
