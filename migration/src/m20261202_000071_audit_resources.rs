//! Resources are audited and in the change feed like every other record.

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
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        column::add_value(
            manager,
            "audit_event",
            "entity_type",
            ENTITIES_BEFORE,
            "resource",
        )
        .await
    }

    /// The history of resources goes with them.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        column::remove_value(
            manager,
            "audit_event",
            "entity_type",
            ENTITIES_BEFORE,
            "resource",
        )
        .await
    }
}
