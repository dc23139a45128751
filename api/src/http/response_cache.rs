//! An in-process cache of anonymous GraphQL answers. Every entry carries the
//! database's data version (the counter each write transaction increments,
//! see [`crate::service::kernel::unit_of_work`]) at the time it was computed, and an entry
//! is served only while the database is still at that version. Replicas
//! learn of a new version by notification ([`crate::data_version`]), so a
//! write through any replica makes every replica's entries stale within
//! moments, and a hit costs no database round trip.
//!
//! After a write every answer is stale at once. The first request for an
//! answer makes it; those that ask for it meanwhile are given the answer
//! kept at an earlier version, for at most [`STALE_WHILE_MADE`] from the
//! first request that found it out of date, or, without one, wait for it
//! (see [`Flights`]). A request that starts after the write returned, with no
//! other request making its answer, sees the write.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use actix_web::HttpRequest;
use actix_web::http::header::ContentEncoding;
use actix_web::web::Bytes;
use lru::LruCache;
use sha2::{Digest, Sha256};

use super::coalesce::Flights;
use super::precompressed::Compressed;
use crate::data_version::DataVersion;

/// How long after a kept answer was first found out of date it may still be
/// given, while another request makes the current one. Past it requests wait
/// for that one, also when the requests that made it went away one after
/// the other before it was made.
pub const STALE_WHILE_MADE: Duration = Duration::from_secs(10);

/// Answers up to this size have their ETag hashed on the worker itself.
const HASHED_IN_PLACE: usize = 64 * 1024;

/// A cached answer and the data version it reflects.
struct Cached {
    version: i64,
    answer: Answer,
    /// When a request first found it older than the data version.
    outdated_since: Option<Instant>,
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
    /// How long an earlier answer may be given while the current one is made.
    stale_while_made: Duration,
    /// Misses being computed, by key and data version.
    misses: Misses<[u8; 32], ()>,
    /// Answers served as kept, at an earlier version while the current one
    /// was made, and computed and kept.
    hits: AtomicU64,
    stale: AtomicU64,
    stores: AtomicU64,
}

/// What the cache holds for a key at the data version now.
enum Kept {
    Current(Answer),
    /// Kept at an earlier version, first found out of date at that instant.
    Earlier(Answer, Instant),
    Nothing,
}

/// How the cache gave its answers so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Served as kept at the data version now.
    pub hits: u64,
    /// Served as kept at an earlier version, while the current one was made.
    pub stale: u64,
    /// Made after a miss and kept.
    pub computed: u64,
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
            stale_while_made: STALE_WHILE_MADE,
            misses: Flights::default(),
            hits: AtomicU64::new(0),
            stale: AtomicU64::new(0),
            stores: AtomicU64::new(0),
        })
    }

    /// A cached answer, or one computed now and kept when it succeeds (see
    /// [`ResponseCache::answer`]).
    ///
    /// # Errors
    /// Those of `compute`.
    pub async fn get_or_compute<F, E>(
        &self,
        req: &HttpRequest,
        key: [u8; 32],
        compute: F,
    ) -> Result<Answer, E>
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
        let (answer, ()) = self.answer(req, &self.misses, key, key, (), made).await?;
        Ok(answer)
    }

    /// The answer to `key` at the data version now: the kept one (with
    /// `hit`), else the one `make` makes, kept when it says so. While another
    /// request is making the same `flight` at the same data version, the
    /// answer kept at an earlier version is given instead, for at most
    /// [`STALE_WHILE_MADE`] after a request first found it out of date;
    /// without one, or past that, the request waits for it (see
    /// [`Flights`]). The request that makes a kept answer also makes its
    /// compressed copy in the encoding it asked for before the answer is
    /// served to others, so they do not wait for that copy either. With no
    /// data version to read, `make` runs and nothing is kept.
    ///
    /// # Errors
    /// Those of `make`.
    pub async fn answer<K, T, E, F, Fut>(
        &self,
        req: &HttpRequest,
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
        let earlier = match self.kept(&key, version) {
            Kept::Current(answer) => return Ok((answer, hit)),
            Kept::Earlier(answer, outdated_since) => {
                Some(answer).filter(|_| outdated_since.elapsed() < self.stale_while_made)
            }
            Kept::Nothing => None,
        };
        let flight = (flight, version);
        if let Some(earlier) = earlier
            && flights.is_under_way(&flight)
        {
            self.stale.fetch_add(1, Ordering::Relaxed);
            return Ok((earlier, hit));
        }
        flights
            .run(flight, || async {
                let made = make().await?;
                // Tagged with the version read before making it: a write that
                // landed meanwhile makes this entry stale rather than wrongly fresh.
                let answer = if made.keep {
                    self.keep(req, key, version, made.body).await
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

    /// What is kept for `key`, by the data version it was made at.
    fn kept(&self, key: &[u8; 32], version: i64) -> Kept {
        let Ok(mut entries) = self.entries.lock() else {
            return Kept::Nothing;
        };
        match entries.lru.get_mut(key) {
            Some(cached) if cached.version == version => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                Kept::Current(cached.answer.clone())
            }
            Some(cached) if cached.version < version => {
                let since = *cached.outdated_since.get_or_insert_with(Instant::now);
                Kept::Earlier(cached.answer.clone(), since)
            }
            _ => Kept::Nothing,
        }
    }

    /// How the cache gave its answers so far.
    #[must_use]
    pub fn counts(&self) -> Counts {
        Counts {
            hits: self.hits.load(Ordering::Relaxed),
            stale: self.stale.load(Ordering::Relaxed),
            computed: self.stores.load(Ordering::Relaxed),
        }
    }

    /// Keeps an answer computed at `version`, with its ETag and its copy in
    /// the encoding `req` prefers made first, evicting the least recently
    /// used answers beyond the budget, and returns it. Answers larger than a
    /// quarter of the budget are not kept. The compressed copies are not
    /// counted: they are a fraction of the answer's size.
    async fn keep(&self, req: &HttpRequest, key: [u8; 32], version: i64, body: Bytes) -> Answer {
        if body.len() > self.budget_bytes / 4 {
            return Answer::uncached(body);
        }
        let answer = Answer {
            compressed: Some(Arc::default()),
            ..Answer::uncached(body)
        };
        // Made once here, outside the lock, and shared by every hit. A
        // GeoJSON of every facility is megabytes to hash: off the HTTP
        // worker, which meanwhile serves its other connections; a small
        // answer is hashed faster than a thread is handed the work.
        if answer.body.len() > HASHED_IN_PLACE {
            let body = answer.body.clone();
            if let Ok(etag) = actix_web::web::block(move || super::cache::etag_of(&body)).await {
                let _ = answer.etag.set(etag);
            }
        }
        answer.etag();
        let _ = answer.compressed_for(req).await;
        self.stores.fetch_add(1, Ordering::Relaxed);
        let Ok(mut entries) = self.entries.lock() else {
            return answer;
        };
        entries.bytes += answer.body.len();
        let cached = Cached {
            version,
            answer: answer.clone(),
            outdated_since: None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    use actix_web::test::TestRequest;
    use sea_orm::DatabaseConnection;

    use crate::service::kernel::unit_of_work;

    /// A SQLite file removed with its journal when the test ends.
    struct Scratch(std::path::PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let mut path = self.0.clone().into_os_string();
                path.push(suffix);
                let _ = std::fs::remove_file(path);
            }
        }
    }

    /// A migrated SQLite file of its own, and a cache that follows it.
    async fn cache(stale_while_made: Duration) -> (Scratch, DatabaseConnection, ResponseCache) {
        let scratch = Scratch(
            std::env::temp_dir().join(format!("wish-response-cache-{}.db", uuid::Uuid::new_v4())),
        );
        let url = format!("sqlite://{}?mode=rwc", scratch.0.display());
        let db = sea_orm::Database::connect(url).await.unwrap();
        crate::db::migrate(&db).await.unwrap();
        let versions = DataVersion::follow(db.clone(), true);
        let mut cache = ResponseCache::new(versions, 1 << 20).unwrap();
        cache.stale_while_made = stale_while_made;
        (scratch, db, cache)
    }

    /// The cache's answer to `key`, made by `make` in `delay` when it must be.
    async fn ask(
        cache: &ResponseCache,
        key: u8,
        made: &AtomicUsize,
        delay: Duration,
        body: &'static str,
    ) -> Bytes {
        let req = TestRequest::default().to_http_request();
        let make = || async {
            made.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(delay).await;
            Ok::<_, ()>(Made {
                body: Bytes::from_static(body.as_bytes()),
                keep: true,
                with: (),
            })
        };
        let (answer, ()) = cache
            .answer(&req, &cache.misses, [key; 32], [key; 32], (), make)
            .await
            .unwrap();
        answer.body
    }

    async fn write(db: &DatabaseConnection, cache: &ResponseCache) {
        unit_of_work::bump_data_version(db).await.unwrap();
        cache.versions().catch_up().await.unwrap();
    }

    #[actix_web::test]
    async fn while_one_request_makes_an_answer_the_others_get_the_earlier_one() {
        let (_scratch, db, cache) = cache(STALE_WHILE_MADE).await;
        let made = AtomicUsize::new(0);
        let quick = Duration::ZERO;
        assert_eq!(ask(&cache, 1, &made, quick, "before").await, "before");
        write(&db, &cache).await;

        let slow = Duration::from_millis(300);
        let maker = ask(&cache, 1, &made, slow, "after");
        let others = async {
            tokio::time::sleep(Duration::from_millis(30)).await;
            let started = std::time::Instant::now();
            let answers = futures_util::future::join_all(
                (0..8).map(|_| ask(&cache, 1, &made, slow, "made again")),
            )
            .await;
            (answers, started.elapsed())
        };
        let (made_now, (answers, waited)) = tokio::join!(maker, others);
        assert_eq!(made_now, "after");
        assert!(answers.iter().all(|a| a == "before"), "{answers:?}");
        assert!(waited < slow, "the others did not wait: {waited:?}");
        assert_eq!(made.load(Ordering::SeqCst), 2, "made once per version");

        // Made, the current answer is served as kept.
        assert_eq!(ask(&cache, 1, &made, quick, "again").await, "after");
        let counts = cache.counts();
        assert_eq!((counts.stale, counts.computed), (8, 2), "{counts:?}");
        assert!(counts.hits >= 1, "{counts:?}");
    }

    #[actix_web::test]
    async fn without_an_earlier_answer_or_past_the_bound_the_others_wait() {
        let (_scratch, db, cache) = cache(Duration::from_millis(50)).await;
        let made = AtomicUsize::new(0);
        let slow = Duration::from_millis(300);

        // Nothing kept yet: everybody waits for the one answer.
        let answers =
            futures_util::future::join_all((0..4).map(|_| ask(&cache, 2, &made, slow, "first")))
                .await;
        assert!(answers.iter().all(|a| a == "first"), "{answers:?}");
        assert_eq!(made.load(Ordering::SeqCst), 1);

        // An earlier answer, but asked for after the bound: wait for the new one.
        write(&db, &cache).await;
        let maker = ask(&cache, 2, &made, slow, "second");
        let late = async {
            tokio::time::sleep(Duration::from_millis(120)).await;
            ask(&cache, 2, &made, slow, "made again").await
        };
        let (made_now, late) = tokio::join!(maker, late);
        assert_eq!((made_now, late), ("second".into(), "second".into()));
        assert_eq!(made.load(Ordering::SeqCst), 2);
        assert_eq!(cache.counts().stale, 0);
    }

    #[actix_web::test]
    async fn makers_that_go_away_do_not_extend_the_bound() {
        let (_scratch, db, cache) = cache(Duration::from_millis(400)).await;
        let made = AtomicUsize::new(0);
        let slow = Duration::from_millis(700);
        assert_eq!(
            ask(&cache, 4, &made, Duration::ZERO, "before").await,
            "before"
        );
        write(&db, &cache).await;

        // The first maker's request goes away half-way, a second one begins.
        let gone = tokio::time::timeout(
            Duration::from_millis(150),
            ask(&cache, 4, &made, slow, "never made"),
        )
        .await;
        assert!(gone.is_err(), "went away");
        let second = ask(&cache, 4, &made, slow, "after");
        let asked = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let early = ask(&cache, 4, &made, slow, "made again").await;
            tokio::time::sleep(Duration::from_millis(250)).await;
            // 500 ms after the answer was first found out of date (past the
            // bound), 350 ms after the second maker began (within it).
            let late = ask(&cache, 4, &made, slow, "made again").await;
            (early, late)
        };
        let (second, (early, late)) = tokio::join!(second, asked);
        assert_eq!(second, "after");
        assert_eq!(early, "before", "within the bound");
        assert_eq!(late, "after", "past it, waited for the second maker");
        assert_eq!(made.load(Ordering::SeqCst), 3);
    }

    #[actix_web::test]
    async fn one_request_after_a_write_with_nobody_making_it_sees_the_write() {
        let (_scratch, db, cache) = cache(STALE_WHILE_MADE).await;
        let made = AtomicUsize::new(0);
        let quick = Duration::ZERO;
        assert_eq!(ask(&cache, 3, &made, quick, "before").await, "before");
        write(&db, &cache).await;
        assert_eq!(ask(&cache, 3, &made, quick, "after").await, "after");
        assert_eq!(cache.counts().stale, 0);
    }
}
