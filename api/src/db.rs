//! Opening the database. This is the one place that branches on the backend:
//! SQLite gets one writer with WAL and foreign keys on, PostgreSQL a pool.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

use crate::config::{DatabaseSettings, redact_url};

/// Connects, and fails with one clear line when the database cannot be reached.
///
/// # Errors
/// The database is unreachable, the URL is malformed, or its scheme is not
/// `sqlite` or `postgres`.
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<DatabaseConnection> {
    let target = redact_url(&settings.url);
    let mut options = ConnectOptions::new(settings.url.clone());
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_millis(settings.acquire_timeout_ms.max(1)))
        .sqlx_logging(false);

    if is_sqlite(&settings.url) {
        // One connection: SQLite has a single writer, and a pool of one keeps
        // every statement of a transaction on the connection that holds it.
        options.max_connections(1).min_connections(1);
        options.map_sqlx_sqlite_opts(|opts| {
            opts.foreign_keys(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
        });
    } else if is_postgres(&settings.url) {
        options
            .max_connections(settings.max_connections)
            .min_connections(1);
        if let Some(schema) = &settings.schema {
            options.set_schema_search_path(schema.clone());
        }
        if settings.statement_timeout_ms > 0 {
            // Set for the session at connect time: one slow statement cannot hold a connection.
            let timeout = settings.statement_timeout_ms.to_string();
            options.map_sqlx_postgres_opts(move |opts| {
                opts.options([("statement_timeout", timeout.as_str())])
            });
        }
    } else {
        anyhow::bail!(
            "unsupported database URL {target}: use sqlite://FILE?mode=rwc or postgres://USER@HOST/DB"
        );
    }

    Database::connect(options)
        .await
        .with_context(|| format!("cannot connect to the database at {target}"))
}

/// Applies every pending migration.
///
/// # Errors
/// A migration failed; the database is left at the last migration that succeeded.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("while applying database migrations")
}

fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// How many SQL statements a connection has run: the measure of batching
/// (a page of facilities with nested data costs a fixed handful, not one per row).
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    /// Starts counting the statements of `db` (and of its clones made afterwards).
    #[must_use]
    pub fn attach(db: &mut DatabaseConnection) -> Self {
        let counter = Self::default();
        let count = counter.0.clone();
        db.set_metric_callback(move |_| {
            count.fetch_add(1, Ordering::Relaxed);
        });
        counter
    }

    #[must_use]
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}
