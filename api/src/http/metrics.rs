//! The Prometheus metrics at `GET /metrics`: requests by endpoint, GraphQL
//! operation and outcome, latency by endpoint, GraphQL errors by contract
//! code, and the database pool. The series live in a `prometheus` registry of
//! each server's own; which operation names become labels is decided here,
//! because no exporter bounds a label's values, and these come from callers.
//!
//! A name becomes a label of its own only once it has proved to be in use
//! (see [`Operations`]); until then, and for anything that is not a GraphQL
//! Name, it counts as `other`. Nothing here holds a token, a query string or
//! personal data.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::{HttpResponse, web};
use prometheus::{
    HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use sea_orm::{DatabaseConnection, DbBackend};

use super::response_cache::ResponseCache;
use crate::error::code;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Longest operation name logged or counted, in characters, as the GraphQL
/// handler allows; held here too so that one it lets through costs nothing.
pub const MAX_NAME_CHARS: usize = 100;

/// Operation names with a label of their own, at most: with three outcomes
/// each, `/metrics` stays under about 100 KB whatever callers send.
const MAX_LABELS: usize = 100;

/// Successful requests a name needs before it gets a label of its own: a
/// flood of names each used once or a few times never gets one.
pub const ADMIT_AFTER: u32 = 10;

/// Names still counting towards a label, at most (about 200 KB).
const MAX_CANDIDATES: usize = 1_000;

/// A candidate unseen this long is forgotten first when room is needed.
const CANDIDATE_IDLE: Duration = Duration::from_secs(10 * 60);

/// A label unused this long gives its place (and its series) to a name that
/// has earned one, so that names which won the places once, in a flood or
/// otherwise, do not keep them for good.
const LABEL_IDLE: Duration = Duration::from_secs(60 * 60);

/// A name on its way to a label: how often it succeeded, and when last.
struct Candidate {
    successes: u32,
    last_seen: Instant,
}

/// Which operation names have a label of their own. A name earns one after
/// [`ADMIT_AFTER`] successful requests; candidates are bounded by
/// [`MAX_CANDIDATES`], and when full the stalest (unseen for
/// [`CANDIDATE_IDLE`]) goes first, else the one with the fewest successes,
/// so that names sent once each cannot push out one in steady use. Labels
/// are bounded by [`MAX_LABELS`]; once full, a label idle for [`LABEL_IDLE`]
/// makes room for a name that has earned one.
/// Which operation names have a label of their own. A name earns one after
/// [`ADMIT_AFTER`] successful requests; candidates are bounded by
/// [`MAX_CANDIDATES`], and when full the stalest (unseen for
/// [`CANDIDATE_IDLE`]) goes first, else the one with the fewest successes,
/// so that names sent once each cannot push out one in steady use. Labels
/// are bounded by [`MAX_LABELS`]; once full, a label idle for [`LABEL_IDLE`]
/// makes room for a name that has earned one.
#[derive(Default)]
struct Operations {
    /// name → when it was last counted.
    labels: HashMap<String, Instant>,
    candidates: HashMap<String, Candidate>,
}

/// A caller's operation name, as far as it is kept past the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Name<'a> {
    /// No `operationName`.
    Absent,
    /// A GraphQL Name of at most [`MAX_NAME_CHARS`]: fit for a label as it is.
    Valid(&'a str),
    /// Anything else, counted as `other`.
    Invalid,
}

impl<'a> Name<'a> {
    pub(super) fn of(name: Option<&'a str>) -> Self {
        match name {
            None => Self::Absent,
            Some(name) if is_graphql_name(name) => Self::Valid(name),
            Some(_) => Self::Invalid,
        }
    }
}

/// What became of a name: its label, and a label dropped to make room.
struct Labelled {
    label: String,
    dropped: Option<String>,
}

impl Operations {
    fn label(&mut self, name: Name<'_>, ok: bool, now: Instant) -> Labelled {
        let plain = |label: &str| Labelled {
            label: label.to_owned(),
            dropped: None,
        };
        let name = match name {
            Name::Absent => return plain("-"),
            Name::Invalid => return plain("other"),
            Name::Valid(name) => name,
        };
        if let Some(last_used) = self.labels.get_mut(name) {
            *last_used = now;
            return plain(name);
        }
        if !ok {
            return plain("other");
        }
        let successes = match self.candidates.get_mut(name) {
            Some(candidate) => {
                candidate.successes += 1;
                candidate.last_seen = now;
                candidate.successes
            }
            None => {
                if self.candidates.len() >= MAX_CANDIDATES {
                    self.forget_a_candidate(now);
                }
                self.candidates.insert(
                    name.to_owned(),
                    Candidate {
                        successes: 1,
                        last_seen: now,
                    },
                );
                1
            }
        };
        if successes < ADMIT_AFTER {
            return plain("other");
        }
        let dropped = if self.labels.len() < MAX_LABELS {
            None
        } else {
            match self.idlest_label(now) {
                Some(idle) => {
                    self.labels.remove(&idle);
                    Some(idle)
                }
                // Every place is in use: it stays a candidate and tries again.
                None => return plain("other"),
            }
        };
        self.candidates.remove(name);
        self.labels.insert(name.to_owned(), now);
        Labelled {
            label: name.to_owned(),
            dropped,
        }
    }

    fn forget_a_candidate(&mut self, now: Instant) {
        let victim = self
            .candidates
            .iter()
            .min_by_key(|(_, c)| {
                let fresh = now.duration_since(c.last_seen) < CANDIDATE_IDLE;
                (fresh, c.successes, c.last_seen)
            })
            .map(|(name, _)| name.clone());
        if let Some(victim) = victim {
            self.candidates.remove(&victim);
        }
    }

    /// The label unused longest, if that is at least [`LABEL_IDLE`].
    fn idlest_label(&self, now: Instant) -> Option<String> {
        self.labels
            .iter()
            .min_by_key(|(_, last_used)| **last_used)
            .filter(|(_, last_used)| now.duration_since(**last_used) >= LABEL_IDLE)
            .map(|(name, _)| name.clone())
    }
}

/// `[_A-Za-z][_0-9A-Za-z]*` of at most [`MAX_NAME_CHARS`]: what a GraphQL
/// operation may be called, and so safe in a label as it is.
fn is_graphql_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= MAX_NAME_CHARS
        && chars
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// An operation name as it may be logged: its first [`MAX_NAME_CHARS`]
/// characters, anything but printable ASCII as `?`, so that no caller can
/// break a line, forge one, or fill the log.
pub(super) fn printable(name: &str) -> String {
    name.chars()
        .take(MAX_NAME_CHARS)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect()
}

/// The series of one server, and the operation names admitted as labels.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    errors: IntCounterVec,
    pool: IntGaugeVec,
    pool_max: IntGauge,
    invalidation_live: IntGauge,
    version_reads: IntCounter,
    cache_answers: IntCounterVec,
    webhook_deliveries: IntCounterVec,
    answered_by: IntCounterVec,
    /// Which names are labels, and the endpoints and outcomes each has
    /// series under, so that a label that goes takes its series with it.
    labels: Mutex<(Operations, BTreeSet<(String, String)>)>,
}

impl Metrics {
    /// A registry with every series of the server.
    ///
    /// # Errors
    /// A series the registry refuses (the names and help texts are fixed, so
    /// only a bug gets here).
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "wish_http_requests_total",
                "HTTP requests by endpoint, GraphQL operation and outcome.",
            ),
            &["endpoint", "operation", "outcome"],
        );
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "wish_http_request_duration_seconds",
                "Time to answer, by endpoint.",
            )
            .buckets(BUCKETS.to_vec()),
            &["endpoint"],
        );
        let errors = IntCounterVec::new(
            Opts::new(
                "wish_graphql_errors_total",
                "GraphQL errors by contract code.",
            ),
            &["code"],
        );
        let pool = IntGaugeVec::new(
            Opts::new(
                "wish_db_pool_connections",
                "Database connections of this server by state.",
            ),
            &["state"],
        );
        let pool_max = IntGauge::new(
            "wish_db_pool_max_connections",
            "Most connections the pool opens.",
        )?;
        let invalidation_live = IntGauge::new(
            "wish_cache_invalidation_live",
            "1 while cached answers are dropped on notification (PostgreSQL LISTEN) or in process (SQLite); 0 while each cached read asks the database for its data version.",
        )?;
        // Brought up to the count kept beside the cache at each scrape.
        let version_reads = IntCounter::new(
            "wish_cache_version_reads_total",
            "Data version reads on the request path, made while invalidation was not live.",
        )?;
        // Brought up to the cache's own counts at each scrape.
        let cache_answers = IntCounterVec::new(
            Opts::new(
                "wish_response_cache_answers_total",
                "Anonymous answers by how the response cache gave them: hit (served as kept), stale (the answer kept at an earlier data version, given while another request made the current one, for at most 10 s) or computed (made after a miss and kept; requests that missed the same answer at the same moment share one computation).",
            ),
            &["outcome"],
        )?;
        for outcome in ["hit", "stale", "computed"] {
            cache_answers.with_label_values(&[outcome]);
        }
        let webhook_deliveries = IntCounterVec::new(
            Opts::new(
                "wish_webhook_deliveries_total",
                "Webhook delivery attempts this replica made, by outcome: delivered (a 2xx answer) or failed.",
            ),
            &["outcome"],
        )?;
        for outcome in ["delivered", "failed"] {
            webhook_deliveries.with_label_values(&[outcome]);
        }
        let answered_by = IntCounterVec::new(
            Opts::new(
                "wish_graphql_operations_total",
                "GraphQL operations run, by what answered them: plan (a compiled read: one statement per root field, no resolvers) or resolvers.",
            ),
            &["by"],
        )?;
        for by in ["plan", "resolvers"] {
            answered_by.with_label_values(&[by]);
        }
        let (requests, latency, errors, pool) = (requests?, latency?, errors?, pool?);
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(errors.clone()),
            Box::new(pool.clone()),
            Box::new(pool_max.clone()),
            Box::new(invalidation_live.clone()),
            Box::new(version_reads.clone()),
            Box::new(cache_answers.clone()),
            Box::new(webhook_deliveries.clone()),
            Box::new(answered_by.clone()),
        ] {
            registry.register(collector)?;
        }
        // Every code is a series from the start, at zero, so that a rate
        // over it is defined before the first error of its kind.
        for code in code::ALL {
            errors.with_label_values(&[code]);
        }
        Ok(Self {
            registry,
            requests,
            latency,
            errors,
            pool,
            pool_max,
            invalidation_live,
            version_reads,
            cache_answers,
            webhook_deliveries,
            answered_by,
            labels: Mutex::default(),
        })
    }

    /// The counter of webhook attempts, which the delivery worker increments.
    #[must_use]
    pub fn webhook_deliveries(&self) -> IntCounterVec {
        self.webhook_deliveries.clone()
    }

    /// Counts one GraphQL operation, answered by a plan or by the resolvers.
    pub(super) fn operation_answered(&self, by_plan: bool) {
        let by = if by_plan { "plan" } else { "resolvers" };
        self.answered_by.with_label_values(&[by]).inc();
    }

    /// Counts one answered request.
    pub(super) fn record(
        &self,
        endpoint: &str,
        operation: Name<'_>,
        outcome: &str,
        seconds: f64,
        errors: &[&'static str],
    ) {
        self.record_at(
            Instant::now(),
            endpoint,
            operation,
            outcome,
            seconds,
            errors,
        );
    }

    fn record_at(
        &self,
        now: Instant,
        endpoint: &str,
        operation: Name<'_>,
        outcome: &str,
        seconds: f64,
        errors: &[&'static str],
    ) {
        let label = {
            let Ok(mut labels) = self.labels.lock() else {
                return;
            };
            let (operations, series) = &mut *labels;
            let Labelled { label, dropped } = operations.label(operation, outcome == "ok", now);
            if let Some(dropped) = dropped {
                // Its series go with it: a series that reappears starts again
                // from zero, which Prometheus reads as a counter reset.
                for (endpoint, outcome) in series.iter() {
                    let _ =
                        self.requests
                            .remove_label_values(&[endpoint, dropped.as_str(), outcome]);
                }
            }
            series.insert((endpoint.to_owned(), outcome.to_owned()));
            label
        };
        self.requests
            .with_label_values(&[endpoint, label.as_str(), outcome])
            .inc();
        self.latency.with_label_values(&[endpoint]).observe(seconds);
        for code in errors {
            self.errors.with_label_values(&[code]).inc();
        }
    }

    /// The text exposition of every series, the pool and the cache's
    /// invalidation read now.
    fn render(&self, db: &DatabaseConnection, cache: Option<&ResponseCache>) -> String {
        if let Some(cache) = cache {
            let versions = cache.versions();
            self.invalidation_live.set(i64::from(versions.is_live()));
            let reads = versions.reads();
            self.version_reads
                .inc_by(reads.saturating_sub(self.version_reads.get()));
            let counts = cache.counts();
            for (outcome, count) in [
                ("hit", counts.hits),
                ("stale", counts.stale),
                ("computed", counts.computed),
            ] {
                let counter = self.cache_answers.with_label_values(&[outcome]);
                counter.inc_by(count.saturating_sub(counter.get()));
            }
        }
        let (size, idle, max) = pool_use(db);
        self.pool.with_label_values(&["idle"]).set(idle);
        self.pool
            .with_label_values(&["in_use"])
            .set(size.saturating_sub(idle));
        self.pool_max.set(max);
        self.render_series()
    }

    fn render_series(&self) -> String {
        let mut text = String::new();
        let _ = TextEncoder::new().encode_utf8(&self.registry.gather(), &mut text);
        text
    }
}

/// (open, idle, most) connections of the pool.
fn pool_use(db: &DatabaseConnection) -> (i64, i64, i64) {
    let wide = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                i64::from(pool.size()),
                wide(pool.num_idle()),
                i64::from(pool.options().get_max_connections()),
            )
        }
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (
                i64::from(pool.size()),
                wide(pool.num_idle()),
                i64::from(pool.options().get_max_connections()),
            )
        }
        _ => (0, 0, 0),
    }
}

/// `GET /metrics`, in the Prometheus text format.
pub async fn endpoint(state: web::Data<super::AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(prometheus::TEXT_FORMAT)
        .insert_header(("Cache-Control", "no-store"))
        .body(
            state
                .metrics
                .render(&state.db, state.response_cache.as_ref()),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn succeed(operations: &mut Operations, name: &str, now: Instant) -> String {
        operations.label(Name::of(Some(name)), true, now).label
    }

    #[test]
    fn a_name_gets_a_label_after_enough_successes() {
        let mut operations = Operations::default();
        let now = Instant::now();
        for _ in 1..ADMIT_AFTER {
            assert_eq!(succeed(&mut operations, "Sync", now), "other");
        }
        let failed = operations.label(Name::of(Some("Sync")), false, now);
        assert_eq!(failed.label, "other", "a failure does not count");
        assert_eq!(succeed(&mut operations, "Sync", now), "Sync");
        let failed = operations.label(Name::of(Some("Sync")), false, now);
        assert_eq!(failed.label, "Sync", "once labelled, every outcome uses it");
    }

    /// Between two uses of the steady name come almost as many new names as
    /// there are places for candidates.
    #[test]
    fn names_used_once_cannot_push_out_one_in_steady_use() {
        let mut operations = Operations::default();
        let mut now = Instant::now();
        let mut tick = || {
            now += Duration::from_millis(1);
            now
        };
        for round in 0..ADMIT_AFTER as usize {
            for i in 0..MAX_CANDIDATES - 1 {
                succeed(&mut operations, &format!("Flood{round}x{i}"), tick());
            }
            succeed(&mut operations, "Steady", tick());
        }
        assert!(operations.candidates.len() <= MAX_CANDIDATES);
        assert_eq!(operations.labels.keys().collect::<Vec<_>>(), ["Steady"]);
    }

    #[test]
    fn idle_labels_make_room_and_busy_ones_do_not() {
        let mut operations = Operations::default();
        let start = Instant::now();
        for i in 0..MAX_LABELS {
            for _ in 0..ADMIT_AFTER {
                succeed(&mut operations, &format!("Early{i}"), start);
            }
        }
        assert_eq!(operations.labels.len(), MAX_LABELS);
        let soon = start + Duration::from_secs(60);
        for _ in 0..ADMIT_AFTER {
            assert_eq!(succeed(&mut operations, "Late", soon), "other");
        }
        succeed(&mut operations, "Early7", soon);

        let later = start + LABEL_IDLE + Duration::from_secs(1);
        let admitted = operations.label(Name::of(Some("Late")), true, later);

        assert_eq!(admitted.label, "Late");
        let dropped = admitted.dropped.unwrap();
        assert!(dropped.starts_with("Early") && dropped != "Early7");
        assert_eq!(operations.labels.len(), MAX_LABELS);
    }

    /// Every place taken by a name as long as allowed, with every outcome,
    /// and every route: what the README promises `/metrics` stays under.
    #[test]
    fn the_counters_stay_under_100_kb_whatever_callers_send() {
        let metrics = Metrics::new().unwrap();
        let now = Instant::now();
        let routes = [
            "/metrics",
            "/graphql",
            "/facilities.geojson",
            "/facilities.csv",
            "/health",
            "/ready",
            "/map",
            "/map/config.json",
            "/map/assets/{name}",
            "/graphiql",
            "/graphiql/assets/{name}",
            "unmatched",
        ];
        let names: Vec<String> = (0..MAX_LABELS * 2)
            .map(|i| format!("{i:_<width$}", width = MAX_NAME_CHARS))
            .collect();
        for name in &names {
            for _ in 0..ADMIT_AFTER {
                metrics.record_at(now, "/graphql", Name::Valid(name), "ok", 1.5e-3, &[]);
            }
        }
        let outcomes = ["ok", "client_error", "server_error"];
        // Only the GraphQL handler names operations.
        for name in [Name::Absent, Name::Invalid]
            .into_iter()
            .chain(names.iter().map(|n| Name::Valid(n)))
        {
            for outcome in outcomes {
                metrics.record_at(now, "/graphql", name, outcome, 0.123_456_789, &[]);
            }
        }
        for route in routes {
            for outcome in outcomes {
                metrics.record_at(now, route, Name::Absent, outcome, 0.123_456_789, &[]);
            }
        }

        let text = metrics.render_series();

        assert!(text.len() < 100 * 1024, "{} bytes", text.len());
        assert!(
            text.len() > 40 * 1024,
            "{} bytes: not the worst case",
            text.len()
        );
    }

    #[test]
    fn only_graphql_names_are_labels() {
        for valid in ["Sync", "_a1", &"A".repeat(MAX_NAME_CHARS)] {
            assert_eq!(Name::of(Some(valid)), Name::Valid(valid));
        }
        for invalid in [
            "",
            "1st",
            "a-b",
            "Sync\n",
            "Sync\u{1b}[2J",
            "Café",
            &"A".repeat(MAX_NAME_CHARS + 1),
        ] {
            assert_eq!(Name::of(Some(invalid)), Name::Invalid, "{invalid:?}");
        }
    }

    #[test]
    fn printable_cuts_and_masks() {
        let logged = printable(&format!("Evil\n\u{1b}[2J\u{202e}{}", "x".repeat(1_000_000)));
        assert_eq!(logged.chars().count(), MAX_NAME_CHARS);
        assert!(logged.starts_with("Evil??[2J?x"), "{logged}");
    }
}
