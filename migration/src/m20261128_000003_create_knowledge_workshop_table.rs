use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{pk_auto, string, string_len_uniq};

use crate::column;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let [created_at, updated_at] = column::timestamps();
        manager
            .create_table(
                Table::create()
                    .table(KnowledgeWorkshop::Table)
                    .if_not_exists()
                    .col(pk_auto(KnowledgeWorkshop::Id))
                    .col(string_len_uniq(KnowledgeWorkshop::Key, 100))
                    .col(string(KnowledgeWorkshop::Name))
                    .col(column::country_code(KnowledgeWorkshop::CountryCode, true))
                    .col(column::version())
                    .col(created_at)
                    .col(updated_at)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(KnowledgeWorkshop::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone)]
pub enum KnowledgeWorkshop {
    Table,
    Id,
    Key,
    Name,
    CountryCode,
}
