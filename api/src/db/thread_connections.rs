//! PostgreSQL connections that belong to one executor thread, for the reads
//! a compiled plan answers in one statement (see `graphql::compiled`).
//!
//! Through the pool, a statement costs more than its own round trip: sqlx
//! pings every connection on its way back to the pool (a second round trip,
//! in a task of its own), and the socket of a connection opened on one
//! thread is watched by that thread's runtime, so that a statement sent from
//! another thread wakes both. On a small read that was a third of the
//! server's and PostgreSQL's work (bench/RESULTS.md, run 11). Here each
//! executor thread opens a few connections itself and runs one statement at
//! a time on each: no ping, no other thread woken. A connection whose
//! statement failed, or was abandoned half way (a request past its timeout),
//! is closed rather than kept, since its state is unknown; the next read
//! opens another. One left idle for a while is pinged before it is used,
//! as the pool does with its own.
//!
//! These connections are taken out of `--database-max-connections`: the pool
//! gets what they leave, so a server never opens more than it was told.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use sea_orm::sqlx::{AssertSqlSafe, Connection, Executor as _};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult, Statement, Values,
};
use sea_query_sqlx::SqlxValues;
use tokio::sync::Semaphore;

use super::StatementCounter;

/// How long opening one of these connections may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A connection idle this long is pinged before its next statement, as the
/// pool does with its own (`db::connect`): the server or a proxy may have
/// closed it meanwhile.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(10);

/// Most connections one thread keeps: more statements at once than this on
/// one thread would only queue in PostgreSQL instead of here.
const MOST_PER_THREAD: u32 = 4;

/// The connections of every thread of an executor.
pub struct ThreadConnections {
    options: PgConnectOptions,
    /// `SET search_path …`, as the pool runs it on each new connection.
    search_path: Option<String>,
    threads: Vec<Thread>,
    statements: StatementCounter,
}

/// One thread's connections: `permits` bounds how many are in use, `idle`
/// holds those free, each with the moment it was last used.
struct Thread {
    permits: Semaphore,
    idle: Mutex<Vec<(PgConnection, Instant)>>,
}

impl ThreadConnections {
    /// How many connections each of `threads` threads keeps, out of
    /// `max_connections` for the whole server: at most half of them go to
    /// threads, so that writes and other reads keep the rest; none when
    /// that is less than one each.
    #[must_use]
    pub fn share(max_connections: u32, threads: usize) -> u32 {
        let threads = u32::try_from(threads.max(1)).unwrap_or(u32::MAX);
        (max_connections / 2 / threads).min(MOST_PER_THREAD)
    }

    /// `per_thread` connections for each of `threads` threads, opened as
    /// the pool of `db` opens its own, and counted with `statements`;
    /// `None` on SQLite (one connection, the pool's) or without a share.
    #[must_use]
    pub fn new(
        db: &DatabaseConnection,
        threads: usize,
        per_thread: u32,
        schema: Option<&str>,
        statements: StatementCounter,
    ) -> Option<Self> {
        if db.get_database_backend() != DbBackend::Postgres || per_thread == 0 {
            return None;
        }
        let options = (*db.get_postgres_connection_pool().connect_options()).clone();
        Some(Self {
            options,
            search_path: schema.map(search_path),
            threads: (0..threads)
                .map(|_| Thread {
                    permits: Semaphore::new(per_thread as usize),
                    idle: Mutex::new(Vec::new()),
                })
                .collect(),
            statements,
        })
    }

    /// Runs `statement` on a connection of thread `thread`, waiting for one
    /// to be free.
    async fn query_all(
        &self,
        thread: usize,
        statement: Statement,
    ) -> Result<Vec<QueryResult>, DbErr> {
        let thread = self
            .threads
            .get(thread)
            .ok_or_else(|| DbErr::Custom("no connections for this thread".to_owned()))?;
        let _permit = thread
            .permits
            .acquire()
            .await
            .map_err(|_| DbErr::Custom("the thread's connections are closed".to_owned()))?;
        let idle = thread.idle.lock().map_or(None, |mut idle| idle.pop());
        let mut connection = match idle {
            Some((connection, used)) if used.elapsed() < PING_WHEN_IDLE_FOR => connection,
            Some((mut connection, _)) => match connection.ping().await {
                Ok(()) => connection,
                Err(_) => self.open().await?,
            },
            None => self.open().await?,
        };
        let values = statement.values.unwrap_or(Values(Vec::new()));
        let started = Instant::now();
        let rows = sea_orm::sqlx::query_with(AssertSqlSafe(statement.sql), SqlxValues(values))
            .fetch_all(&mut connection)
            .await;
        self.statements.record(started.elapsed());
        let rows = rows.map_err(|err| DbErr::Custom(err.to_string()))?;
        if let Ok(mut idle) = thread.idle.lock() {
            idle.push((connection, Instant::now()));
        }
        Ok(rows.into_iter().map(QueryResult::from).collect())
    }

    async fn open(&self) -> Result<PgConnection, DbErr> {
        let open = async {
            let mut connection = PgConnection::connect_with(&self.options).await?;
            if let Some(search_path) = &self.search_path {
                connection
                    .execute(AssertSqlSafe(search_path.as_str()))
                    .await?;
            }
            Ok::<_, sea_orm::sqlx::Error>(connection)
        };
        match tokio::time::timeout(CONNECT_TIMEOUT, open).await {
            Ok(Ok(connection)) => Ok(connection),
            Ok(Err(err)) => Err(DbErr::Custom(err.to_string())),
            Err(_) => Err(DbErr::Custom("opening a connection timed out".to_owned())),
        }
    }
}

/// `SET search_path` for `schema`, written as sea-orm writes it for the
/// pool's connections (each name quoted unless it is already).
fn search_path(schema: &str) -> String {
    let quoted = |name: &str| {
        if name.starts_with('"') {
            name.to_owned()
        } else {
            format!("\"{name}\"")
        }
    };
    let names = if schema.starts_with('"') {
        schema.to_owned()
    } else {
        schema.split(',').map(quoted).collect::<Vec<_>>().join(",")
    };
    format!("SET search_path = {names}")
}

/// Where a compiled read runs its statement: on a connection of the executor
/// thread it runs on, or else (SQLite, another thread) on the pool.
pub struct Reader<'a> {
    pool: &'a DatabaseConnection,
    own: Option<(&'a ThreadConnections, usize)>,
}

impl<'a> Reader<'a> {
    #[must_use]
    pub fn new(
        pool: &'a DatabaseConnection,
        connections: Option<&'a ThreadConnections>,
        thread: Option<usize>,
    ) -> Self {
        Self {
            pool,
            own: connections.zip(thread),
        }
    }

    #[must_use]
    pub fn backend(&self) -> DbBackend {
        self.pool.get_database_backend()
    }

    /// The rows of `statement`.
    ///
    /// # Errors
    /// Database errors, and a connection that could not be opened.
    pub async fn query_all(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self.own {
            Some((connections, thread)) => connections.query_all(thread, statement).await,
            None => self.pool.query_all_raw(statement).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_share_at_most_half_of_the_connections() {
        assert_eq!(ThreadConnections::share(16, 2), 4);
        assert_eq!(ThreadConnections::share(16, 8), 1);
        assert_eq!(ThreadConnections::share(8, 2), 2);
        assert_eq!(ThreadConnections::share(2, 2), 0);
        assert_eq!(ThreadConnections::share(100, 2), MOST_PER_THREAD);
    }

    #[test]
    fn search_path_quotes_as_the_pool_does() {
        assert_eq!(search_path("test_1"), r#"SET search_path = "test_1""#);
        assert_eq!(search_path("a,b"), r#"SET search_path = "a","b""#);
        assert_eq!(search_path(r#""A""#), r#"SET search_path = "A""#);
    }
}
