//! `GET` and `POST /graphql`. Requests are parsed here rather than by an
//! integration crate so that every failure, including a malformed body,
//! answers in GraphQL shape with a contract error code.

use actix_web::http::StatusCode;
use actix_web::http::header::{
    ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE,
};
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use async_graphql::dataloader::DataLoader;
use async_graphql::{BatchRequest, BatchResponse, ServerError};

use super::graphql_error;
use super::observe::GraphqlOutcome;
use super::response_cache::{Answer, ResponseCache};
use crate::auth::bearer;
use crate::error::code;
use crate::graphql::context::{Lang, Role, Viewer};
use crate::graphql::loader::DbLoader;
use crate::graphql::schema::Limits;
use crate::service;
use crate::service::guideline::Drafts;
use crate::startup::AppState;

pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let limit = state.max_body_bytes;
    let body = match payload.to_bytes_limited(limit).await {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => {
            return graphql_error(
                StatusCode::BAD_REQUEST,
                code::BAD_USER_INPUT,
                "the request body could not be read",
            );
        }
        Err(_) => {
            return graphql_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                code::QUERY_TOO_COMPLEX,
                &format!("the request body is larger than the limit of {limit} bytes"),
            );
        }
    };
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.is_empty() && !content_type.starts_with("application/json") {
        return graphql_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code::BAD_USER_INPUT,
            "send GraphQL requests as JSON with `Content-Type: application/json`",
        );
    }
    let batch: BatchRequest = match serde_json::from_slice(&body) {
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
    let viewer = match viewer(&req, &state).await {
        Ok(viewer) => viewer,
        Err(refusal) => return refusal,
    };
    if let (None, BatchRequest::Single(request)) = (viewer.role, &batch) {
        let key = cache_key(&req, request);
        let (answer, _) = answer_anonymous(&req, &state, key, batch).await;
        let mut response = HttpResponse::Ok();
        response
            .insert_header(("Cache-Control", "no-store"))
            .content_type("application/json");
        return match answer.compressed_for(&req) {
            Some((encoding, body)) => response.insert_header(encoding).body(body),
            None => response.body(answer.body),
        };
    }
    let response = execute(&req, &state, viewer, batch).await;
    json_response(&response, "no-store")
}

/// An anonymous read, from the response cache when the data has not changed
/// since it was computed; `true` with it when the answer has no errors.
async fn answer_anonymous(
    req: &HttpRequest,
    state: &AppState,
    key: [u8; 32],
    batch: BatchRequest,
) -> (Answer, bool) {
    let Some(cache) = &state.response_cache else {
        let response = execute(req, state, Viewer::anonymous(), batch).await;
        return (Answer::uncached(serialize(&response)), response.is_ok());
    };
    let version = cache.current_version().await;
    if let Some(hit) = version.and_then(|v| cache.get(&key, v)) {
        req.extensions_mut().insert(GraphqlOutcome {
            operation: operation_of(&batch),
            error_codes: Vec::new(),
        });
        return (hit, true);
    }
    let response = execute(req, state, Viewer::anonymous(), batch).await;
    let body = serialize(&response);
    match (response.is_ok(), version) {
        // Tagged with the version read before executing: a write that landed
        // meanwhile makes this entry stale rather than wrongly fresh.
        (true, Some(version)) => (cache.put(key, version, body), true),
        (ok, _) => (Answer::uncached(body), ok),
    }
}

fn serialize(response: &BatchResponse) -> Bytes {
    Bytes::from(serde_json::to_vec(response).unwrap_or_default())
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

pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
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
    let viewer = match viewer(&req, &state).await {
        Ok(viewer) => viewer,
        Err(refusal) => return refusal,
    };
    let key = cache_key(&req, &request);
    let request = request.data(crate::graphql::read_only::ReadOnly);
    if viewer.role.is_some() {
        // What a token may read is never stored by a shared cache.
        let response = execute(&req, &state, viewer, BatchRequest::Single(request)).await;
        return json_response(&response, "private, no-store");
    }
    let (answer, ok) = answer_anonymous(&req, &state, key, BatchRequest::Single(request)).await;
    if ok {
        // An anonymous query by URL: cacheable by browsers and CDNs, revalidated by ETag.
        super::cache::public_answer(&req, "application/json", &answer)
    } else {
        HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .content_type("application/json")
            .body(answer.body)
    }
}

fn json_response(response: &BatchResponse, cache_control: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", cache_control.to_owned()))
        .json(response)
}

/// Where the JSON went wrong, without echoing the caller's data back.
fn describe_json_error(err: &serde_json::Error) -> String {
    format!("line {}, column {}", err.line(), err.column())
}

/// The caller: anonymous without an `Authorization` header, else whom its token
/// names; a bad token is refused outright rather than read as anonymous.
async fn viewer(req: &HttpRequest, state: &AppState) -> Result<Viewer, HttpResponse> {
    let Some(header) = req.headers().get(AUTHORIZATION) else {
        return Ok(Viewer::anonymous());
    };
    let refuse = |message: &str| {
        let mut response = graphql_error(StatusCode::UNAUTHORIZED, code::UNAUTHENTICATED, message);
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        response
    };
    let Some(authenticator) = &state.authenticator else {
        return Err(refuse(
            "this server accepts no tokens (no WISH_JWT_SECRET is configured); send the request without Authorization",
        ));
    };
    let header = header
        .to_str()
        .map_err(|_| refuse("the Authorization header is not readable text"))?;
    let token = bearer(header).map_err(|e| refuse(&e.public_message()))?;
    let mut viewer = authenticator
        .verify(token)
        .map_err(|e| refuse(&e.public_message()))?;
    if let Some(org) = viewer
        .organisation
        .as_deref()
        .filter(|_| viewer.role == Some(Role::Partner))
    {
        match service::organisation::find(&state.db, org).await {
            Ok(Some(record)) => viewer.organisation_record = Some(record),
            Ok(None) => {
                return Err(refuse(&format!(
                    "the organisation `{org}` of this token is not registered"
                )));
            }
            Err(err) => {
                let err = async_graphql::Error::from(err);
                return Err(graphql_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    code::INTERNAL,
                    &err.message,
                ));
            }
        }
    }
    Ok(viewer)
}

async fn execute(
    req: &HttpRequest,
    state: &AppState,
    viewer: Viewer,
    batch: BatchRequest,
) -> BatchResponse {
    let lang = request_lang(req);
    let drafts = Drafts::for_editor(viewer.is_editor());
    // No delay before a batch loads: a worker runs one task at a time, so the
    // keys of every sibling field are queued before the spawned load can start.
    let loader = std::sync::Arc::new(
        DataLoader::new(
            DbLoader {
                db: state.db.clone(),
                drafts,
            },
            tokio::spawn,
        )
        .delay(std::time::Duration::ZERO),
    );
    let operation = operation_of(&batch);
    let batch = batch.data(viewer).data(lang).data(loader);

    // Dropping the execution on timeout drops its transaction, which rolls back.
    let mut response = match tokio::time::timeout(
        state.request_timeout,
        state.schema.execute_batch(batch),
    )
    .await
    {
        Ok(response) => response,
        Err(_) => {
            let mut error = ServerError::new(
                format!(
                    "the request took longer than {} ms (WISH_REQUEST_TIMEOUT_MS) and was stopped; nothing of it was written",
                    state.request_timeout.as_millis()
                ),
                None,
            );
            let mut extensions = async_graphql::ErrorExtensionValues::default();
            extensions.set("code", code::INTERNAL);
            error.extensions = Some(extensions);
            BatchResponse::Single(async_graphql::Response::from_errors(vec![error]))
        }
    };
    match &mut response {
        BatchResponse::Single(r) => r
            .errors
            .iter_mut()
            .for_each(|e| assign_code(e, &state.limits)),
        BatchResponse::Batch(rs) => rs
            .iter_mut()
            .flat_map(|r| r.errors.iter_mut())
            .for_each(|e| assign_code(e, &state.limits)),
    }
    let error_codes = match &response {
        BatchResponse::Single(r) => r.errors.iter().collect::<Vec<_>>(),
        BatchResponse::Batch(rs) => rs.iter().flat_map(|r| r.errors.iter()).collect(),
    }
    .into_iter()
    .filter_map(|e| e.extensions.as_ref()?.get("code").cloned())
    .filter_map(|code| match code {
        async_graphql::Value::String(code) => code::ALL.into_iter().find(|c| *c == code),
        _ => None,
    })
    .collect();
    req.extensions_mut().insert(GraphqlOutcome {
        operation,
        error_codes,
    });
    response
}

/// The operation name a request gives, for logs and metrics; `batch` for a batch.
fn operation_of(batch: &BatchRequest) -> Option<String> {
    match batch {
        BatchRequest::Single(request) => request.operation_name.clone(),
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

/// Resolver errors carry their code already; what has none comes from
/// async-graphql itself: a syntax or validation error, or a limit. Limits
/// get `QUERY_TOO_COMPLEX` and a message that names the setting.
fn assign_code(error: &mut ServerError, limits: &Limits) {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_some() {
        return;
    }
    let message = &error.message;
    let limit = if message.starts_with("Query is too complex") {
        Some(format!(
            "the query is too complex: its cost is over the limit of {} (WISH_MAX_QUERY_COMPLEXITY); ask for fewer fields or smaller pages (`first`)",
            limits.complexity
        ))
    } else if message.starts_with("Query is nested too deep") || message.contains("recursion limit")
    {
        Some(format!(
            "the query is nested too deep: the limit is {} levels (WISH_MAX_QUERY_DEPTH)",
            limits.depth
        ))
    } else if message.contains("recursion depth") {
        Some(format!(
            "the query recurses too deep (the limit is {} levels, WISH_MAX_QUERY_DEPTH): a fragment may not spread itself, directly or through others",
            limits.depth
        ))
    } else if message.starts_with("Cannot spread fragment") {
        Some(format!(
            "{message}: a fragment may not spread itself, directly or through others"
        ))
    } else {
        None
    };
    match limit {
        Some(text) => {
            extensions.set("code", code::QUERY_TOO_COMPLEX);
            error.message = text;
        }
        None => extensions.set("code", code::BAD_USER_INPUT),
    }
}
