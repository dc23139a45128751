//! The two texts the project writes: `ecosystem-rules` and `relational-security`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "guideline")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable across installations: the record's identity in global ids, exports and imports.
    #[sea_orm(unique)]
    pub uuid: Uuid,
    #[sea_orm(unique)]
    pub key: String,
    pub title: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::guideline_version::Entity")]
    GuidelineVersion,
}

impl Related<super::guideline_version::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::GuidelineVersion.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
