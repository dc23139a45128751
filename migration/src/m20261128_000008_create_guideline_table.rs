//! Guidelines, their numbered versions and the provenance of each version.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{date_null, integer, pk_auto, string, string_len_uniq, text};

use crate::column;
use crate::m20261128_000006_create_visit_table::Visit;
use crate::m20261128_000007_create_learning_session_table::LearningSession;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let [created_at, updated_at] = column::timestamps();
        manager
            .create_table(
                Table::create()
                    .table(Guideline::Table)
                    .if_not_exists()
                    .col(pk_auto(Guideline::Id))
                    .col(string_len_uniq(Guideline::Key, 100))
                    .col(string(Guideline::Title))
                    .col(column::version())
                    .col(created_at)
                    .col(updated_at)
                    .to_owned(),
            )
            .await?;

        let [created_at, updated_at] = column::timestamps();
        manager
            .create_table(
                Table::create()
                    .table(GuidelineVersion::Table)
                    .if_not_exists()
                    .col(pk_auto(GuidelineVersion::Id))
                    .col(integer(GuidelineVersion::GuidelineId))
                    .col(
                        integer(GuidelineVersion::Number)
                            .check(column::check("\"number\" >= 1"))
                            .take(),
                    )
                    .col(column::enumeration(
                        GuidelineVersion::Status,
                        &["draft", "consultation", "adopted"],
                        false,
                    ))
                    .col(string(GuidelineVersion::Title))
                    .col(text(GuidelineVersion::Body))
                    .col(date_null(GuidelineVersion::PublishedOn))
                    .col(text(GuidelineVersion::SearchText))
                    .col(column::version())
                    .col(created_at)
                    .col(updated_at)
                    .foreign_key(&mut column::fk(
                        "fk_guideline_version_guideline",
                        (GuidelineVersion::Table, GuidelineVersion::GuidelineId),
                        (Guideline::Table, Guideline::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // Version numbers are unique per guideline, also under concurrent creation.
        manager
            .create_index(
                Index::create()
                    .name("uq_guideline_version_number")
                    .table(GuidelineVersion::Table)
                    .col(GuidelineVersion::GuidelineId)
                    .col(GuidelineVersion::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(GuidelineVersionVisit::Table)
                    .if_not_exists()
                    .col(integer(GuidelineVersionVisit::GuidelineVersionId))
                    .col(integer(GuidelineVersionVisit::VisitId))
                    .primary_key(
                        Index::create()
                            .col(GuidelineVersionVisit::GuidelineVersionId)
                            .col(GuidelineVersionVisit::VisitId),
                    )
                    .foreign_key(&mut column::fk(
                        "fk_guideline_version_visit_version",
                        (
                            GuidelineVersionVisit::Table,
                            GuidelineVersionVisit::GuidelineVersionId,
                        ),
                        (GuidelineVersion::Table, GuidelineVersion::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut column::fk(
                        "fk_guideline_version_visit_visit",
                        (GuidelineVersionVisit::Table, GuidelineVersionVisit::VisitId),
                        (Visit::Table, Visit::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(GuidelineVersionSession::Table)
                    .if_not_exists()
                    .col(integer(GuidelineVersionSession::GuidelineVersionId))
                    .col(integer(GuidelineVersionSession::SessionId))
                    .primary_key(
                        Index::create()
                            .col(GuidelineVersionSession::GuidelineVersionId)
                            .col(GuidelineVersionSession::SessionId),
                    )
                    .foreign_key(&mut column::fk(
                        "fk_guideline_version_session_version",
                        (
                            GuidelineVersionSession::Table,
                            GuidelineVersionSession::GuidelineVersionId,
                        ),
                        (GuidelineVersion::Table, GuidelineVersion::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut column::fk(
                        "fk_guideline_version_session_session",
                        (
                            GuidelineVersionSession::Table,
                            GuidelineVersionSession::SessionId,
                        ),
                        (LearningSession::Table, LearningSession::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            GuidelineVersionSession::Table.into_iden(),
            GuidelineVersionVisit::Table.into_iden(),
            GuidelineVersion::Table.into_iden(),
            Guideline::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone)]
enum Guideline {
    Table,
    Id,
    Key,
    Title,
}

#[derive(DeriveIden, Clone)]
enum GuidelineVersion {
    Table,
    Id,
    GuidelineId,
    Number,
    Status,
    Title,
    Body,
    PublishedOn,
    SearchText,
}

#[derive(DeriveIden, Clone)]
enum GuidelineVersionVisit {
    Table,
    GuidelineVersionId,
    VisitId,
}

#[derive(DeriveIden, Clone)]
enum GuidelineVersionSession {
    Table,
    GuidelineVersionId,
    SessionId,
}
