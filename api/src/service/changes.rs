//! Reading the audit log: the change feed of public data for partners who
//! sync, and the whole log for admins. Both are ordered by audit id, which
//! follows commit order (see [`crate::service::kernel::unit_of_work`]), so a reader who
//! resumes after the last id it saw neither misses nor repeats a change.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::audit_event;
use entity::value::{AuditAction, AuditEntity};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::error::{AppError, Result};
use crate::service::kernel::global_id::{self, Kind};

/// Which part of the log to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Range {
    /// Events after this id.
    pub after: Option<i64>,
    /// At most this many, plus one to tell whether more follow.
    pub limit: u64,
}

/// Public changes after `range.after`, oldest first; one more than `limit` when more follow.
///
/// # Errors
/// Database errors.
pub async fn feed(db: &impl ConnectionTrait, range: Range) -> Result<Vec<audit_event::Model>> {
    read(
        db,
        Condition::all().add(audit_event::Column::Public.eq(true)),
        range,
    )
    .await
}

/// Public changes of one record after `range.after`, oldest first.
///
/// # Errors
/// Database errors.
pub async fn feed_of(
    db: &impl ConnectionTrait,
    entity: AuditEntity,
    row: i32,
    range: Range,
) -> Result<Vec<audit_event::Model>> {
    read(
        db,
        Condition::all()
            .add(audit_event::Column::Public.eq(true))
            .add(audit_event::Column::EntityType.eq(entity))
            .add(audit_event::Column::EntityId.eq(row)),
        range,
    )
    .await
}

/// The id of the latest public change, where a reader who wants only what
/// comes next starts; `None` while the feed is empty.
///
/// # Errors
/// Database errors.
pub async fn last_id(db: &impl ConnectionTrait) -> Result<Option<i64>> {
    Ok(audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::Id)
        .filter(audit_event::Column::Public.eq(true))
        .order_by_desc(audit_event::Column::Id)
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?)
}

/// Every audit event after `range.after`, optionally of one record, oldest first.
///
/// # Errors
/// Database errors.
pub async fn audit_log(
    db: &impl ConnectionTrait,
    entity: Option<(AuditEntity, Option<i32>)>,
    range: Range,
) -> Result<Vec<audit_event::Model>> {
    let mut cond = Condition::all();
    if let Some((kind, id)) = entity {
        cond = cond.add(audit_event::Column::EntityType.eq(kind));
        if let Some(id) = id {
            cond = cond.add(audit_event::Column::EntityId.eq(id));
        }
    }
    read(db, cond, range).await
}

/// The row id a deleted record had, found in the snapshot its deletion
/// kept: no row of its table holds its UUID any more. Deletions are few, so
/// their snapshots are read here rather than searched in JSON, which the
/// two databases query differently.
///
/// # Errors
/// Database errors.
pub async fn deleted_row(
    db: &impl ConnectionTrait,
    entity: AuditEntity,
    uuid: Uuid,
) -> Result<Option<i32>> {
    let deletions: Vec<(i32, Option<serde_json::Value>)> = audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::EntityId)
        .column(audit_event::Column::BeforeState)
        .filter(audit_event::Column::EntityType.eq(entity))
        .filter(audit_event::Column::Action.eq(AuditAction::Deleted))
        .into_tuple()
        .all(db)
        .await?;
    Ok(deletions.into_iter().find_map(|(id, state)| {
        let deleted = state?.get("uuid")?.as_str()?.parse::<Uuid>().ok()?;
        (deleted == uuid).then_some(id)
    }))
}

async fn read(
    db: &impl ConnectionTrait,
    mut cond: Condition,
    range: Range,
) -> Result<Vec<audit_event::Model>> {
    if let Some(after) = range.after {
        cond = cond.add(audit_event::Column::Id.gt(after));
    }
    Ok(audit_event::Entity::find()
        .filter(cond)
        .order_by_asc(audit_event::Column::Id)
        .limit(range.limit + 1)
        .all(db)
        .await?)
}

/// The opaque cursor of an audit event.
#[must_use]
pub fn encode_cursor(event_id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("change:{event_id}"))
}

/// # Errors
/// `BAD_USER_INPUT` on `field` for a cursor this API did not make.
pub fn decode_cursor(cursor: &str, field: &str) -> Result<i64> {
    let bad = || {
        AppError::bad_input(
            field,
            "this is not a cursor of the change feed: pass an `endCursor` or `cursor` it returned",
        )
    };
    let raw = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    raw.strip_prefix("change:")
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| *n >= 0)
        .ok_or_else(bad)
}

/// The global id of an event's record: from the UUID its snapshots carry, or,
/// for an event written before records had UUIDs, from its row, as the ids
/// of that time were made (and still resolve).
#[must_use]
pub fn record_id(event: &audit_event::Model) -> ID {
    let kind = Kind::from(event.entity_type);
    [&event.after_state, &event.before_state]
        .into_iter()
        .flatten()
        .find_map(|state| state.get("uuid")?.as_str()?.parse::<Uuid>().ok())
        .map_or_else(
            || global_id::encode_serial(kind, event.entity_id),
            |uuid| global_id::encode(kind, uuid),
        )
}
