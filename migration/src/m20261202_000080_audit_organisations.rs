//! The audit log and the change feed learn a new kind of record,
//! `organisation`: creating, renaming, suspending and reinstating a partner
//! organisation are written down like every other write.

use sea_orm_migration::prelude::*;

use crate::column;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &'static str {
        "m20261202_000080_audit_organisations"
    }
}

const ENTITIES_BEFORE: &[&str] = &[
    "facility",
    "visit",
    "learning_session",
    "stakeholder",
    "guideline_version",
    "resource",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        column::add_value(
            manager,
            "audit_event",
            "entity_type",
            ENTITIES_BEFORE,
            "organisation",
        )
        .await
    }

    /// Forgets the organisations' events with the kind.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        column::remove_value(
            manager,
            "audit_event",
            "entity_type",
            ENTITIES_BEFORE,
            "organisation",
        )
        .await
    }
}
