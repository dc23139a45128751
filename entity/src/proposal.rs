//! A partner's proposed change to a facility, or proposed new facility,
//! waiting for an editor's review.

use sea_orm::entity::prelude::*;

use crate::value::{ProposalKind, ProposalStatus};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "proposal")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable across installations: the record's identity in global ids.
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub kind: ProposalKind,
    pub status: ProposalStatus,
    /// The facility it changes, or, once a new one is approved, the facility
    /// it made; none for a pending new one, or a facility deleted since.
    pub facility_id: Option<i32>,
    /// The proposing organisation.
    pub organisation_id: i32,
    /// The `sub` of the token that proposed it.
    pub proposed_by: Option<String>,
    /// The changes as the caller sent them: a `FacilityPatch` (or, for a new
    /// facility, a `FacilityInput`) as GraphQL JSON.
    pub changes: Json,
    /// The facility's version when proposed, or when an editor resolved it.
    pub base_version: Option<i32>,
    /// The facility's fields at `base_version`, as the audit log shows them.
    pub base: Option<Json>,
    /// The fields the facility would have with the changes applied to `base`.
    pub proposed: Json,
    pub reason: String,
    /// Where the proposed facts come from: a `Source` as JSON.
    pub source: Json,
    /// Why an editor rejected it.
    pub decision_reason: Option<String>,
    /// The `sub` of whoever decided it (or withdrew it).
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    /// The facility's version the approval wrote.
    pub applied_version: Option<i32>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
