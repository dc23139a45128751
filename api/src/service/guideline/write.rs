//! Writing guideline versions (editors and admins): numbered without gaps,
//! one way through DRAFT → CONSULTATION → ADOPTED, and frozen once they leave DRAFT.

use entity::value::{AuditAction, AuditEntity, GuidelineStatus};
use entity::{
    guideline, guideline_version, guideline_version_session, guideline_version_visit,
    learning_session, visit,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;

use crate::error::{AppError, Result};
use crate::service::kernel::unit_of_work::{
    self as unit_of_work, Actor, Change, Write, check_references, check_version, existing_ids,
    snapshot,
};
use crate::service::kernel::validate::{self, Problems};
use crate::service::kernel::{now, text};

/// The most visits and learning sessions, together, that one version names
/// as what informed it; queries are costed by this bound.
pub const MAX_INFORMED_BY: usize = 100;

/// What an editor writes of a version; status, number and dates follow the workflow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionFields {
    pub title: String,
    /// Markdown.
    pub body: String,
    pub informed_by_visits: Vec<i32>,
    pub informed_by_sessions: Vec<i32>,
}

#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(flatten)]
    record: &'a guideline_version::Model,
    informed_by_visits: &'a [i32],
    informed_by_sessions: &'a [i32],
}

fn version_snapshot(
    model: &guideline_version::Model,
    fields: &VersionFields,
) -> Result<serde_json::Value> {
    snapshot(&Snapshot {
        record: model,
        informed_by_visits: &fields.informed_by_visits,
        informed_by_sessions: &fields.informed_by_sessions,
    })
}

fn search_text(fields: &VersionFields) -> String {
    text::fold_all([fields.title.as_str(), fields.body.as_str()])
}

/// Creates the next version of a guideline, in DRAFT.
///
/// # Errors
/// `FORBIDDEN` for partners, `NOT_FOUND` for an unknown guideline,
/// `BAD_USER_INPUT` listing every bad field, database errors.
pub async fn create(
    db: &DatabaseConnection,
    actor: Actor,
    guideline_key: &str,
    mut fields: VersionFields,
) -> Result<guideline_version::Model> {
    actor.require_editor("writing guideline versions")?;
    let mut write = Write::begin(db, actor, "api").await?;
    let guideline = guideline::Entity::find()
        .filter(guideline::Column::Key.eq(guideline_key))
        .one(write.txn())
        .await?
        .ok_or_else(|| {
            AppError::not_found(format!(
                "no guideline has the key `{guideline_key}` (there are `ecosystem-rules` and `relational-security`)"
            ))
        })?;
    check(write.txn(), &mut fields).await?;
    // The write lock makes this read and the insert below one step: numbers
    // stay gapless and unique however many editors create at once.
    let last: Option<i32> = guideline_version::Entity::find()
        .select_only()
        .column_as(guideline_version::Column::Number.max(), "number")
        .filter(guideline_version::Column::GuidelineId.eq(guideline.id))
        .into_tuple::<Option<i32>>()
        .one(write.txn())
        .await?
        .flatten();
    let now = now();
    let model = guideline_version::ActiveModel {
        guideline_id: Set(guideline.id),
        number: Set(last.unwrap_or(0) + 1),
        status: Set(GuidelineStatus::Draft),
        title: Set(fields.title.clone()),
        body: Set(fields.body.clone()),
        published_on: Set(None),
        search_text: Set(search_text(&fields)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(write.txn())
    .await?;
    replace_provenance(write.txn(), model.id, &fields).await?;
    write.record(Change {
        entity: AuditEntity::GuidelineVersion,
        id: model.id,
        action: AuditAction::Created,
        version: Some(1),
        public: false,
        before: None,
        after: Some(version_snapshot(&model, &fields)?),
    });
    write.commit().await?;
    Ok(model)
}

/// Changes a version in DRAFT.
///
/// # Errors
/// `FORBIDDEN`, `NOT_FOUND`, `CONFLICT` for a stale version or a version that
/// left DRAFT, `BAD_USER_INPUT`, database errors.
pub async fn update(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
    apply: impl FnOnce(&mut VersionFields),
) -> Result<guideline_version::Model> {
    actor.require_editor("writing guideline versions")?;
    let mut write = Write::begin(db, actor, "api").await?;
    let current = find(write.txn(), id).await?;
    if current.status != GuidelineStatus::Draft {
        return Err(AppError::Conflict(format!(
            "version {} is in {}: a version that left DRAFT never changes; create a new version instead",
            current.number,
            current.status.as_str().to_ascii_uppercase()
        )));
    }
    check_version("this guideline version", current.version, expected_version)?;
    let before = fields_of(write.txn(), &current).await?;
    let mut fields = before.clone();
    apply(&mut fields);
    check(write.txn(), &mut fields).await?;
    if fields == before {
        return Ok(current);
    }
    let mut model: guideline_version::ActiveModel = current.clone().into();
    model.title = Set(fields.title.clone());
    model.body = Set(fields.body.clone());
    model.search_text = Set(search_text(&fields));
    model.version = Set(current.version + 1);
    model.updated_at = Set(now());
    let model = model.update(write.txn()).await?;
    replace_provenance(write.txn(), id, &fields).await?;
    write.record(Change {
        entity: AuditEntity::GuidelineVersion,
        id,
        action: AuditAction::Updated,
        version: Some(model.version),
        public: false,
        before: Some(version_snapshot(&current, &before)?),
        after: Some(version_snapshot(&model, &fields)?),
    });
    write.commit().await?;
    Ok(model)
}

/// Moves a version one step on: DRAFT → CONSULTATION → ADOPTED. It is published on the day it moves.
///
/// # Errors
/// `FORBIDDEN`, `NOT_FOUND`, `CONFLICT` for a stale version or a move that is
/// not the next step, database errors.
pub async fn advance(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    to: GuidelineStatus,
    expected_version: Option<i32>,
) -> Result<guideline_version::Model> {
    actor.require_editor("advancing guideline versions")?;
    let mut write = Write::begin(db, actor, "api").await?;
    let current = find(write.txn(), id).await?;
    if let Some(expected) = expected_version {
        check_version("this guideline version", current.version, expected)?;
    }
    let next = match current.status {
        GuidelineStatus::Draft => Some(GuidelineStatus::Consultation),
        GuidelineStatus::Consultation => Some(GuidelineStatus::Adopted),
        GuidelineStatus::Adopted => None,
    };
    if next != Some(to) {
        let upper = |s: GuidelineStatus| s.as_str().to_ascii_uppercase();
        return Err(AppError::Conflict(match next {
            Some(next) => format!(
                "version {} is in {}: it can only move on to {}, one way (DRAFT → CONSULTATION → ADOPTED)",
                current.number,
                upper(current.status),
                upper(next)
            ),
            None => format!(
                "version {} is ADOPTED, the last step: it never changes again",
                current.number
            ),
        }));
    }
    if current.status == GuidelineStatus::Draft {
        // Versions are published in their order, so publication dates are in order too.
        let earlier_draft = guideline_version::Entity::find()
            .filter(guideline_version::Column::GuidelineId.eq(current.guideline_id))
            .filter(guideline_version::Column::Number.lt(current.number))
            .filter(guideline_version::Column::Status.eq(GuidelineStatus::Draft))
            .order_by_asc(guideline_version::Column::Number)
            .one(write.txn())
            .await?;
        if let Some(earlier) = earlier_draft {
            return Err(AppError::Conflict(format!(
                "version {} is still in DRAFT: versions leave DRAFT in their order, so version {} cannot be published before it",
                earlier.number, current.number
            )));
        }
    }
    let fields = fields_of(write.txn(), &current).await?;
    let mut model: guideline_version::ActiveModel = current.clone().into();
    model.status = Set(to);
    model.published_on = Set(Some(chrono::Utc::now().date_naive()));
    model.version = Set(current.version + 1);
    model.updated_at = Set(now());
    let model = model.update(write.txn()).await?;
    write.record(Change {
        entity: AuditEntity::GuidelineVersion,
        id,
        action: AuditAction::Updated,
        version: Some(model.version),
        // From here on, the version is public and partners learn of it.
        public: true,
        before: Some(version_snapshot(&current, &fields)?),
        after: Some(version_snapshot(&model, &fields)?),
    });
    write.commit().await?;
    Ok(model)
}

async fn find(db: &impl ConnectionTrait, id: i32) -> Result<guideline_version::Model> {
    guideline_version::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("no guideline version has this id"))
}

async fn check(db: &impl ConnectionTrait, fields: &mut VersionFields) -> Result<()> {
    let mut problems = Problems::new();
    fields.title = fields.title.trim().to_owned();
    problems.check("input.title", validate::name(&fields.title));
    problems.check(
        "input.body",
        validate::prose(&fields.body, validate::MAX_BODY),
    );
    let sources = fields.informed_by_visits.len() + fields.informed_by_sessions.len();
    if sources > MAX_INFORMED_BY {
        problems.add(
            "input.informedBy",
            format!(
                "a version names at most {MAX_INFORMED_BY} visits and learning sessions together, got {sources}"
            ),
        );
        return problems.finish();
    }
    let visits =
        existing_ids::<visit::Entity>(db, visit::Column::Id, &fields.informed_by_visits).await?;
    check_references(
        &mut problems,
        "input.informedBy",
        &fields.informed_by_visits,
        &visits,
        "visit",
    );
    let sessions = existing_ids::<learning_session::Entity>(
        db,
        learning_session::Column::Id,
        &fields.informed_by_sessions,
    )
    .await?;
    check_references(
        &mut problems,
        "input.informedBy",
        &fields.informed_by_sessions,
        &sessions,
        "learning session",
    );
    problems.finish()?;
    fields.informed_by_visits.sort_unstable();
    fields.informed_by_sessions.sort_unstable();
    Ok(())
}

/// The current fields of a stored version.
///
/// # Errors
/// Database errors.
pub async fn fields_of(
    db: &impl ConnectionTrait,
    model: &guideline_version::Model,
) -> Result<VersionFields> {
    let informed_by_visits = guideline_version_visit::Entity::find()
        .filter(guideline_version_visit::Column::GuidelineVersionId.eq(model.id))
        .order_by_asc(guideline_version_visit::Column::VisitId)
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.visit_id)
        .collect();
    let informed_by_sessions = guideline_version_session::Entity::find()
        .filter(guideline_version_session::Column::GuidelineVersionId.eq(model.id))
        .order_by_asc(guideline_version_session::Column::SessionId)
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.session_id)
        .collect();
    Ok(VersionFields {
        title: model.title.clone(),
        body: model.body.clone(),
        informed_by_visits,
        informed_by_sessions,
    })
}

async fn replace_provenance(
    db: &impl ConnectionTrait,
    id: i32,
    fields: &VersionFields,
) -> Result<()> {
    let visits = fields
        .informed_by_visits
        .iter()
        .map(|v| guideline_version_visit::ActiveModel {
            guideline_version_id: Set(id),
            visit_id: Set(*v),
        });
    let column = guideline_version_visit::Column::GuidelineVersionId;
    unit_of_work::replace_children(db, column, id, visits.collect()).await?;
    let sessions =
        fields
            .informed_by_sessions
            .iter()
            .map(|s| guideline_version_session::ActiveModel {
                guideline_version_id: Set(id),
                session_id: Set(*s),
            });
    let column = guideline_version_session::Column::GuidelineVersionId;
    unit_of_work::replace_children(db, column, id, sessions.collect()).await
}
