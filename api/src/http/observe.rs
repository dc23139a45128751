//! What operators see: one log line per request with its request id, and
//! the Prometheus metrics at `GET /metrics`. Neither ever holds a token, a
//! query string or personal data: a line names the route, the GraphQL
//! operation, the status and the time taken.
//!
//! Operation names come from callers, so neither may grow with them: a name
//! is logged as at most [`MAX_NAME_CHARS`] printable ASCII characters, and it
//! becomes a label of its own only once it has proved to be in use (see
//! [`Operations`]); until then, and for anything that is not a GraphQL Name,
//! it counts as `other`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use sea_orm::{DatabaseConnection, DbBackend};

/// The header that carries a request's id, in and out.
pub const REQUEST_ID: &str = "x-request-id";

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

/// A request's id, from `X-Request-Id` when it is sensible, else made here.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// What the GraphQL handler learnt about a request, for its log line and metrics.
#[derive(Debug, Clone, Default)]
pub struct GraphqlOutcome {
    /// The `operationName`, if the caller gave one.
    pub operation: Option<String>,
    /// The contract codes of the errors of the answer.
    pub error_codes: Vec<&'static str>,
}

#[derive(Default)]
struct Series {
    count: u64,
    sum_seconds: f64,
    buckets: [u64; BUCKETS.len()],
}

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
#[derive(Default)]
struct Operations {
    /// name → when it was last counted.
    labels: HashMap<String, Instant>,
    candidates: HashMap<String, Candidate>,
}

/// A caller's operation name, as far as it is kept past the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name<'a> {
    /// No `operationName`.
    Absent,
    /// A GraphQL Name of at most [`MAX_NAME_CHARS`]: fit for a label as it is.
    Valid(&'a str),
    /// Anything else, counted as `other`.
    Invalid,
}

impl<'a> Name<'a> {
    fn of(name: Option<&'a str>) -> Self {
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
fn printable(name: &str) -> String {
    name.chars()
        .take(MAX_NAME_CHARS)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect()
}

#[derive(Default)]
struct Counts {
    /// (endpoint, operation, outcome) → count.
    requests: BTreeMap<(String, String, String), u64>,
    /// endpoint → latency histogram.
    latency: BTreeMap<String, Series>,
    /// contract error code → count.
    errors: BTreeMap<&'static str, u64>,
    operations: Operations,
}

/// The counters behind `/metrics`, shared by every worker.
#[derive(Default)]
pub struct Metrics(Mutex<Counts>);

impl Metrics {
    fn record(
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
        let Ok(mut counts) = self.0.lock() else {
            return;
        };
        let Labelled { label, dropped } = counts.operations.label(operation, outcome == "ok", now);
        if let Some(dropped) = dropped {
            // Its series go with it: a series that reappears starts again from
            // zero, which Prometheus reads as a counter reset.
            counts.requests.retain(|(_, op, _), _| *op != dropped);
        }
        *counts
            .requests
            .entry((endpoint.to_owned(), label, outcome.to_owned()))
            .or_default() += 1;
        let series = counts.latency.entry(endpoint.to_owned()).or_default();
        series.count += 1;
        series.sum_seconds += seconds;
        for (bucket, bound) in series.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        for code in errors {
            *counts.errors.entry(code).or_default() += 1;
        }
    }

    /// The Prometheus text exposition of every counter and of the pool.
    fn render(&self, db: &DatabaseConnection) -> String {
        use std::fmt::Write as _;
        let mut out = self.render_counts();
        let (size, idle, max) = pool_use(db);
        let _ = writeln!(
            out,
            "# HELP wish_db_pool_connections Database connections of this server by state."
        );
        let _ = writeln!(out, "# TYPE wish_db_pool_connections gauge");
        let _ = writeln!(out, "wish_db_pool_connections{{state=\"idle\"}} {idle}");
        let _ = writeln!(
            out,
            "wish_db_pool_connections{{state=\"in_use\"}} {}",
            size.saturating_sub(idle)
        );
        let _ = writeln!(
            out,
            "# HELP wish_db_pool_max_connections Most connections the pool opens."
        );
        let _ = writeln!(out, "# TYPE wish_db_pool_max_connections gauge");
        let _ = writeln!(out, "wish_db_pool_max_connections {max}");
        out
    }

    /// The Prometheus text exposition of the request and error counters.
    fn render_counts(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let Ok(counts) = self.0.lock() else {
            return out;
        };
        let _ = writeln!(
            out,
            "# HELP wish_http_requests_total HTTP requests by endpoint, GraphQL operation and outcome."
        );
        let _ = writeln!(out, "# TYPE wish_http_requests_total counter");
        for ((endpoint, operation, outcome), n) in &counts.requests {
            let _ = writeln!(
                out,
                "wish_http_requests_total{{endpoint=\"{}\",operation=\"{}\",outcome=\"{}\"}} {n}",
                escape(endpoint),
                escape(operation),
                escape(outcome)
            );
        }
        let _ = writeln!(
            out,
            "# HELP wish_http_request_duration_seconds Time to answer, by endpoint."
        );
        let _ = writeln!(out, "# TYPE wish_http_request_duration_seconds histogram");
        for (endpoint, series) in &counts.latency {
            let endpoint = escape(endpoint);
            for (bound, n) in BUCKETS.iter().zip(series.buckets) {
                let _ = writeln!(
                    out,
                    "wish_http_request_duration_seconds_bucket{{endpoint=\"{endpoint}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "wish_http_request_duration_seconds_bucket{{endpoint=\"{endpoint}\",le=\"+Inf\"}} {}",
                series.count
            );
            let _ = writeln!(
                out,
                "wish_http_request_duration_seconds_sum{{endpoint=\"{endpoint}\"}} {}",
                series.sum_seconds
            );
            let _ = writeln!(
                out,
                "wish_http_request_duration_seconds_count{{endpoint=\"{endpoint}\"}} {}",
                series.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP wish_graphql_errors_total GraphQL errors by contract code."
        );
        let _ = writeln!(out, "# TYPE wish_graphql_errors_total counter");
        for code in crate::error::code::ALL {
            let n = counts.errors.get(code).copied().unwrap_or(0);
            let _ = writeln!(out, "wish_graphql_errors_total{{code=\"{code}\"}} {n}");
        }
        out
    }
}

/// (open, idle, most) connections of the pool.
fn pool_use(db: &DatabaseConnection) -> (u64, u64, u64) {
    let wide = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                u64::from(pool.size()),
                wide(pool.num_idle()),
                u64::from(pool.options().get_max_connections()),
            )
        }
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (
                u64::from(pool.size()),
                wide(pool.num_idle()),
                u64::from(pool.options().get_max_connections()),
            )
        }
        _ => (0, 0, 0),
    }
}

/// A label value as the text format asks: backslash, double quote and line feed escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A caller's id is kept when it is short and plain; anything else is replaced.
fn sensible(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Gives each request an id, logs one line when it is answered, and counts it.
///
/// # Errors
/// Whatever the inner service returns.
pub async fn log_and_count(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sensible(v))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().to_string();
    let state = req.app_data::<web::Data<super::AppState>>().cloned();

    let mut res = next.call(req).await?;

    let seconds = started.elapsed().as_secs_f64();
    let status = res.status();
    let endpoint = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    // Past this point a name is kept as MAX_NAME_CHARS printable characters at most.
    let (logged, valid, errors) = match res.request().extensions().get::<GraphqlOutcome>() {
        Some(outcome) => {
            let name = outcome.operation.as_deref();
            (
                name.map(printable),
                matches!(Name::of(name), Name::Valid(_)),
                outcome.error_codes.clone(),
            )
        }
        None => (None, false, Vec::new()),
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID), value);
    }
    let result = if status.is_server_error() {
        "server_error"
    } else if status.is_client_error() || !errors.is_empty() {
        "client_error"
    } else {
        "ok"
    };
    tracing::info!(
        target: "wish_api::request",
        request_id = %id,
        method = %method,
        endpoint = %endpoint,
        operation = logged.as_deref().unwrap_or("-"),
        status = status.as_u16(),
        errors = %errors.join(","),
        duration_ms = format!("{:.1}", seconds * 1000.0),
        "request"
    );
    if let Some(state) = state {
        let name = match &logged {
            None => Name::Absent,
            // A valid name is printable and within MAX_NAME_CHARS: logged as it came.
            Some(name) if valid => Name::Valid(name),
            Some(_) => Name::Invalid,
        };
        state
            .metrics
            .record(&endpoint, name, result, seconds, &errors);
    }
    Ok(res)
}

/// `GET /metrics`, in the Prometheus text format.
pub async fn metrics(state: web::Data<super::AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(state.metrics.render(&state.db))
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
        let metrics = Metrics::default();
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

        let text = metrics.render_counts();

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

    #[test]
    fn escape_follows_the_text_format() {
        assert_eq!(escape("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
    }
}
