//! PostgreSQL tells every replica when the data version moves: a trigger on
//! `app_state` sends `NOTIFY wish_data_version` with the schema and the new
//! version, so that a replica drops its cached answers without reading the
//! version on each request. Any writer that bumps the version (the API, the
//! command line, an operator's SQL) notifies alike. SQLite is one process:
//! nothing to do there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &'static str {
        "m20261202_000050_notify_data_version"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        // The payload names the schema: installations that share a database
        // in different schemas share the channel too.
        db.execute_unprepared(
            "CREATE OR REPLACE FUNCTION notify_data_version() RETURNS trigger AS $$
             BEGIN
               PERFORM pg_notify('wish_data_version', TG_TABLE_SCHEMA || ' ' || NEW.value);
               RETURN NEW;
             END
             $$ LANGUAGE plpgsql",
        )
        .await?;
        db.execute_unprepared(
            "CREATE TRIGGER app_state_notify_data_version
             AFTER UPDATE ON app_state
             FOR EACH ROW WHEN (NEW.key = 'data_version')
             EXECUTE FUNCTION notify_data_version()",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("DROP TRIGGER IF EXISTS app_state_notify_data_version ON app_state")
            .await?;
        db.execute_unprepared("DROP FUNCTION IF EXISTS notify_data_version()")
            .await?;
        Ok(())
    }
}
