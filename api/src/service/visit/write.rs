//! Study visits with their participants and findings: the hooks of
//! [`Record`] for the write steps of the kernel. Partners write the visits to
//! the facilities they maintain.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::NaiveDate;
use entity::value::{EcosystemDimension, LocalizedText};
use entity::visit_participant::Column as ParticipantLink;
use entity::{
    facility, guideline_version_visit, knowledge_workshop, stakeholder, visit, visit_finding,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde::Serialize;

use crate::error::{AppError, Result};
use crate::service::guideline::{self, Informer};
use crate::service::kernel::link::{Link, check_existing};
use crate::service::kernel::record::{Record, Stamp};
use crate::service::kernel::unit_of_work::{self as unit_of_work, Write, existing_ids};
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

/// A study visit, as the write steps see it.
pub struct Visit;

/// The lists of a visit that link tables hold.
const PARTICIPANTS: Link<ParticipantLink> =
    Link(ParticipantLink::VisitId, ParticipantLink::StakeholderId);

#[async_trait]
impl Record for Visit {
    type Entity = visit::Entity;
    type Fields = VisitFields;
    type Resolved = ();

    /// A partner changes the visits to the facilities its organisation
    /// maintains; where a visit moves to, [`Record::check`] answers for.
    async fn may_change(write: &Write, current: &visit::Model) -> Result<()> {
        if write.actor.writes_all_content() {
            return Ok(());
        }
        let facility = facility::Entity::find_by_id(current.facility_id)
            .one(write.txn())
            .await?;
        match facility {
            Some(f) => write
                .actor
                .require_maintainer(f.maintained_by_id, &format!("facility `{}`", f.slug)),
            None => Ok(()),
        }
    }

    async fn fields_of(db: &impl ConnectionTrait, model: &visit::Model) -> Result<VisitFields> {
        let participants = PARTICIPANTS.ids(db, model.id).await?;
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

    async fn check(
        write: &Write,
        fields: &mut VisitFields,
        _current: Option<&visit::Model>,
    ) -> Result<()> {
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
        check_activity(
            db,
            &mut problems,
            &Activity {
                what: "a visit",
                workshop_id: fields.workshop_id,
                prose_field: "input.summary",
                prose: fields.summary.as_ref(),
                participants: &fields.participants,
            },
        )
        .await?;
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
        problems.finish()?;
        // In the order `fields_of` reads them back, so that the same visit
        // written again compares equal and writes nothing.
        fields.participants.sort_unstable();
        fields.findings.sort_by_key(|(d, _)| *d);
        Ok(())
    }

    fn row(fields: &VisitFields, (): &(), stamp: Stamp) -> visit::ActiveModel {
        visit::ActiveModel {
            facility_id: Set(fields.facility_id),
            visited_on: Set(fields.visited_on),
            workshop_id: Set(fields.workshop_id),
            summary: Set(fields.summary.clone()),
            ..stamp.into()
        }
    }

    async fn save_children(
        db: &impl ConnectionTrait,
        id: i32,
        fields: &VisitFields,
        before: Option<&VisitFields>,
    ) -> Result<()> {
        PARTICIPANTS
            .save(db, id, fields, before, |f| &f.participants)
            .await?;
        unit_of_work::replace_children(
            db,
            visit_finding::Column::VisitId,
            id,
            &fields.findings,
            before.map(|b| b.findings.as_slice()),
            |(dimension, note)| visit_finding::ActiveModel {
                visit_id: Set(id),
                dimension: Set(*dimension),
                note: Set(note.trim().to_owned()),
            },
        )
        .await
    }

    /// A partner may not change a visit that informed a guideline version
    /// past DRAFT: readers of that version see the visit as its source, so
    /// what it says must stay what the version was written from. Editors and
    /// admins may correct it; their change is in the audit log like every other.
    async fn before_change(
        write: &Write,
        current: &visit::Model,
        _before: &VisitFields,
        _after: &VisitFields,
    ) -> Result<()> {
        if write.actor.writes_all_content() {
            return Ok(());
        }
        let published =
            guideline::published_versions_informed_by(write.txn(), Informer::Visit(current.id))
                .await?;
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

    /// The provenance of a guideline version stays whole.
    async fn before_delete(write: &Write, current: &visit::Model) -> Result<()> {
        let informed = guideline_version_visit::Entity::find()
            .filter(guideline_version_visit::Column::VisitId.eq(current.id))
            .count(write.txn())
            .await?
            + entity::guideline_rule_visit::Entity::find()
                .filter(entity::guideline_rule_visit::Column::VisitId.eq(current.id))
                .count(write.txn())
                .await?;
        if informed > 0 {
            return Err(AppError::Conflict(format!(
                "this visit informed {informed} guideline version(s) or rule(s), whose provenance must stay whole; it cannot be deleted"
            )));
        }
        Ok(())
    }
}

/// What a visit and a learning session both have: an organising workshop,
/// prose in several languages, and participants.
pub(crate) struct Activity<'a> {
    /// The record in messages: "a visit", "a learning session".
    pub what: &'a str,
    pub workshop_id: Option<i32>,
    pub prose_field: &'a str,
    pub prose: Option<&'a LocalizedText>,
    pub participants: &'a [i32],
}

/// Adds the problems of what visits and learning sessions share, in the
/// order their inputs list those fields.
///
/// # Errors
/// Database errors.
pub(crate) async fn check_activity(
    db: &impl ConnectionTrait,
    problems: &mut Problems,
    activity: &Activity<'_>,
) -> Result<()> {
    if let Some(workshop) = activity.workshop_id {
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
    validate::localized_prose(problems, activity.prose_field, activity.prose);
    let participants = activity.participants;
    if participants.len() > MAX_PARTICIPANTS {
        problems.add(
            "input.participants",
            format!(
                "{} has at most {MAX_PARTICIPANTS} participants, got {}",
                activity.what,
                participants.len()
            ),
        );
    } else {
        check_existing::<stakeholder::Entity>(db, problems, "input.participants", participants)
            .await?;
    }
    Ok(())
}
