//! What operators see of each request: an id (the caller's `X-Request-Id`
//! when it is short and plain, else a new UUID, returned in `X-Request-Id`),
//! a `request` span that every event logged while serving it belongs to
//! (`tracing-actix-web`), and when it is answered one log line and its
//! count in [`super::metrics`]. Neither ever holds a token, a query string
//! or personal data: a line names the route, the GraphQL operation, the
//! status and the time taken.
//!
//! Operation names come from callers: one is logged as at most
//! [`super::metrics::MAX_NAME_CHARS`] printable ASCII characters.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;

use super::metrics::{Name, printable};

/// The header that carries a request's id, in and out.
pub const REQUEST_ID: &str = "x-request-id";

/// A request's id, from `X-Request-Id` when it is sensible, else made here,
/// and when the request arrived.
#[derive(Debug, Clone)]
pub struct RequestId {
    pub id: String,
    arrived: Instant,
}

/// What the GraphQL handler learnt about a request, for its log line and metrics.
#[derive(Debug, Clone, Default)]
pub struct GraphqlOutcome {
    /// The `operationName`, if the caller gave one.
    pub operation: Option<String>,
    /// The contract codes of the errors of the answer.
    pub error_codes: Vec<&'static str>,
}

/// A caller's id is kept when it is short and plain; anything else is replaced.
fn sensible(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Gives each request its id, before the request span opens, and returns
/// it in the answer.
///
/// # Errors
/// Whatever the inner service returns.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sensible(v))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    req.extensions_mut().insert(RequestId {
        id: id.clone(),
        arrived: Instant::now(),
    });
    let mut res = next.call(req).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID), value);
    }
    Ok(res)
}

/// The `request` span of `tracing-actix-web`, with our fields rather than
/// its default ones: those include the target URI, query string and all,
/// which may hold a GraphQL document and must not reach the log.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let id = request
            .extensions()
            .get::<RequestId>()
            .map(|r| r.id.clone())
            .unwrap_or_default();
        tracing::info_span!("request", request_id = %id, method = %request.method())
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        // An error that escaped the handlers is answered by the server from
        // its `ResponseError`; only answers are logged and counted here.
        let Ok(res) = outcome else {
            return;
        };
        let _entered = span.enter();
        log_and_count(res);
    }
}

/// The one log line of an answered request, and its count.
fn log_and_count<B>(res: &ServiceResponse<B>) {
    let request = res.request();
    let extensions = request.extensions();
    let (id, seconds) = extensions.get::<RequestId>().map_or_else(
        || (String::new(), 0.0),
        |r| (r.id.clone(), r.arrived.elapsed().as_secs_f64()),
    );
    let status = res.status();
    let endpoint = request
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    // Past this point a name is kept as MAX_NAME_CHARS printable characters at most.
    let (logged, name, errors) = match extensions.get::<GraphqlOutcome>() {
        Some(outcome) => {
            let operation = outcome.operation.as_deref();
            let name = match Name::of(operation) {
                Name::Valid(_) => operation.map(printable),
                _ => None,
            };
            (operation.map(printable), name, outcome.error_codes.clone())
        }
        None => (None, None, Vec::new()),
    };
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
        method = %request.method(),
        endpoint = %endpoint,
        operation = logged.as_deref().unwrap_or("-"),
        status = status.as_u16(),
        errors = %errors.join(","),
        duration_ms = format!("{:.1}", seconds * 1000.0),
        "request"
    );
    if let Some(state) = request.app_data::<web::Data<super::AppState>>() {
        let counted = match (&logged, &name) {
            (None, _) => Name::Absent,
            (Some(_), Some(name)) => Name::Valid(name),
            (Some(_), None) => Name::Invalid,
        };
        state
            .metrics
            .record(&endpoint, counted, result, seconds, &errors);
    }
}
