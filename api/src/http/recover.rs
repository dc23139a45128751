//! A panic while answering is a bug, never the end of a connection: the
//! caller gets `500` with the contract's `INTERNAL`, and the panic is in the
//! log (see [`crate::telemetry::init`]).

use std::panic::AssertUnwindSafe;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use futures_util::FutureExt;

use crate::error::code;

const MESSAGE: &str = "internal error: the request could not be completed; it has been logged";

/// What a panicking handler answers. It travels as an error because the
/// request went down with the panic, and the server makes the response.
#[derive(Debug)]
struct Panicked {
    graphql: bool,
}

impl std::fmt::Display for Panicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(MESSAGE)
    }
}

impl ResponseError for Panicked {
    fn status_code(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn error_response(&self) -> HttpResponse {
        if self.graphql {
            super::graphql_error(StatusCode::INTERNAL_SERVER_ERROR, code::INTERNAL, MESSAGE)
        } else {
            HttpResponse::InternalServerError()
                .json(serde_json::json!({ "code": code::INTERNAL, "message": MESSAGE }))
        }
    }
}

/// Answers `INTERNAL` for a handler that panicked: in GraphQL shape on `/graphql`.
///
/// # Errors
/// Whatever the inner service returns, and the panic as an error response.
pub async fn recover(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let graphql = req.path() == "/graphql";
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(result) => result.map(ServiceResponse::map_into_boxed_body),
        Err(_) => Err(Panicked { graphql }.into()),
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody;
    use actix_web::{App, middleware, test, web};

    async fn boom() -> &'static str {
        let parts: Vec<&str> = Vec::new();
        // An out-of-bounds index: the kind of bug this middleware is for.
        parts[usize::from(parts.is_empty())]
    }

    #[actix_web::test]
    async fn a_panicking_handler_answers_internal_and_the_server_goes_on() {
        let app = test::init_service(
            App::new()
                .wrap(middleware::from_fn(super::recover))
                .route("/boom", web::get().to(boom))
                .route("/fine", web::get().to(|| async { "fine" })),
        )
        .await;
        let failed =
            test::try_call_service(&app, test::TestRequest::get().uri("/boom").to_request())
                .await
                .err()
                .map(|err| err.error_response());
        let Some(response) = failed else {
            panic!("a panic went unanswered");
        };
        assert_eq!(response.status(), 500);
        let body = response.into_body().try_into_bytes().unwrap_or_default();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!(body["code"], "INTERNAL");
        assert!(!body.to_string().contains("index out of bounds"));
        let response =
            test::call_service(&app, test::TestRequest::get().uri("/fine").to_request()).await;
        assert_eq!(response.status(), 200);
    }
}
