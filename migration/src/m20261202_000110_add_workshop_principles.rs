//! A knowledge workshop's principles and focus themes, and workshops in the
//! audit log and the change feed now that editors write them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::integer;

use crate::column;

/// The principles the project names for every knowledge workshop.
const PRINCIPLES: &[&str] = &[
    "future_oriented",
    "inclusive_multidisciplinary",
    "collaboration",
    "added_value",
    "connecting_the_dots",
    "eye_for_the_public",
];
/// The two themes of the project, as learning sessions name them.
const THEMES: &[&str] = &["ecosystem", "relational_security"];

const ENTITIES_BEFORE: &[&str] = &[
    "facility",
    "visit",
    "learning_session",
    "stakeholder",
    "guideline_version",
    "resource",
    "organisation",
    "proposal",
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
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, col, values, fk) in [
            (
                Child::WorkshopPrinciple,
                Child::Principle,
                PRINCIPLES,
                "fk_workshop_principle_workshop",
            ),
            (
                Child::WorkshopTheme,
                Child::Theme,
                THEMES,
                "fk_workshop_theme_workshop",
            ),
        ] {
            manager
                .create_table(
                    Table::create()
                        .table(table.clone())
                        .if_not_exists()
                        .col(integer(Child::WorkshopId))
                        .col(column::enumeration(col.clone(), values, false))
                        .primary_key(Index::create().col(Child::WorkshopId).col(col))
                        .foreign_key(&mut column::fk(
                            fk,
                            (table, Child::WorkshopId),
                            (KnowledgeWorkshop::Table, KnowledgeWorkshop::Id),
                            ForeignKeyAction::Cascade,
                        ))
                        .to_owned(),
                )
                .await?;
        }
        column::allow_values(
            manager,
            "audit_event",
            "entity_type",
            ENTITIES_BEFORE,
            ENTITIES_AFTER,
        )
        .await
    }

    /// The history of workshops goes with their principles and themes.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(AuditEvent::Table)
                    .and_where(Expr::col(AuditEvent::EntityType).eq("knowledge_workshop"))
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
        .await?;
        for table in [Child::WorkshopTheme, Child::WorkshopPrinciple] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone)]
enum Child {
    WorkshopPrinciple,
    WorkshopTheme,
    WorkshopId,
    Principle,
    Theme,
}

#[derive(DeriveIden)]
enum KnowledgeWorkshop {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    EntityType,
}
