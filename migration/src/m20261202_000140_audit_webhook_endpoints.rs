//! The audit log learns a new kind of record, `webhook_endpoint`: creating,
//! changing, removing, enabling and disabling an endpoint and rotating its
//! secret are written down like every other write (never in the change feed).

use sea_orm_migration::prelude::*;

use crate::column;

const ENTITIES_BEFORE: &[&str] = &[
    "facility",
    "visit",
    "learning_session",
    "stakeholder",
    "guideline_version",
    "resource",
    "organisation",
    "proposal",
    "knowledge_workshop",
    "consultation_comment",
    "competence_area",
    "competence",
];
const ENTITIES_AFTER: &[&str] = &[
    "facility",
    "visit",
    "learning_session",
    "stakeholder",
    "guideline_version",
    "resource",
    "organisation",
    "proposal",
    "knowledge_workshop",
    "consultation_comment",
    "competence_area",
    "competence",
    "webhook_endpoint",
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
        column::allow_values(
            manager,
            "audit_event",
            "entity_type",
            ENTITIES_BEFORE,
            ENTITIES_AFTER,
        )
        .await
    }

    /// Forgets the endpoints' events with the kind.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(AuditEvent::Table)
                    .and_where(Expr::col(AuditEvent::EntityType).eq("webhook_endpoint"))
                    .to_owned(),
            )
            .await?;
        column::allow_values(
            manager,
            "audit_event",
            "entity_type",
            ENTITIES_AFTER,
            ENTITIES_BEFORE,
        )
        .await
    }
}
