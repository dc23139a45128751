//! Commenting on a version in consultation, editing and withdrawing one's
//! own comment while the consultation lasts, and the editors' answers.
//!
//! Each write runs in one [`Write`] with its audit record. A comment's writes
//! are private while its version is in consultation; an answer given after
//! the version was adopted is public (unless the comment was withdrawn), and
//! adopting a version publishes its comments ([`publish`]).

use entity::consultation_comment;
use entity::value::{AuditAction, AuditEntity, CommentStatus, GuidelineStatus};
use entity::{guideline_rule, guideline_version, stakeholder};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel,
};

use super::{Reader, is_public};
use crate::error::{AppError, Result};
use crate::service::kernel::now;
use crate::service::kernel::record::Stamp;
use crate::service::kernel::unit_of_work::{Actor, Change, Write, check_version, snapshot};
use crate::service::kernel::validate::{self, Problems};

/// The longest comment, and the longest answer.
pub const MAX_COMMENT: usize = 10_000;

/// What the author of a comment writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentFields {
    /// The rule it is about; none for the version as a whole.
    pub rule_id: Option<i32>,
    pub text: String,
    /// The person who speaks through it.
    pub stakeholder_id: Option<i32>,
}

/// The mark an editor gives a comment with the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Accepted,
    PartlyAccepted,
    NotAccepted,
    OutOfScope,
}

impl From<Mark> for CommentStatus {
    fn from(mark: Mark) -> Self {
        match mark {
            Mark::Accepted => Self::Accepted,
            Mark::PartlyAccepted => Self::PartlyAccepted,
            Mark::NotAccepted => Self::NotAccepted,
            Mark::OutOfScope => Self::OutOfScope,
        }
    }
}

/// The version `id`, as the writer may see it: a draft is no one's to
/// comment on, and only editors know it exists.
async fn version_of(write: &Write, id: i32) -> Result<guideline_version::Model> {
    guideline_version::Entity::find_by_id(id)
        .one(write.txn())
        .await?
        .filter(|v| write.actor.writes_all_content() || v.status != GuidelineStatus::Draft)
        .ok_or_else(|| AppError::not_found("no guideline version has this id"))
}

/// `CONFLICT` unless the version takes comments: only while in CONSULTATION.
fn open(version: &guideline_version::Model) -> Result<()> {
    if version.status == GuidelineStatus::Consultation {
        return Ok(());
    }
    Err(AppError::Conflict(format!(
        "version {} is in {}: comments are added, edited and withdrawn only while a version is in CONSULTATION",
        version.number,
        version.status.as_str().to_ascii_uppercase()
    )))
}

/// Tidies the fields and checks them: a text, a rule of this very
/// version, a person on record.
async fn check(
    db: &impl ConnectionTrait,
    version: &guideline_version::Model,
    fields: &mut CommentFields,
) -> Result<()> {
    let mut problems = Problems::new();
    fields.text = fields.text.trim().to_owned();
    if fields.text.is_empty() {
        problems.add("input.text", "say what you think of it");
    } else {
        problems.check("input.text", validate::prose(&fields.text, MAX_COMMENT));
    }
    if let Some(rule_id) = fields.rule_id {
        let rule = guideline_rule::Entity::find_by_id(rule_id).one(db).await?;
        match rule {
            Some(rule) if rule.guideline_version_id == version.id => {}
            Some(_) => problems.add(
                "input.rule",
                format!(
                    "this rule is not part of version {}: comment on a rule of the version in consultation",
                    version.number
                ),
            ),
            None => problems.add("input.rule", "no rule has this id"),
        }
    }
    if let Some(person) = fields.stakeholder_id {
        let found = stakeholder::Entity::find_by_id(person).one(db).await?;
        if found.is_none_or(|p| p.erased_at.is_some()) {
            problems.add("input.person", "no stakeholder has this id");
        }
    }
    problems.finish()
}

/// The audit record of a comment's write: public only when the comment is.
fn audited(
    action: AuditAction,
    version: &guideline_version::Model,
    before: Option<&consultation_comment::Model>,
    after: &consultation_comment::Model,
) -> Result<Change> {
    Ok(Change {
        entity: AuditEntity::ConsultationComment,
        id: after.id,
        action,
        version: Some(after.version),
        public: is_public(after, version.status),
        before: before.map(snapshot).transpose()?,
        after: Some(snapshot(after)?),
    })
}

/// Comments on the version `version_id`, or on one of its rules: partners
/// (for their organisation), editors and admins, while it is in consultation.
///
/// # Errors
/// `NOT_FOUND` for an unknown version (or a draft, to partners), `CONFLICT`
/// when it is not in consultation, `BAD_USER_INPUT` listing every bad field
/// (a rule of another version among them), database errors.
pub async fn add(
    db: &DatabaseConnection,
    actor: Actor,
    version_id: i32,
    mut fields: CommentFields,
) -> Result<consultation_comment::Model> {
    let mut write = Write::begin(db, actor, "api").await?;
    let version = version_of(&write, version_id).await?;
    open(&version)?;
    check(write.txn(), &version, &mut fields).await?;
    let row = consultation_comment::ActiveModel {
        guideline_version_id: Set(version.id),
        rule_id: Set(fields.rule_id),
        organisation_id: Set(write.actor.organisation.as_ref().map(|o| o.id)),
        author: Set(write.actor.subject.clone()),
        stakeholder_id: Set(fields.stakeholder_id),
        text: Set(fields.text),
        status: Set(CommentStatus::Open),
        answer: Set(None),
        answered_by: Set(None),
        answered_at: Set(None),
        withdrawn_at: Set(None),
        ..Stamp::first().into()
    };
    let model = row.insert(write.txn()).await?;
    write.record(audited(AuditAction::Created, &version, None, &model)?);
    write.commit().await?;
    Ok(model)
}

/// The comment `id` with its version, at `expected_version`, which the
/// writer may change as its author while the consultation lasts.
async fn own(
    write: &Write,
    id: i32,
    expected_version: i32,
) -> Result<(consultation_comment::Model, guideline_version::Model)> {
    let current = consultation_comment::Entity::find_by_id(id)
        .one(write.txn())
        .await?
        .ok_or_else(|| AppError::not_found("no consultation comment has this id"))?;
    if !Reader::of(&write.actor).is_author(&current) {
        return Err(AppError::Forbidden(
            "only the organisation (or, without one, the token) that made a comment edits or withdraws it".to_owned(),
        ));
    }
    let version = guideline_version::Entity::find_by_id(current.guideline_version_id)
        .one(write.txn())
        .await?
        .ok_or_else(|| AppError::not_found("no guideline version has this id"))?;
    open(&version)?;
    check_version("this comment", current.version, expected_version)?;
    if current.status == CommentStatus::Withdrawn {
        return Err(AppError::Conflict(
            "this comment was withdrawn: add a new one instead".to_owned(),
        ));
    }
    Ok((current, version))
}

/// Stores `change` of the comment `current` as its next version, and audits it.
async fn save(
    write: &mut Write,
    version: &guideline_version::Model,
    current: &consultation_comment::Model,
    change: impl FnOnce(&mut consultation_comment::ActiveModel),
) -> Result<consultation_comment::Model> {
    let stamp: consultation_comment::ActiveModel = Stamp::next(current).into();
    let mut row = current.clone().into_active_model();
    row.version = stamp.version;
    row.updated_at = stamp.updated_at;
    change(&mut row);
    let model = row.update(write.txn()).await?;
    write.record(audited(
        AuditAction::Updated,
        version,
        Some(current),
        &model,
    )?);
    Ok(model)
}

/// The author edits their comment: `apply` changes its fields. A change
/// that changes nothing writes nothing. An answer given already stays.
///
/// # Errors
/// `NOT_FOUND`, `FORBIDDEN` for anyone but its author, `CONFLICT` once the
/// consultation closed, for a stale version or a withdrawn comment,
/// `BAD_USER_INPUT` listing every bad field, database errors.
pub async fn update(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
    apply: impl FnOnce(&mut CommentFields) + Send,
) -> Result<consultation_comment::Model> {
    let mut write = Write::begin(db, actor, "api").await?;
    let (current, version) = own(&write, id, expected_version).await?;
    let before = CommentFields {
        rule_id: current.rule_id,
        text: current.text.clone(),
        stakeholder_id: current.stakeholder_id,
    };
    let mut fields = before.clone();
    apply(&mut fields);
    check(write.txn(), &version, &mut fields).await?;
    if fields == before {
        return Ok(current);
    }
    let model = save(&mut write, &version, &current, move |row| {
        row.rule_id = Set(fields.rule_id);
        row.text = Set(fields.text);
        row.stakeholder_id = Set(fields.stakeholder_id);
    })
    .await?;
    write.commit().await?;
    Ok(model)
}

/// The author withdraws their comment: it stays in the audit log, but is
/// never public.
///
/// # Errors
/// As [`update`], but for `BAD_USER_INPUT`.
pub async fn withdraw(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
) -> Result<consultation_comment::Model> {
    let mut write = Write::begin(db, actor, "api").await?;
    let (current, version) = own(&write, id, expected_version).await?;
    let model = save(&mut write, &version, &current, |row| {
        row.status = Set(CommentStatus::Withdrawn);
        row.withdrawn_at = Set(Some(now()));
    })
    .await?;
    write.commit().await?;
    Ok(model)
}

/// An editor answers a comment and marks it, during the consultation or
/// after; a later answer replaces an earlier one.
///
/// # Errors
/// `FORBIDDEN` for partners, `NOT_FOUND`, `BAD_USER_INPUT` without an
/// answer, `CONFLICT` for a stale version or a withdrawn comment, database
/// errors.
pub async fn answer(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
    mark: Mark,
    answer: String,
) -> Result<consultation_comment::Model> {
    actor.require_editor("answering consultation comments")?;
    let answer = answer.trim().to_owned();
    let mut problems = Problems::new();
    if answer.is_empty() {
        problems.add("input.answer", "say what becomes of the comment, and why");
    } else {
        problems.check("input.answer", validate::prose(&answer, MAX_COMMENT));
    }
    problems.finish()?;
    let mut write = Write::begin(db, actor, "api").await?;
    let current = consultation_comment::Entity::find_by_id(id)
        .one(write.txn())
        .await?
        .ok_or_else(|| AppError::not_found("no consultation comment has this id"))?;
    check_version("this comment", current.version, expected_version)?;
    if current.status == CommentStatus::Withdrawn {
        return Err(AppError::Conflict(
            "this comment was withdrawn by its author: there is nothing to answer".to_owned(),
        ));
    }
    let version = guideline_version::Entity::find_by_id(current.guideline_version_id)
        .one(write.txn())
        .await?
        .ok_or_else(|| AppError::not_found("no guideline version has this id"))?;
    let by = write.actor.subject.clone();
    let model = save(&mut write, &version, &current, move |row| {
        row.status = Set(mark.into());
        row.answer = Set(Some(answer));
        row.answered_by = Set(by);
        row.answered_at = Set(Some(now()));
    })
    .await?;
    write.commit().await?;
    Ok(model)
}

/// Within the write that adopts `version`: its comments that were not
/// withdrawn become public, and the change feed says so, one change each.
/// Their own writes before were private, so this is where readers of the
/// feed first learn of them.
///
/// # Errors
/// Database errors.
pub async fn publish(write: &mut Write, version: &guideline_version::Model) -> Result<()> {
    let comments = super::of_versions(write.txn(), &[version.id]).await?;
    for comment in comments.iter().filter(|c| is_public(c, version.status)) {
        let state = snapshot(comment)?;
        write.record(Change {
            entity: AuditEntity::ConsultationComment,
            id: comment.id,
            action: AuditAction::Updated,
            version: Some(comment.version),
            public: true,
            before: Some(state.clone()),
            after: Some(state),
        });
    }
    Ok(())
}
