//! Faults: a database that goes away and comes back, a request that runs
//! too long, and a server stopped while it writes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use entity::value::Role;
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{
    Backend, TestDatabase, assert_error_code, serve_settings, spawn_app_with, start, token,
};

/// A TCP proxy to PostgreSQL that a test can cut and restore, as a network
/// partition or a database restart would.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    links: Arc<std::sync::Mutex<Vec<actix_web::rt::task::JoinHandle<()>>>>,
}

impl Proxy {
    async fn to(target: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let links = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (accept_up, accept_links) = (up.clone(), links.clone());
        actix_web::rt::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !accept_up.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is refused as it opens
                }
                let target = target.clone();
                let link = actix_web::rt::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                accept_links.lock().unwrap().push(link);
            }
        });
        Self { port, up, links }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[actix_web::test]
async fn a_database_outage_is_survived_without_a_restart() {
    let Some(mut database) = TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    let mut url = reqwest::Url::parse(&database.settings.url).unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let proxy = Proxy::to(target).await;
    url.set_host(Some("127.0.0.1")).unwrap();
    url.set_port(Some(proxy.port)).unwrap();
    database.settings.url = url.to_string();
    database.settings.acquire_timeout_ms = 1_000;
    // No cached answers: every read below goes to the database.
    let settings = api::config::ServeSettings {
        response_cache_mb: 0,
        ..serve_settings()
    };
    let app = start(database, settings).await;
    let count = "{ facilities { totalCount } }";
    // A page a compiled plan answers, on the executor threads' own
    // connections (`db::ThreadConnections`), which the outage breaks too.
    let page = "{ facilities(first: 2) { totalCount nodes { slug } } }";
    assert_eq!(app.get("/ready").await.status(), 200);
    assert!(app.graphql(count, json!({})).await.get("errors").is_none());
    for _ in 0..4 {
        assert!(app.graphql(page, json!({})).await.get("errors").is_none());
    }

    proxy.cut();

    assert_eq!(app.get("/ready").await.status(), 503);
    assert_eq!(
        app.get("/health").await.status(),
        200,
        "liveness does not depend on the database"
    );
    let failed = app
        .graphql("{ facilities(first: 3) { totalCount } }", json!({}))
        .await;
    assert_error_code(&failed, "INTERNAL");
    let message = failed["errors"][0]["message"].as_str().unwrap();
    assert!(
        !message.contains(&proxy.port.to_string()) && !message.contains("pool"),
        "{message}"
    );

    proxy.restore();

    let mut ready = false;
    for _ in 0..50 {
        if app.get("/ready").await.status() == 200 {
            ready = true;
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(ready, "the server serves again once the database is back");
    let back = app.graphql(count, json!({})).await;
    assert!(back.get("errors").is_none(), "{back:#}");
    // Each thread's broken connection fails one read, which the resolvers
    // then answer; none reaches the caller, and plans answer again after.
    let planned = answered_by_plan(&app).await;
    for _ in 0..8 {
        let back = app.graphql(page, json!({})).await;
        assert!(back.get("errors").is_none(), "{back:#}");
        assert_eq!(
            back["data"]["facilities"]["nodes"].as_array().map(Vec::len),
            Some(2)
        );
    }
    assert!(
        answered_by_plan(&app).await >= planned + 4,
        "plans answer again on new connections"
    );
}

/// How many operations the server answered by a compiled plan.
async fn answered_by_plan(app: &crate::helpers::TestApp) -> u64 {
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("wish_graphql_operations_total{by=\"plan\"} "))
        .map_or(0, |count| count.parse().expect("a count"))
}

fn big_csv(rows: usize) -> String {
    let mut csv = crate::import::HEADER.to_owned();
    for i in 0..rows {
        csv.push_str(&format!(
            "Huis {i:05},NL,Utrecht,52.1,5.1,detention_house,12,2024,,mixed,,open,,,,,\n"
        ));
    }
    csv
}

async fn a_request_past_its_timeout_is_stopped_and_rolled_back(backend: Backend) {
    let settings = api::config::ServeSettings {
        request_timeout_ms: 150,
        max_body_bytes: 16 * 1024 * 1024,
        ..serve_settings()
    };
    let Some(app) = spawn_app_with(backend, settings).await else {
        return;
    };
    let before = fixtures::state(&app.db).await;

    let (_, body) = app
        .graphql_as(
            &token(Role::Editor, None),
            "mutation($csv: String!) { importFacilities(csv: $csv) { written } }",
            json!({ "csv": big_csv(20_000) }),
        )
        .await;

    assert_error_code(&body, "INTERNAL");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("WISH_REQUEST_TIMEOUT_MS")
    );
    // The next requests run, on connections whose transaction was rolled back:
    // none of them is left inside the stopped request's transaction.
    for _ in 0..4 {
        let after = app
            .graphql("{ facilities { totalCount } }", json!({}))
            .await;
        assert!(after.get("errors").is_none(), "{after:#}");
    }
    if backend == Backend::Postgres {
        assert!(
            no_transaction_holds_a_lock_on_facility(&app.db).await,
            "the stopped request left a transaction open"
        );
    }
    assert_eq!(
        fixtures::state(&app.db).await,
        before,
        "nothing of the import remains"
    );
}

crate::on_both_databases!(a_request_past_its_timeout_is_stopped_and_rolled_back);

/// Whether an exclusive lock on `facility` can be had within a few seconds: it
/// cannot while any session, a pooled connection of the server included, sits
/// in a transaction that touched the table. The server returns a connection to
/// its pool in the background, so give it a moment.
async fn no_transaction_holds_a_lock_on_facility(db: &sea_orm::DatabaseConnection) -> bool {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    for _ in 0..30 {
        let txn = db.begin().await.expect("begin");
        txn.execute_unprepared("SET LOCAL lock_timeout = '100ms'")
            .await
            .expect("set lock_timeout");
        let locked = txn
            .execute_unprepared("LOCK TABLE facility IN ACCESS EXCLUSIVE MODE")
            .await;
        txn.rollback().await.expect("rollback");
        if locked.is_ok() {
            return true;
        }
    }
    false
}

/// SIGTERM while an import is being written: the server finishes the request
/// in flight, commits it whole, and exits 0.
#[actix_web::test]
async fn sigterm_lets_a_write_in_flight_finish_whole() {
    let Some(database) = crate::helpers::TestDatabase::create(Backend::Sqlite).await else {
        return;
    };
    let mut server =
        crate::helpers::ServerProcess::start(&database, &["--max-body-bytes", "16777216"]);
    let address = server.address.clone();
    let rows = 20_000;
    let request = reqwest::Client::new()
        .post(format!("http://{address}/graphql"))
        .bearer_auth(token(Role::Editor, None))
        .json(&json!({ "query": "mutation($csv: String!) { importFacilities(csv: $csv) { created written } }", "variables": { "csv": big_csv(rows) } }))
        .send();
    let stop = async {
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        actix_web::rt::task::spawn_blocking(move || server.stop())
            .await
            .unwrap()
    };
    let (response, status) = futures_util::future::join(request, stop).await;
    assert!(status.success(), "exit status {status}");

    let body: Value = response
        .expect("the write in flight is answered")
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["data"]["importFacilities"],
        json!({ "created": rows, "written": true }),
        "{body:#}"
    );
    let db = database.connect().await;
    let stored = {
        use sea_orm::{EntityTrait, PaginatorTrait};
        entity::facility::Entity::find().count(&db).await.unwrap()
    };
    assert_eq!(
        stored as usize,
        crate::helpers::demo_facility_rows() + rows,
        "the import is there whole"
    );
}

/// The server's own connect function sets PostgreSQL's `statement_timeout`
/// on every session, so one slow statement cannot hold a connection.
#[actix_web::test]
async fn a_slow_statement_is_cancelled_by_postgres() {
    use sea_orm::ConnectionTrait;
    let Some(mut database) = TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    database.settings.statement_timeout_ms = 200;
    let db = api::db::connect(&database.settings).await.unwrap();

    let setting = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SHOW statement_timeout",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        setting.try_get::<String>("", "statement_timeout").unwrap(),
        "200ms"
    );
    let slow = db.execute_unprepared("SELECT pg_sleep(2)").await;
    let err = slow.expect_err("cancelled after 200 ms");
    assert!(err.to_string().contains("statement timeout"), "{err}");
    // The connection is usable again at once.
    db.execute_unprepared("SELECT 1").await.unwrap();
}
