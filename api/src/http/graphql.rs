//! `GET` and `POST /graphql`. Requests are parsed here rather than by an
//! integration crate so that every failure, including a malformed body,
//! answers in GraphQL shape with a contract error code, in the media type
//! and with the status GraphQL over HTTP asks for (see [`Media`]).

use std::sync::Arc;

use actix_web::http::header::{ACCEPT_LANGUAGE, ALLOW, CACHE_CONTROL, VARY};
use actix_web::http::{ConnectionType, StatusCode};
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use async_graphql::dataloader::DataLoader;
use async_graphql::{BatchRequest, ServerError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::{Instrument, Span};

use super::AppState;
use super::media::Media;
use super::observe::GraphqlOutcome;
use super::response_cache::{Answer, Made, Misses, ResponseCache};
use crate::auth::Caller;
use crate::db::{Budget, Reader};
use crate::error::code;
use crate::graphql::context::Lang;
use crate::graphql::documents::Parsed;
use crate::graphql::executed::Execution;
use crate::graphql::field_order;
use crate::graphql::limits;
use crate::graphql::loader::DbLoader;
use crate::graphql::read_only::ReadOnly;
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
    let Some(media) = Media::negotiate(&req) else {
        return not_acceptable();
    };
    let graphql_error = |status, code, message: &str| refusal(media, status, code, message);
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
        Ok(batch)
            if match &batch {
                BatchRequest::Single(request) => without_query(request),
                BatchRequest::Batch(requests) => requests.iter().any(without_query),
            } =>
        {
            return graphql_error(StatusCode::BAD_REQUEST, code::BAD_USER_INPUT, NO_QUERY);
        }
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
    let batch = match (caller.role, batch, large) {
        (None, BatchRequest::Single(request), false) => {
            let (answer, verdict) = answer_anonymous(&req, &state, request, media).await;
            let mut response = HttpResponse::build(verdict.status(media));
            response
                .insert_header((CACHE_CONTROL, "no-store"))
                .content_type(media.content_type());
            return match answer.compressed_for(&req).await {
                Some((encoding, body)) => response.insert_header(encoding).body(body),
                None => response.body(answer.body),
            };
        }
        (_, batch, _) => batch,
    };
    let outcome = execute(&req, &state, caller, batch, media).await;
    answered(media, outcome.verdict, outcome.body, "no-store")
}

/// Why a request is not a GraphQL request when it names no document.
const NO_QUERY: &str = "the request has no `query`: send the GraphQL document as `query`, or the sha256 hash of a persisted one in `extensions.persistedQuery`";

/// Whether a request names no document: neither a `query` nor the hash of
/// a persisted one. GraphQL over HTTP calls that a request that is not well
/// formed.
fn without_query(request: &async_graphql::Request) -> bool {
    request.query.is_empty() && !request.extensions.contains_key("persistedQuery")
}

/// A failure before the request reaches the schema, in GraphQL shape and in
/// the media type the client asked for (no `data`: nothing ran).
fn refusal(media: Media, status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(media.content_type())
        .json(json!({
            "errors": [{ "message": message, "extensions": { "code": code } }]
        }))
}

/// `406`: the client's `Accept` names neither type a GraphQL answer comes in.
fn not_acceptable() -> HttpResponse {
    super::graphql_error(
        StatusCode::NOT_ACCEPTABLE,
        code::BAD_USER_INPUT,
        "a GraphQL answer is `application/graphql-response+json` or `application/json`: accept one of them",
    )
}

/// An anonymous read, from the response cache when the data has not changed
/// since it was computed. Only answers without errors are kept, and those
/// are the same in either media type.
async fn answer_anonymous(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    request: async_graphql::Request,
    media: Media,
) -> (Answer, Verdict) {
    let Some(cache) = &state.response_cache else {
        let batch = BatchRequest::Single(request);
        let outcome = execute(req, state, Caller::anonymous(), batch, media).await;
        return (Answer::uncached(outcome.body), outcome.verdict);
    };
    let key = cache_key(req, &request);
    let batch = BatchRequest::Single(request);
    let operation = operation_of(&batch);
    let made = || async {
        let outcome = execute(req, state, Caller::anonymous(), batch, media).await;
        Ok::<_, std::convert::Infallible>(Made {
            keep: outcome.verdict.ok,
            body: outcome.body,
            with: outcome.verdict,
        })
    };
    let answered = match cache
        .answer(
            req,
            &state.anonymous_reads.0,
            key,
            (key, media),
            Verdict::OK,
            made,
        )
        .await
    {
        Ok(answered) => answered,
        Err(never) => match never {},
    };
    // A hit, or an answer another request computed: logged and counted as
    // this request's all the same.
    if req.extensions().get::<GraphqlOutcome>().is_none() {
        req.extensions_mut().insert(GraphqlOutcome {
            operation,
            error_codes: Vec::new(),
        });
    }
    answered
}

/// Anonymous reads being computed, by cache key, data version and media
/// type: the same question asked again before its first answer is made waits
/// for that answer instead of computing it again (after every write, every
/// cached answer is stale at once).
#[derive(Default)]
pub struct AnonymousReads(Misses<([u8; 32], Media), Verdict>);

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

/// The parameters of a `GET`, in the names GraphQL over HTTP gives them
/// (async-graphql's own parser reads `operation_name`); `variables` and
/// `extensions` are JSON.
#[derive(Deserialize)]
struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

impl GetParams {
    fn parse(query_string: &str) -> Option<async_graphql::Request> {
        let params = web::Query::<Self>::from_query(query_string)
            .ok()?
            .into_inner();
        let mut request = async_graphql::Request::new(params.query.unwrap_or_default());
        if let Some(variables) = params.variables {
            request.variables = serde_json::from_str(&variables).ok()?;
        }
        if let Some(extensions) = params.extensions {
            request.extensions = serde_json::from_str(&extensions).ok()?;
        }
        // An empty name is the same as none.
        request.operation_name = params.operation_name.filter(|name| !name.is_empty());
        Some(request)
    }
}

pub async fn get(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> HttpResponse {
    let Some(media) = Media::negotiate(&req) else {
        return not_acceptable();
    };
    let Some(request) = GetParams::parse(req.query_string()) else {
        return refusal(
            media,
            StatusCode::BAD_REQUEST,
            code::BAD_USER_INPUT,
            "the query string is not a GraphQL request: pass `query`, and optionally `variables` (JSON) and `operationName`",
        );
    };
    if without_query(&request) {
        return refusal(
            media,
            StatusCode::BAD_REQUEST,
            code::BAD_USER_INPUT,
            NO_QUERY,
        );
    }
    let read_only = ReadOnly::new(request.operation_name.clone());
    let request = request.data(read_only.clone());
    let mut response = if caller.role.is_some() {
        // What a token may read is never stored by a shared cache.
        let batch = BatchRequest::Single(request);
        let outcome = execute(&req, &state, caller, batch, media).await;
        answered(media, outcome.verdict, outcome.body, "private, no-store")
    } else {
        let (answer, verdict) = answer_anonymous(&req, &state, request, media).await;
        if verdict.ok {
            // An anonymous query by URL: cacheable by browsers and CDNs, revalidated by ETag.
            super::cache::public_answer(&req, media.content_type(), &answer).await
        } else {
            answered(media, verdict, answer.body, "no-store")
        }
    };
    if read_only.refused() {
        // GraphQL over HTTP: a mutation by GET is `405`, whatever the media type.
        let mut refused = refusal(
            media,
            StatusCode::METHOD_NOT_ALLOWED,
            code::BAD_USER_INPUT,
            "mutations must be sent with POST: a GET request only reads",
        );
        refused.headers_mut().insert(
            ALLOW,
            actix_web::http::header::HeaderValue::from_static("POST"),
        );
        return refused;
    }
    // The same URL answers in the media type each client accepts.
    response.headers_mut().append(
        VARY,
        actix_web::http::header::HeaderValue::from_static("Accept"),
    );
    response
}

/// An answer that is not kept by shared caches, with the status its verdict
/// has in its media type.
fn answered(
    media: Media,
    verdict: Verdict,
    body: Bytes,
    cache_control: &'static str,
) -> HttpResponse {
    HttpResponse::build(verdict.status(media))
        .insert_header((CACHE_CONTROL, cache_control))
        .content_type(media.content_type())
        .body(body)
}

/// Where the JSON went wrong, without echoing the caller's data back.
fn describe_json_error(err: &serde_json::Error) -> String {
    format!("line {}, column {}", err.line(), err.column())
}

/// What an answer says of its request: whether it is free of errors, and
/// the status it has as `application/graphql-response+json`.
#[derive(Debug, Clone, Copy)]
struct Verdict {
    ok: bool,
    /// `200` once the request ran, whatever its field errors; a `4xx` or
    /// `5xx` for an answer without `data`.
    status: StatusCode,
}

impl Verdict {
    const OK: Self = Self {
        ok: true,
        status: StatusCode::OK,
    };

    /// `application/json` answers every well-formed request with `200`, as
    /// it always did (GraphQL over HTTP: a client cannot tell a `4xx` of ours
    /// from a proxy's in that media type).
    fn status(self, media: Media) -> StatusCode {
        match media {
            Media::Json => StatusCode::OK,
            Media::GraphqlResponse => self.status,
        }
    }
}

/// What running a request gave: its JSON body, its verdict, and the
/// contract codes of its errors.
struct Outcome {
    body: Bytes,
    verdict: Verdict,
    error_codes: Vec<&'static str>,
}

impl Outcome {
    /// An answer of one error, for a request that did not run to its end.
    fn refused(media: Media, status: StatusCode, code: &'static str, message: String) -> Self {
        let answer = (
            async_graphql::Response::from_errors(vec![coded_error(code, message)]),
            false,
        );
        Self {
            body: Bytes::from(serde_json::to_vec(&Body::of(&answer, media)).unwrap_or_default()),
            verdict: Verdict { ok: false, status },
            error_codes: vec![code],
        }
    }
}

/// One answer as it is written. As `graphql-response+json`, a request
/// error has no `data` (the GraphQL specification, "Response Format");
/// as `application/json` it keeps the `"data": null` it always had.
#[derive(Serialize)]
#[serde(untagged)]
enum Body<'a> {
    Full(&'a async_graphql::Response),
    Refused { errors: &'a [ServerError] },
}

impl<'a> Body<'a> {
    fn of((response, ran): &'a (async_graphql::Response, bool), media: Media) -> Self {
        if *ran || media == Media::Json {
            Self::Full(response)
        } else {
            Self::Refused {
                errors: &response.errors,
            }
        }
    }
}

/// The answers of a request as they are written: one, or a batch's list.
struct Answers {
    /// Each answer, with whether its request ran.
    answers: Vec<(async_graphql::Response, bool)>,
    /// Written as a list, as the request was.
    batch: bool,
}

impl Answers {
    fn iter_mut(&mut self) -> impl Iterator<Item = &mut (async_graphql::Response, bool)> {
        self.answers.iter_mut()
    }

    /// `200` when the request ran (for a batch: when any of it ran), else
    /// `400`: what is refused before it runs is the caller's to fix.
    fn verdict(&mut self) -> Verdict {
        let ok = self.iter_mut().all(|(response, _)| response.is_ok());
        let ran = self.iter_mut().any(|(_, ran)| *ran);
        Verdict {
            ok,
            status: if ran {
                StatusCode::OK
            } else {
                StatusCode::BAD_REQUEST
            },
        }
    }

    fn write(&self, to: impl std::io::Write, media: Media) -> serde_json::Result<()> {
        let bodies: Vec<Body<'_>> = self
            .answers
            .iter()
            .map(|answer| Body::of(answer, media))
            .collect();
        match (self.batch, bodies.as_slice()) {
            (false, [single]) => serde_json::to_writer(to, single),
            _ => serde_json::to_writer(to, &bodies),
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
    media: Media,
) -> Outcome {
    let operation = operation_of(&batch);
    // In the request's span, so that what it logs on the executor carries its id.
    let run =
        run(state.clone(), caller, request_lang(req), batch, media).instrument(Span::current());
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
                media,
                StatusCode::INTERNAL_SERVER_ERROR,
                code::INTERNAL,
                "internal error: the request could not be completed; it has been logged".to_owned(),
            )
        }
        Err(_) => {
            // Dropping the execution drops its transaction, which rolls back.
            task.abort();
            Outcome::refused(
                media,
                StatusCode::SERVICE_UNAVAILABLE,
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
    media: Media,
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
            BatchRequest::Single(request) => Answers {
                answers: vec![one(&state, request, &caller, lang, &loader).await],
                batch: false,
            },
            BatchRequest::Batch(requests) => {
                let mut answers = Vec::with_capacity(requests.len());
                for request in requests {
                    answers.push(one(&state, request, &caller, lang, &loader).await);
                }
                Answers {
                    answers,
                    batch: true,
                }
            }
        }
    };
    let mut answers = match &budget {
        Some(budget) => {
            tokio::select! {
                answers = budget.clone().charge(work) => answers,
                () = budget.exhausted() => return Outcome::refused(
                    media,
                    StatusCode::BAD_REQUEST,
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
    let mut error_codes = Vec::new();
    for error in answers
        .iter_mut()
        .flat_map(|(response, _)| response.errors.iter_mut())
    {
        assign_code(error);
        if let Some(async_graphql::Value::String(code)) =
            error.extensions.as_ref().and_then(|e| e.get("code"))
            && let Some(code) = code::ALL.into_iter().find(|c| c == code)
        {
            error_codes.push(code);
        }
    }
    let mut body = Capped::new(state.max_response_bytes);
    if answers.write(&mut body, media).is_err() {
        return Outcome::refused(
            media,
            StatusCode::BAD_REQUEST,
            code::QUERY_TOO_COMPLEX,
            format!(
                "the answer is larger than {} bytes (WISH_MAX_RESPONSE_BYTES); ask for fewer fields or smaller pages",
                state.max_response_bytes
            ),
        );
    }
    Outcome {
        body: Bytes::from(body.bytes),
        verdict: answers.verdict(),
        error_codes,
    }
}

/// One operation: its name and document checked before async-graphql sees
/// them (see [`crate::graphql::limits`]), then executed; with it, whether it
/// ran (see [`Execution`]).
async fn one(
    state: &AppState,
    mut request: async_graphql::Request,
    caller: &Caller,
    lang: Lang,
    loader: &Arc<DataLoader<DbLoader>>,
) -> (async_graphql::Response, bool) {
    let refused = |error| (async_graphql::Response::from_errors(vec![error]), false);
    if let Some(name) = &request.operation_name
        && let Err(refusal) = limits::check_operation_name(name)
    {
        return refused(refusal);
    }
    // An empty query is a persisted query sent by hash: async-graphql looks
    // it up, and the limits extension checks it.
    let mut parsed = None;
    if !request.query.is_empty() {
        let checked = state.documents.parse(&request.query).and_then(|document| {
            state
                .limits
                .check(&document.document, &request.variables)
                .map(|()| document)
        });
        match checked {
            Ok(document) => {
                if let Some(data) = compiled(state, &document, &request, caller).await {
                    state.metrics.operation_answered(true);
                    return (async_graphql::Response::new(data), true);
                }
                request.set_parsed_query(document.document.clone());
                request = request.data(limits::Checked);
                parsed = Some(document);
            }
            Err(refusal) => return refused(refusal),
        }
    }
    let operation_name = parsed.as_ref().map(|_| request.operation_name.clone());
    let execution = Execution::default();
    let request = request
        .data(caller.clone())
        .data(lang)
        .data(loader.clone())
        .data(execution.clone());
    let mut response = state.schema.execute(request).await;
    if !execution.ran() {
        return (response, false);
    }
    state.metrics.operation_answered(false);
    if let (Some(parsed), Some(operation_name)) = (parsed, operation_name) {
        field_order::restore(
            &mut response.data,
            &parsed.document,
            operation_name.as_deref(),
        );
        if state.compiled_reads && !parsed.decided() && response.is_ok() {
            parsed.answered(operation_name.as_deref(), state.db.get_database_backend());
        }
    }
    (response, true)
}

/// The data of `request` from its document's plan (see
/// [`crate::graphql::compiled`]), for a caller who sees what the plans read;
/// `None` sends it to the resolvers.
async fn compiled(
    state: &AppState,
    parsed: &Parsed,
    request: &async_graphql::Request,
    caller: &Caller,
) -> Option<async_graphql::Value> {
    if !state.compiled_reads || caller.is_editor() {
        return None;
    }
    let plan = parsed.plan(request.operation_name.as_deref())?;
    let reader = Reader::new(
        &state.db,
        state.thread_connections.as_ref(),
        state.executor.thread(),
    );
    plan.answer(&reader, &request.variables).await
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
pub(super) fn request_lang(req: &HttpRequest) -> Lang {
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
pub(super) fn assign_code(error: &mut ServerError) {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code::BAD_USER_INPUT);
    }
}
