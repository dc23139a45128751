//! Proposing changes to facilities, and deciding on them.

use async_graphql::{Context, ID, InputType, Object, Result};

use super::facility::{FacilityInput, FacilityPatch};
use super::writer;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::proposal::Proposal;
use crate::graphql::types::source::SourceInput;
use crate::service::proposal::write::{self, Application, Motivation};

/// The argument `input` as the caller sent it (variables filled in), as
/// JSON, kept with the proposal to be decoded again when it is approved.
/// Read from the document rather than from the decoded input, whose fields
/// no longer tell an absent value (keep it) from a `null` (clear it).
fn stored(ctx: &Context<'_>) -> Result<serde_json::Value, AppError> {
    let arguments = ctx
        .field()
        .arguments()
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e.message)))?;
    arguments
        .into_iter()
        .find(|(name, _)| name.as_str() == "input")
        .map_or(Ok(serde_json::Value::Null), |(_, value)| {
            value.into_json().map_err(|e| AppError::Internal(e.into()))
        })
}

/// A stored input, decoded again.
fn decoded<T: InputType>(changes: &serde_json::Value) -> Result<T, AppError> {
    let value = async_graphql::Value::from_json(changes.clone())
        .map_err(|e| AppError::Internal(e.into()))?;
    T::parse(Some(value)).map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "a stored proposal no longer decodes: {}",
            e.into_server_error(Default::default()).message
        ))
    })
}

/// Why a proposal is made, with its input as [`stored`].
fn motivation(
    ctx: &Context<'_>,
    reason: String,
    source: SourceInput,
) -> Result<Motivation, AppError> {
    Ok(Motivation {
        changes: stored(ctx)?,
        reason,
        source: source.into(),
    })
}

/// The writes of proposals.
#[derive(Default)]
pub struct ProposalMutation;

#[Object]
impl ProposalMutation {
    /// Proposes a change to any facility (partners): an editor approves or
    /// rejects it. The changes are checked as `updateFacility` checks them,
    /// but nothing is written to the facility until approved.
    async fn propose_facility_change(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the facility.")] facility: ID,
        #[graphql(desc = "The changes, as `updateFacility` takes them.")] input: FacilityPatch,
        #[graphql(desc = "Why: what is wrong or missing today (at most 2,000 characters).")]
        reason: String,
        #[graphql(desc = "Where the proposed facts come from.")] source: SourceInput,
    ) -> Result<Proposal> {
        let actor = context::actor(ctx)?;
        let facility = id::row(context::db(ctx), &facility, Kind::Facility, "facility").await?;
        let motivation = motivation(ctx, reason, source)?;
        let apply = input.changes()?;
        let model =
            write::propose_change(context::db(ctx), actor, facility, apply, motivation).await?;
        Ok(model.into())
    }

    /// Proposes a new facility (partners): an editor approves or rejects it.
    /// Checked as `createFacility` checks its input.
    async fn propose_facility(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The facility, as `createFacility` takes it.")] input: FacilityInput,
        #[graphql(desc = "Why it belongs on the map (at most 2,000 characters).")] reason: String,
        #[graphql(desc = "Where its facts come from.")] source: SourceInput,
    ) -> Result<Proposal> {
        let actor = context::actor(ctx)?;
        let motivation = motivation(ctx, reason, source)?;
        let fields = input.into_fields()?;
        let model = write::propose_new(context::db(ctx), actor, fields, motivation).await?;
        Ok(model.into())
    }

    /// Takes back a pending proposal (partners of the proposing organisation).
    async fn withdraw_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the proposal.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the proposal changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: i32,
    ) -> Result<Proposal> {
        let (actor, id) = writer(ctx, &id, Kind::Proposal).await?;
        Ok(
            write::withdraw(context::db(ctx), actor, id, expected_version)
                .await?
                .into(),
        )
    }

    /// Turns down a pending proposal, saying why (editors and admins); the
    /// partner sees the reason.
    async fn reject_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the proposal.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the proposal changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: i32,
        #[graphql(desc = "Why (at most 2,000 characters).")] reason: String,
    ) -> Result<Proposal> {
        let (actor, id) = writer(ctx, &id, Kind::Proposal).await?;
        Ok(
            write::reject(context::db(ctx), actor, id, expected_version, reason)
                .await?
                .into(),
        )
    }

    /// Settles a pending change proposal whose facility changed since
    /// (editors and admins): `input` becomes its changes, made against the
    /// facility as it is now, which clears its `conflicts`. Approve it next.
    async fn resolve_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the proposal.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the proposal changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: i32,
        #[graphql(desc = "The changes as you settle them, as `updateFacility` takes them.")]
        input: FacilityPatch,
    ) -> Result<Proposal> {
        let (actor, id) = writer(ctx, &id, Kind::Proposal).await?;
        let changes = stored(ctx)?;
        let apply = input.changes()?;
        Ok(write::resolve(
            context::db(ctx),
            actor,
            id,
            expected_version,
            apply,
            changes,
        )
        .await?
        .into())
    }

    /// Applies a pending proposal (editors and admins): the facility changes
    /// (or the new one is made) in one write that the audit log ties to the
    /// proposal, and the change feed shows. A proposal with `conflicts` is a
    /// `CONFLICT` until resolved.
    async fn approve_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the proposal.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the proposal changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: i32,
    ) -> Result<Proposal> {
        let actor = context::actor(ctx)?;
        actor.require_editor("deciding a proposal")?;
        let db = context::db(ctx);
        let id = id::row(db, &id, Kind::Proposal, "id").await?;
        let Some(proposal) =
            crate::service::kernel::read::find_by_id::<entity::proposal::Entity>(db, id).await?
        else {
            return Err(AppError::not_found("no proposal has this id").into());
        };
        let model = if proposal.kind == entity::value::ProposalKind::NewFacility {
            let fields = decoded::<FacilityInput>(&proposal.changes)?.into_fields()?;
            let application = Application::<fn(&mut _)>::New(Box::new(fields));
            write::approve(db, actor, id, expected_version, application).await?
        } else {
            let apply = decoded::<FacilityPatch>(&proposal.changes)?.changes()?;
            write::approve(db, actor, id, expected_version, Application::Change(apply)).await?
        };
        Ok(model.into())
    }
}
