//! Assembling the application: the database, the schema and the HTTP
//! server over them. `main` and the tests build it the same way; what the
//! server does is in [`crate::http`].

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{HttpServer, web};
use anyhow::Context;
use sea_orm::DatabaseConnection;

use crate::auth::{Authenticator, Signer};
use crate::config::{AuthSettings, DatabaseSettings, ServeSettings};
use crate::data_version::DataVersion;
use crate::graphql::documents::Documents;
use crate::graphql::executor::Executor;
use crate::graphql::limits::Limits;
use crate::graphql::schema;
use crate::http::{self, AppState, graphiql::GraphiqlPage};
use crate::service::token::Register;
use crate::service::token::standing::Standing;
use crate::{db, service};

/// How many parsed GraphQL documents a server keeps: far more than the
/// distinct documents its clients send, and at most a few megabytes.
const KEPT_DOCUMENTS: usize = 512;

/// The connections the executor's threads keep for themselves (see
/// `db::ThreadConnections`): how many each, and the schema they read.
pub struct OwnConnections {
    pub per_thread: u32,
    pub schema: Option<String>,
}

/// Threads that run GraphQL requests: as configured, or one per core.
fn graphql_threads(settings: &ServeSettings) -> usize {
    settings.graphql_threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
    })
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
        if let Some(provider) = authenticator.as_ref().and_then(Authenticator::provider) {
            provider.watch();
        }
        let signer = Signer::from_settings(auth)?.map(Arc::new);
        if authenticator.is_none() {
            tracing::warn!(
                "no WISH_JWT_SECRET (or public key) is configured: bearer tokens are refused and writes are off"
            );
        }
        // On PostgreSQL the executor's threads keep connections of their own,
        // out of the pool's number (see `db::ThreadConnections`); SQLite has
        // one connection, the pool's.
        let threads = graphql_threads(&settings);
        let per_thread = if db::is_postgres(&database.url) {
            db::ThreadConnections::share(database.max_connections, threads)
        } else {
            0
        };
        let mut pooled = database.clone();
        pooled.max_connections -= per_thread * u32::try_from(threads).unwrap_or(u32::MAX);
        let db = db::connect(&pooled).await?;
        // One replica of several started together loads the demo data; the
        // others find it loaded.
        let demo = async {
            if !settings.demo_data {
                return Ok(None);
            }
            service::demo::load_on_first_start(&db)
                .await
                .map_err(|e| anyhow::anyhow!("while loading the demo data: {e:?}"))
        };
        if let Some(report) = db::migrate_then(&db, demo).await? {
            tracing::info!(
                facilities = report.facilities,
                workshops = report.workshops,
                guidelines = report.guidelines,
                resources = report.resources,
                "demo data loaded on first start"
            );
        }
        let register = Register {
            signer,
            standing: Standing::new(),
        };
        register
            .standing
            .reload(&db)
            .await
            .map_err(|e| anyhow::anyhow!("while reading revoked tokens: {e:?}"))?;
        let own = OwnConnections {
            per_thread,
            schema: database.schema.clone(),
        };
        Self::build_with_db(db, &settings, authenticator, register, own)
    }

    /// Binds the server over an open, migrated database, and starts keeping
    /// `register`'s view of revoked tokens and organisations up to date.
    ///
    /// # Errors
    /// The address cannot be bound.
    pub fn build_with_db(
        mut db: DatabaseConnection,
        settings: &ServeSettings,
        authenticator: Option<Authenticator>,
        register: Register,
        own: OwnConnections,
    ) -> anyhow::Result<Self> {
        // Cloned before counting starts: the version checks (for the cache
        // and subscriptions) are not the statements a request costs.
        let versions = DataVersion::follow(db.clone(), settings.cache_listen);
        let response_cache = http::response_cache::ResponseCache::new(
            versions.clone(),
            settings.response_cache_mb.saturating_mul(1024 * 1024),
        );
        // Also before counting: the refresh is no request's cost either.
        register.standing.watch(
            db.clone(),
            Duration::from_millis(settings.access_refresh_ms.max(10)),
        );
        let metrics = http::metrics::Metrics::new().context("while registering the metrics")?;
        let webhooks = service::webhook::Policy::from_settings(settings);
        service::webhook::worker::spawn(
            db.clone(),
            &versions,
            webhooks,
            Some(metrics.webhook_deliveries()),
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
        let executor = Executor::new(graphql_threads(settings))
            .context("while starting the GraphQL threads")?;
        let thread_connections = db::ThreadConnections::new(
            &db,
            executor.threads(),
            own.per_thread,
            own.schema.as_deref(),
            statements.clone(),
        );
        let state = web::Data::new(AppState {
            standing: register.standing.clone(),
            schema: schema::build(db.clone(), versions, limits, register, webhooks),
            db,
            executor,
            thread_connections,
            max_body_bytes: settings.max_body_bytes,
            body_timeout: Duration::from_millis(settings.body_timeout_ms.max(1)),
            max_batch: settings.max_batch,
            max_response_bytes: settings.max_response_bytes,
            request_timeout: Duration::from_millis(settings.request_timeout_ms.max(1)),
            db_budget: Duration::from_millis(settings.request_db_budget_ms),
            limits,
            documents: Documents::new(KEPT_DOCUMENTS),
            compiled_reads: settings.compiled_reads,
            authenticator,
            response_cache,
            anonymous_reads: http::graphql::AnonymousReads::default(),
            graphiql: settings
                .graphiql
                .then(|| GraphiqlPage(http::graphiql::render_page())),
            map: http::map::MapConfig {
                tile_url: settings.map_tile_url.clone(),
                attribution: settings.map_attribution.clone(),
            },
            metrics,
            limiter: http::rate_limit::RateLimiter::new(http::rate_limit::Rates {
                anonymous_per_minute: settings.rate_limit_anonymous,
                token_per_minute: settings.rate_limit_token,
                trust_forwarded_for: settings.trust_forwarded_for,
            }),
            cors_origins: settings.cors_origins.clone(),
            subscriptions: http::subscription::Subscriptions::new(settings),
        });
        let mut server = HttpServer::new(move || http::create_app(state.clone()))
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
