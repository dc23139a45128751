//! The audit log stops keeping stakeholders' e-mail addresses and phone
//! numbers: each snapshot keeps, for each, only whether it was set and
//! whether that write changed it. The log also learns a new action,
//! `erased`, for the erasure of a person. Stakeholders have no recorded
//! consent yet, so none of their events stays in the public change feed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, JsonValue};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
    EntityType,
    Action,
    Public,
    BeforeState,
    AfterState,
}

/// The actions before this migration, as the CHECK constraint lists them.
const ACTIONS_BEFORE: &str = "'created', 'updated', 'deleted'";
const ACTIONS_AFTER: &str = "'created', 'updated', 'deleted', 'erased'";

/// The fields of a stakeholder whose values the log no longer keeps.
const PRIVATE_FIELDS: [&str; 2] = ["email", "phone"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        allow_actions(manager, ACTIONS_BEFORE, ACTIONS_AFTER).await?;
        scrub_stakeholder_snapshots(manager).await
    }

    /// The contact details it removed are gone for good, which is the point;
    /// undoing it only takes `erased` out of the allowed actions again, with
    /// the erasure events (which hold nothing but that an erasure happened).
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(AuditEvent::Table)
                    .and_where(Expr::col(AuditEvent::Action).eq("erased"))
                    .to_owned(),
            )
            .await?;
        allow_actions(manager, ACTIONS_AFTER, ACTIONS_BEFORE).await
    }
}

/// Replaces the list of allowed actions. PostgreSQL changes a constraint in
/// place; SQLite cannot, so the table is made again from its own definition
/// with the one list changed, which keeps whatever else later migrations
/// gave it.
async fn allow_actions(manager: &SchemaManager<'_>, from: &str, to: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    if manager.get_database_backend() == DbBackend::Postgres {
        return db
            .execute_unprepared(&format!(
                "ALTER TABLE audit_event DROP CONSTRAINT IF EXISTS audit_event_action_check, \
                 ADD CONSTRAINT audit_event_action_check CHECK (\"action\" IN ({to}))"
            ))
            .await
            .map(|_| ());
    }
    let definition = db
        .query_one_raw(sea_orm_migration::sea_orm::Statement::from_string(
            DbBackend::Sqlite,
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_event'",
        ))
        .await?
        .ok_or_else(|| DbErr::Migration("the audit_event table is missing".to_owned()))?
        .try_get_by_index::<String>(0)?;
    let old_check = format!("\"action\" IN ({from})");
    if !definition.contains(&old_check) {
        return Err(DbErr::Migration(format!(
            "audit_event does not hold the expected constraint {old_check}"
        )));
    }
    let rebuilt = definition
        .replacen("\"audit_event\"", "\"audit_event_rebuilt\"", 1)
        .replace(&old_check, &format!("\"action\" IN ({to})"));
    let indexes = db
        .query_all_raw(sea_orm_migration::sea_orm::Statement::from_string(
            DbBackend::Sqlite,
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_event' AND sql IS NOT NULL",
        ))
        .await?
        .into_iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect::<Result<Vec<_>, _>>()?;
    db.execute_unprepared(&rebuilt).await?;
    db.execute_unprepared("INSERT INTO audit_event_rebuilt SELECT * FROM audit_event")
        .await?;
    db.execute_unprepared("DROP TABLE audit_event").await?;
    db.execute_unprepared("ALTER TABLE audit_event_rebuilt RENAME TO audit_event")
        .await?;
    for index in indexes {
        db.execute_unprepared(&index).await?;
    }
    Ok(())
}

/// Replaces the e-mail and phone values of every stakeholder snapshot by
/// whether each was set and whether the write changed it, and takes the
/// events out of the public feed.
async fn scrub_stakeholder_snapshots(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let rows = db
        .query_all(
            Query::select()
                .columns([
                    AuditEvent::Id,
                    AuditEvent::BeforeState,
                    AuditEvent::AfterState,
                ])
                .from(AuditEvent::Table)
                .and_where(Expr::col(AuditEvent::EntityType).eq("stakeholder"))
                .order_by(AuditEvent::Id, Order::Asc),
        )
        .await?;
    for row in rows {
        let id: i64 = row.try_get_by(0_usize)?;
        let mut before: Option<JsonValue> = row.try_get_by(1_usize)?;
        let mut after: Option<JsonValue> = row.try_get_by(2_usize)?;
        for field in PRIVATE_FIELDS {
            let old = before.as_ref().and_then(|s| s.get(field)).cloned();
            let new = after.as_ref().and_then(|s| s.get(field)).cloned();
            let changed = match (&before, &after) {
                (Some(_), Some(_)) => old != new,
                (None, Some(_)) => is_set(new.as_ref()),
                _ => false,
            };
            for (state, value) in [(&mut before, old), (&mut after, new)] {
                if let Some(JsonValue::Object(state)) = state {
                    // Already a marker: the migration ran on this row before.
                    if !matches!(value, Some(JsonValue::Object(_))) {
                        state.insert(field.to_owned(), marker(is_set(value.as_ref()), changed));
                    }
                }
            }
        }
        db.execute(
            Query::update()
                .table(AuditEvent::Table)
                .value(AuditEvent::BeforeState, before)
                .value(AuditEvent::AfterState, after)
                .value(AuditEvent::Public, false)
                .and_where(Expr::col(AuditEvent::Id).eq(id)),
        )
        .await?;
    }
    Ok(())
}

fn is_set(value: Option<&JsonValue>) -> bool {
    value.is_some_and(|v| !v.is_null())
}

/// What the log keeps of a private field: `{"set": …, "changed": …}`.
fn marker(set: bool, changed: bool) -> JsonValue {
    let mut marker = sea_orm_migration::sea_orm::JsonValue::Object(Default::default());
    if let JsonValue::Object(fields) = &mut marker {
        fields.insert("set".to_owned(), JsonValue::Bool(set));
        fields.insert("changed".to_owned(), JsonValue::Bool(changed));
    }
    marker
}
