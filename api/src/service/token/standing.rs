//! Which tokens and organisations are in good standing, as each server keeps
//! it in memory: the ids of revoked tokens that have not expired yet, and the
//! organisations with their suspension. Checking a token reads this, never
//! the database.
//!
//! Every revocation and every change to an organisation increments the
//! `access_version` row of `app_state` in its transaction. Each server reads
//! that one row every few hundred milliseconds and reloads the rest only
//! when it moved, so a revocation made through one replica is refused by all
//! within a second; the replica that made it reloads at once.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use chrono::TimeDelta;
use entity::{api_token, organisation};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::error::Result;
use crate::service::kernel::{now, unit_of_work};

/// The `app_state` key of the counter of revocations and organisation changes.
pub const ACCESS_VERSION_KEY: &str = "access_version";

/// How long past its expiry a revoked token stays in the set: longer than any
/// clock leeway, after which its `exp` refuses it anyway.
const EXPIRED_MARGIN: TimeDelta = TimeDelta::days(1);

#[derive(Debug, Default)]
struct Snapshot {
    /// The `access_version` this was read at; none before the first read.
    version: Option<i64>,
    revoked: HashSet<String>,
    organisations: HashMap<String, organisation::Model>,
}

/// One server's view of revocations and organisations.
#[derive(Debug, Default)]
pub struct Standing {
    snapshot: RwLock<Snapshot>,
}

impl Standing {
    #[must_use]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Whether the token with this id was revoked.
    #[must_use]
    pub fn is_revoked(&self, jti: &str) -> bool {
        self.snapshot.read().is_ok_and(|s| s.revoked.contains(jti))
    }

    /// The organisation with this slug, as last read; `None` also when it
    /// was created since (the caller may look in the database then).
    #[must_use]
    pub fn organisation(&self, slug: &str) -> Option<organisation::Model> {
        self.snapshot
            .read()
            .ok()
            .and_then(|s| s.organisations.get(slug).cloned())
    }

    /// Reloads everything if the access version moved since the last read.
    ///
    /// # Errors
    /// Database errors; the previous view stays.
    pub async fn refresh(&self, db: &impl ConnectionTrait) -> Result<()> {
        let version = access_version(db).await?;
        let known = self.snapshot.read().ok().and_then(|s| s.version);
        if known == Some(version) {
            return Ok(());
        }
        self.load(db, version).await
    }

    /// Reloads everything now: after a change this server made.
    ///
    /// # Errors
    /// Database errors; the previous view stays.
    pub async fn reload(&self, db: &impl ConnectionTrait) -> Result<()> {
        // The version is read first: a change that commits while the sets
        // load moves it again, and the next refresh reloads.
        let version = access_version(db).await?;
        self.load(db, version).await
    }

    async fn load(&self, db: &impl ConnectionTrait, version: i64) -> Result<()> {
        let revoked = api_token::Entity::find()
            .filter(api_token::Column::RevokedAt.is_not_null())
            .filter(api_token::Column::ExpiresAt.gt(now() - EXPIRED_MARGIN))
            .all(db)
            .await?
            .into_iter()
            .map(|t| t.jti)
            .collect();
        let organisations = organisation::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.slug.clone(), o))
            .collect();
        if let Ok(mut snapshot) = self.snapshot.write() {
            *snapshot = Snapshot {
                version: Some(version),
                revoked,
                organisations,
            };
        }
        Ok(())
    }

    /// Refreshes every `every` for as long as the server holds this view.
    pub fn watch(self: &Arc<Self>, db: DatabaseConnection, every: Duration) {
        let standing: Weak<Self> = Arc::downgrade(self);
        actix_web::rt::spawn(crate::db::upkeep(async move {
            let mut ticks = actix_web::rt::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(standing) = standing.upgrade() else {
                    return;
                };
                if let Err(err) = standing.refresh(&db).await {
                    // The last view stays in force until the database answers again.
                    err.log_if_internal();
                }
            }
        }));
    }
}

/// How many revocations and organisation changes this database has seen.
///
/// # Errors
/// Database errors.
pub async fn access_version(db: &impl ConnectionTrait) -> Result<i64> {
    unit_of_work::counter(db, ACCESS_VERSION_KEY).await
}

/// Tells every server that revocations or organisations changed; called in
/// the transaction of the change.
///
/// # Errors
/// Database errors.
pub async fn bump_access_version(db: &impl ConnectionTrait) -> Result<()> {
    unit_of_work::bump_counter(db, ACCESS_VERSION_KEY).await
}
