//! The audit log learns a new kind of record, `webhook_endpoint`: creating,
//! changing, removing, enabling and disabling an endpoint and rotating its
//! secret are written down like every other write (never in the change feed).

use sea_orm_migration::prelude::*;

use crate::column;

#[derive(DeriveMigrationName)]
pub struct Migration;

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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        column::add_value(
            manager,
            "audit_event",
            "entity_type",
            ENTITIES_BEFORE,
            "webhook_endpoint",
        )
        .await
    }

    /// Forgets the endpoints' events with the kind.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        column::remove_value(
            manager,
            "audit_event",
            "entity_type",
            ENTITIES_BEFORE,
            "webhook_endpoint",
        )
        .await
    }
}
