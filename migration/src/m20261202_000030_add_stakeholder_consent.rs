//! What each stakeholder consented to make public (their name, their
//! affiliation, their kind), who recorded it and when, and when the person
//! was erased. Every row starts without consent: nothing about a person is
//! public until someone records that they agreed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{boolean, string_len_null, timestamp_with_time_zone_null};

use crate::m20261128_000005_create_stakeholder_table::Stakeholder;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Added {
    ConsentName,
    ConsentAffiliation,
    ConsentKind,
    ConsentRecordedAt,
    ConsentRecordedBy,
    ErasedAt,
}

const COLUMNS: [Added; 6] = [
    Added::ConsentName,
    Added::ConsentAffiliation,
    Added::ConsentKind,
    Added::ConsentRecordedAt,
    Added::ConsentRecordedBy,
    Added::ErasedAt,
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in COLUMNS {
            // SQLite adds one column per statement; a rerun after a failure
            // skips what is there.
            if manager.has_column("stakeholder", &col.to_string()).await? {
                continue;
            }
            let def = match col {
                Added::ConsentName | Added::ConsentAffiliation | Added::ConsentKind => {
                    boolean(col).default(false).take()
                }
                Added::ConsentRecordedBy => string_len_null(col, 200),
                Added::ConsentRecordedAt | Added::ErasedAt => timestamp_with_time_zone_null(col),
            };
            manager
                .alter_table(
                    Table::alter()
                        .table(Stakeholder::Table)
                        .add_column(def)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Stakeholder::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
