//! Who is calling, as an extractor: the bearer token verified into claims,
//! checked against this server's view of revoked tokens and organisations
//! (in memory: no query per request). A request without `Authorization` is
//! anonymous; a header that does not verify, a revoked token, or one that
//! names an organisation that is not registered or is suspended, is refused
//! with `401` before the handler runs, and never read as anonymous.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, HeaderValue, WWW_AUTHENTICATE};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use entity::value::Role;

use super::{AppState, graphql_error};
use crate::auth::{Caller, bearer};
use crate::error::code;
use crate::service;

/// Why a request's caller could not be told, as the GraphQL answer says it.
#[derive(Debug)]
pub struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn unauthenticated(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: code::UNAUTHENTICATED,
            message: message.into(),
        }
    }
}

impl Refusal {
    /// What the caller is told.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl ResponseError for Refusal {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = graphql_error(self.status, self.code, &self.message);
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl FromRequest for Caller {
    type Error = Refusal;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Refusal>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { identify(&req).await })
    }
}

async fn identify(req: &HttpRequest) -> Result<Caller, Refusal> {
    let Some(header) = req.headers().get(AUTHORIZATION) else {
        return Ok(Caller::anonymous());
    };
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Err(Refusal::unauthenticated("this server accepts no tokens"));
    };
    let header = header
        .to_str()
        .map_err(|_| Refusal::unauthenticated("the Authorization header is not readable text"))?;
    identify_authorization(state, header).await
}

/// The caller an `Authorization` value names, checked as every request's
/// is: also for a subscription's `connection_init`, which carries it in its payload.
///
/// # Errors
/// A value that does not verify, a revoked token, an organisation that is
/// not registered or is suspended.
pub async fn identify_authorization(state: &AppState, header: &str) -> Result<Caller, Refusal> {
    let Some(authenticator) = &state.authenticator else {
        return Err(Refusal::unauthenticated(
            "this server accepts no tokens (no WISH_JWT_SECRET is configured); send the request without Authorization",
        ));
    };
    let token = bearer(header).map_err(|e| Refusal::unauthenticated(e.public_message()))?;
    let mut caller = authenticator
        .identify(token)
        .await
        .map_err(|e| Refusal::unauthenticated(e.public_message()))?;
    if caller
        .token_id
        .as_deref()
        .is_some_and(|jti| state.standing.is_revoked(jti))
    {
        return Err(Refusal::unauthenticated(
            "this token has been revoked; ask an admin for a new one",
        ));
    }
    if let Some(org) = caller
        .organisation
        .as_deref()
        .filter(|_| caller.role == Some(Role::Partner))
    {
        let record = match state.standing.organisation(org) {
            Some(record) => Some(record),
            // Created since this server last looked, or never: ask the database.
            None => service::organisation::find(&state.db, org)
                .await
                .map_err(|err| {
                    err.log_if_internal();
                    Refusal {
                        status: StatusCode::SERVICE_UNAVAILABLE,
                        code: code::INTERNAL,
                        message: err.public_message(),
                    }
                })?,
        };
        let Some(record) = record else {
            return Err(Refusal::unauthenticated(format!(
                "the organisation `{org}` of this token is not registered"
            )));
        };
        if record.suspended_at.is_some() {
            return Err(Refusal::unauthenticated(format!(
                "the organisation `{org}` of this token is suspended; its tokens are refused until an admin reinstates it"
            )));
        }
        caller.organisation_record = Some(record);
    }
    Ok(caller)
}
