//! HTTP endpoints: GraphQL, GraphiQL, the demo map, open-data exports, health and readiness.

pub mod cache;
pub mod export;
pub mod graphiql;
pub mod graphql;
pub mod health;
pub mod map;
pub mod observe;
pub mod precompressed;
pub mod rate_limit;
pub mod recover;
pub mod response_cache;
pub mod security_headers;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde_json::json;

/// A GraphQL-shaped error response, for failures before a request reaches the schema.
#[must_use]
pub fn graphql_error(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    }))
}
