//! A knowledge workshop's change agenda: its goals and the activities
//! attached to them. The agenda is one field of the workshop, written whole,
//! so both tables hang off the workshop and are numbered by position.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{date_null, integer, json, json_null};

use crate::column;

/// The kinds of activity the project names.
const KINDS: &[&str] = &[
    "lasting_connection",
    "research",
    "spreading_knowledge",
    "policy_development",
    "stakeholder_support",
    "changing_perception_of_sanctions",
];
const STATUSES: &[&str] = &["planned", "under_way", "done", "dropped"];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Agenda::WorkshopGoal)
                    .if_not_exists()
                    .col(integer(Agenda::WorkshopId))
                    .col(integer(Agenda::Position))
                    .col(json(Agenda::Title))
                    .col(json_null(Agenda::Description))
                    .primary_key(
                        Index::create()
                            .col(Agenda::WorkshopId)
                            .col(Agenda::Position),
                    )
                    .foreign_key(&mut column::fk(
                        "fk_workshop_goal_workshop",
                        (Agenda::WorkshopGoal, Agenda::WorkshopId),
                        (KnowledgeWorkshop::Table, KnowledgeWorkshop::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Agenda::WorkshopActivity)
                    .if_not_exists()
                    .col(integer(Agenda::WorkshopId))
                    .col(integer(Agenda::GoalPosition))
                    .col(integer(Agenda::Position))
                    .col(column::enumeration(Agenda::Kind, KINDS, false))
                    .col(json(Agenda::Title))
                    .col(date_null(Agenda::StartsOn))
                    .col(date_null(Agenda::EndsOn))
                    .col(column::enumeration(Agenda::Status, STATUSES, false))
                    .col(json_null(Agenda::Outcome))
                    .primary_key(
                        Index::create()
                            .col(Agenda::WorkshopId)
                            .col(Agenda::GoalPosition)
                            .col(Agenda::Position),
                    )
                    .foreign_key(&mut column::fk(
                        "fk_workshop_activity_workshop",
                        (Agenda::WorkshopActivity, Agenda::WorkshopId),
                        (KnowledgeWorkshop::Table, KnowledgeWorkshop::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Agenda::WorkshopActivity, Agenda::WorkshopGoal] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone)]
enum Agenda {
    WorkshopGoal,
    WorkshopActivity,
    WorkshopId,
    GoalPosition,
    Position,
    Title,
    Description,
    Kind,
    StartsOn,
    EndsOn,
    Status,
    Outcome,
}

#[derive(DeriveIden)]
enum KnowledgeWorkshop {
    Table,
    Id,
}
