//! An in-process cache of anonymous GraphQL answers. Every entry carries the
//! database's data version (the counter each write transaction increments,
//! see [`crate::service::write`]) at the time it was computed, and an entry
//! is served only while the database is still at that version. The version
//! is read from the database on every lookup, so a write through any replica
//! makes every replica's entries stale at once.

use std::sync::Mutex;

use actix_web::web::Bytes;
use lru::LruCache;
use sea_orm::DatabaseConnection;
use sha2::{Digest, Sha256};

use crate::service;

/// A cached answer: the serialised response, its ETag, and the data version it reflects.
#[derive(Clone)]
pub struct Cached {
    pub version: i64,
    pub body: Bytes,
    pub etag: String,
}

/// The cache, bounded by the bytes of the answers it holds.
pub struct ResponseCache {
    /// Reads the data version without counting towards the server's statements.
    db: DatabaseConnection,
    entries: Mutex<Entries>,
    budget_bytes: usize,
}

struct Entries {
    lru: LruCache<[u8; 32], Cached>,
    bytes: usize,
}

impl ResponseCache {
    /// A cache of at most `budget_bytes` of answers; `None` when the budget is zero.
    #[must_use]
    pub fn new(db: DatabaseConnection, budget_bytes: usize) -> Option<Self> {
        (budget_bytes > 0).then(|| Self {
            db,
            entries: Mutex::new(Entries {
                lru: LruCache::unbounded(),
                bytes: 0,
            }),
            budget_bytes,
        })
    }

    /// A cached answer, or one computed now and kept when it succeeds.
    ///
    /// # Errors
    /// Those of `compute`.
    pub async fn get_or_compute<F, E>(
        &self,
        key: [u8; 32],
        compute: F,
    ) -> Result<(Bytes, String), E>
    where
        F: std::future::Future<Output = Result<Vec<u8>, E>>,
    {
        let version = self.current_version().await;
        if let Some(hit) = version.and_then(|v| self.get(&key, v)) {
            return Ok(hit);
        }
        let body = Bytes::from(compute.await?);
        let etag = super::cache::etag_of(&body);
        if let Some(version) = version {
            self.put(key, version, body.clone());
        }
        Ok((body, etag))
    }

    /// The key of a request: everything that can change its answer.
    #[must_use]
    pub fn key(parts: &[&[u8]]) -> [u8; 32] {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        hasher.finalize().into()
    }

    /// The database's data version now; `None` if it cannot be read (then nothing is served from cache).
    pub async fn current_version(&self) -> Option<i64> {
        match service::write::data_version(&self.db).await {
            Ok(version) => Some(version),
            Err(err) => {
                err.log_if_internal();
                None
            }
        }
    }

    /// The cached answer for `key` and its ETag, if it was computed at `version`.
    pub fn get(&self, key: &[u8; 32], version: i64) -> Option<(Bytes, String)> {
        let mut entries = self.entries.lock().ok()?;
        match entries.lru.get(key) {
            Some(cached) if cached.version == version => {
                Some((cached.body.clone(), cached.etag.clone()))
            }
            _ => None,
        }
    }

    /// Keeps an answer computed at `version`, evicting the least recently used
    /// answers beyond the budget. Answers larger than a quarter of the budget are not kept.
    pub fn put(&self, key: [u8; 32], version: i64, body: Bytes) {
        if body.len() > self.budget_bytes / 4 {
            return;
        }
        // Hashed once here, not on every answer: a GeoJSON of every facility is megabytes.
        let etag = super::cache::etag_of(&body);
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        entries.bytes += body.len();
        if let Some(old) = entries.lru.put(
            key,
            Cached {
                version,
                body,
                etag,
            },
        ) {
            entries.bytes -= old.body.len();
        }
        while entries.bytes > self.budget_bytes {
            match entries.lru.pop_lru() {
                Some((_, evicted)) => entries.bytes -= evicted.body.len(),
                None => break,
            }
        }
    }
}
