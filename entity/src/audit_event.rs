//! The audit log: who wrote what, when, with the state before and after.

use sea_orm::entity::prelude::*;

use crate::value::{AuditAction, AuditEntity, Role};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    /// Also the position in the change feed: ids follow commit order.
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    pub actor_subject: Option<String>,
    pub actor_role: Role,
    pub actor_organisation: Option<String>,
    pub entity_type: AuditEntity,
    pub entity_id: i32,
    pub action: AuditAction,
    /// The record's `version` after the write; none after a delete.
    pub entity_version: Option<i32>,
    /// Whether the change is of public data, and so belongs in the change feed.
    pub public: bool,
    pub before_state: Option<Json>,
    pub after_state: Option<Json>,
    /// `api` for GraphQL writes, `import` for bulk imports, `cli` for the command line.
    pub origin: String,
    /// The proposal an approved write applied.
    pub proposal_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
