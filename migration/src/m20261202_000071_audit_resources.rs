//! Resources are audited and in the change feed like every other record.

use sea_orm_migration::prelude::*;

use crate::column;

const BEFORE: &[&str] = &[
    "facility",
    "visit",
    "learning_session",
    "stakeholder",
    "guideline_version",
];
const AFTER: &[&str] = &[
    "facility",
    "visit",
    "learning_session",
    "stakeholder",
    "guideline_version",
    "resource",
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    EntityType,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        column::allow_values(manager, "audit_event", "entity_type", BEFORE, AFTER).await
    }

    /// The history of resources goes with them.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(AuditEvent::Table)
                    .and_where(Expr::col(AuditEvent::EntityType).eq("resource"))
                    .to_owned(),
            )
            .await?;
        column::allow_values(manager, "audit_event", "entity_type", AFTER, BEFORE).await
    }
}
