//! Proposing, withdrawing, rejecting, resolving and approving proposals.
//!
//! A proposal keeps the facility's fields as they were (`base`) and as the
//! partner would have them (`proposed`), so that an editor sees what else
//! changed since; approving applies the partner's changes to the facility
//! as it is now, as one write of the facility that names the proposal in
//! the audit log. Proposals are not public: they stay out of the change
//! feed, which shows only what an approval applied.

use entity::proposal;
use entity::value::{AuditAction, AuditEntity, ProposalKind, ProposalStatus, Role, Source};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait, IntoActiveModel,
};

use super::conflicts;
use crate::error::{AppError, Problem, Result};
use crate::service::facility::write::{Facility, FacilityFields};
use crate::service::kernel::now;
use crate::service::kernel::record::{self, Record, Stamp};
use crate::service::kernel::unit_of_work::{Actor, Change, Write, check_version, snapshot};
use crate::service::kernel::validate::{self, Problems};

/// Longest reason, for a proposal or a rejection.
const MAX_REASON: usize = 2_000;

/// What a partner says with a proposal besides the changes.
#[derive(Debug, Clone)]
pub struct Motivation {
    /// The changes as the caller sent them, kept to apply them again on approval.
    pub changes: serde_json::Value,
    pub reason: String,
    pub source: Source,
}

impl Motivation {
    fn check(&mut self, problems: &mut Problems) {
        self.reason = self.reason.trim().to_owned();
        check_reason(problems, "reason", &self.reason);
        validate::source(problems, "source", &self.source);
    }
}

fn check_reason(problems: &mut Problems, field: &str, reason: &str) {
    if reason.is_empty() {
        problems.add(field, "say why");
    } else {
        problems.check(field, validate::prose(reason, MAX_REASON));
    }
}

/// The organisation of a partner, who alone proposes: editors and admins
/// write directly.
fn proposer(actor: &Actor) -> Result<i32> {
    match (&actor.organisation, actor.role) {
        (Some(org), Role::Partner) => Ok(org.id),
        _ => Err(AppError::Forbidden(
            "proposals are for partners; editors and admins change facilities directly".to_owned(),
        )),
    }
}

fn to_json(value: &impl serde::Serialize) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| AppError::Internal(e.into()))
}

/// Proposes `apply` as a change to the facility `facility_id`. The changes
/// are checked by the rules of every facility write, but nothing of the
/// facility is written.
///
/// # Errors
/// `FORBIDDEN` for anyone but partners, `NOT_FOUND`, `BAD_USER_INPUT`
/// listing every bad field (and a proposal that changes nothing, or that
/// changes who maintains it, which editors decide); database errors.
pub async fn propose_change(
    db: &DatabaseConnection,
    actor: Actor,
    facility_id: i32,
    apply: impl FnOnce(&mut FacilityFields) + Send,
    mut motivation: Motivation,
) -> Result<proposal::Model> {
    let organisation_id = proposer(&actor)?;
    let write = Write::begin(db, actor, "api").await?;
    let current = entity::facility::Entity::find_by_id(facility_id)
        .one(write.txn())
        .await?
        .ok_or_else(|| AppError::not_found("no facility has this id"))?;
    let base = Facility::fields_of(write.txn(), &current).await?;
    let mut fields = base.clone();
    apply(&mut fields);
    fields.normalise();
    let mut problems = fields.problems("input.");
    motivation.check(&mut problems);
    if fields.maintained_by != base.maintained_by {
        problems.add(
            "input.maintainedBy",
            "editors decide who maintains a facility; say so in the reason instead",
        );
    }
    problems.finish()?;
    if fields == base {
        return Err(AppError::Invalid(vec![Problem {
            field: "input".to_owned(),
            message: "the proposal changes nothing: every field is as the facility has it"
                .to_owned(),
        }]));
    }
    let row = proposal::ActiveModel {
        kind: Set(ProposalKind::Change),
        facility_id: Set(Some(facility_id)),
        base_version: Set(Some(current.version)),
        base: Set(Some(to_json(&base)?)),
        ..pending(&write, organisation_id, &fields, motivation)?
    };
    insert(write, row).await
}

/// Proposes a new facility.
///
/// # Errors
/// As [`propose_change`], but for `NOT_FOUND`.
pub async fn propose_new(
    db: &DatabaseConnection,
    actor: Actor,
    mut fields: FacilityFields,
    mut motivation: Motivation,
) -> Result<proposal::Model> {
    let organisation_id = proposer(&actor)?;
    let write = Write::begin(db, actor, "api").await?;
    fields.normalise();
    let own = write.actor.organisation.as_ref().map(|o| o.slug.clone());
    let mut problems = fields.problems("input.");
    motivation.check(&mut problems);
    match &fields.maintained_by {
        None => fields.maintained_by = own,
        Some(slug) if Some(slug) != own.as_ref() => problems.add(
            "input.maintainedBy",
            "editors decide who maintains a facility; say so in the reason instead",
        ),
        Some(_) => {}
    }
    problems.finish()?;
    let row = proposal::ActiveModel {
        kind: Set(ProposalKind::NewFacility),
        facility_id: Set(None),
        base_version: Set(None),
        base: Set(None),
        ..pending(&write, organisation_id, &fields, motivation)?
    };
    insert(write, row).await
}

/// The columns every new proposal has.
fn pending(
    write: &Write,
    organisation_id: i32,
    fields: &FacilityFields,
    motivation: Motivation,
) -> Result<proposal::ActiveModel> {
    Ok(proposal::ActiveModel {
        status: Set(ProposalStatus::Pending),
        organisation_id: Set(organisation_id),
        proposed_by: Set(write.actor.subject.clone()),
        changes: Set(motivation.changes),
        proposed: Set(to_json(fields)?),
        reason: Set(motivation.reason),
        source: Set(to_json(&motivation.source)?),
        decision_reason: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        applied_version: Set(None),
        ..Stamp::first().into()
    })
}

async fn insert(mut write: Write, row: proposal::ActiveModel) -> Result<proposal::Model> {
    let model = row.insert(write.txn()).await?;
    write.record(audited(AuditAction::Created, None, &model)?);
    write.commit().await?;
    Ok(model)
}

/// The audit record of a proposal's write: never public.
fn audited(
    action: AuditAction,
    before: Option<&proposal::Model>,
    after: &proposal::Model,
) -> Result<Change> {
    Ok(Change {
        entity: AuditEntity::Proposal,
        id: after.id,
        action,
        version: Some(after.version),
        public: false,
        before: before.map(snapshot).transpose()?,
        after: Some(snapshot(after)?),
    })
}

/// The pending proposal `id` at `expected_version`, in `write`.
async fn pending_one(write: &Write, id: i32, expected_version: i32) -> Result<proposal::Model> {
    let current = proposal::Entity::find_by_id(id)
        .one(write.txn())
        .await?
        .ok_or_else(|| AppError::not_found("no proposal has this id"))?;
    check_version("this proposal", current.version, expected_version)?;
    if current.status != ProposalStatus::Pending {
        return Err(AppError::Conflict(format!(
            "this proposal is {} already: only a pending one can change",
            current.status.as_str()
        )));
    }
    Ok(current)
}

/// Stores `change` of the proposal `current` and audits it.
async fn save(
    write: &mut Write,
    current: &proposal::Model,
    change: impl FnOnce(&mut proposal::ActiveModel),
) -> Result<proposal::Model> {
    let stamp: proposal::ActiveModel = Stamp::next(current).into();
    let mut row = current.clone().into_active_model();
    row.version = stamp.version;
    row.updated_at = stamp.updated_at;
    change(&mut row);
    let model = row.update(write.txn()).await?;
    write.record(audited(AuditAction::Updated, Some(current), &model)?);
    Ok(model)
}

/// Closes a pending proposal as `status`, decided now by the writer.
fn decided(
    write: &Write,
    status: ProposalStatus,
    reason: Option<String>,
) -> impl FnOnce(&mut proposal::ActiveModel) + use<> {
    let by = write.actor.subject.clone();
    move |row| {
        row.status = Set(status);
        row.decision_reason = Set(reason);
        row.decided_by = Set(by);
        row.decided_at = Set(Some(now()));
    }
}

/// The organisation withdraws its pending proposal.
///
/// # Errors
/// `FORBIDDEN` for anyone but a partner of the proposing organisation,
/// `NOT_FOUND`, `CONFLICT` for a stale version or a decided proposal.
pub async fn withdraw(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
) -> Result<proposal::Model> {
    let organisation_id = proposer(&actor)?;
    let mut write = Write::begin(db, actor, "api").await?;
    let current = pending_one(&write, id, expected_version).await?;
    if current.organisation_id != organisation_id {
        return Err(AppError::not_found("no proposal has this id"));
    }
    let close = decided(&write, ProposalStatus::Withdrawn, None);
    let model = save(&mut write, &current, close).await?;
    write.commit().await?;
    Ok(model)
}

/// An editor rejects a pending proposal, saying why.
///
/// # Errors
/// `FORBIDDEN` for partners, `BAD_USER_INPUT` without a reason, `NOT_FOUND`,
/// `CONFLICT` for a stale version or a decided proposal.
pub async fn reject(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
    reason: String,
) -> Result<proposal::Model> {
    actor.require_editor("deciding a proposal")?;
    let reason = reason.trim().to_owned();
    let mut problems = Problems::new();
    check_reason(&mut problems, "reason", &reason);
    problems.finish()?;
    let mut write = Write::begin(db, actor, "api").await?;
    let current = pending_one(&write, id, expected_version).await?;
    let close = decided(&write, ProposalStatus::Rejected, Some(reason));
    let model = save(&mut write, &current, close).await?;
    write.commit().await?;
    Ok(model)
}

/// An editor resolves a proposal's conflicts: `apply` (the changes as the
/// editor settles them, `changes` as sent) becomes the proposal, made
/// against the facility as it is now.
///
/// # Errors
/// `FORBIDDEN` for partners, `NOT_FOUND`, `CONFLICT` for a stale version, a
/// decided proposal, a new facility (which has nothing to conflict with) or
/// a deleted one, `BAD_USER_INPUT` as for a proposal.
pub async fn resolve(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
    apply: impl FnOnce(&mut FacilityFields) + Send,
    changes: serde_json::Value,
) -> Result<proposal::Model> {
    actor.require_editor("resolving a proposal")?;
    let mut write = Write::begin(db, actor, "api").await?;
    let current = pending_one(&write, id, expected_version).await?;
    let facility = proposed_facility(&write, &current).await?;
    let base = Facility::fields_of(write.txn(), &facility).await?;
    let mut fields = base.clone();
    apply(&mut fields);
    fields.normalise();
    fields.problems("input.").finish()?;
    let (base, proposed) = (to_json(&base)?, to_json(&fields)?);
    let version = facility.version;
    let model = save(&mut write, &current, move |row| {
        row.changes = Set(changes);
        row.base_version = Set(Some(version));
        row.base = Set(Some(base));
        row.proposed = Set(proposed);
    })
    .await?;
    write.commit().await?;
    Ok(model)
}

/// The facility a change proposal changes.
async fn proposed_facility(
    write: &Write,
    proposal: &proposal::Model,
) -> Result<entity::facility::Model> {
    let Some(facility_id) = proposal
        .facility_id
        .filter(|_| proposal.kind == ProposalKind::Change)
    else {
        let why = if proposal.kind == ProposalKind::NewFacility {
            "a proposed new facility has nothing to resolve: approve or reject it"
        } else {
            "the facility this proposal changes was deleted: reject it"
        };
        return Err(AppError::Conflict(why.to_owned()));
    };
    entity::facility::Entity::find_by_id(facility_id)
        .one(write.txn())
        .await?
        .ok_or_else(|| {
            AppError::Conflict(
                "the facility this proposal changes was deleted: reject it".to_owned(),
            )
        })
}

/// What approving applies: the changes of a change proposal, or the fields
/// of a new facility, as decoded again from what the partner sent.
pub enum Application<F> {
    Change(F),
    New(Box<FacilityFields>),
}

/// An editor approves a pending proposal: its changes are applied to the
/// facility as it is now (or the new facility is made), in one write that
/// names the proposal in the audit log.
///
/// # Errors
/// `FORBIDDEN` for partners, `NOT_FOUND`, `CONFLICT` for a stale version, a
/// decided proposal, a deleted facility, or a field the facility changed
/// otherwise since (resolve the proposal first); the errors of the facility
/// write.
pub async fn approve<F>(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
    application: Application<F>,
) -> Result<proposal::Model>
where
    F: FnOnce(&mut FacilityFields) + Send,
{
    actor.require_editor("deciding a proposal")?;
    let mut write = Write::begin(db, actor, "api").await?;
    let current = pending_one(&write, id, expected_version).await?;
    write.applying(current.id);
    let facility = match application {
        Application::Change(apply) => {
            let facility = proposed_facility(&write, &current).await?;
            let now = to_json(&Facility::fields_of(write.txn(), &facility).await?)?;
            let base = current.base.clone().unwrap_or_default();
            let found = conflicts(&base, &current.proposed, &now);
            if !found.is_empty() {
                let fields: Vec<&str> = found.iter().map(|c| c.field.as_str()).collect();
                return Err(AppError::Conflict(format!(
                    "the facility changed since the proposal was made, in {}: see `conflicts`, and resolve them with `resolveProposal` first",
                    fields.join(", ")
                )));
            }
            record::update_in::<Facility>(&mut write, facility.id, facility.version, apply).await?
        }
        Application::New(mut fields) => {
            // As when the partner proposed it: its own, unless it named one.
            if fields.maintained_by.is_none() {
                fields.maintained_by =
                    entity::organisation::Entity::find_by_id(current.organisation_id)
                        .one(write.txn())
                        .await?
                        .map(|o| o.slug);
            }
            record::create_in::<Facility>(&mut write, *fields).await?
        }
    };
    let close = decided(&write, ProposalStatus::Approved, None);
    let model = save(&mut write, &current, move |row| {
        close(row);
        row.facility_id = Set(Some(facility.id));
        row.applied_version = Set(Some(facility.version));
    })
    .await?;
    write.commit().await?;
    Ok(model)
}
