//! The HTTP layer: the state every handler shares, the routes and their
//! middleware, the caller of a request, and the endpoints (GraphQL,
//! GraphiQL, the demo map, open-data exports, health and readiness, metrics).

pub mod asset;
pub mod cache;
pub mod caller;
pub mod coalesce;
pub mod export;
pub mod graphiql;
pub mod graphql;
pub mod health;
pub mod map;
pub mod media;
pub mod metrics;
pub mod observe;
pub mod precompressed;
pub mod rate_limit;
pub mod recover;
pub mod response_cache;
pub mod security_headers;
pub mod subscription;

use std::time::Duration;

use actix_cors::Cors;
use actix_web::http::{StatusCode, header};
use actix_web::{App, HttpResponse, guard, middleware, web};
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::auth::Authenticator;
use crate::graphql::documents::Documents;
use crate::graphql::executor::Executor;
use crate::graphql::limits::Limits;
use crate::graphql::schema::AppSchema;

/// What every request handler shares, one per server.
pub struct AppState {
    pub schema: AppSchema,
    pub db: DatabaseConnection,
    /// Runs GraphQL requests off the HTTP workers.
    pub executor: Executor,
    /// Connections of the executor's threads for compiled reads; `None` on
    /// SQLite, or when the pool is too small to share.
    pub thread_connections: Option<crate::db::ThreadConnections>,
    pub max_body_bytes: usize,
    pub body_timeout: Duration,
    pub max_batch: usize,
    pub max_response_bytes: usize,
    pub request_timeout: Duration,
    /// Database time one request may use; zero: no budget.
    pub db_budget: Duration,
    pub limits: Limits,
    /// Documents parsed before, by their text, with their compiled plans.
    pub documents: Documents,
    /// Whether reads a compiled plan answers are answered by it.
    pub compiled_reads: bool,
    /// `None`: no key configured, so every token is refused and nobody writes.
    pub authenticator: Option<Authenticator>,
    /// Revoked tokens and organisations, as this server last read them.
    pub standing: std::sync::Arc<crate::service::token::standing::Standing>,
    /// Anonymous answers, kept while the data does not change; `None`: off.
    pub response_cache: Option<response_cache::ResponseCache>,
    /// Anonymous reads under way, which the same read arriving meanwhile waits for.
    pub anonymous_reads: graphql::AnonymousReads,
    /// The GraphiQL page, made once; `None`: GraphiQL is off.
    pub graphiql: Option<graphiql::GraphiqlPage>,
    pub map: map::MapConfig,
    pub metrics: metrics::Metrics,
    pub limiter: rate_limit::RateLimiter,
    /// Origins browsers may call from; `*` for any.
    pub cors_origins: Vec<String>,
    /// The limits of subscriptions, and the connections open.
    pub subscriptions: subscription::Subscriptions,
}

/// The routes and their middleware, for one worker; `main` and the tests
/// serve the same.
pub fn create_app(
    state: web::Data<AppState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let graphiql_on = state.graphiql.is_some();
    let cors = cors(&state.cors_origins);
    let mut app = App::new()
        .wrap(middleware::from_fn(recover::recover))
        .wrap(middleware::from_fn(rate_limit::limit))
        .wrap(middleware::Compress::default())
        .wrap(cors)
        .wrap(tracing_actix_web::TracingLogger::<observe::RequestSpan>::new())
        .wrap(middleware::from_fn(observe::request_id))
        .wrap(middleware::from_fn(security_headers::add))
        .app_data(state)
        .route("/metrics", read().to(metrics::endpoint))
        .route("/graphql", web::post().to(graphql::post))
        .route(
            "/graphql",
            web::get()
                .guard(guard::fn_guard(|ctx| {
                    ctx.head()
                        .headers()
                        .get(header::UPGRADE)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
                }))
                .to(subscription::connect),
        )
        .route("/graphql", read().to(graphql::get))
        .route("/facilities.geojson", read().to(export::geojson))
        .route("/facilities.csv", read().to(export::csv))
        .route(
            "/guidelines/{key}/{version}/consultation.csv",
            read().to(export::consultation_csv),
        )
        .route("/health", read().to(health::health))
        .route("/ready", read().to(health::ready))
        .route("/map", read().to(map::page))
        .route("/map/config.json", read().to(map::config))
        .route("/map/assets/{name}", read().to(map::asset));
    if graphiql_on {
        app = app
            .route("/graphiql", read().to(graphiql::page))
            .route("/graphiql/assets/{name}", read().to(graphiql::asset));
    }
    app.default_service(web::to(not_found))
}

/// A route for `GET` and `HEAD`: a `HEAD` runs the `GET` handler, and
/// actix writes its status and headers (`Content-Length` included) without
/// the body, so the two cannot drift apart.
fn read() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// Browser access: the origins configured, the methods and headers the API uses,
/// and `ETag` readable by scripts so they can revalidate.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "OPTIONS"])
        .allowed_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([header::ETAG])
        .max_age(3600);
    if origins.iter().any(|o| o.trim() == "*") {
        cors = cors.allow_any_origin().send_wildcard();
    } else {
        for origin in origins {
            cors = cors.allowed_origin(origin.trim());
        }
    }
    cors
}

async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(json!({
        "code": "NOT_FOUND",
        "message": "no such endpoint: the API is at /graphql, GraphiQL at /graphiql, the map at /map"
    }))
}

/// A GraphQL-shaped error response, for failures before a request reaches the schema.
#[must_use]
pub fn graphql_error(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    }))
}
