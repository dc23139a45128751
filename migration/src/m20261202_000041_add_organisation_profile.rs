//! What the API says about a partner organisation beyond its slug and name:
//! its website, a contact address for admins, and whether it is suspended
//! (its tokens refused, its facilities kept).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string_len_null, text_null, timestamp_with_time_zone_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Organisation {
    Table,
    Website,
    Contact,
    SuspendedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for col in [
            text_null(Organisation::Website),
            string_len_null(Organisation::Contact, 254),
            timestamp_with_time_zone_null(Organisation::SuspendedAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Organisation::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            Organisation::Website,
            Organisation::Contact,
            Organisation::SuspendedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Organisation::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
