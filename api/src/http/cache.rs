//! HTTP caching for anonymous reads: a strong ETag made from the body (so any
//! write that changes the answer changes the tag), `If-None-Match` answered
//! with 304, and a `Cache-Control` a CDN can honour.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH, VARY};
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use super::response_cache::Answer;

/// How long a shared cache may serve an anonymous read without asking again.
pub const PUBLIC_CACHE_CONTROL: &str = "public, max-age=30, stale-while-revalidate=30";

/// A strong ETag: a digest of the body.
#[must_use]
pub fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

fn matches(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

/// A cacheable 200 (or a 304 when the caller holds the current version),
/// compressed when the answer keeps compressed copies.
pub async fn public_answer(req: &HttpRequest, content_type: &str, answer: &Answer) -> HttpResponse {
    let representation = answer.representation(req).await;
    let not_modified = matches(req, &representation.etag);
    let mut response = if not_modified {
        HttpResponse::build(StatusCode::NOT_MODIFIED)
    } else {
        let mut builder = HttpResponse::Ok();
        builder.content_type(content_type);
        builder
    };
    response
        .insert_header((ETAG, representation.etag))
        .insert_header((CACHE_CONTROL, PUBLIC_CACHE_CONTROL))
        .insert_header((VARY, "Accept-Language, Accept-Encoding, Origin"));
    if let Some(encoding) = representation.encoding {
        // Already compressed: the compression middleware leaves it as it is.
        response.insert_header(encoding);
    }
    if not_modified {
        response.finish()
    } else {
        response.body(representation.body)
    }
}
