//! Erasing a person (GDPR Art. 17), and everything held about one (Art. 15).
//!
//! Erasure keeps the row, so that the visits and sessions the person took
//! part in, and the guideline versions those informed, stay whole: the row
//! loses its name, organisation, country, contact details, discipline,
//! gender, age band and consents, and is marked erased. Every audit snapshot of the person is replaced by a
//! marker that keeps only their UUID, and one `erased` event, with that
//! marker as its only state, records that an erasure happened, not what it
//! erased. Snapshots of other records hold
//! participants by row id only, so no other snapshot names the person.

use entity::value::{AuditAction, AuditEntity};
use entity::{
    audit_event, knowledge_workshop, learning_session, learning_session_participant, stakeholder,
    visit, visit_participant,
};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

use crate::error::{AppError, Result};
use crate::service::kernel::now;
use crate::service::kernel::record::Stamp;
use crate::service::kernel::unit_of_work::{Actor, Change, Write, check_version};

/// Erases the person `id`, and answers the anonymous row that stays.
///
/// # Errors
/// `FORBIDDEN` for anyone but admins, `NOT_FOUND`, `CONFLICT` for a stale
/// version or a person erased already, database errors.
pub async fn erase(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
) -> Result<stakeholder::Model> {
    actor.require_admin("erasing a stakeholder")?;
    let mut write = Write::begin(db, actor, "api").await?;
    let current = stakeholder::Entity::find_by_id(id)
        .one(write.txn())
        .await?
        .ok_or_else(|| AppError::not_found("no stakeholder has this id"))?;
    if current.erased_at.is_some() {
        return Err(AppError::Conflict(
            "this stakeholder was erased already".to_owned(),
        ));
    }
    check_version("this stakeholder", current.version, expected_version)?;
    let erased = stakeholder::ActiveModel {
        name: Set(String::new()),
        kind: Set(current.kind),
        organisation: Set(None),
        country_code: Set(None),
        email: Set(None),
        phone: Set(None),
        sort_name: Set(String::new()),
        search_text: Set(String::new()),
        consent_name: Set(false),
        consent_affiliation: Set(false),
        consent_kind: Set(false),
        consent_recorded_at: Set(None),
        consent_recorded_by: Set(None),
        discipline: Set(None),
        gender: Set(None),
        age_band: Set(None),
        consent_demographics: Set(false),
        erased_at: Set(Some(now())),
        ..Stamp::next(&current).into()
    }
    .update(write.txn())
    .await?;
    let marker = serde_json::json!({ "uuid": current.uuid, "erased": true });
    forget_snapshots(write.txn(), &current, &marker).await?;
    write.record(Change {
        entity: AuditEntity::Stakeholder,
        id,
        action: AuditAction::Erased,
        version: Some(erased.version),
        public: false,
        before: None,
        after: Some(marker),
    });
    write.commit().await?;
    crate::db::flush_erased(db).await?;
    Ok(erased)
}

/// Replaces every snapshot of the person by a marker that keeps their UUID
/// (by which the log still names the record) and that they were erased,
/// and takes their events out of the public feed.
async fn forget_snapshots(
    db: &impl ConnectionTrait,
    person: &stakeholder::Model,
    marker: &serde_json::Value,
) -> Result<()> {
    let theirs = || {
        Condition::all()
            .add(audit_event::Column::EntityType.eq(AuditEntity::Stakeholder))
            .add(audit_event::Column::EntityId.eq(person.id))
    };
    for state in [
        audit_event::Column::BeforeState,
        audit_event::Column::AfterState,
    ] {
        audit_event::Entity::update_many()
            .col_expr(state, Expr::value(marker.clone()))
            .filter(theirs())
            .filter(state.is_not_null())
            .exec(db)
            .await?;
    }
    audit_event::Entity::update_many()
        .col_expr(audit_event::Column::Public, Expr::value(false))
        .filter(theirs())
        .exec(db)
        .await?;
    Ok(())
}

/// Everything held about one person, for a subject access request.
#[derive(Debug, Clone)]
pub struct PersonalData {
    pub person: stakeholder::Model,
    pub workshops: Vec<knowledge_workshop::Model>,
    pub visits: Vec<visit::Model>,
    pub sessions: Vec<learning_session::Model>,
    pub events: Vec<audit_event::Model>,
}

/// Everything held about the person `id`; `None` when there is none.
///
/// # Errors
/// Database errors.
pub async fn personal_data(db: &impl ConnectionTrait, id: i32) -> Result<Option<PersonalData>> {
    let Some(person) = stakeholder::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let workshops = super::workshops_of(db, &[id])
        .await?
        .into_iter()
        .map(|(_, w)| w)
        .collect();
    let visits = visit::Entity::find()
        .filter(
            visit::Column::Id.in_subquery(
                Query::select()
                    .column(visit_participant::Column::VisitId)
                    .from(visit_participant::Entity)
                    .and_where(visit_participant::Column::StakeholderId.eq(id))
                    .to_owned(),
            ),
        )
        .order_by_asc(visit::Column::VisitedOn)
        .order_by_asc(visit::Column::Id)
        .all(db)
        .await?;
    let sessions = learning_session::Entity::find()
        .filter(
            learning_session::Column::Id.in_subquery(
                Query::select()
                    .column(learning_session_participant::Column::SessionId)
                    .from(learning_session_participant::Entity)
                    .and_where(learning_session_participant::Column::StakeholderId.eq(id))
                    .to_owned(),
            ),
        )
        .order_by_asc(learning_session::Column::HeldOn)
        .order_by_asc(learning_session::Column::Id)
        .all(db)
        .await?;
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::EntityType.eq(AuditEntity::Stakeholder))
        .filter(audit_event::Column::EntityId.eq(id))
        .order_by_asc(audit_event::Column::Id)
        .all(db)
        .await?;
    Ok(Some(PersonalData {
        person,
        workshops,
        visits,
        sessions,
        events,
    }))
}
