//! Liveness and readiness, for load balancers and orchestrators.

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::AppState;

/// The process is up. Never touches the database, so a database outage does
/// not get healthy replicas restarted.
pub async fn health() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({ "status": "ok" }))
}

/// The database answers: this replica can serve.
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(json!({ "status": "ready" })),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed: the database does not answer");
            HttpResponse::ServiceUnavailable()
                .insert_header(("Cache-Control", "no-store"))
                .json(json!({ "status": "unavailable", "reason": "the database does not answer" }))
        }
    }
}
