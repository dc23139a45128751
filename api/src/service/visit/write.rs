//! Creating, updating and deleting study visits with their participants and
//! findings. Partners write the visits to the facilities they maintain.

use std::collections::HashSet;

use chrono::NaiveDate;
use entity::value::{AuditAction, AuditEntity, EcosystemDimension, LocalizedText};
use entity::{
    facility, guideline_version_visit, knowledge_workshop, stakeholder, visit, visit_finding,
    visit_participant,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;

use crate::error::{AppError, Result};
use crate::service::guideline::{self, Informer};
use crate::service::kernel::now;
use crate::service::kernel::unit_of_work::{
    self as unit_of_work, Actor, Change, Write, check_references, check_version, existing_ids,
    snapshot,
};
use crate::service::kernel::validate::{self, Problems};

/// The most stakeholders one visit or learning session names as participants.
/// A study visit or an expert session is a group that can meet in one room;
/// queries are costed by this bound.
pub const MAX_PARTICIPANTS: usize = 100;

/// How many findings a visit has at most: one per ecosystem dimension.
#[must_use]
pub fn max_findings() -> usize {
    <EcosystemDimension as sea_orm::Iterable>::iter().count()
}

/// Every editable field of a visit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisitFields {
    pub facility_id: i32,
    pub visited_on: NaiveDate,
    pub workshop_id: Option<i32>,
    pub summary: Option<LocalizedText>,
    pub participants: Vec<i32>,
    pub findings: Vec<(EcosystemDimension, String)>,
}

#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(flatten)]
    record: &'a visit::Model,
    participants: &'a [i32],
    findings: &'a [(EcosystemDimension, String)],
}

fn visit_snapshot(model: &visit::Model, fields: &VisitFields) -> Result<serde_json::Value> {
    snapshot(&Snapshot {
        record: model,
        participants: &fields.participants,
        findings: &fields.findings,
    })
}

/// # Errors
/// `FORBIDDEN` for a partner and another organisation's facility,
/// `BAD_USER_INPUT` listing every bad field, database errors.
pub async fn create(
    db: &DatabaseConnection,
    actor: Actor,
    fields: VisitFields,
) -> Result<visit::Model> {
    let mut write = Write::begin(db, actor, "api").await?;
    check(&write, &fields).await?;
    let now = now();
    let model = visit::ActiveModel {
        facility_id: Set(fields.facility_id),
        visited_on: Set(fields.visited_on),
        workshop_id: Set(fields.workshop_id),
        summary: Set(fields.summary.clone()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(write.txn())
    .await?;
    replace_children(write.txn(), model.id, &fields).await?;
    write.record(Change {
        entity: AuditEntity::Visit,
        id: model.id,
        action: AuditAction::Created,
        version: Some(1),
        public: true,
        before: None,
        after: Some(visit_snapshot(&model, &fields)?),
    });
    write.commit().await?;
    Ok(model)
}

/// # Errors
/// `NOT_FOUND`, `FORBIDDEN`, `CONFLICT` for a stale version, `BAD_USER_INPUT`, database errors.
pub async fn update(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
    apply: impl FnOnce(&mut VisitFields),
) -> Result<visit::Model> {
    let mut write = Write::begin(db, actor, "api").await?;
    let current = find(write.txn(), id).await?;
    require_facility_maintainer(&write, current.facility_id).await?;
    check_version("this visit", current.version, expected_version)?;
    let before = fields_of(write.txn(), &current).await?;
    let mut fields = before.clone();
    apply(&mut fields);
    check(&write, &fields).await?;
    fields.participants.sort_unstable();
    fields.findings.sort_by_key(|(d, _)| *d);
    if fields == before {
        return Ok(current);
    }
    require_unpublished_provenance(&write, id).await?;
    let model = visit::ActiveModel {
        id: Set(id),
        facility_id: Set(fields.facility_id),
        visited_on: Set(fields.visited_on),
        workshop_id: Set(fields.workshop_id),
        summary: Set(fields.summary.clone()),
        version: Set(current.version + 1),
        created_at: Set(current.created_at),
        updated_at: Set(now()),
    }
    .update(write.txn())
    .await?;
    if fields.participants != before.participants || fields.findings != before.findings {
        replace_children(write.txn(), id, &fields).await?;
    }
    write.record(Change {
        entity: AuditEntity::Visit,
        id,
        action: AuditAction::Updated,
        version: Some(model.version),
        public: true,
        before: Some(visit_snapshot(&current, &before)?),
        after: Some(visit_snapshot(&model, &fields)?),
    });
    write.commit().await?;
    Ok(model)
}

/// Deletes a visit that informed no guideline version (admins only).
///
/// # Errors
/// `FORBIDDEN`, `NOT_FOUND`, `CONFLICT`, database errors.
pub async fn delete(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
) -> Result<()> {
    actor.require_admin("deleting a visit")?;
    let mut write = Write::begin(db, actor, "api").await?;
    let current = find(write.txn(), id).await?;
    check_version("this visit", current.version, expected_version)?;
    let informed = guideline_version_visit::Entity::find()
        .filter(guideline_version_visit::Column::VisitId.eq(id))
        .count(write.txn())
        .await?;
    if informed > 0 {
        return Err(AppError::Conflict(format!(
            "this visit informed {informed} guideline version(s), whose provenance must stay whole; it cannot be deleted"
        )));
    }
    let before = fields_of(write.txn(), &current).await?;
    visit::Entity::delete_by_id(id).exec(write.txn()).await?;
    write.record(Change {
        entity: AuditEntity::Visit,
        id,
        action: AuditAction::Deleted,
        version: None,
        public: true,
        before: Some(visit_snapshot(&current, &before)?),
        after: None,
    });
    write.commit().await
}

async fn find(db: &impl ConnectionTrait, id: i32) -> Result<visit::Model> {
    visit::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("no visit has this id"))
}

async fn require_facility_maintainer(write: &Write, facility_id: i32) -> Result<()> {
    if write.actor.writes_all_content() {
        return Ok(());
    }
    let facility = facility::Entity::find_by_id(facility_id)
        .one(write.txn())
        .await?;
    match facility {
        Some(f) => write
            .actor
            .require_maintainer(f.maintained_by_id, &format!("facility `{}`", f.slug)),
        None => Ok(()),
    }
}

/// A partner may not change a visit that informed a guideline version past
/// DRAFT: readers of that version see the visit as its source, so what it
/// says must stay what the version was written from. Editors and admins may
/// correct it; their change is in the audit log like every other.
async fn require_unpublished_provenance(write: &Write, id: i32) -> Result<()> {
    if write.actor.writes_all_content() {
        return Ok(());
    }
    let published =
        guideline::published_versions_informed_by(write.txn(), Informer::Visit(id)).await?;
    let Some((version, guideline)) = published.first() else {
        return Ok(());
    };
    let more = match published.len() {
        1 => String::new(),
        n => format!(" and {} other published version(s)", n - 1),
    };
    Err(AppError::Conflict(format!(
        "this visit informed version {} of `{}` ({}){more}, whose provenance is public and must stay as it was written from; partners cannot change it. Ask an editor or admin to correct it: they can, and their change is audited",
        version.number,
        guideline.key,
        version.status.as_str().to_ascii_uppercase(),
    )))
}

/// Every problem of the fields, including references to rows that do not exist.
async fn check(write: &Write, fields: &VisitFields) -> Result<()> {
    let mut problems = Problems::new();
    let db = write.txn();
    match facility::Entity::find_by_id(fields.facility_id)
        .one(db)
        .await?
    {
        None => problems.add("input.facility", "no facility has this id"),
        Some(f) => write
            .actor
            .require_maintainer(f.maintained_by_id, &format!("facility `{}`", f.slug))?,
    }
    problems.check(
        "input.visitedOn",
        validate::activity_date(fields.visited_on),
    );
    if let Some(workshop) = fields.workshop_id {
        let found = existing_ids::<knowledge_workshop::Entity>(
            db,
            knowledge_workshop::Column::Id,
            &[workshop],
        )
        .await?;
        if found.is_empty() {
            problems.add("input.workshop", "no knowledge workshop has this id");
        }
    }
    if let Some(summary) = &fields.summary {
        for (lang, text) in &summary.0 {
            problems.check(
                &format!("input.summary.{lang}"),
                validate::prose(text, validate::MAX_PROSE),
            );
        }
    }
    if fields.participants.len() > MAX_PARTICIPANTS {
        problems.add(
            "input.participants",
            format!(
                "a visit has at most {MAX_PARTICIPANTS} participants, got {}",
                fields.participants.len()
            ),
        );
    } else {
        let found =
            existing_ids::<stakeholder::Entity>(db, stakeholder::Column::Id, &fields.participants)
                .await?;
        check_references(
            &mut problems,
            "input.participants",
            &fields.participants,
            &found,
            "stakeholder",
        );
    }
    if fields.findings.len() > max_findings() {
        problems.add(
            "input.findings",
            format!(
                "a visit has at most {} findings, one per ecosystem dimension, got {}",
                max_findings(),
                fields.findings.len()
            ),
        );
    }
    let mut seen = HashSet::new();
    for (i, (dimension, note)) in fields.findings.iter().enumerate() {
        if !seen.insert(*dimension) {
            problems.add(
                format!("input.findings[{i}].dimension"),
                "each dimension has one finding: this one appears twice",
            );
        }
        problems.check(
            &format!("input.findings[{i}].note"),
            validate::prose(note, validate::MAX_PROSE),
        );
    }
    problems.finish()
}

/// The current fields of a stored visit.
///
/// # Errors
/// Database errors.
pub async fn fields_of(db: &impl ConnectionTrait, model: &visit::Model) -> Result<VisitFields> {
    let participants = visit_participant::Entity::find()
        .filter(visit_participant::Column::VisitId.eq(model.id))
        .order_by_asc(visit_participant::Column::StakeholderId)
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.stakeholder_id)
        .collect();
    let findings = visit_finding::Entity::find()
        .filter(visit_finding::Column::VisitId.eq(model.id))
        .order_by_asc(visit_finding::Column::Dimension)
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.dimension, f.note))
        .collect();
    Ok(VisitFields {
        facility_id: model.facility_id,
        visited_on: model.visited_on,
        workshop_id: model.workshop_id,
        summary: model.summary.clone(),
        participants,
        findings,
    })
}

async fn replace_children(db: &impl ConnectionTrait, id: i32, fields: &VisitFields) -> Result<()> {
    let participants = fields
        .participants
        .iter()
        .map(|s| visit_participant::ActiveModel {
            visit_id: Set(id),
            stakeholder_id: Set(*s),
        });
    unit_of_work::replace_children(
        db,
        visit_participant::Column::VisitId,
        id,
        participants.collect(),
    )
    .await?;
    let findings = fields
        .findings
        .iter()
        .map(|(dimension, note)| visit_finding::ActiveModel {
            visit_id: Set(id),
            dimension: Set(*dimension),
            note: Set(note.trim().to_owned()),
        });
    unit_of_work::replace_children(db, visit_finding::Column::VisitId, id, findings.collect()).await
}
