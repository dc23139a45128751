//! Study visits, their participants and their findings per ecosystem dimension.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{date, integer, integer_null, json_null, pk_auto, text};

use crate::column::{self, ECOSYSTEM_DIMENSIONS};
use crate::m20261128_000003_create_knowledge_workshop_table::KnowledgeWorkshop;
use crate::m20261128_000004_create_facility_table::Facility;
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
                    .table(Visit::Table)
                    .if_not_exists()
                    .col(pk_auto(Visit::Id))
                    .col(integer(Visit::FacilityId))
                    .col(date(Visit::VisitedOn))
                    .col(integer_null(Visit::WorkshopId))
                    .col(json_null(Visit::Summary))
                    .col(column::version())
                    .col(created_at)
                    .col(updated_at)
                    .foreign_key(&mut column::fk(
                        "fk_visit_facility",
                        (Visit::Table, Visit::FacilityId),
                        (Facility::Table, Facility::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut column::fk(
                        "fk_visit_workshop",
                        (Visit::Table, Visit::WorkshopId),
                        (KnowledgeWorkshop::Table, KnowledgeWorkshop::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_visit_facility_visited_on")
                    .table(Visit::Table)
                    .col(Visit::FacilityId)
                    .col(Visit::VisitedOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_visit_workshop")
                    .table(Visit::Table)
                    .col(Visit::WorkshopId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(VisitParticipant::Table)
                    .if_not_exists()
                    .col(integer(VisitParticipant::VisitId))
                    .col(integer(VisitParticipant::StakeholderId))
                    .primary_key(
                        Index::create()
                            .col(VisitParticipant::VisitId)
                            .col(VisitParticipant::StakeholderId),
                    )
                    .foreign_key(&mut column::fk(
                        "fk_visit_participant_visit",
                        (VisitParticipant::Table, VisitParticipant::VisitId),
                        (Visit::Table, Visit::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut column::fk(
                        "fk_visit_participant_stakeholder",
                        (VisitParticipant::Table, VisitParticipant::StakeholderId),
                        (Stakeholder::Table, Stakeholder::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_visit_participant_stakeholder")
                    .table(VisitParticipant::Table)
                    .col(VisitParticipant::StakeholderId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(VisitFinding::Table)
                    .if_not_exists()
                    .col(integer(VisitFinding::VisitId))
                    .col(column::enumeration(
                        VisitFinding::Dimension,
                        ECOSYSTEM_DIMENSIONS,
                        false,
                    ))
                    .col(text(VisitFinding::Note))
                    .primary_key(
                        Index::create()
                            .col(VisitFinding::VisitId)
                            .col(VisitFinding::Dimension),
                    )
                    .foreign_key(&mut column::fk(
                        "fk_visit_finding_visit",
                        (VisitFinding::Table, VisitFinding::VisitId),
                        (Visit::Table, Visit::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            VisitFinding::Table.into_iden(),
            VisitParticipant::Table.into_iden(),
            Visit::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone)]
pub enum Visit {
    Table,
    Id,
    FacilityId,
    VisitedOn,
    WorkshopId,
    Summary,
}

#[derive(DeriveIden, Clone)]
enum VisitParticipant {
    Table,
    VisitId,
    StakeholderId,
}

#[derive(DeriveIden, Clone)]
enum VisitFinding {
    Table,
    VisitId,
    Dimension,
    Note,
}
