//! A comment made during the consultation on a guideline version, on one of
//! its rules or on the version as a whole, with the editors' answer.

use sea_orm::entity::prelude::*;

use crate::value::CommentStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "consultation_comment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable across installations: the record's identity in global ids.
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub guideline_version_id: i32,
    /// The rule it is about; none for the version as a whole.
    pub rule_id: Option<i32>,
    /// The commenting organisation: a partner's; none for an editor or admin.
    pub organisation_id: Option<i32>,
    /// The `sub` of the token that made it.
    pub author: Option<String>,
    /// The person who speaks through it, shown only as their consent allows.
    pub stakeholder_id: Option<i32>,
    pub text: String,
    pub status: CommentStatus,
    /// The editors' answer.
    pub answer: Option<String>,
    /// The `sub` of the editor who answered.
    pub answered_by: Option<String>,
    pub answered_at: Option<DateTimeUtc>,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
