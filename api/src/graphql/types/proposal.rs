//! Partners' proposals to change a facility, or to add one, as editors
//! review them.

use async_graphql::{Context, Enum, ID, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::proposal;
use entity::value as db;

use super::connection::connection;
use super::facility::Facility;
use super::organisation::Organisation;
use super::record::record;
use super::revision::Revision;
use super::source::Source;
use crate::auth::Caller;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::loader::{FacilityById, FacilityFieldsOf, OrganisationById};
use crate::service::proposal::{self as service, changed_fields};

record! {
    /// A partner's proposal: a change to a facility, or a new facility, that
    /// an editor approves or rejects. Only editors, admins and the proposing
    /// organisation see it.
    Proposal(proposal::Model)
}

connection!(Proposal, ProposalConnection, ProposalEdge);

impl Proposal {
    /// Whether `caller` may see `proposal`: editors and admins all, a
    /// partner its organisation's.
    #[must_use]
    pub fn visible_to(caller: &Caller, proposal: &proposal::Model) -> bool {
        caller.is_editor()
            || caller
                .organisation_record
                .as_ref()
                .is_some_and(|o| o.id == proposal.organisation_id)
    }
}

/// What a proposal proposes.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::ProposalKind")]
pub enum ProposalKind {
    /// A change to an existing facility.
    Change,
    /// A new facility.
    NewFacility,
}

/// Where a proposal stands.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::ProposalStatus")]
pub enum ProposalStatus {
    /// Waiting for an editor.
    Pending,
    /// An editor applied it.
    Approved,
    /// An editor turned it down, saying why.
    Rejected,
    /// Its organisation took it back.
    Withdrawn,
}

/// A field that a proposal changes and that the facility changed too, to
/// something else, since the proposal was made. Values are as the audit log
/// shows them.
#[derive(SimpleObject, Clone, Debug)]
pub struct ProposalConflict {
    /// The field, as the audit log names it (`capacity`, `sources`).
    pub field: String,
    /// Its value when the proposal was made.
    pub base: Json<serde_json::Value>,
    /// The value the proposal gives it.
    pub proposed: Json<serde_json::Value>,
    /// Its value now.
    pub current: Json<serde_json::Value>,
}

/// A partner's proposal: a change to a facility, or a new facility.
#[Object]
impl Proposal {
    /// Global id.
    pub async fn id(&self) -> ID {
        id::encode(Kind::Proposal, self.0.uuid)
    }
    /// A change, or a new facility.
    async fn kind(&self) -> ProposalKind {
        self.0.kind.into()
    }
    /// Where it stands.
    async fn status(&self) -> ProposalStatus {
        self.0.status.into()
    }
    /// The facility it changes; for a new facility, the one its approval
    /// made. Null for a pending new facility, or a facility deleted since.
    async fn facility(&self, ctx: &Context<'_>) -> Result<Option<Facility>> {
        let Some(id) = self.0.facility_id else {
            return Ok(None);
        };
        Ok(context::load(ctx, FacilityById(id)).await?.map(Into::into))
    }
    /// The organisation that proposed it.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Organisation> {
        context::load(ctx, OrganisationById(self.0.organisation_id))
            .await?
            .map(Into::into)
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("a proposal without its organisation")).into()
            })
    }
    /// The `sub` of the token that proposed it.
    async fn proposed_by(&self) -> Option<&str> {
        self.0.proposed_by.as_deref()
    }
    /// The changes as they were sent (or as an editor resolved them): a
    /// `FacilityPatch`, or for a new facility a `FacilityInput`.
    async fn changes(&self) -> Json<serde_json::Value> {
        Json(self.0.changes.clone())
    }
    /// The fields it changes, as the audit log names them, by name.
    async fn changed_fields(&self) -> Vec<String> {
        changed_fields(self.0.base.as_ref(), &self.0.proposed)
    }
    /// The facility's `version` the proposal was made (or resolved) against; null for a new facility.
    async fn base_version(&self) -> Option<i32> {
        self.0.base_version
    }
    /// While it is pending: each field it changes that the facility changed
    /// otherwise since. An editor resolves them (`resolveProposal`) before
    /// approving. Empty for a new facility and once decided.
    async fn conflicts(&self, ctx: &Context<'_>) -> Result<Vec<ProposalConflict>> {
        let (Some(base), Some(id), db::ProposalStatus::Pending) =
            (&self.0.base, self.0.facility_id, self.0.status)
        else {
            return Ok(Vec::new());
        };
        let Some(now) = context::load(ctx, FacilityFieldsOf(id)).await? else {
            return Ok(Vec::new());
        };
        Ok(service::conflicts(base, &self.0.proposed, &now)
            .into_iter()
            .map(|c| ProposalConflict {
                field: c.field,
                base: Json(c.base),
                proposed: Json(c.proposed),
                current: Json(c.current),
            })
            .collect())
    }
    /// Why the partner proposes it.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// Where the proposed facts come from.
    async fn source(&self) -> Result<Source> {
        let source: db::Source = serde_json::from_value(self.0.source.clone())
            .map_err(|e| AppError::Internal(e.into()))?;
        Ok(source.into())
    }
    /// Why an editor rejected it.
    async fn decision_reason(&self) -> Option<&str> {
        self.0.decision_reason.as_deref()
    }
    /// The `sub` of whoever approved, rejected or withdrew it.
    async fn decided_by(&self) -> Option<&str> {
        self.0.decided_by.as_deref()
    }
    /// When it was approved, rejected or withdrawn.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    /// The facility's `version` that approving it wrote.
    async fn applied_version(&self) -> Option<i32> {
        self.0.applied_version
    }
    /// `version`, `createdAt` and `updatedAt`.
    #[graphql(flatten)]
    async fn revision(&self) -> Revision {
        self.0.as_ref().into()
    }
}
