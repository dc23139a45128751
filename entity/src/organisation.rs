//! Partner organisations: the `org` claim of a partner's token names one by
//! slug; a suspended one's tokens are refused.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "organisation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable across installations: the record's identity in global ids, exports and imports.
    #[sea_orm(unique)]
    pub uuid: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub website: Option<String>,
    /// An address to reach the organisation at; admins only.
    pub contact: Option<String>,
    /// Since when its tokens are refused; none while it is in good standing.
    pub suspended_at: Option<DateTimeUtc>,
    /// Whether an editor reviews its changes to facilities before they
    /// apply: its partners propose instead of writing.
    pub review_first: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::facility::Entity")]
    Facility,
}

impl Related<super::facility::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Facility.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
