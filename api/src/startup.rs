//! Assembling the application: database, schema and HTTP server. `main` and
//! the tests build it the same way.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::{App, HttpServer, middleware, web};
use anyhow::Context;
use sea_orm::DatabaseConnection;

use crate::auth::Authenticator;
use crate::config::{AuthSettings, DatabaseSettings, ServeSettings};
use crate::graphql::executor::Executor;
use crate::graphql::limits::Limits;
use crate::graphql::schema::{self, AppSchema};
use crate::http::{self, graphiql::GraphiqlPage};
use crate::{db, service};

/// What every request handler shares.
pub struct AppState {
    pub schema: AppSchema,
    pub db: DatabaseConnection,
    /// Runs GraphQL requests off the HTTP workers.
    pub executor: Executor,
    pub max_body_bytes: usize,
    pub body_timeout: Duration,
    pub max_batch: usize,
    pub max_response_bytes: usize,
    pub request_timeout: Duration,
    /// Database time one request may use; zero: no budget.
    pub db_budget: Duration,
    pub limits: Limits,
    /// `None`: no key configured, so every token is refused and nobody writes.
    pub authenticator: Option<Authenticator>,
    /// Anonymous answers, kept while the data does not change; `None`: off.
    pub response_cache: Option<http::response_cache::ResponseCache>,
}

/// A bound, ready-to-run server.
pub struct Application {
    address: SocketAddr,
    server: Server,
    statements: db::StatementCounter,
}

impl Application {
    /// Connects, migrates, loads the demo data on first start, and binds
    /// (port 0 picks a free port).
    ///
    /// # Errors
    /// The database is unreachable or a migration fails, or the address cannot be bound.
    pub async fn build(
        database: &DatabaseSettings,
        auth: &AuthSettings,
        settings: ServeSettings,
    ) -> anyhow::Result<Self> {
        let authenticator = Authenticator::from_settings(auth)?;
        if authenticator.is_none() {
            tracing::warn!(
                "no WISH_JWT_SECRET (or public key) is configured: bearer tokens are refused and writes are off"
            );
        }
        let db = db::connect(database).await?;
        db::migrate(&db).await?;
        if settings.demo_data
            && let Some(report) = service::demo::load_on_first_start(&db)
                .await
                .map_err(|e| anyhow::anyhow!("while loading the demo data: {e:?}"))?
        {
            tracing::info!(
                facilities = report.facilities,
                workshops = report.workshops,
                guidelines = report.guidelines,
                "demo data loaded on first start"
            );
        }
        Self::build_with_db(db, &settings, authenticator)
    }

    /// Binds the server over an open, migrated database.
    ///
    /// # Errors
    /// The address cannot be bound.
    pub fn build_with_db(
        mut db: DatabaseConnection,
        settings: &ServeSettings,
        authenticator: Option<Authenticator>,
    ) -> anyhow::Result<Self> {
        // Cloned before counting starts: the cache's version checks are not the
        // statements a request costs.
        let response_cache = http::response_cache::ResponseCache::new(
            db.clone(),
            settings.response_cache_mb.saturating_mul(1024 * 1024),
        );
        let statements = db::StatementCounter::attach(&mut db);
        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let address = listener
            .local_addr()
            .context("while reading the bound address")?;
        let limits = Limits {
            depth: settings.max_query_depth,
            complexity: settings.max_query_complexity,
            aliases: settings.max_aliases,
            root_fields: settings.max_root_fields,
            directives: settings.max_directives,
            fields: settings.max_query_fields,
            list_items: settings.max_list_items,
        };
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let executor = Executor::new(settings.graphql_threads.unwrap_or(cores))
            .context("while starting the GraphQL threads")?;
        let state = web::Data::new(AppState {
            schema: schema::build(db.clone(), limits),
            db,
            executor,
            max_body_bytes: settings.max_body_bytes,
            body_timeout: Duration::from_millis(settings.body_timeout_ms.max(1)),
            max_batch: settings.max_batch,
            max_response_bytes: settings.max_response_bytes,
            request_timeout: Duration::from_millis(settings.request_timeout_ms.max(1)),
            db_budget: Duration::from_millis(settings.request_db_budget_ms),
            limits,
            authenticator,
            response_cache,
        });
        let graphiql = settings
            .graphiql
            .then(|| web::Data::new(GraphiqlPage(http::graphiql::render_page())));

        let map = web::Data::new(http::map::MapConfig {
            tile_url: settings.map_tile_url.clone(),
            attribution: settings.map_attribution.clone(),
        });
        let cors_origins = Arc::new(settings.cors_origins.clone());
        let metrics = web::Data::new(http::observe::Metrics::default());
        let limiter = web::Data::new(http::rate_limit::RateLimiter::new(
            http::rate_limit::Rates {
                anonymous_per_minute: settings.rate_limit_anonymous,
                token_per_minute: settings.rate_limit_token,
                trust_forwarded_for: settings.trust_forwarded_for,
            },
        ));
        let mut server = HttpServer::new(move || {
            create_app(
                state.clone(),
                graphiql.clone(),
                map.clone(),
                metrics.clone(),
                limiter.clone(),
                cors_origins.clone(),
            )
        })
        // Headers must arrive within the body timeout too, and a client that
        // stops reading is let go rather than holding its connection.
        .client_request_timeout(Duration::from_millis(settings.body_timeout_ms.max(1)))
        .client_disconnect_timeout(Duration::from_secs(5))
        .listen(listener)
        .context("while starting the HTTP server")?
        .shutdown_timeout(30);
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        Ok(Self {
            address,
            server: server.run(),
            statements,
        })
    }

    #[must_use]
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The SQL statements this server has run so far.
    #[must_use]
    pub fn statements(&self) -> db::StatementCounter {
        self.statements.clone()
    }

    #[must_use]
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight.
    ///
    /// # Errors
    /// The server failed.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The routes, shared by `main` and the tests.
pub fn create_app(
    state: web::Data<AppState>,
    graphiql: Option<web::Data<GraphiqlPage>>,
    map: web::Data<http::map::MapConfig>,
    metrics: web::Data<http::observe::Metrics>,
    limiter: web::Data<http::rate_limit::RateLimiter>,
    cors_origins: Arc<Vec<String>>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let mut app = App::new()
        .wrap(middleware::from_fn(http::recover::recover))
        .wrap(middleware::from_fn(http::rate_limit::limit))
        .wrap(middleware::Compress::default())
        .wrap(cors(&cors_origins))
        .wrap(middleware::from_fn(http::observe::log_and_count))
        .wrap(middleware::from_fn(http::security_headers::add))
        .app_data(state)
        .app_data(metrics)
        .app_data(limiter)
        .route("/metrics", web::get().to(http::observe::metrics))
        .route("/graphql", web::post().to(http::graphql::post))
        .route("/graphql", web::get().to(http::graphql::get))
        .route("/facilities.geojson", web::get().to(http::export::geojson))
        .route("/facilities.csv", web::get().to(http::export::csv))
        .route("/health", web::get().to(http::health::health))
        .route("/ready", web::get().to(http::health::ready))
        .app_data(map)
        .route("/map", web::get().to(http::map::page))
        .route("/map/config.json", web::get().to(http::map::config))
        .route("/map/assets/{name}", web::get().to(http::map::asset));
    if let Some(page) = graphiql {
        app = app
            .app_data(page)
            .route("/graphiql", web::get().to(http::graphiql::page))
            .route(
                "/graphiql/assets/{name}",
                web::get().to(http::graphiql::asset),
            );
    }
    app.default_service(web::to(not_found))
}

/// Browser access: the origins configured, the methods and headers the API uses,
/// and `ETag` readable by scripts so they can revalidate.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "OPTIONS"])
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

async fn not_found() -> actix_web::HttpResponse {
    actix_web::HttpResponse::NotFound().json(serde_json::json!({
        "code": "NOT_FOUND",
        "message": "no such endpoint: the API is at /graphql, GraphiQL at /graphiql, the map at /map"
    }))
}
