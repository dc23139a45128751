//! Opening the database. This is the one place that branches on the backend:
//! SQLite gets one writer with WAL and foreign keys on, PostgreSQL a pool.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::{Connection, PgConnection, PgPool};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, TransactionTrait,
};

use crate::config::{DatabaseSettings, redact_url};

mod thread_connections;

pub use thread_connections::{Reader, ThreadConnections};

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
        // By default a connection is pinged each time it leaves the pool: a
        // round trip to the database before every statement, which was a
        // third of PostgreSQL's work on a small read (bench/RESULTS.md, run
        // 11). A connection in use every moment is known to be alive; one
        // idle for a while may have been closed by the server or a proxy.
        .test_before_acquire_if_idle_for(Duration::from_secs(10))
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
                // What a write frees (a person's erased name among it) is
                // overwritten with zeros, not left in free pages of the file.
                .pragma("secure_delete", "ON")
        });
    } else if is_postgres(&settings.url) {
        options
            .max_connections(settings.max_connections)
            .min_connections(1);
        if let Some(schema) = &settings.schema {
            options.set_schema_search_path(schema.clone());
        }
        if settings.statement_timeout_ms > 0 {
            // Set for the session at connect time: one slow statement cannot
            // hold a connection, nor can a transaction left idle (the server
            // ends such a session, which the pool then replaces).
            let timeout = settings.statement_timeout_ms.to_string();
            options.map_sqlx_postgres_opts(move |opts| {
                opts.options([
                    ("statement_timeout", timeout.as_str()),
                    ("idle_in_transaction_session_timeout", timeout.as_str()),
                ])
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

/// Begins a transaction that a cancelled caller cannot leave open.
///
/// A request past its timeout is dropped wherever it waits. Dropped while
/// PostgreSQL's answer to `BEGIN` is on its way, sqlx 0.9 queues no rollback
/// (the transaction does not count as begun yet), and the pool would hand the
/// connection to the next request inside that transaction, holding its locks.
/// Run in a task of its own, `BEGIN` always completes; a transaction nobody
/// awaits any more is then dropped, which rolls it back.
///
/// # Errors
/// Database errors.
pub async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let db = db.clone();
    let for_upkeep = UPKEEP.try_with(|()| ()).is_ok();
    let begin = async move {
        if for_upkeep {
            UPKEEP.scope((), db.begin()).await
        } else {
            db.begin().await
        }
    };
    match tokio::spawn(begin).await {
        Ok(begun) => begun,
        Err(failed) if failed.is_panic() => std::panic::resume_unwind(failed.into_panic()),
        Err(_) => Err(DbErr::Custom(
            "the runtime shut down while a transaction began".to_owned(),
        )),
    }
}

/// After an erasure: on SQLite, moves the pages the write-ahead log holds
/// into the database file and empties the log, so that the erased text is
/// not left in the log until the next automatic checkpoint. PostgreSQL keeps
/// the old row versions until `VACUUM` (autovacuum) reclaims them, which no
/// statement of a transaction can force.
///
/// # Errors
/// Database errors.
pub async fn flush_erased(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await?;
    }
    Ok(())
}

/// Applies every pending migration, holding the start-up lock (see [`migrate_then`]).
///
/// # Errors
/// A migration failed; the database is left at the last migration that succeeded.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    migrate_then(db, async { Ok(()) }).await
}

/// Applies every pending migration, then runs `then` (the first load of the
/// demo data), holding the database's start-up lock throughout.
///
/// Replicas started together on an empty PostgreSQL database take turns
/// under a session advisory lock: exactly one applies each migration and
/// loads the demo data, and the others find both done. The lock is held on a
/// connection of its own, outside the pool, and released when it closes, so
/// a replica that dies mid-migration cannot keep the others waiting. SQLite
/// is one process's; it needs no lock.
///
/// # Errors
/// The lock cannot be taken, a migration failed (the database is left at
/// the last migration that succeeded), or `then` failed.
pub async fn migrate_then<T>(
    db: &DatabaseConnection,
    then: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    let lock = match db.get_database_backend() {
        DbBackend::Postgres => Some(StartupLock::take(db.get_postgres_connection_pool()).await?),
        _ => None,
    };
    let done = async {
        Migrator::up(db, None)
            .await
            .context("while applying database migrations")?;
        then.await
    }
    .await;
    if let Some(lock) = lock {
        lock.release().await;
    }
    done
}

/// The start-up lock of one database and schema, held by one session.
struct StartupLock(PgConnection);

impl StartupLock {
    async fn take(pool: &PgPool) -> anyhow::Result<Self> {
        let mut session = PgConnection::connect_with(&pool.connect_options())
            .await
            .context("while connecting to take the start-up lock")?;
        // Waiting for another replica's migrations is not a slow statement.
        sea_orm::sqlx::query("SET statement_timeout = 0")
            .execute(&mut session)
            .await
            .context("while preparing the start-up lock")?;
        // One lock per schema: installations that share a database in
        // different schemas (the tests do) do not wait for each other.
        sea_orm::sqlx::query(
            "SELECT pg_advisory_lock(hashtext('wish-api start-up ' || current_setting('search_path')))",
        )
        .execute(&mut session)
        .await
        .context("while taking the start-up lock")?;
        Ok(Self(session))
    }

    /// Closing the session releases the lock; a failure to close ends the
    /// session anyway, which releases it too.
    async fn release(self) {
        if let Err(err) = self.0.close().await {
            tracing::debug!(error = %err, "the start-up lock's session did not close cleanly");
        }
    }
}

fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

pub(crate) fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// How many SQL statements a connection has run for its callers: the
/// measure of batching (a page of facilities with nested data costs a fixed
/// handful, not one per row). The server's own [`upkeep`] is left out, so
/// that a count taken around a request does not depend on when a background
/// task last woke.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    /// Counts the statements of `db` (and of its clones made afterwards), and
    /// charges each one's time to the [`Budget`] of the request that runs it.
    #[must_use]
    pub fn attach(db: &mut DatabaseConnection) -> Self {
        let counter = Self::default();
        let recorder = counter.clone();
        db.set_metric_callback(move |info| recorder.record(info.elapsed));
        counter
    }

    /// Counts a statement that took `elapsed` (unless it is upkeep), and
    /// charges it to the budget of the request running it.
    pub fn record(&self, elapsed: Duration) {
        if UPKEEP.try_with(|()| ()).is_err() {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
        let _ = BUDGET.try_with(|budget| budget.spend(elapsed));
    }

    #[must_use]
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

tokio::task_local! {
    static BUDGET: Arc<Budget>;
    static UPKEEP: ();
}

/// Runs `work` as the server's own upkeep (following the data version,
/// delivering webhooks, refreshing the standing of tokens): its statements
/// are not counted as any caller's.
pub async fn upkeep<F: std::future::Future>(work: F) -> F::Output {
    UPKEEP.scope((), work).await
}

/// The database time one request may use, summed over its statements.
///
/// PostgreSQL's statement timeout bounds one statement; this bounds how many
/// a request may chain, so that no request holds a share of the pool for
/// longer than the operator allows. Statements are charged when they finish,
/// so the one that crosses the line runs out (within the statement timeout).
#[derive(Debug)]
pub struct Budget {
    limit: Duration,
    spent_nanos: AtomicU64,
    exhausted: tokio::sync::Notify,
}

impl Budget {
    /// A budget of `limit`; `None` when `limit` is zero (no budget).
    #[must_use]
    pub fn new(limit: Duration) -> Option<Arc<Self>> {
        (!limit.is_zero()).then(|| {
            Arc::new(Self {
                limit,
                spent_nanos: AtomicU64::new(0),
                exhausted: tokio::sync::Notify::new(),
            })
        })
    }

    #[must_use]
    pub fn limit(&self) -> Duration {
        self.limit
    }

    fn spend(&self, elapsed: Duration) {
        let elapsed = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        let spent = self
            .spent_nanos
            .fetch_add(elapsed, Ordering::Relaxed)
            .saturating_add(elapsed);
        if u128::from(spent) > self.limit.as_nanos() {
            // A permit is kept if nobody waits yet.
            self.exhausted.notify_one();
        }
    }

    /// Resolves once the request has spent its budget.
    pub async fn exhausted(&self) {
        self.exhausted.notified().await;
    }

    /// Runs `future` charging the statements it runs (in this task) to this budget.
    pub async fn charge<F: std::future::Future>(self: Arc<Self>, future: F) -> F::Output {
        BUDGET.scope(self, future).await
    }
}
