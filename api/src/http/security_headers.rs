//! Headers every answer carries, whatever produced it: an error, a refusal
//! of the rate limiter, CORS, or a handler. The pages (`/graphiql`, `/map`)
//! set a Content-Security-Policy of their own; everything else, which is
//! data and never meant to be rendered or framed, gets [`NOT_A_PAGE`].

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{
    CONTENT_SECURITY_POLICY, HeaderMap, HeaderName, HeaderValue, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS,
};
use actix_web::middleware::Next;

/// The policy of every answer that is not a page: it may load nothing, and
/// nothing may frame it.
pub const NOT_A_PAGE: &str = "default-src 'none'; frame-ancestors 'none'";

/// Cross-origin requests from the pages (tiles, a facility's source link)
/// carry the origin only, never the path or query; same-origin ones the whole
/// URL. `no-referrer` would be stricter but tile servers, OpenStreetMap's
/// among them, ask for a Referer to tell sites apart, and the origin alone
/// says nothing the tile request does not.
pub const REFERRER: &str = "strict-origin-when-cross-origin";

/// Adds `X-Content-Type-Options: nosniff`, `Referrer-Policy` and, unless the
/// handler set one, [`NOT_A_PAGE`] as `Content-Security-Policy`.
///
/// # Errors
/// Whatever the inner service returns, answered with these headers too.
pub async fn add(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    match next.call(req).await {
        Ok(mut res) => {
            insert_missing(res.headers_mut());
            Ok(res)
        }
        // An inner middleware's refusal (CORS) is answered by actix from the
        // error alone: it is given the answer, headers included, to send.
        Err(err) => {
            let mut response = err.error_response();
            insert_missing(response.headers_mut());
            Err(InternalError::from_response(err, response).into())
        }
    }
}

fn insert_missing(headers: &mut HeaderMap) {
    let defaults: [(HeaderName, &'static str); 3] = [
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (REFERRER_POLICY, REFERRER),
        (CONTENT_SECURITY_POLICY, NOT_A_PAGE),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
}
