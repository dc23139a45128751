//! `GET` and `POST /graphql`. Requests are parsed here rather than by an
//! integration crate so that every failure, including a malformed body,
//! answers in GraphQL shape with a contract error code.

use std::sync::Arc;

use actix_web::http::header::ACCEPT_LANGUAGE;
use actix_web::http::{ConnectionType, StatusCode};
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use async_graphql::dataloader::DataLoader;
use async_graphql::{BatchRequest, BatchResponse, ServerError};
use tracing::{Instrument, Span};

use super::AppState;
use super::graphql_error;
use super::observe::GraphqlOutcome;
use super::response_cache::{Answer, ResponseCache};
use crate::auth::Caller;
use crate::db::Budget;
use crate::error::code;
use crate::graphql::context::Lang;
use crate::graphql::limits;
use crate::graphql::loader::DbLoader;
use crate::service::guideline::Drafts;

/// Bodies up to this size are decoded on the HTTP worker; larger ones on a
/// blocking thread.
const DECODE_INLINE_BYTES: usize = 64 * 1024;

pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    caller: Caller,
) -> HttpResponse {
    // GraphQL over HTTP: a POST is `application/json` (UTF-8, the only charset
    // JSON has); anything else, or nothing, is refused before the body is read.
    let json = matches!(req.mime_type(), Ok(Some(mime))
        if mime.essence_str() == "application/json"
            && mime.get_param("charset").is_none_or(|c| c.as_str().eq_ignore_ascii_case("utf-8")));
    if !json {
        return graphql_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code::BAD_USER_INPUT,
            "send GraphQL requests as JSON with `Content-Type: application/json`",
        );
    }
    let limit = state.max_body_bytes;
    let body = match tokio::time::timeout(state.body_timeout, payload.to_bytes_limited(limit)).await
    {
        Ok(Ok(Ok(body))) => body,
        Ok(Ok(Err(_))) => {
            return graphql_error(
                StatusCode::BAD_REQUEST,
                code::BAD_USER_INPUT,
                "the request body could not be read",
            );
        }
        Ok(Err(_)) => {
            return graphql_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                code::QUERY_TOO_COMPLEX,
                &format!("the request body is larger than the limit of {limit} bytes"),
            );
        }
        Err(_) => {
            let mut response = graphql_error(
                StatusCode::REQUEST_TIMEOUT,
                code::BAD_USER_INPUT,
                &format!(
                    "the request body did not arrive within {} ms (WISH_BODY_TIMEOUT_MS)",
                    state.body_timeout.as_millis()
                ),
            );
            response
                .head_mut()
                .set_connection_type(ConnectionType::Close);
            return response;
        }
    };
    let large = body.len() > DECODE_INLINE_BYTES;
    let decoded = if !large {
        serde_json::from_slice::<BatchRequest>(&body)
    } else {
        // Decoding a megabyte of JSON is milliseconds of CPU: off the HTTP worker.
        match web::block(move || serde_json::from_slice::<BatchRequest>(&body)).await {
            Ok(decoded) => decoded,
            Err(_) => {
                return graphql_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    code::INTERNAL,
                    "internal error: the request could not be read; it has been logged",
                );
            }
        }
    };
    let batch = match decoded {
        Ok(batch) => batch,
        Err(err) => {
            return graphql_error(
                StatusCode::BAD_REQUEST,
                code::BAD_USER_INPUT,
                &format!(
                    "the request body is not a GraphQL request: expected JSON like {{\"query\": \"...\", \"variables\": {{}}}} ({})",
                    describe_json_error(&err)
                ),
            );
        }
    };
    if let BatchRequest::Batch(requests) = &batch
        && requests.len() > state.max_batch
    {
        return graphql_error(
            StatusCode::BAD_REQUEST,
            code::QUERY_TOO_COMPLEX,
            &format!(
                "a batch holds at most {} operations (WISH_MAX_BATCH), got {}",
                state.max_batch,
                requests.len()
            ),
        );
    }
    // The map's reads are small; a large document or variables is not worth
    // hashing on the HTTP worker for a cache it would hardly ever hit.
    if let (None, BatchRequest::Single(request), false) = (caller.role, &batch, large) {
        let key = cache_key(&req, request);
        let (answer, _) = answer_anonymous(&req, &state, key, batch).await;
        let mut response = HttpResponse::Ok();
        response
            .insert_header(("Cache-Control", "no-store"))
            .content_type("application/json");
        return match answer.compressed_for(&req).await {
            Some((encoding, body)) => response.insert_header(encoding).body(body),
            None => response.body(answer.body),
        };
    }
    let outcome = execute(&req, &state, caller, batch).await;
    json_response(outcome.body, "no-store")
}

/// An anonymous read, from the response cache when the data has not changed
/// since it was computed; `true` with it when the answer has no errors.
async fn answer_anonymous(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    key: [u8; 32],
    batch: BatchRequest,
) -> (Answer, bool) {
    let Some(cache) = &state.response_cache else {
        let outcome = execute(req, state, Caller::anonymous(), batch).await;
        return (Answer::uncached(outcome.body), outcome.ok);
    };
    let version = cache.current_version().await;
    if let Some(hit) = version.and_then(|v| cache.get(&key, v)) {
        req.extensions_mut().insert(GraphqlOutcome {
            operation: operation_of(&batch),
            error_codes: Vec::new(),
        });
        return (hit, true);
    }
    let outcome = execute(req, state, Caller::anonymous(), batch).await;
    match (outcome.ok, version) {
        // Tagged with the version read before executing: a write that landed
        // meanwhile makes this entry stale rather than wrongly fresh.
        (true, Some(version)) => (cache.put(key, version, outcome.body), true),
        (ok, _) => (Answer::uncached(outcome.body), ok),
    }
}

/// What can change an anonymous answer: the document, its variables and
/// extensions (a persisted query's hash), the operation, and the language.
fn cache_key(req: &HttpRequest, request: &async_graphql::Request) -> [u8; 32] {
    let variables = serde_json::to_vec(&request.variables).unwrap_or_default();
    let extensions: std::collections::BTreeMap<_, _> = request.extensions.iter().collect();
    let extensions = serde_json::to_vec(&extensions).unwrap_or_default();
    ResponseCache::key(&[
        request.query.as_bytes(),
        request.operation_name.as_deref().unwrap_or("").as_bytes(),
        &variables,
        &extensions,
        request_lang(req).code().as_bytes(),
    ])
}

pub async fn get(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> HttpResponse {
    let request = match async_graphql::http::parse_query_string(req.query_string()) {
        Ok(request) => request,
        Err(_) => {
            return graphql_error(
                StatusCode::BAD_REQUEST,
                code::BAD_USER_INPUT,
                "the query string is not a GraphQL request: pass `query`, and optionally `variables` (JSON) and `operationName`",
            );
        }
    };
    let key = cache_key(&req, &request);
    let request = request.data(crate::graphql::read_only::ReadOnly);
    if caller.role.is_some() {
        // What a token may read is never stored by a shared cache.
        let outcome = execute(&req, &state, caller, BatchRequest::Single(request)).await;
        return json_response(outcome.body, "private, no-store");
    }
    let (answer, ok) = answer_anonymous(&req, &state, key, BatchRequest::Single(request)).await;
    if ok {
        // An anonymous query by URL: cacheable by browsers and CDNs, revalidated by ETag.
        super::cache::public_answer(&req, "application/json", &answer).await
    } else {
        HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .content_type("application/json")
            .body(answer.body)
    }
}

fn json_response(body: Bytes, cache_control: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", cache_control))
        .content_type("application/json")
        .body(body)
}

/// Where the JSON went wrong, without echoing the caller's data back.
fn describe_json_error(err: &serde_json::Error) -> String {
    format!("line {}, column {}", err.line(), err.column())
}

/// What running a request gave: its JSON body, whether it is free of
/// errors, and the contract codes of its errors.
struct Outcome {
    body: Bytes,
    ok: bool,
    error_codes: Vec<&'static str>,
}

impl Outcome {
    /// An answer of one error, for a request that did not run to its end.
    fn refused(code: &'static str, message: String) -> Self {
        let response =
            BatchResponse::Single(async_graphql::Response::from_errors(vec![coded_error(
                code, message,
            )]));
        Self {
            body: Bytes::from(serde_json::to_vec(&response).unwrap_or_default()),
            ok: false,
            error_codes: vec![code],
        }
    }
}

fn coded_error(code: &str, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}

/// Runs a request on the executor, within the request timeout, and records
/// its operation and error codes for the log line and the metrics.
async fn execute(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    caller: Caller,
    batch: BatchRequest,
) -> Outcome {
    let operation = operation_of(&batch);
    // In the request's span, so that what it logs on the executor carries its id.
    let run = run(state.clone(), caller, request_lang(req), batch).instrument(Span::current());
    let mut task = state.executor.spawn(run);
    let outcome = match tokio::time::timeout(state.request_timeout, &mut task).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(failure)) => {
            // The panic itself went to the log through the panic hook.
            tracing::error!(
                cancelled = failure.is_cancelled(),
                "a GraphQL request failed"
            );
            Outcome::refused(
                code::INTERNAL,
                "internal error: the request could not be completed; it has been logged".to_owned(),
            )
        }
        Err(_) => {
            // Dropping the execution drops its transaction, which rolls back.
            task.abort();
            Outcome::refused(
                code::INTERNAL,
                format!(
                    "the request took longer than {} ms (WISH_REQUEST_TIMEOUT_MS) and was stopped; the write it had under way, if any, was rolled back",
                    state.request_timeout.as_millis()
                ),
            )
        }
    };
    req.extensions_mut().insert(GraphqlOutcome {
        operation,
        error_codes: outcome.error_codes.clone(),
    });
    outcome
}

/// The work of one HTTP request on the executor: each operation checked,
/// executed and answered, within the request's database budget.
async fn run(
    state: web::Data<AppState>,
    caller: Caller,
    lang: Lang,
    batch: BatchRequest,
) -> Outcome {
    let budget = Budget::new(state.db_budget);
    let loader_budget = budget.clone();
    // No timed delay before a batch loads. The load task yields once before
    // it takes its keys, so that a request woken by several finished loads at
    // once resolves all of them, and queues every key their children ask
    // for, before the next load starts: a page of 100 facilities with visits,
    // participants and their workshops is six statements, on any backend.
    let loader = Arc::new(
        DataLoader::new(
            DbLoader {
                db: state.db.clone(),
                drafts: Drafts::for_editor(caller.is_editor()),
            },
            move |load| {
                let budget = loader_budget.clone();
                tokio::spawn(async move {
                    tokio::task::yield_now().await;
                    match budget {
                        Some(budget) => budget.charge(load).await,
                        None => load.await,
                    }
                })
            },
        )
        .delay(std::time::Duration::ZERO),
    );
    let work = async {
        match batch {
            BatchRequest::Single(request) => {
                BatchResponse::Single(one(&state, request, &caller, lang, &loader).await)
            }
            BatchRequest::Batch(requests) => {
                let mut responses = Vec::with_capacity(requests.len());
                for request in requests {
                    responses.push(one(&state, request, &caller, lang, &loader).await);
                }
                BatchResponse::Batch(responses)
            }
        }
    };
    let mut response = match &budget {
        Some(budget) => {
            tokio::select! {
                response = budget.clone().charge(work) => response,
                () = budget.exhausted() => return Outcome::refused(
                    code::QUERY_TOO_COMPLEX,
                    format!(
                        "the request used more than {} ms of database time (WISH_REQUEST_DB_BUDGET_MS) and was stopped; the write it had under way, if any, was rolled back",
                        budget.limit().as_millis()
                    ),
                ),
            }
        }
        None => work.await,
    };
    let errors: Vec<&mut ServerError> = match &mut response {
        BatchResponse::Single(r) => r.errors.iter_mut().collect(),
        BatchResponse::Batch(rs) => rs.iter_mut().flat_map(|r| r.errors.iter_mut()).collect(),
    };
    let mut error_codes = Vec::with_capacity(errors.len());
    for error in errors {
        assign_code(error);
        if let Some(async_graphql::Value::String(code)) =
            error.extensions.as_ref().and_then(|e| e.get("code"))
            && let Some(code) = code::ALL.into_iter().find(|c| c == code)
        {
            error_codes.push(code);
        }
    }
    let mut body = Capped::new(state.max_response_bytes);
    if serde_json::to_writer(&mut body, &response).is_err() {
        return Outcome::refused(
            code::QUERY_TOO_COMPLEX,
            format!(
                "the answer is larger than {} bytes (WISH_MAX_RESPONSE_BYTES); ask for fewer fields or smaller pages",
                state.max_response_bytes
            ),
        );
    }
    Outcome {
        body: Bytes::from(body.bytes),
        ok: response.is_ok(),
        error_codes,
    }
}

/// One operation: its name and document checked before async-graphql sees
/// them (see [`crate::graphql::limits`]), then executed.
async fn one(
    state: &AppState,
    mut request: async_graphql::Request,
    caller: &Caller,
    lang: Lang,
    loader: &Arc<DataLoader<DbLoader>>,
) -> async_graphql::Response {
    if let Some(name) = &request.operation_name
        && let Err(refusal) = limits::check_operation_name(name)
    {
        return async_graphql::Response::from_errors(vec![refusal]);
    }
    // An empty query is a persisted query sent by hash: async-graphql looks
    // it up, and the limits extension checks it.
    if !request.query.is_empty() {
        let checked = limits::parse(&request.query).and_then(|document| {
            state
                .limits
                .check(&document, &request.variables)
                .map(|()| document)
        });
        match checked {
            Ok(document) => {
                request.set_parsed_query(document);
                request = request.data(limits::Checked);
            }
            Err(refusal) => return async_graphql::Response::from_errors(vec![refusal]),
        }
    }
    let request = request.data(caller.clone()).data(lang).data(loader.clone());
    state.schema.execute(request).await
}

/// A buffer that refuses to grow past its capacity, so that serialising an
/// answer over the limit stops there instead of at its end.
struct Capped {
    bytes: Vec<u8>,
    capacity: usize,
}

impl Capped {
    fn new(capacity: usize) -> Self {
        Self {
            bytes: Vec::new(),
            capacity,
        }
    }
}

impl std::io::Write for Capped {
    fn write(&mut self, chunk: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + chunk.len() > self.capacity {
            return Err(std::io::Error::other("the answer is over its limit"));
        }
        self.bytes.extend_from_slice(chunk);
        Ok(chunk.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The operation name a request gives, for logs and metrics; `batch` for a
/// batch; nothing for a name that is not a GraphQL name (it is refused).
fn operation_of(batch: &BatchRequest) -> Option<String> {
    match batch {
        BatchRequest::Single(request) => request
            .operation_name
            .clone()
            .filter(|name| limits::check_operation_name(name).is_ok()),
        BatchRequest::Batch(_) => Some("batch".to_owned()),
    }
}

/// The language of `Accept-Language`, for prose fields asked without `lang`.
fn request_lang(req: &HttpRequest) -> Lang {
    req.headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
        .unwrap_or_default()
}

/// Resolver errors and the limits carry their code already; what has none
/// comes from async-graphql's own validation (an unknown field, a wrong
/// argument, an operation that is not there, a persisted query it does not
/// know): the caller's to fix.
fn assign_code(error: &mut ServerError) {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code::BAD_USER_INPUT);
    }
}
