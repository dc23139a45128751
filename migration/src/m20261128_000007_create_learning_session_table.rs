//! Learning sessions and their participants.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{date, integer, integer_null, json_null, pk_auto, string, text};

use crate::column;
use crate::m20261128_000003_create_knowledge_workshop_table::KnowledgeWorkshop;
use crate::m20261128_000005_create_stakeholder_table::Stakeholder;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let [created_at, updated_at] = column::timestamps();
        manager
            .create_table(
                Table::create()
                    .table(LearningSession::Table)
                    .if_not_exists()
                    .col(pk_auto(LearningSession::Id))
                    .col(string(LearningSession::Title))
                    .col(date(LearningSession::HeldOn))
                    .col(column::enumeration(
                        LearningSession::Level,
                        &["national", "european"],
                        false,
                    ))
                    .col(column::country_code(LearningSession::CountryCode, true))
                    .col(column::enumeration(
                        LearningSession::Topic,
                        &["ecosystem", "relational_security"],
                        false,
                    ))
                    .col(integer_null(LearningSession::WorkshopId))
                    .col(json_null(LearningSession::Outcomes))
                    .col(text(LearningSession::SearchText))
                    .col(column::version())
                    .col(created_at)
                    .col(updated_at)
                    .foreign_key(&mut column::fk(
                        "fk_learning_session_workshop",
                        (LearningSession::Table, LearningSession::WorkshopId),
                        (KnowledgeWorkshop::Table, KnowledgeWorkshop::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_learning_session_held_on")
                    .table(LearningSession::Table)
                    .col(LearningSession::HeldOn)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LearningSessionParticipant::Table)
                    .if_not_exists()
                    .col(integer(LearningSessionParticipant::SessionId))
                    .col(integer(LearningSessionParticipant::StakeholderId))
                    .primary_key(
                        Index::create()
                            .col(LearningSessionParticipant::SessionId)
                            .col(LearningSessionParticipant::StakeholderId),
                    )
                    .foreign_key(&mut column::fk(
                        "fk_learning_session_participant_session",
                        (
                            LearningSessionParticipant::Table,
                            LearningSessionParticipant::SessionId,
                        ),
                        (LearningSession::Table, LearningSession::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut column::fk(
                        "fk_learning_session_participant_stakeholder",
                        (
                            LearningSessionParticipant::Table,
                            LearningSessionParticipant::StakeholderId,
                        ),
                        (Stakeholder::Table, Stakeholder::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_learning_session_participant_stakeholder")
                    .table(LearningSessionParticipant::Table)
                    .col(LearningSessionParticipant::StakeholderId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(LearningSessionParticipant::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(LearningSession::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone)]
pub enum LearningSession {
    Table,
    Id,
    Title,
    HeldOn,
    Level,
    CountryCode,
    Topic,
    WorkshopId,
    Outcomes,
    SearchText,
}

#[derive(DeriveIden, Clone)]
enum LearningSessionParticipant {
    Table,
    SessionId,
    StakeholderId,
}
