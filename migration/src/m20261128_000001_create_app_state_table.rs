use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string, string_len, timestamp_with_time_zone};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppState::Table)
                    .if_not_exists()
                    .col(string_len(AppState::Key, 100).primary_key())
                    .col(string(AppState::Value))
                    .col(timestamp_with_time_zone(AppState::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AppState::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone)]
enum AppState {
    Table,
    Key,
    Value,
    UpdatedAt,
}
