//! A stable identifier for every record: a UUID (v7, so that new rows sort
//! and index together) that stays the same when a record moves between
//! installations through export and import, unlike the serial `id`, which
//! stays the key that tables join on.
//!
//! Rows that exist get theirs here, made in Rust: SQLite has no function
//! that makes one, and both backends must get the same kind of value.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::uuid_null;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every table whose rows are records of their own: link and child tables
/// (participants, principles, ...) belong to a record and need none.
const TABLES: [&str; 8] = [
    "organisation",
    "knowledge_workshop",
    "facility",
    "stakeholder",
    "visit",
    "learning_session",
    "guideline",
    "guideline_version",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            add_uuid(manager, table).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .drop_index(
                    Index::drop()
                        .name(index_name(table))
                        .table(Alias::new(table))
                        .to_owned(),
                )
                .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Uuid::Uuid)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

fn index_name(table: &str) -> String {
    format!("idx_{table}_uuid")
}

async fn add_uuid(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    // SQLite cannot add a NOT NULL column without a default; the column is
    // filled before anything else reads it, and PostgreSQL says NOT NULL below.
    if !manager.has_column(table, "uuid").await? {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new(table))
                    .add_column(uuid_null(Uuid::Uuid))
                    .to_owned(),
            )
            .await?;
    }
    let missing = db
        .query_all(
            Query::select()
                .column(Uuid::Id)
                .from(Alias::new(table))
                .and_where(Expr::col(Uuid::Uuid).is_null())
                .order_by(Uuid::Id, Order::Asc),
        )
        .await?;
    for row in missing {
        let id: i32 = row.try_get_by(0_usize)?;
        db.execute(
            Query::update()
                .table(Alias::new(table))
                .value(Uuid::Uuid, uuid::Uuid::now_v7())
                .and_where(Expr::col(Uuid::Id).eq(id)),
        )
        .await?;
    }
    if manager.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared(&format!(
            "ALTER TABLE \"{table}\" ALTER COLUMN \"uuid\" SET NOT NULL"
        ))
        .await?;
    }
    if !manager.has_index(table, &index_name(table)).await? {
        manager
            .create_index(
                Index::create()
                    .name(index_name(table))
                    .table(Alias::new(table))
                    .col(Uuid::Uuid)
                    .unique()
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

#[derive(DeriveIden)]
enum Uuid {
    Id,
    Uuid,
}
