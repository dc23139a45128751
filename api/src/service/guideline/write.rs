//! Guideline versions (editors and admins write them): the hooks of
//! [`Record`] for creating and changing one, and the workflow move. Versions
//! are numbered without gaps, go one way through DRAFT → CONSULTATION →
//! ADOPTED, are frozen once they leave DRAFT, and are never deleted.

use async_trait::async_trait;
use chrono::NaiveDate;
use entity::guideline_version_session::Column as SessionLink;
use entity::guideline_version_visit::Column as VisitLink;
use entity::value::{AuditAction, AuditEntity, GuidelineStatus};
use entity::{guideline, guideline_version, learning_session, resource, visit};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;

use super::rules::{self, RuleFields};
use crate::error::{AppError, Result};
use crate::service::kernel::link::{Link, check_existing};
use crate::service::kernel::record::{self, Record, Stamp};
use crate::service::kernel::unit_of_work::{
    Actor, Change, Write, check_references, check_version, existing_ids,
};
use crate::service::kernel::validate::{self, Problems};
use crate::service::kernel::{now, text};

/// The most visits and learning sessions, together, that one version names
/// as what informed it; queries are costed by this bound.
pub const MAX_INFORMED_BY: usize = 100;

/// The guideline a version belongs to: a caller names it by its key, a
/// stored version by its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuidelineRef {
    Key(String),
    Id(i32),
}

/// What an editor writes of a version; status, number and dates follow the workflow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionFields {
    /// Left out of the audit log, whose row has the guideline as `guideline_id`.
    #[serde(skip)]
    pub guideline: GuidelineRef,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub informed_by_visits: Vec<i32>,
    pub informed_by_sessions: Vec<i32>,
    /// The numbered parts and rules, in order; when there are any, `body`
    /// is rendered from them.
    pub rules: Vec<RuleFields>,
    /// A new draft with no rules given starts as a copy of the latest
    /// version's: set by a create that did not name its rules.
    #[serde(skip)]
    pub rules_from_latest: bool,
}

/// The columns of a version that the workflow sets, not the editor.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    guideline_id: i32,
    number: i32,
    status: GuidelineStatus,
    published_on: Option<NaiveDate>,
}

/// A version of a guideline, as the write steps see it.
pub struct GuidelineVersion;

/// The lists of a guideline version that link tables hold.
const INFORMED_BY_VISITS: Link<VisitLink> = Link(VisitLink::GuidelineVersionId, VisitLink::VisitId);
const INFORMED_BY_SESSIONS: Link<SessionLink> =
    Link(SessionLink::GuidelineVersionId, SessionLink::SessionId);

#[async_trait]
impl Record for GuidelineVersion {
    type Entity = guideline_version::Entity;
    type Fields = VersionFields;
    type Resolved = Placement;

    /// Drafts are the editors' own until they are published.
    fn public(model: &guideline_version::Model) -> bool {
        model.status != GuidelineStatus::Draft
    }

    const EDITORS_ONLY: Option<&'static str> = Some("writing guideline versions");

    /// Editors change drafts only.
    async fn may_change(write: &Write, current: &guideline_version::Model) -> Result<()> {
        Self::may_create(&write.actor)?;
        if current.status == GuidelineStatus::Draft {
            return Ok(());
        }
        Err(AppError::Conflict(format!(
            "version {} is in {}: a version that left DRAFT never changes; create a new version instead",
            current.number,
            current.status.as_str().to_ascii_uppercase()
        )))
    }

    /// What a version said, and what informed it, stays part of the
    /// guideline's history: no one deletes one.
    fn may_delete(_actor: &Actor) -> Result<()> {
        Err(AppError::Forbidden(
            "guideline versions are never deleted; create a new version instead".to_owned(),
        ))
    }

    async fn fields_of(
        db: &impl ConnectionTrait,
        model: &guideline_version::Model,
    ) -> Result<VersionFields> {
        Ok(VersionFields {
            guideline: GuidelineRef::Id(model.guideline_id),
            title: model.title.clone(),
            body: model.body.clone(),
            informed_by_visits: INFORMED_BY_VISITS.ids(db, model.id).await?,
            informed_by_sessions: INFORMED_BY_SESSIONS.ids(db, model.id).await?,
            rules: rules::fields_of(db, model.id).await?,
            rules_from_latest: false,
        })
    }

    /// An unknown guideline is `NOT_FOUND` before any field is looked at. A
    /// new version takes the next number: `write` holds the write lock, so
    /// reading the last number and inserting are one step, and numbers stay
    /// gapless and unique however many editors create at once.
    async fn check(
        write: &Write,
        fields: &mut VersionFields,
        current: Option<&guideline_version::Model>,
    ) -> Result<Placement> {
        let db = write.txn();
        let guideline_id = match current {
            // A version never moves to another guideline.
            Some(current) => current.guideline_id,
            None => guideline_id(db, &fields.guideline).await?,
        };
        fields.guideline = GuidelineRef::Id(guideline_id);
        let base = match current {
            Some(current) => rules::fields_of(db, current.id).await?,
            None => latest_rules(db, guideline_id).await?,
        };
        if std::mem::take(&mut fields.rules_from_latest) {
            fields.rules.clone_from(&base);
        }
        rules::resolve_lineages(&mut fields.rules, &base);
        check_fields(db, fields).await?;
        if let Some(current) = current {
            return Ok(Placement {
                guideline_id,
                number: current.number,
                status: current.status,
                published_on: current.published_on,
            });
        }
        let last: Option<i32> = guideline_version::Entity::find()
            .select_only()
            .column_as(guideline_version::Column::Number.max(), "number")
            .filter(guideline_version::Column::GuidelineId.eq(guideline_id))
            .into_tuple::<Option<i32>>()
            .one(db)
            .await?
            .flatten();
        Ok(Placement {
            guideline_id,
            number: last.unwrap_or(0) + 1,
            status: GuidelineStatus::Draft,
            published_on: None,
        })
    }

    fn row(
        fields: &VersionFields,
        placement: &Placement,
        stamp: Stamp,
    ) -> guideline_version::ActiveModel {
        guideline_version::ActiveModel {
            guideline_id: Set(placement.guideline_id),
            number: Set(placement.number),
            status: Set(placement.status),
            title: Set(fields.title.clone()),
            body: Set(fields.body.clone()),
            published_on: Set(placement.published_on),
            search_text: Set(text::fold_all([
                fields.title.as_str(),
                fields.body.as_str(),
            ])),
            ..stamp.into()
        }
    }

    async fn save_children(
        db: &impl ConnectionTrait,
        id: i32,
        fields: &VersionFields,
        before: Option<&VersionFields>,
    ) -> Result<()> {
        INFORMED_BY_VISITS
            .save(db, id, fields, before, |f| &f.informed_by_visits)
            .await?;
        INFORMED_BY_SESSIONS
            .save(db, id, fields, before, |f| &f.informed_by_sessions)
            .await?;
        if before.map(|b| b.rules.as_slice()) == Some(fields.rules.as_slice()) {
            return Ok(());
        }
        // Rules take their identity from their version's, which the row
        // just stored holds.
        let version_uuid = guideline_version::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|v| v.uuid)
            .ok_or_else(|| AppError::not_found("no guideline version has this id"))?;
        rules::save(db, id, version_uuid, &fields.rules).await
    }
}

/// The rules of the version of a guideline with the highest number, which
/// a new draft starts from.
async fn latest_rules(db: &impl ConnectionTrait, guideline_id: i32) -> Result<Vec<RuleFields>> {
    let latest = guideline_version::Entity::find()
        .filter(guideline_version::Column::GuidelineId.eq(guideline_id))
        .order_by_desc(guideline_version::Column::Number)
        .one(db)
        .await?;
    match latest {
        Some(latest) => rules::fields_of(db, latest.id).await,
        None => Ok(Vec::new()),
    }
}

/// The id of the guideline `named`.
async fn guideline_id(db: &impl ConnectionTrait, named: &GuidelineRef) -> Result<i32> {
    let found = match named {
        GuidelineRef::Key(key) => super::find_by_key(db, key).await?,
        GuidelineRef::Id(id) => guideline::Entity::find_by_id(*id).one(db).await?,
    };
    found.map(|g| g.id).ok_or_else(|| {
        AppError::not_found(match named {
            GuidelineRef::Key(key) => format!(
                "no guideline has the key `{key}` (there are `ecosystem-rules` and `relational-security`)"
            ),
            GuidelineRef::Id(_) => "no guideline has this id".to_owned(),
        })
    })
}

async fn check_fields(db: &impl ConnectionTrait, fields: &mut VersionFields) -> Result<()> {
    let mut problems = Problems::new();
    fields.title = fields.title.trim().to_owned();
    problems.check("input.title", validate::name(&fields.title));
    rules::check(&mut problems, "input.rules", &mut fields.rules);
    if !fields.rules.is_empty() {
        fields.body = rules::render(&fields.rules);
    }
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
    let visits = &fields.informed_by_visits;
    check_existing::<visit::Entity>(db, &mut problems, "input.informedBy", visits).await?;
    let sessions = &fields.informed_by_sessions;
    check_existing::<learning_session::Entity>(db, &mut problems, "input.informedBy", sessions)
        .await?;
    check_rule_sources(db, &mut problems, &fields.rules).await?;
    problems.finish()?;
    fields.informed_by_visits.sort_unstable();
    fields.informed_by_sessions.sort_unstable();
    Ok(())
}

/// Every source a rule names exists: one query per kind for all rules.
async fn check_rule_sources(
    db: &impl ConnectionTrait,
    problems: &mut Problems,
    rules: &[RuleFields],
) -> Result<()> {
    let all = |pick: fn(&RuleFields) -> &Vec<i32>| -> Vec<i32> {
        rules.iter().flat_map(|r| pick(r).iter().copied()).collect()
    };
    let visits =
        existing_ids::<visit::Entity>(db, visit::Column::Id, &all(|r| &r.informed_by_visits))
            .await?;
    let sessions = existing_ids::<learning_session::Entity>(
        db,
        learning_session::Column::Id,
        &all(|r| &r.informed_by_sessions),
    )
    .await?;
    let resources = existing_ids::<resource::Entity>(
        db,
        resource::Column::Id,
        &all(|r| &r.informed_by_resources),
    )
    .await?;
    for (i, rule) in rules.iter().enumerate() {
        let field = format!("input.rules[{i}].informedBy");
        check_references(problems, &field, &rule.informed_by_visits, &visits, "visit");
        check_references(
            problems,
            &field,
            &rule.informed_by_sessions,
            &sessions,
            "learning session",
        );
        check_references(
            problems,
            &field,
            &rule.informed_by_resources,
            &resources,
            "resource",
        );
    }
    Ok(())
}

/// Moves a version one step on: DRAFT → CONSULTATION → ADOPTED. It is
/// published on the day it moves. Its fields stay as they are, so this is a
/// step of the workflow rather than an update of the record.
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
    let current = guideline_version::Entity::find_by_id(id)
        .one(write.txn())
        .await?
        .ok_or_else(|| AppError::not_found("no guideline version has this id"))?;
    if let Some(expected) = expected_version {
        check_version(
            &GuidelineVersion::describe(&current),
            current.version,
            expected,
        )?;
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
    let fields = GuidelineVersion::fields_of(write.txn(), &current).await?;
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
        public: GuidelineVersion::public(&model),
        before: Some(record::snapshot::<GuidelineVersion>(&current, &fields)?),
        after: Some(record::snapshot::<GuidelineVersion>(&model, &fields)?),
    });
    if to == GuidelineStatus::Adopted {
        crate::service::consultation::write::publish(&mut write, &model).await?;
    }
    write.commit().await?;
    Ok(model)
}
