//! Provenance and precision of facilities: the sources of their facts (which
//! take over the single `source_url`), the day an editor last checked them,
//! and how exactly their coordinates place them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{date_null, json, text_null};
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::column;
use crate::m20261128_000004_create_facility_table::Facility;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum Provenance {
    LocationPrecision,
    VerifiedOn,
    Sources,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for col in [
            column::enumeration(
                Provenance::LocationPrecision,
                &["exact", "street", "city", "region"],
                true,
            ),
            date_null(Provenance::VerifiedOn),
            json(Provenance::Sources).default("[]").take(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Facility::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        let source_as_list = match manager.get_database_backend() {
            DbBackend::Postgres => "json_build_array(json_build_object('url', source_url))",
            _ => "json_array(json_object('url', source_url))",
        };
        db.execute_unprepared(&format!(
            "UPDATE facility SET sources = {source_as_list} WHERE source_url IS NOT NULL"
        ))
        .await?;
        db.execute_unprepared("ALTER TABLE facility DROP COLUMN source_url")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Facility::Table)
                    .add_column(text_null(Facility::SourceUrl))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let first_url = match manager.get_database_backend() {
            DbBackend::Postgres => "sources -> 0 ->> 'url'",
            _ => "json_extract(sources, '$[0].url')",
        };
        db.execute_unprepared(&format!("UPDATE facility SET source_url = {first_url}"))
            .await?;
        for col in [
            Provenance::LocationPrecision,
            Provenance::VerifiedOn,
            Provenance::Sources,
        ] {
            db.execute_unprepared(&format!(
                "ALTER TABLE facility DROP COLUMN {}",
                col.to_string()
            ))
            .await?;
        }
        Ok(())
    }
}
