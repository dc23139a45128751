//! What operators see: one log line per request with its request id, and
//! the Prometheus metrics at `GET /metrics`. Neither ever holds a token, a
//! query string or personal data: a line names the route, the GraphQL
//! operation, the status and the time taken.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

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

/// Distinct GraphQL operation names kept as labels; later ones count as `other`.
const MAX_OPERATIONS: usize = 100;

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

#[derive(Default)]
struct Counts {
    /// (endpoint, operation, outcome) → count.
    requests: BTreeMap<(String, String, String), u64>,
    /// endpoint → latency histogram.
    latency: BTreeMap<String, Series>,
    /// contract error code → count.
    errors: BTreeMap<&'static str, u64>,
    operations: std::collections::HashSet<String>,
}

/// The counters behind `/metrics`, shared by every worker.
#[derive(Default)]
pub struct Metrics(Mutex<Counts>);

impl Metrics {
    fn record(
        &self,
        endpoint: &str,
        operation: Option<&str>,
        outcome: &str,
        seconds: f64,
        errors: &[&'static str],
    ) {
        let Ok(mut counts) = self.0.lock() else {
            return;
        };
        let operation = match operation {
            None => "-".to_owned(),
            Some(name) if counts.operations.contains(name) => name.to_owned(),
            Some(name) if counts.operations.len() < MAX_OPERATIONS => {
                counts.operations.insert(name.to_owned());
                name.to_owned()
            }
            Some(_) => "other".to_owned(),
        };
        *counts
            .requests
            .entry((endpoint.to_owned(), operation, outcome.to_owned()))
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

    /// The Prometheus text exposition of every counter.
    fn render(&self, db: &DatabaseConnection) -> String {
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
                label(endpoint),
                label(operation),
                label(outcome)
            );
        }
        let _ = writeln!(
            out,
            "# HELP wish_http_request_duration_seconds Time to answer, by endpoint."
        );
        let _ = writeln!(out, "# TYPE wish_http_request_duration_seconds histogram");
        for (endpoint, series) in &counts.latency {
            let endpoint = label(endpoint);
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

/// A label value with quotes, backslashes and line ends escaped.
fn label(value: &str) -> String {
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
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();

    let mut res = next.call(req).await?;

    let seconds = started.elapsed().as_secs_f64();
    let status = res.status();
    let endpoint = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let outcome = res.request().extensions().get::<GraphqlOutcome>().cloned();
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID), value);
    }
    let operation = outcome.as_ref().and_then(|o| o.operation.clone());
    let errors = outcome.map(|o| o.error_codes).unwrap_or_default();
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
        operation = operation.as_deref().unwrap_or("-"),
        status = status.as_u16(),
        errors = %errors.join(","),
        duration_ms = format!("{:.1}", seconds * 1000.0),
        "request"
    );
    if let Some(metrics) = metrics {
        metrics.record(&endpoint, operation.as_deref(), result, seconds, &errors);
    }
    Ok(res)
}

/// `GET /metrics`, in the Prometheus text format.
pub async fn metrics(
    metrics: web::Data<Metrics>,
    state: web::Data<crate::startup::AppState>,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(metrics.render(&state.db))
}
