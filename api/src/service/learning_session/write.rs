//! Creating, updating and deleting learning sessions with their participants
//! (editors and admins).

use chrono::NaiveDate;
use entity::value::{AuditAction, AuditEntity, LocalizedText, SessionLevel, SessionTopic};
use entity::{
    guideline_version_session, knowledge_workshop, learning_session, learning_session_participant,
    stakeholder,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;

use crate::error::{AppError, Result};
use crate::service::kernel::unit_of_work::{
    self as unit_of_work, Actor, Change, Write, check_references, check_version, existing_ids,
    snapshot,
};
use crate::service::kernel::validate::{self, Problems};
use crate::service::kernel::{now, text};
use crate::service::visit::write::MAX_PARTICIPANTS;

/// Every editable field of a learning session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionFields {
    pub title: String,
    pub held_on: NaiveDate,
    pub level: SessionLevel,
    pub country_code: Option<String>,
    pub topic: SessionTopic,
    pub workshop_id: Option<i32>,
    pub outcomes: Option<LocalizedText>,
    pub participants: Vec<i32>,
}

#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(flatten)]
    record: &'a learning_session::Model,
    participants: &'a [i32],
}

fn session_snapshot(
    model: &learning_session::Model,
    fields: &SessionFields,
) -> Result<serde_json::Value> {
    snapshot(&Snapshot {
        record: model,
        participants: &fields.participants,
    })
}

fn search_text(fields: &SessionFields) -> String {
    let mut parts = vec![fields.title.as_str()];
    if let Some(outcomes) = &fields.outcomes {
        parts.extend(outcomes.0.values().map(String::as_str));
    }
    text::fold_all(parts)
}

/// # Errors
/// `FORBIDDEN` for partners, `BAD_USER_INPUT` listing every bad field, database errors.
pub async fn create(
    db: &DatabaseConnection,
    actor: Actor,
    mut fields: SessionFields,
) -> Result<learning_session::Model> {
    actor.require_editor("writing learning sessions")?;
    let mut write = Write::begin(db, actor, "api").await?;
    check(write.txn(), &mut fields).await?;
    let now = now();
    let model = learning_session::ActiveModel {
        title: Set(fields.title.clone()),
        held_on: Set(fields.held_on),
        level: Set(fields.level),
        country_code: Set(fields.country_code.clone()),
        topic: Set(fields.topic),
        workshop_id: Set(fields.workshop_id),
        outcomes: Set(fields.outcomes.clone()),
        search_text: Set(search_text(&fields)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(write.txn())
    .await?;
    replace_participants(write.txn(), model.id, &fields.participants).await?;
    write.record(Change {
        entity: AuditEntity::LearningSession,
        id: model.id,
        action: AuditAction::Created,
        version: Some(1),
        public: true,
        before: None,
        after: Some(session_snapshot(&model, &fields)?),
    });
    write.commit().await?;
    Ok(model)
}

/// # Errors
/// `FORBIDDEN`, `NOT_FOUND`, `CONFLICT` for a stale version, `BAD_USER_INPUT`, database errors.
pub async fn update(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
    apply: impl FnOnce(&mut SessionFields),
) -> Result<learning_session::Model> {
    actor.require_editor("writing learning sessions")?;
    let mut write = Write::begin(db, actor, "api").await?;
    let current = find(write.txn(), id).await?;
    check_version("this learning session", current.version, expected_version)?;
    let before = fields_of(write.txn(), &current).await?;
    let mut fields = before.clone();
    apply(&mut fields);
    check(write.txn(), &mut fields).await?;
    if fields == before {
        return Ok(current);
    }
    let model = learning_session::ActiveModel {
        id: Set(id),
        title: Set(fields.title.clone()),
        held_on: Set(fields.held_on),
        level: Set(fields.level),
        country_code: Set(fields.country_code.clone()),
        topic: Set(fields.topic),
        workshop_id: Set(fields.workshop_id),
        outcomes: Set(fields.outcomes.clone()),
        search_text: Set(search_text(&fields)),
        version: Set(current.version + 1),
        created_at: Set(current.created_at),
        updated_at: Set(now()),
    }
    .update(write.txn())
    .await?;
    if fields.participants != before.participants {
        replace_participants(write.txn(), id, &fields.participants).await?;
    }
    write.record(Change {
        entity: AuditEntity::LearningSession,
        id,
        action: AuditAction::Updated,
        version: Some(model.version),
        public: true,
        before: Some(session_snapshot(&current, &before)?),
        after: Some(session_snapshot(&model, &fields)?),
    });
    write.commit().await?;
    Ok(model)
}

/// Deletes a learning session that informed no guideline version (admins only).
///
/// # Errors
/// `FORBIDDEN`, `NOT_FOUND`, `CONFLICT`, database errors.
pub async fn delete(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
) -> Result<()> {
    actor.require_admin("deleting a learning session")?;
    let mut write = Write::begin(db, actor, "api").await?;
    let current = find(write.txn(), id).await?;
    check_version("this learning session", current.version, expected_version)?;
    let informed = guideline_version_session::Entity::find()
        .filter(guideline_version_session::Column::SessionId.eq(id))
        .count(write.txn())
        .await?;
    if informed > 0 {
        return Err(AppError::Conflict(format!(
            "this learning session informed {informed} guideline version(s), whose provenance must stay whole; it cannot be deleted"
        )));
    }
    let before = fields_of(write.txn(), &current).await?;
    learning_session::Entity::delete_by_id(id)
        .exec(write.txn())
        .await?;
    write.record(Change {
        entity: AuditEntity::LearningSession,
        id,
        action: AuditAction::Deleted,
        version: None,
        public: true,
        before: Some(session_snapshot(&current, &before)?),
        after: None,
    });
    write.commit().await
}

async fn find(db: &impl ConnectionTrait, id: i32) -> Result<learning_session::Model> {
    learning_session::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("no learning session has this id"))
}

/// Checks every field and normalises what it may (title, country code, participant order).
async fn check(db: &impl ConnectionTrait, fields: &mut SessionFields) -> Result<()> {
    let mut problems = Problems::new();
    fields.title = fields.title.trim().to_owned();
    problems.check("input.title", validate::name(&fields.title));
    problems.check("input.heldOn", validate::activity_date(fields.held_on));
    if let Some(code) = &fields.country_code {
        match validate::country_code(code) {
            Ok(code) => fields.country_code = Some(code),
            Err(message) => problems.add("input.countryCode", message),
        }
    } else if fields.level == SessionLevel::National {
        problems.add(
            "input.countryCode",
            "a national learning session names its country",
        );
    }
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
    if let Some(outcomes) = &fields.outcomes {
        for (lang, text) in &outcomes.0 {
            problems.check(
                &format!("input.outcomes.{lang}"),
                validate::prose(text, validate::MAX_PROSE),
            );
        }
    }
    if fields.participants.len() > MAX_PARTICIPANTS {
        problems.add(
            "input.participants",
            format!(
                "a learning session has at most {MAX_PARTICIPANTS} participants, got {}",
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
    problems.finish()?;
    fields.participants.sort_unstable();
    Ok(())
}

/// The current fields of a stored learning session.
///
/// # Errors
/// Database errors.
pub async fn fields_of(
    db: &impl ConnectionTrait,
    model: &learning_session::Model,
) -> Result<SessionFields> {
    let participants = learning_session_participant::Entity::find()
        .filter(learning_session_participant::Column::SessionId.eq(model.id))
        .order_by_asc(learning_session_participant::Column::StakeholderId)
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.stakeholder_id)
        .collect();
    Ok(SessionFields {
        title: model.title.clone(),
        held_on: model.held_on,
        level: model.level,
        country_code: model.country_code.clone(),
        topic: model.topic,
        workshop_id: model.workshop_id,
        outcomes: model.outcomes.clone(),
        participants,
    })
}

async fn replace_participants(
    db: &impl ConnectionTrait,
    id: i32,
    participants: &[i32],
) -> Result<()> {
    let rows = participants
        .iter()
        .map(|s| learning_session_participant::ActiveModel {
            session_id: Set(id),
            stakeholder_id: Set(*s),
        });
    unit_of_work::replace_children(
        db,
        learning_session_participant::Column::SessionId,
        id,
        rows.collect(),
    )
    .await
}
