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
                    .table(Organisation::Table)
                    .if_not_exists()
                    .col(pk_auto(Organisation::Id))
                    .col(string_len_uniq(Organisation::Slug, 100))
                    .col(string(Organisation::Name))
                    .col(column::version())
                    .col(created_at)
                    .col(updated_at)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Organisation::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone)]
pub enum Organisation {
    Table,
    Id,
    Slug,
    Name,
}
