//! The audit log stops keeping stakeholders' e-mail addresses and phone
//! numbers: each snapshot keeps, for each, only whether it was set and
//! whether that write changed it. The log also learns a new action,
//! `erased`, for the erasure of a person. Stakeholders have no recorded
//! consent yet, so none of their events stays in the public change feed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, JsonValue};

use crate::column;

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
const ACTIONS_BEFORE: &[&str] = &["created", "updated", "deleted"];
const ACTIONS_AFTER: &[&str] = &["created", "updated", "deleted", "erased"];

/// The fields of a stakeholder whose values the log no longer keeps.
const PRIVATE_FIELDS: [&str; 2] = ["email", "phone"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        column::allow_values(
            manager,
            "audit_event",
            "action",
            ACTIONS_BEFORE,
            ACTIONS_AFTER,
        )
        .await?;
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
        column::allow_values(
            manager,
            "audit_event",
            "action",
            ACTIONS_AFTER,
            ACTIONS_BEFORE,
        )
        .await
    }
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
