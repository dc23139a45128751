//! Runtime configuration: command-line flags, each with an environment
//! fallback, so that the same binary runs on a laptop with no configuration
//! and in a container configured by environment.

use std::fmt;
use std::net::SocketAddr;

use clap::{Args, ValueEnum};

/// The embedded default: a SQLite file next to where the server runs,
/// created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://wish-api.db?mode=rwc";

/// How to reach the database.
#[derive(Args, Clone)]
pub struct DatabaseSettings {
    /// Database URL: `sqlite://FILE?mode=rwc` (embedded) or `postgres://USER:PASSWORD@HOST/DB`.
    #[arg(long = "database-url", env = "WISH_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub url: String,

    /// PostgreSQL schema to use instead of `public` (ignored on SQLite).
    #[arg(long = "database-schema", env = "WISH_DATABASE_SCHEMA")]
    pub schema: Option<String>,

    /// Largest number of pooled PostgreSQL connections per server (SQLite uses one writer).
    #[arg(
        long = "database-max-connections",
        env = "WISH_DATABASE_MAX_CONNECTIONS",
        default_value_t = 16
    )]
    pub max_connections: u32,

    /// How long a request waits for a free database connection before it fails, in milliseconds.
    #[arg(
        long = "database-acquire-timeout-ms",
        env = "WISH_DATABASE_ACQUIRE_TIMEOUT_MS",
        default_value_t = 5_000
    )]
    pub acquire_timeout_ms: u64,

    /// Longest a single SQL statement may run on PostgreSQL, in milliseconds; 0: no limit.
    #[arg(
        long = "database-statement-timeout-ms",
        env = "WISH_DATABASE_STATEMENT_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub statement_timeout_ms: u64,
}

impl fmt::Debug for DatabaseSettings {
    // The URL may hold a password: show only what identifies the database.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(&self.url))
            .field("schema", &self.schema)
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// The URL with any password replaced, fit for logs and error messages.
#[must_use]
pub fn redact_url(url: &str) -> String {
    let without_query = url.split('?').next().unwrap_or_default();
    let Some((scheme, rest)) = without_query.split_once("://") else {
        return without_query.to_owned();
    };
    match rest.rsplit_once('@') {
        Some((credentials, host_and_path)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host_and_path}")
        }
        None => format!("{scheme}://{rest}"),
    }
}

/// How the server listens and what it does at start-up.
#[derive(Args, Clone, Debug)]
pub struct ServeSettings {
    /// Address and port to listen on.
    #[arg(long, env = "WISH_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Load the demo data set of real facilities into an empty database at first start.
    #[arg(long = "demo-data", env = "WISH_DEMO_DATA", default_value_t = true, action = clap::ArgAction::Set)]
    pub demo_data: bool,

    /// Number of HTTP worker threads (default: one per core).
    #[arg(long, env = "WISH_WORKERS")]
    pub workers: Option<usize>,

    /// Serve GraphiQL at /graphiql.
    #[arg(long, env = "WISH_GRAPHIQL", default_value_t = true, action = clap::ArgAction::Set)]
    pub graphiql: bool,

    /// Origins that browsers may call the API from, comma-separated; `*` allows any
    /// (credentials are bearer tokens, never cookies, so any origin is safe for reads).
    #[arg(
        long = "cors-origins",
        env = "WISH_CORS_ORIGINS",
        value_delimiter = ',',
        default_value = "*"
    )]
    pub cors_origins: Vec<String>,

    /// Longest a GraphQL request may run, in milliseconds; past it, the request
    /// is stopped, its transaction rolled back, and the caller told.
    #[arg(
        long = "request-timeout-ms",
        env = "WISH_REQUEST_TIMEOUT_MS",
        default_value_t = 30_000
    )]
    pub request_timeout_ms: u64,

    /// Longest a client may take to send a request body, in milliseconds; a
    /// body trickled slower is refused with `408`.
    #[arg(
        long = "body-timeout-ms",
        env = "WISH_BODY_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub body_timeout_ms: u64,

    /// Database time one request may use, summed over its statements, in
    /// milliseconds; past it the request is stopped and rolled back. 0: no budget.
    #[arg(
        long = "request-db-budget-ms",
        env = "WISH_REQUEST_DB_BUDGET_MS",
        default_value_t = 10_000
    )]
    pub request_db_budget_ms: u64,

    /// Threads that run GraphQL requests, beside the HTTP workers (default: one per core).
    #[arg(long = "graphql-threads", env = "WISH_GRAPHQL_THREADS")]
    pub graphql_threads: Option<usize>,

    /// Largest GraphQL answer, in bytes; a larger one is refused with `QUERY_TOO_COMPLEX`.
    #[arg(
        long = "max-response-bytes",
        env = "WISH_MAX_RESPONSE_BYTES",
        default_value_t = 16 * 1024 * 1024
    )]
    pub max_response_bytes: usize,

    /// Largest accepted request body, in bytes.
    #[arg(
        long = "max-body-bytes",
        env = "WISH_MAX_BODY_BYTES",
        default_value_t = 1_048_576
    )]
    pub max_body_bytes: usize,

    /// Deepest accepted query nesting.
    #[arg(
        long = "max-query-depth",
        env = "WISH_MAX_QUERY_DEPTH",
        default_value_t = 15
    )]
    pub max_query_depth: usize,

    /// Highest accepted query complexity.
    #[arg(
        long = "max-query-complexity",
        env = "WISH_MAX_QUERY_COMPLEXITY",
        default_value_t = 20_000
    )]
    pub max_query_complexity: usize,

    /// Most fields one query selects, each fragment counted wherever it is spread.
    #[arg(
        long = "max-query-fields",
        env = "WISH_MAX_QUERY_FIELDS",
        default_value_t = 2_000
    )]
    pub max_query_fields: usize,

    /// Most items in one list input (a filter's list, a write's list).
    #[arg(
        long = "max-list-items",
        env = "WISH_MAX_LIST_ITEMS",
        default_value_t = 500
    )]
    pub max_list_items: usize,

    /// Most aliases in one document.
    #[arg(long = "max-aliases", env = "WISH_MAX_ALIASES", default_value_t = 30)]
    pub max_aliases: usize,

    /// Most root fields in one operation.
    #[arg(
        long = "max-root-fields",
        env = "WISH_MAX_ROOT_FIELDS",
        default_value_t = 20
    )]
    pub max_root_fields: usize,

    /// Most directives in one document.
    #[arg(
        long = "max-directives",
        env = "WISH_MAX_DIRECTIVES",
        default_value_t = 50
    )]
    pub max_directives: usize,

    /// Most operations in one batch (a JSON array of requests).
    #[arg(long = "max-batch", env = "WISH_MAX_BATCH", default_value_t = 20)]
    pub max_batch: usize,

    /// Requests a minute from one client address without a token; 0: no limit.
    #[arg(
        long = "rate-limit-anonymous",
        env = "WISH_RATE_LIMIT_ANONYMOUS",
        default_value_t = 600
    )]
    pub rate_limit_anonymous: u32,

    /// Requests a minute with one bearer token; 0: no limit.
    #[arg(
        long = "rate-limit-token",
        env = "WISH_RATE_LIMIT_TOKEN",
        default_value_t = 1200
    )]
    pub rate_limit_token: u32,

    /// Take anonymous callers' address from `X-Forwarded-For` (only behind a
    /// proxy that sets it; otherwise any caller could pick its own address).
    #[arg(long = "trust-forwarded-for", env = "WISH_TRUST_FORWARDED_FOR", default_value_t = false, action = clap::ArgAction::Set)]
    pub trust_forwarded_for: bool,

    /// Memory for the in-process cache of anonymous answers, in MiB; 0 turns it off.
    /// An answer is served from it only while the data is unchanged.
    #[arg(
        long = "response-cache-mb",
        env = "WISH_RESPONSE_CACHE_MB",
        default_value_t = 64
    )]
    pub response_cache_mb: usize,

    /// Answer the reads that one SQL statement can answer (a facility with its
    /// visits, a page of facilities) from that statement, without the
    /// resolvers; `false` sends every read through the resolvers, which give
    /// the same answers more slowly.
    #[arg(long = "compiled-reads", env = "WISH_COMPILED_READS", default_value_t = true, action = clap::ArgAction::Set)]
    pub compiled_reads: bool,

    /// Learn of writes by PostgreSQL `LISTEN` (and, on SQLite, in process),
    /// so that a cached answer costs no database round trip; `false` reads
    /// the data version on every cached request instead (behind a pooler in
    /// transaction mode, which delivers no notifications).
    #[arg(long = "cache-listen", env = "WISH_CACHE_LISTEN", default_value_t = true, action = clap::ArgAction::Set)]
    pub cache_listen: bool,

    /// Tile URL template for the map at /map (`https://…/{z}/{x}/{y}.png`); without
    /// one, the map draws the country outlines it ships with and works offline.
    #[arg(long = "map-tile-url", env = "WISH_MAP_TILE_URL")]
    pub map_tile_url: Option<String>,

    /// Attribution the tile provider requires, shown on the map.
    #[arg(long = "map-attribution", env = "WISH_MAP_ATTRIBUTION")]
    pub map_attribution: Option<String>,

    /// How often each server reads which tokens were revoked and which
    /// organisations suspended, in milliseconds (one small query when nothing changed).
    #[arg(
        long = "access-refresh-ms",
        env = "WISH_ACCESS_REFRESH_MS",
        default_value_t = 500
    )]
    pub access_refresh_ms: u64,

    /// Subscriptions: open WebSocket connections one client address may hold
    /// (per server); one more is refused with `429` before it opens. 0: no limit.
    #[arg(
        long = "ws-max-connections-per-client",
        env = "WISH_WS_MAX_CONNECTIONS_PER_CLIENT",
        default_value_t = 8
    )]
    pub ws_max_connections_per_client: usize,

    /// Subscriptions: active subscriptions on one connection; one more is
    /// answered with an `error` message (`QUERY_TOO_COMPLEX`).
    #[arg(
        long = "ws-max-subscriptions",
        env = "WISH_WS_MAX_SUBSCRIPTIONS",
        default_value_t = 16
    )]
    pub ws_max_subscriptions: usize,

    /// Subscriptions: how long a new connection may take to send
    /// `connection_init`, in milliseconds; then it is closed with `4408`.
    #[arg(
        long = "ws-init-timeout-ms",
        env = "WISH_WS_INIT_TIMEOUT_MS",
        default_value_t = 5_000
    )]
    pub ws_init_timeout_ms: u64,

    /// Subscriptions: the server sends a `ping` message this often, in
    /// milliseconds; a connection from which nothing (no `pong`, no message)
    /// arrived for twice as long is closed with `3008`.
    #[arg(
        long = "ws-ping-interval-ms",
        env = "WISH_WS_PING_INTERVAL_MS",
        default_value_t = 15_000
    )]
    pub ws_ping_interval_ms: u64,

    /// Subscriptions: events one subscription may have waiting to be sent;
    /// when its queue stays full for `WISH_WS_SLOW_CLIENT_MS`, the client is
    /// too slow to read and is disconnected (`1008`).
    #[arg(long = "ws-queue", env = "WISH_WS_QUEUE", default_value_t = 64)]
    pub ws_queue: usize,

    /// Subscriptions: how long an event may wait for room in a full queue,
    /// in milliseconds, before its client is disconnected.
    #[arg(
        long = "ws-slow-client-ms",
        env = "WISH_WS_SLOW_CLIENT_MS",
        default_value_t = 5_000
    )]
    pub ws_slow_client_ms: u64,

    /// Webhooks: the first retry of a failed delivery waits this long, in
    /// milliseconds; each further one twice as long (at most an hour), with jitter.
    #[arg(
        long = "webhook-retry-base-ms",
        env = "WISH_WEBHOOK_RETRY_BASE_MS",
        default_value_t = 30_000
    )]
    pub webhook_retry_base_ms: u64,

    /// Webhooks: attempts of one delivery before it is given up and its
    /// endpoint is disabled (its owner sees why, and enables it again).
    #[arg(
        long = "webhook-max-attempts",
        env = "WISH_WEBHOOK_MAX_ATTEMPTS",
        default_value_t = 10
    )]
    pub webhook_max_attempts: u32,

    /// Webhooks: how long a receiver may take to answer, in milliseconds.
    #[arg(
        long = "webhook-timeout-ms",
        env = "WISH_WEBHOOK_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub webhook_timeout_ms: u64,

    /// Webhooks: also deliver to loopback, private, link-local and other
    /// non-public addresses. Off in production: an endpoint URL must not
    /// reach into the network the server runs in.
    #[arg(long = "webhook-allow-private-addresses", env = "WISH_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default_value_t = false, action = clap::ArgAction::Set)]
    pub webhook_allow_private_addresses: bool,

    /// Webhooks: also accept `http://` endpoint URLs; otherwise `https://` only.
    #[arg(long = "webhook-allow-http", env = "WISH_WEBHOOK_ALLOW_HTTP", default_value_t = false, action = clap::ArgAction::Set)]
    pub webhook_allow_http: bool,

    /// Webhooks: deliver from this replica (fan-out and sending); `false`
    /// leaves the work to the other replicas.
    #[arg(long = "webhook-worker", env = "WISH_WEBHOOK_WORKER", default_value_t = true, action = clap::ArgAction::Set)]
    pub webhook_worker: bool,
}

impl ServeSettings {
    /// The defaults the flags declare, without reading the environment: what
    /// `wish-api serve` runs with when nothing is set, and what the tests
    /// start from, so that a setting has its default in one place.
    #[must_use]
    pub fn defaults() -> Self {
        use clap::{Args as _, FromArgMatches as _};
        let command = Self::augment_args(clap::Command::new("wish-api"))
            .mut_args(|arg| arg.env(None::<&str>));
        let matches = command.get_matches_from(["wish-api"]);
        // Every flag has a default or is optional, so this cannot fail.
        Self::from_arg_matches(&matches).unwrap_or_else(|err| err.exit())
    }
}

/// How bearer tokens are verified (and signed, by `wish-api token`).
#[derive(Args, Clone)]
pub struct AuthSettings {
    /// HS256 secret, at least 32 bytes. Without it (and without a public key) the
    /// server accepts no token, so nobody can write.
    #[arg(long = "jwt-secret", env = "WISH_JWT_SECRET", hide_env_values = true)]
    pub secret: Option<String>,

    /// Signature algorithm: HS256 (secret), RS256 or EdDSA (key files).
    #[arg(
        long = "jwt-algorithm",
        env = "WISH_JWT_ALGORITHM",
        value_enum,
        ignore_case = true,
        default_value_t = JwtAlgorithm::Hs256
    )]
    pub algorithm: JwtAlgorithm,

    /// PEM public key that verifies RS256 or EdDSA tokens.
    #[arg(long = "jwt-public-key-file", env = "WISH_JWT_PUBLIC_KEY_FILE")]
    pub public_key_file: Option<std::path::PathBuf>,

    /// PEM private key that `wish-api token` signs RS256 or EdDSA tokens with.
    #[arg(long = "jwt-private-key-file", env = "WISH_JWT_PRIVATE_KEY_FILE")]
    pub private_key_file: Option<std::path::PathBuf>,

    /// Expected `iss` claim.
    #[arg(
        long = "jwt-issuer",
        env = "WISH_JWT_ISSUER",
        default_value = "wish-api"
    )]
    pub issuer: String,

    /// Expected `aud` claim.
    #[arg(
        long = "jwt-audience",
        env = "WISH_JWT_AUDIENCE",
        default_value = "wish-api"
    )]
    pub audience: String,

    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
    #[arg(
        long = "jwt-leeway-seconds",
        env = "WISH_JWT_LEEWAY_SECONDS",
        default_value_t = 30
    )]
    pub leeway_seconds: u64,

    /// Longest lifetime (`exp - iat`) of a token this server accepts or signs: 90d, 12h.
    #[arg(
        long = "jwt-max-ttl",
        env = "WISH_JWT_MAX_TTL",
        default_value = "90d",
        value_parser = duration
    )]
    pub max_ttl: std::time::Duration,

    /// The HS256 secret being replaced, during a rotation: tokens it signed are
    /// still accepted; nothing is signed with it.
    #[arg(
        long = "jwt-previous-secret",
        env = "WISH_JWT_PREVIOUS_SECRET",
        hide_env_values = true
    )]
    pub previous_secret: Option<String>,

    /// The PEM public key being replaced, during a rotation of an RS256 or EdDSA
    /// key pair: tokens its private key signed are still accepted.
    #[arg(
        long = "jwt-previous-public-key-file",
        env = "WISH_JWT_PREVIOUS_PUBLIC_KEY_FILE"
    )]
    pub previous_public_key_file: Option<std::path::PathBuf>,

    #[command(flatten)]
    pub provider: ProviderSettings,
}

/// Tokens from an identity provider (Keycloak, Entra ID, ...): verified
/// against the keys it publishes, with its claims mapped to a role and an
/// organisation. Off without `WISH_JWKS_URL`.
#[derive(Args, Clone, Debug)]
pub struct ProviderSettings {
    /// URL of the provider's JSON Web Key Set; tokens whose header names a `kid` are checked against it.
    #[arg(long = "jwks-url", env = "WISH_JWKS_URL")]
    pub jwks_url: Option<String>,

    /// Expected `iss` of the provider's tokens (required with a JWKS URL).
    #[arg(long = "jwks-issuer", env = "WISH_JWKS_ISSUER")]
    pub jwks_issuer: Option<String>,

    /// Expected `aud` of the provider's tokens (required with a JWKS URL).
    #[arg(long = "jwks-audience", env = "WISH_JWKS_AUDIENCE")]
    pub jwks_audience: Option<String>,

    /// The claim that holds the role, as a dotted path (`realm_access.roles`);
    /// a string or a list of strings.
    #[arg(
        long = "jwks-role-claim",
        env = "WISH_JWKS_ROLE_CLAIM",
        default_value = "role"
    )]
    pub role_claim: String,

    /// How the provider's role values map to roles, comma-separated
    /// `value=role` (`wish-admin=admin,wish-editor=editor,wish-partner=partner`);
    /// without it, `partner`, `editor` and `admin` mean themselves.
    #[arg(
        long = "jwks-role-map",
        env = "WISH_JWKS_ROLE_MAP",
        value_delimiter = ','
    )]
    pub role_map: Vec<String>,

    /// The claim that holds a partner's organisation slug, as a dotted path.
    #[arg(
        long = "jwks-organisation-claim",
        env = "WISH_JWKS_ORGANISATION_CLAIM",
        default_value = "org"
    )]
    pub organisation_claim: String,

    /// How often the key set is read again: 1h, 15m.
    #[arg(
        long = "jwks-refresh",
        env = "WISH_JWKS_REFRESH",
        default_value = "1h",
        value_parser = duration
    )]
    pub jwks_refresh: std::time::Duration,

    /// Shortest time between two reads of the key set when a token names an
    /// unknown `kid`, so that made-up `kid`s cannot flood the provider.
    #[arg(
        long = "jwks-min-refresh",
        env = "WISH_JWKS_MIN_REFRESH",
        default_value = "10s",
        value_parser = duration
    )]
    pub jwks_min_refresh: std::time::Duration,
}

impl AuthSettings {
    /// The defaults the flags declare, without reading the environment (no key:
    /// every token refused), for the tests to start from.
    #[must_use]
    pub fn defaults() -> Self {
        use clap::{Args as _, FromArgMatches as _};
        let command = Self::augment_args(clap::Command::new("wish-api"))
            .mut_args(|arg| arg.env(None::<&str>));
        let matches = command.get_matches_from(["wish-api"]);
        // Every flag has a default or is optional, so this cannot fail.
        Self::from_arg_matches(&matches).unwrap_or_else(|err| err.exit())
    }
}

/// A duration as humans write it: 90d, 12h, 15m, 1week.
///
/// # Errors
/// Text that is not a duration, or a zero one.
pub fn duration(text: &str) -> Result<std::time::Duration, String> {
    match humantime::parse_duration(text) {
        Ok(d) if d.is_zero() => Err("a duration of zero is no time at all".to_owned()),
        Ok(d) => Ok(d),
        Err(err) => Err(format!(
            "`{text}` is not a duration like 90d, 12h or 15m ({err})"
        )),
    }
}

impl fmt::Debug for AuthSettings {
    // Never print the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthSettings")
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .field("algorithm", &self.algorithm)
            .field("public_key_file", &self.public_key_file)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("leeway_seconds", &self.leeway_seconds)
            .field("max_ttl", &self.max_ttl)
            .field(
                "previous_secret",
                &self.previous_secret.as_ref().map(|_| "***"),
            )
            .field("previous_public_key_file", &self.previous_public_key_file)
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

/// The signature algorithms a token may use.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwtAlgorithm {
    /// HMAC with SHA-256 and the shared secret.
    #[value(name = "HS256")]
    Hs256,
    /// RSA with SHA-256 and a key pair.
    #[value(name = "RS256")]
    Rs256,
    /// Ed25519 and a key pair.
    #[value(name = "EdDSA")]
    EdDsa,
}

/// How logs are written.
#[derive(Args, Clone, Debug)]
pub struct LogSettings {
    /// Log format: `text` for people, `json` for log collectors.
    #[arg(long = "log-format", env = "WISH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub format: LogFormat,

    /// Log filter, in `tracing` directive syntax.
    #[arg(
        long = "log",
        env = "WISH_LOG",
        default_value = "info,sqlx=warn,sea_orm=warn"
    )]
    pub filter: String,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[cfg(test)]
mod tests {
    use super::{ServeSettings, redact_url};

    #[test]
    fn defaults_are_the_flags_defaults() {
        let defaults = ServeSettings::defaults();
        assert_eq!(defaults.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(defaults.max_query_complexity, 20_000);
        assert_eq!(defaults.workers, None);
        assert!(defaults.demo_data && defaults.graphiql);
    }

    #[test]
    fn redact_url_hides_the_password() {
        assert_eq!(
            redact_url("postgres://wish:s3cret@db.internal:5432/wish?sslmode=require"),
            "postgres://wish:***@db.internal:5432/wish"
        );
    }

    #[test]
    fn redact_url_keeps_sqlite_paths() {
        assert_eq!(
            redact_url("sqlite://wish-api.db?mode=rwc"),
            "sqlite://wish-api.db"
        );
    }
}
