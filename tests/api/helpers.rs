//! Starting the application for a test, and talking to it.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU32, Ordering};

use api::config::{AuthSettings, DatabaseSettings, LogSettings, ServeSettings};
use api::startup::Application;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, TransactionTrait};
use serde_json::{Value, json};

/// The database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares each listed `async fn name(backend: Backend)` as two tests,
/// `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await;
                }
            )+
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await;
                }
            )+
        }
    };
}

static TRACING: LazyLock<()> = LazyLock::new(|| {
    if std::env::var_os("TEST_LOG").is_some() {
        api::telemetry::init(&LogSettings {
            format: api::config::LogFormat::Text,
            filter: "info,sqlx=warn".to_owned(),
        });
    }
});

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn postgres_url() -> String {
    std::env::var("WISH_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// A fresh, empty database of one backend; dropped with the guard.
pub struct TestDatabase {
    pub settings: DatabaseSettings,
    cleanup: Option<Cleanup>,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    PostgresSchema { admin_url: String, schema: String },
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(Cleanup::PostgresSchema { admin_url, schema }) = self.cleanup.take() {
            // Drop runs inside the test's runtime, even while unwinding from a
            // failed assertion: do the async cleanup on a thread of its own.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    if let Ok(db) = Database::connect(&admin_url).await {
                        // The test's runtime is blocked while this runs, so a transaction it
                        // left open cannot end: give up on the lock rather than wait forever
                        // (the run's database is dropped whole at the end). One transaction
                        // keeps the setting and the drop on one pooled connection.
                        if let Ok(txn) = db.begin().await {
                            let _ = txn
                                .execute_unprepared("SET LOCAL lock_timeout = '5s'")
                                .await;
                            let dropped = txn
                                .execute_unprepared(&format!(
                                    "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
                                ))
                                .await;
                            if dropped.is_ok() {
                                let _ = txn.commit().await;
                            }
                        }
                        let _ = db.close().await;
                    }
                });
            })
            .join();
        }
    }
}

impl TestDatabase {
    /// A new database, or `None` when PostgreSQL is wanted, absent, and this is not CI.
    ///
    /// # Panics
    /// In CI, when PostgreSQL cannot be reached: a skipped backend must not look like a pass.
    pub async fn create(backend: Backend) -> Option<Self> {
        LazyLock::force(&TRACING);
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let path = dir.path().join("wish-test.db");
                let settings = DatabaseSettings {
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    schema: None,
                    max_connections: 1,
                    acquire_timeout_ms: 5_000,
                    statement_timeout_ms: 0,
                };
                Some(Self {
                    settings,
                    cleanup: Some(Cleanup::Sqlite(dir)),
                })
            }
            Backend::Postgres => {
                let admin_url = postgres_url();
                let admin = match Database::connect(&admin_url).await {
                    Ok(db) => db,
                    Err(err) => {
                        let message = format!(
                            "PostgreSQL is not reachable at {} ({err}); set WISH_TEST_DATABASE_URL or start PostgreSQL",
                            api::config::redact_url(&admin_url)
                        );
                        assert!(!in_ci(), "{message}");
                        eprintln!("SKIPPED on PostgreSQL: {message}");
                        return None;
                    }
                };
                static COUNTER: AtomicU32 = AtomicU32::new(0);
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos())
                    .unwrap_or_default();
                let schema = format!(
                    "wish_test_{}_{}_{nanos}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed)
                );
                admin
                    .execute_unprepared(&format!("CREATE SCHEMA \"{schema}\""))
                    .await
                    .expect("create test schema");
                admin.close().await.expect("close admin connection");
                let settings = DatabaseSettings {
                    url: admin_url.clone(),
                    schema: Some(schema.clone()),
                    max_connections: 4,
                    // A loaded CI machine runs many apps at once: a test of
                    // order under 24 concurrent writers, each holding one of
                    // the four connections while it waits for the data
                    // version's row lock, must not fail for slowness
                    // (`resilience` sets its own, short, timeout).
                    acquire_timeout_ms: 30_000,
                    statement_timeout_ms: 10_000,
                };
                Some(Self {
                    settings,
                    cleanup: Some(Cleanup::PostgresSchema { admin_url, schema }),
                })
            }
        }
    }

    /// A connection of the test's own, to arrange and inspect data.
    pub async fn connect(&self) -> DatabaseConnection {
        api::db::connect(&self.settings)
            .await
            .expect("connect to the test database")
    }
}

/// A running application and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub database: TestDatabase,
    /// SQL statements the server has run.
    pub statements: api::db::StatementCounter,
}

/// Settings of a test server: the defaults, on a free port, with one HTTP
/// worker (so that a test sees whether anything blocks it), no rate limits,
/// and a smaller response cache.
pub fn serve_settings() -> ServeSettings {
    ServeSettings {
        bind: "127.0.0.1:0".parse().expect("address"),
        workers: Some(1),
        graphql_threads: Some(2),
        rate_limit_anonymous: 0,
        rate_limit_token: 0,
        response_cache_mb: 16,
        ..ServeSettings::defaults()
    }
}

/// The secret test servers verify tokens with.
pub const TEST_SECRET: &str = "test-secret-that-is-long-enough-for-hs256-0123456789";

/// Token settings of a test server.
pub fn auth_settings() -> AuthSettings {
    AuthSettings {
        secret: Some(TEST_SECRET.to_owned()),
        leeway_seconds: 5,
        ..AuthSettings::defaults()
    }
}

/// The application on a fresh database with the demo data.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, serve_settings()).await
}

/// The application on a fresh database, with these settings.
pub async fn spawn_app_with(backend: Backend, settings: ServeSettings) -> Option<TestApp> {
    let database = TestDatabase::create(backend).await?;
    Some(start(database, settings).await)
}

/// The application over an existing test database (to restart on the same data).
pub async fn start(database: TestDatabase, settings: ServeSettings) -> TestApp {
    let app = Application::build(&database.settings, &auth_settings(), settings)
        .await
        .expect("build the application");
    let address = format!("http://{}", app.address());
    let statements = app.statements();
    actix_web::rt::spawn(app.run_until_stopped());
    let db = database.connect().await;
    TestApp {
        address,
        // A server that stops answering fails the test instead of hanging the run.
        client: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .expect("HTTP client"),
        db,
        database,
        statements,
    }
}

/// Another server in this process over the database of a [`TestApp`], as a
/// second replica: its address and the statements it runs.
pub struct Replica {
    pub address: String,
    pub statements: api::db::StatementCounter,
}

impl TestApp {
    /// Starts another server over this app's database, as a second replica.
    pub async fn second_replica(&self) -> Replica {
        self.second_replica_with(serve_settings()).await
    }

    /// Starts another server over this app's database, with these settings.
    pub async fn second_replica_with(&self, settings: ServeSettings) -> Replica {
        let server = Application::build(&self.database.settings, &auth_settings(), settings)
            .await
            .expect("a second server");
        let replica = Replica {
            address: format!("http://{}", server.address()),
            statements: server.statements(),
        };
        actix_web::rt::spawn(server.run_until_stopped());
        replica
    }

    /// POSTs a GraphQL document and returns the JSON response.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("send GraphQL request");
        assert_eq!(response.status(), 200, "GraphQL over HTTP answers 200");
        response.json().await.expect("JSON response")
    }

    /// POSTs a GraphQL document and returns its `data`, failing on any error.
    pub async fn query(&self, query: &str, variables: Value) -> Value {
        let response = self.graphql(query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response:#}"
        );
        response["data"].clone()
    }

    /// POSTs a GraphQL document with `Authorization: Bearer <token>`; returns status and JSON.
    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}/graphql", self.address))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("send GraphQL request");
        (
            response.status().as_u16(),
            response.json().await.expect("JSON response"),
        )
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("send GET")
    }
}

/// The first error of a response, which must exist.
pub fn first_error(response: &Value) -> &Value {
    let errors = response["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("expected errors: {response:#}"));
    assert!(!errors.is_empty(), "expected errors: {response:#}");
    &errors[0]
}

/// Asserts the first error's code, and that its message leaks nothing internal.
pub fn assert_error_code(response: &Value, code: &str) {
    let error = first_error(response);
    assert_eq!(error["extensions"]["code"], code, "error: {error:#}");
    let message = error["message"].as_str().unwrap_or_default().to_lowercase();
    for leak in [
        "select ",
        "insert ",
        "sqlx",
        "sea_orm",
        "postgres://",
        "/src/",
        "panicked",
    ] {
        assert!(!message.contains(leak), "message leaks `{leak}`: {message}");
    }
}

/// The number of data rows of the committed demo file.
pub fn demo_facility_rows() -> usize {
    let file = include_bytes!("../../api/demo/facilities.csv");
    csv::Reader::from_reader(&file[..]).records().count()
}

/// A token the test servers accept, for `ana@example.org` in `role`.
pub fn token(role: entity::value::Role, org: Option<&str>) -> String {
    api::auth::sign(
        &auth_settings(),
        "ana@example.org",
        role,
        org,
        std::time::Duration::from_secs(600),
    )
    .expect("sign a test token")
}

/// The global id of a row as ids were made before records had UUIDs; such
/// ids resolve still.
pub fn gid(kind: api::graphql::id::Kind, row: i32) -> String {
    api::graphql::id::encode_serial(kind, row).to_string()
}

/// A `wish-api serve` process over a test database, as an operator starts
/// one: the real binary, logging JSON to a pipe this reads its address from.
pub struct ServerProcess {
    pub child: std::process::Child,
    pub address: String,
}

impl ServerProcess {
    /// Starts a process with these further arguments of `serve`, and waits
    /// until it listens.
    pub fn start(database: &TestDatabase, args: &[&str]) -> Self {
        Self::ready(Self::spawn(database, args))
    }

    /// Starts a process; [`ServerProcess::ready`] waits for it, so that
    /// several can start at the same moment.
    pub fn spawn(database: &TestDatabase, args: &[&str]) -> std::process::Child {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_wish-api"));
        command
            .args(["serve", "--bind", "127.0.0.1:0", "--workers", "1"])
            .args(args)
            .args(["--database-url", &database.settings.url])
            .args([
                "--log-format",
                "json",
                "--log",
                "warn,wish_api=info,api=info",
            ])
            .env("WISH_JWT_SECRET", TEST_SECRET)
            .env("WISH_RATE_LIMIT_ANONYMOUS", "0")
            .env_remove("WISH_DATABASE_URL")
            .env_remove("WISH_DATABASE_SCHEMA")
            .stderr(std::process::Stdio::piped());
        if let Some(schema) = &database.settings.schema {
            command.args(["--database-schema", schema]);
        }
        command.spawn().expect("start wish-api serve")
    }

    /// The process once it logs its address; its whole log if it exits first.
    pub fn ready(mut child: std::process::Child) -> Self {
        use std::io::BufRead;
        let stderr = child.stderr.take().expect("a piped log");
        let mut lines = std::io::BufReader::new(stderr).lines();
        let mut log = Vec::new();
        let address = loop {
            let Some(Ok(line)) = lines.next() else {
                let status = child.wait().expect("the exit status");
                panic!(
                    "the server exited ({status}) before listening:\n{}",
                    log.join("\n")
                );
            };
            let entry: Value = serde_json::from_str(&line).unwrap_or_default();
            if let Some(address) = entry["address"].as_str() {
                break address.to_owned();
            }
            log.push(line);
        };
        // Keep draining the log, or the process would block on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { child, address }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Stops it as an orchestrator does (SIGTERM) and waits for it to exit.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM {pid}");
        self.child.wait().expect("the exit status")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The GraphQL documents (```graphql blocks) of the README between the
/// first line that starts with `from` and the next that starts with `to`,
/// in order: what a test runs to show that the README's examples work.
pub fn readme_documents(from: &str, to: &str) -> Vec<String> {
    let readme = include_str!("../../README.md");
    let start = readme
        .find(from)
        .unwrap_or_else(|| panic!("no `{from}` in the README"));
    let length = readme[start + from.len()..]
        .find(to)
        .unwrap_or_else(|| panic!("no `{to}` after `{from}` in the README"));
    readme[start..start + from.len() + length]
        .split("```graphql\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap_or_default().to_owned())
        .collect()
}
