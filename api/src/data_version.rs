//! The data version a replica serves its cached answers by, kept current
//! without a database round trip per request.
//!
//! Every write transaction increments the version (see
//! [`crate::service::kernel::unit_of_work`]). On PostgreSQL a trigger then
//! sends `NOTIFY wish_data_version` with the schema and the new version, and
//! each replica `LISTEN`s on a connection of its own: a cached answer costs
//! no database round trip at all. While that connection is down, the replica
//! reads the version on each request instead, and says so in its metrics.
//! On SQLite (one process) a write through the API moves the version in
//! process, and a check every second sees the writes of other processes
//! (`wish-api import` on the same file).
//!
//! Either way, a replica sees its own writes at once: after a mutation it
//! reads the version again (see [`crate::graphql::own_writes`]).

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use sea_orm::sqlx::postgres::{PgListener, PgPoolOptions};
use sea_orm::{DatabaseConnection, DbBackend};

use crate::error::Result;
use crate::service::kernel::unit_of_work;

/// The channel the trigger of migration `m20261202_000050` notifies.
const CHANNEL: &str = "wish_data_version";

/// How often SQLite looks for other processes' writes.
const SQLITE_CHECK: Duration = Duration::from_secs(1);

/// The longest wait between two attempts to listen again.
const MAX_RETRY: Duration = Duration::from_secs(5);

/// The data version as this replica knows it.
pub struct DataVersion {
    db: DatabaseConnection,
    version: AtomicI64,
    /// Whether `version` is kept current without reading it per request.
    live: AtomicBool,
    /// Versions read on the request path, while not `live`.
    reads: AtomicU64,
    /// Each new version, for whoever waits for the next write.
    moved: tokio::sync::watch::Sender<i64>,
}

impl DataVersion {
    /// Follows the version of `db`: a listener (PostgreSQL) or a periodic
    /// check (SQLite) in a task of the current runtime, which ends when the
    /// returned value is dropped. Without `listen`, every
    /// [`DataVersion::current`] reads it, and a check every second wakes
    /// those who [`DataVersion::watch`] it.
    #[must_use]
    pub fn follow(db: DatabaseConnection, listen: bool) -> Arc<Self> {
        let backend = db.get_database_backend();
        let this = Arc::new(Self {
            db,
            version: AtomicI64::new(0),
            live: AtomicBool::new(false),
            reads: AtomicU64::new(0),
            moved: tokio::sync::watch::Sender::new(0),
        });
        let weak = Arc::downgrade(&this);
        match backend {
            DbBackend::Postgres if listen => {
                drop(tokio::spawn(crate::db::upkeep(follow_notifications(weak))))
            }
            _ => drop(tokio::spawn(crate::db::upkeep(check(weak, listen)))),
        }
        this
    }

    /// The version now: as last pushed or moved in process, or, while that
    /// is not possible, read from the database; `None` if it cannot be read.
    pub async fn current(&self) -> Option<i64> {
        if self.live.load(Ordering::Acquire) {
            return Some(self.version.load(Ordering::Acquire));
        }
        self.reads.fetch_add(1, Ordering::Relaxed);
        match self.catch_up().await {
            Ok(version) => Some(version),
            Err(err) => {
                err.log_if_internal();
                None
            }
        }
    }

    /// Reads the version from the database (after a write of this replica,
    /// or when notifications may have been missed).
    ///
    /// # Errors
    /// Database errors.
    pub async fn catch_up(&self) -> Result<i64> {
        let read = unit_of_work::data_version(&self.db).await?;
        Ok(self.advance(read))
    }

    /// Versions only grow: a notification or read that arrives late never
    /// takes the version back, which would make stale answers look fresh.
    fn advance(&self, version: i64) -> i64 {
        let now = self
            .version
            .fetch_max(version, Ordering::AcqRel)
            .max(version);
        self.moved.send_if_modified(|seen| {
            let moved = now > *seen;
            *seen = now.max(*seen);
            moved
        });
        now
    }

    /// The versions to come: the receiver wakes whenever the version moves
    /// (by notification, a check, or a write of this replica), so that live
    /// readers (subscriptions) need not poll the database.
    #[must_use]
    pub fn watch(&self) -> tokio::sync::watch::Receiver<i64> {
        self.moved.subscribe()
    }

    /// Whether the version is kept current without a read per request.
    #[must_use]
    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    /// How many times a request had to read the version.
    #[must_use]
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    fn set_live(&self, live: bool) {
        self.live.store(live, Ordering::Release);
    }
}

/// SQLite: the version moves in process; other processes' writes are seen
/// within [`SQLITE_CHECK`]. Without `live` (nothing listens), the cache reads
/// the version on each request, and this only wakes the watchers.
async fn check(weak: Weak<DataVersion>, live: bool) {
    loop {
        let Some(versions) = weak.upgrade() else {
            return;
        };
        match versions.catch_up().await {
            Ok(_) => versions.set_live(live),
            Err(err) => {
                versions.set_live(false);
                err.log_if_internal();
            }
        }
        drop(versions);
        tokio::time::sleep(SQLITE_CHECK).await;
    }
}

/// PostgreSQL: listens for the version on a connection of its own, and
/// listens again (with a growing pause) whenever that connection is lost.
async fn follow_notifications(weak: Weak<DataVersion>) {
    let mut retry = Duration::from_millis(100);
    loop {
        let Some(versions) = weak.upgrade() else {
            return;
        };
        let subscribed = subscribe(&versions.db).await;
        drop(versions);
        match subscribed {
            Ok((mut listener, schema)) => {
                // Listening first, then reading: nothing written in between is missed.
                let Some(versions) = weak.upgrade() else {
                    return;
                };
                if versions.catch_up().await.is_ok() {
                    versions.set_live(true);
                    retry = Duration::from_millis(100);
                    tracing::debug!("listening for data version changes");
                }
                drop(versions);
                while let Ok(Some(notification)) = listener.try_recv().await {
                    let Some(versions) = weak.upgrade() else {
                        return;
                    };
                    if let Some(version) = version_of(notification.payload(), &schema) {
                        versions.advance(version);
                    }
                }
                let Some(versions) = weak.upgrade() else {
                    return;
                };
                versions.set_live(false);
                tracing::warn!(
                    "lost the connection that listens for data version changes: reading the version on each request until it is back"
                );
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for data version changes: reading the version on each request meanwhile");
            }
        }
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(MAX_RETRY);
    }
}

/// A listening connection outside the pool (with the pool's settings, so in
/// the same schema), and the schema whose notifications are this replica's.
async fn subscribe(
    db: &DatabaseConnection,
) -> std::result::Result<(PgListener, String), sea_orm::sqlx::Error> {
    let pool = db.get_postgres_connection_pool();
    let schema: String = sea_orm::sqlx::query_scalar("SELECT current_schema()")
        .fetch_one(pool)
        .await?;
    // Named, so that an operator (and a test) can find it in pg_stat_activity.
    let options = pool
        .connect_options()
        .as_ref()
        .clone()
        .application_name(&listener_name(&schema));
    let own = PgPoolOptions::new()
        .max_connections(1)
        .max_lifetime(None)
        .idle_timeout(None)
        .connect_with(options)
        .await?;
    let mut listener = PgListener::connect_with(&own).await?;
    listener.listen(CHANNEL).await?;
    Ok((listener, schema))
}

/// The `application_name` of a replica's listening connection.
#[must_use]
pub fn listener_name(schema: &str) -> String {
    // PostgreSQL keeps 63 bytes of it.
    let mut name = format!("wish-api listener {schema}");
    while name.len() > 63 {
        name.pop();
    }
    name
}

/// The version a notification carries, if it is of `schema`: the trigger
/// sends `<schema> <version>`.
fn version_of(payload: &str, schema: &str) -> Option<i64> {
    let (of, version) = payload.rsplit_once(' ')?;
    (of == schema).then(|| version.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::version_of;

    #[test]
    fn a_notification_counts_only_for_its_schema() {
        assert_eq!(version_of("public 42", "public"), Some(42));
        assert_eq!(version_of("t_other 42", "public"), None);
        assert_eq!(version_of("public x", "public"), None);
        assert_eq!(version_of("", "public"), None);
    }
}
