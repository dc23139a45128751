//! Stakeholders and their knowledge-workshop memberships.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{integer, pk_auto, string, string_null, text};

use crate::column;
use crate::m20261128_000003_create_knowledge_workshop_table::KnowledgeWorkshop;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let [created_at, updated_at] = column::timestamps();
        manager
            .create_table(
                Table::create()
                    .table(Stakeholder::Table)
                    .if_not_exists()
                    .col(pk_auto(Stakeholder::Id))
                    .col(string(Stakeholder::Name))
                    .col(column::enumeration(
                        Stakeholder::Kind,
                        &[
                            "practice",
                            "policy",
                            "research",
                            "lived_experience",
                            "education",
                            "community",
                        ],
                        false,
                    ))
                    .col(string_null(Stakeholder::Organisation))
                    .col(column::country_code(Stakeholder::CountryCode, true))
                    .col(string_null(Stakeholder::Email))
                    .col(string_null(Stakeholder::Phone))
                    .col(column::sort_key(manager, Stakeholder::SortName))
                    .col(text(Stakeholder::SearchText))
                    .col(column::version())
                    .col(created_at)
                    .col(updated_at)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WorkshopMembership::Table)
                    .if_not_exists()
                    .col(integer(WorkshopMembership::WorkshopId))
                    .col(integer(WorkshopMembership::StakeholderId))
                    .primary_key(
                        Index::create()
                            .col(WorkshopMembership::WorkshopId)
                            .col(WorkshopMembership::StakeholderId),
                    )
                    .foreign_key(&mut column::fk(
                        "fk_workshop_membership_workshop",
                        (WorkshopMembership::Table, WorkshopMembership::WorkshopId),
                        (KnowledgeWorkshop::Table, KnowledgeWorkshop::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut column::fk(
                        "fk_workshop_membership_stakeholder",
                        (WorkshopMembership::Table, WorkshopMembership::StakeholderId),
                        (Stakeholder::Table, Stakeholder::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_stakeholder_sort_name")
                    .table(Stakeholder::Table)
                    .col(Stakeholder::SortName)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_workshop_membership_stakeholder")
                    .table(WorkshopMembership::Table)
                    .col(WorkshopMembership::StakeholderId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WorkshopMembership::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Stakeholder::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone)]
pub enum Stakeholder {
    Table,
    Id,
    Name,
    Kind,
    Organisation,
    CountryCode,
    Email,
    Phone,
    SortName,
    SearchText,
}

#[derive(DeriveIden, Clone)]
enum WorkshopMembership {
    Table,
    WorkshopId,
    StakeholderId,
}
