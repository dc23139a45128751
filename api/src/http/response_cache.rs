//! An in-process cache of anonymous GraphQL answers. Every entry carries the
//! database's data version (the counter each write transaction increments,
//! see [`crate::service::kernel::unit_of_work`]) at the time it was computed, and an entry
//! is served only while the database is still at that version. Replicas
//! learn of a new version by notification ([`crate::data_version`]), so a
//! write through any replica makes every replica's entries stale within
//! moments, and a hit costs no database round trip.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use actix_web::HttpRequest;
use actix_web::http::header::ContentEncoding;
use actix_web::web::Bytes;
use lru::LruCache;
use sha2::{Digest, Sha256};

use super::coalesce::Flights;
use super::precompressed::Compressed;
use crate::data_version::DataVersion;

/// A cached answer and the data version it reflects.
struct Cached {
    version: i64,
    answer: Answer,
}

/// An answer, with the compressed copies the cache keeps of it (none for an
/// answer that was not kept). Clones share the bytes and the copies.
#[derive(Clone)]
pub struct Answer {
    pub body: Bytes,
    etag: OnceLock<String>,
    compressed: Option<Arc<Compressed>>,
}

/// An answer as it goes out: its bytes, the encoding they are in, and the
/// ETag of that representation.
pub struct Representation {
    pub body: Bytes,
    pub encoding: Option<ContentEncoding>,
    pub etag: String,
}

impl Answer {
    /// An answer the cache does not keep: compressed per request, if at all.
    #[must_use]
    pub fn uncached(body: Bytes) -> Self {
        Self {
            body,
            etag: OnceLock::new(),
            compressed: None,
        }
    }

    /// The strong ETag of the answer as it is, made from its bytes.
    pub fn etag(&self) -> &str {
        self.etag.get_or_init(|| super::cache::etag_of(&self.body))
    }

    /// A kept compressed copy in the encoding the caller prefers, if any.
    #[must_use]
    pub async fn compressed_for(&self, req: &HttpRequest) -> Option<(ContentEncoding, Bytes)> {
        self.compressed.as_ref()?.choose(req, &self.body).await
    }

    /// What to send this caller, with the ETag of that representation.
    #[must_use]
    pub async fn representation(&self, req: &HttpRequest) -> Representation {
        match self.compressed_for(req).await {
            Some((encoding, body)) => Representation {
                body,
                encoding: Some(encoding),
                etag: super::precompressed::variant_etag(self.etag(), encoding),
            },
            None => Representation {
                body: self.body.clone(),
                encoding: None,
                etag: self.etag().to_owned(),
            },
        }
    }
}

/// Misses being made, by flight key and data version, with what else their
/// requests need of them.
pub type Misses<K, T> = Flights<(K, i64), (Answer, T)>;

/// What a miss made: the answer's bytes, whether they may be kept (a
/// failed answer is not), and what else its requests need of it.
pub struct Made<T> {
    pub body: Bytes,
    pub keep: bool,
    pub with: T,
}

/// The cache, bounded by the bytes of the answers it holds.
pub struct ResponseCache {
    versions: Arc<DataVersion>,
    entries: Mutex<Entries>,
    budget_bytes: usize,
    /// Misses being computed, by key and data version.
    misses: Misses<[u8; 32], ()>,
    /// Answers served from the cache, and answers computed and kept.
    hits: AtomicU64,
    stores: AtomicU64,
}

struct Entries {
    lru: LruCache<[u8; 32], Cached>,
    bytes: usize,
}

impl ResponseCache {
    /// A cache of at most `budget_bytes` of answers, kept by `versions`;
    /// `None` when the budget is zero.
    #[must_use]
    pub fn new(versions: Arc<DataVersion>, budget_bytes: usize) -> Option<Self> {
        (budget_bytes > 0).then(|| Self {
            versions,
            entries: Mutex::new(Entries {
                lru: LruCache::unbounded(),
                bytes: 0,
            }),
            budget_bytes,
            misses: Flights::default(),
            hits: AtomicU64::new(0),
            stores: AtomicU64::new(0),
        })
    }

    /// A cached answer, or one computed now and kept when it succeeds.
    /// Requests that miss the same key at the same data version while it is
    /// being computed wait for that computation (see [`Flights`]).
    ///
    /// # Errors
    /// Those of `compute`.
    pub async fn get_or_compute<F, E>(&self, key: [u8; 32], compute: F) -> Result<Answer, E>
    where
        F: std::future::Future<Output = Result<Vec<u8>, E>>,
    {
        let made = || async {
            Ok(Made {
                body: Bytes::from(compute.await?),
                keep: true,
                with: (),
            })
        };
        let (answer, ()) = self.answer(&self.misses, key, key, (), made).await?;
        Ok(answer)
    }

    /// The answer to `key` at the data version now: the cached one (with
    /// `hit`), else the one `make` makes, kept when it says so. Requests that
    /// miss the same `flight` at the same data version while it is being made
    /// wait for it (see [`Flights`]); with no data version to read, `make`
    /// runs and nothing is kept.
    ///
    /// # Errors
    /// Those of `make`.
    pub async fn answer<K, T, E, F, Fut>(
        &self,
        flights: &Misses<K, T>,
        key: [u8; 32],
        flight: K,
        hit: T,
        make: F,
    ) -> Result<(Answer, T), E>
    where
        K: std::hash::Hash + Eq + Clone,
        T: Clone,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Made<T>, E>>,
    {
        let Some(version) = self.current_version().await else {
            let made = make().await?;
            return Ok((Answer::uncached(made.body), made.with));
        };
        if let Some(answer) = self.get(&key, version) {
            return Ok((answer, hit));
        }
        flights
            .run((flight, version), || async {
                let made = make().await?;
                // Tagged with the version read before making it: a write that
                // landed meanwhile makes this entry stale rather than wrongly fresh.
                let answer = if made.keep {
                    self.put(key, version, made.body)
                } else {
                    Answer::uncached(made.body)
                };
                Ok((answer, made.with))
            })
            .await
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
        self.versions.current().await
    }

    /// The data version this cache follows.
    #[must_use]
    pub fn versions(&self) -> &Arc<DataVersion> {
        &self.versions
    }

    /// The cached answer for `key`, if it was computed at `version`.
    pub fn get(&self, key: &[u8; 32], version: i64) -> Option<Answer> {
        let mut entries = self.entries.lock().ok()?;
        match entries.lru.get(key) {
            Some(cached) if cached.version == version => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some(cached.answer.clone())
            }
            _ => None,
        }
    }

    /// Answers served from the cache so far, and answers computed and kept.
    #[must_use]
    pub fn counts(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.stores.load(Ordering::Relaxed),
        )
    }

    /// Keeps an answer computed at `version`, evicting the least recently used
    /// answers beyond the budget, and returns it. Answers larger than a quarter
    /// of the budget are not kept. The compressed copies made later are not
    /// counted: they are a fraction of the answer's size.
    pub fn put(&self, key: [u8; 32], version: i64, body: Bytes) -> Answer {
        if body.len() > self.budget_bytes / 4 {
            return Answer::uncached(body);
        }
        self.stores.fetch_add(1, Ordering::Relaxed);
        let answer = Answer {
            compressed: Some(Arc::default()),
            ..Answer::uncached(body)
        };
        // Hashed once here, outside the lock, and shared by every hit: a
        // GeoJSON of every facility is megabytes.
        answer.etag();
        let Ok(mut entries) = self.entries.lock() else {
            return answer;
        };
        entries.bytes += answer.body.len();
        let cached = Cached {
            version,
            answer: answer.clone(),
        };
        if let Some(old) = entries.lru.put(key, cached) {
            entries.bytes -= old.answer.body.len();
        }
        while entries.bytes > self.budget_bytes {
            match entries.lru.pop_lru() {
                Some((_, evicted)) => entries.bytes -= evicted.answer.body.len(),
                None => break,
            }
        }
        answer
    }
}
