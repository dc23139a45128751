//! Request ids, the log line of each request, and `/metrics`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use entity::value::Role;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestDatabase, spawn_app, token};
use crate::on_both_databases;

async fn every_answer_carries_a_request_id(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let given = app
        .client
        .get(format!("{}/health", app.address))
        .header("X-Request-Id", "map-7f3a.1")
        .send()
        .await
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "map-7f3a.1");

    let made = app.get("/health").await;
    let id = made.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");

    let odd = app
        .client
        .get(format!("{}/health", app.address))
        .header("X-Request-Id", "<script>")
        .send()
        .await
        .unwrap();
    assert_ne!(odd.headers()["x-request-id"], "<script>");
}

async fn metrics_count_requests_errors_latency_and_the_pool(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // A name gets a label of its own once it has succeeded this often; before, it counts as `other`.
    let admit_after = api::http::metrics::ADMIT_AFTER;
    for _ in 0..admit_after {
        app.client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": "query Count { facilities { totalCount } }", "operationName": "Count" }))
            .send()
            .await
            .unwrap();
    }
    app.graphql("{ facility(id: \"not-an-id\") { id } }", json!({}))
        .await;
    app.graphql("{ nonsense }", json!({})).await;

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = response.text().await.unwrap();
    let all = admit_after + 2;
    for line in [
        "wish_http_requests_total{endpoint=\"/graphql\",operation=\"Count\",outcome=\"ok\"} 1",
        &format!(
            "wish_http_requests_total{{endpoint=\"/graphql\",operation=\"other\",outcome=\"ok\"}} {}",
            admit_after - 1
        ),
        "wish_http_requests_total{endpoint=\"/graphql\",operation=\"-\",outcome=\"client_error\"} 2",
        "wish_graphql_errors_total{code=\"NOT_FOUND\"} 0",
        "wish_graphql_errors_total{code=\"BAD_USER_INPUT\"} 2",
        "wish_graphql_errors_total{code=\"RATE_LIMITED\"} 0",
        &format!("wish_http_request_duration_seconds_count{{endpoint=\"/graphql\"}} {all}"),
        &format!(
            "wish_http_request_duration_seconds_bucket{{endpoint=\"/graphql\",le=\"+Inf\"}} {all}"
        ),
        "# TYPE wish_db_pool_connections gauge",
        "wish_db_pool_max_connections ",
    ] {
        assert!(text.contains(line), "/metrics lacks `{line}`:\n{text}");
    }
}

/// What the flood below may leave in `/metrics`, in bytes: a few series of
/// `-`, `other` and `Steady`, with the histograms and pool gauges.
const FLOODED_METRICS_BOUND: usize = 16 * 1024;

/// Hundreds of made-up names, some of them not names at all, do not grow
/// `/metrics`, take the labels, or put a control character or a long name
/// into it; a name in steady use still gets its label.
async fn made_up_operation_names_neither_bloat_nor_take_the_metrics(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let send = |query: String, name: String| {
        app.client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": query, "operationName": name }))
            .send()
    };
    let not_names = [
        format!("Evil\n{{}} 1\r\n\u{1b}[2J\"\\{}", "A".repeat(200)),
        "x".repeat(100_000),
        "Tab\tand\u{0}nul".to_owned(),
    ];

    for name in not_names {
        send("{ __typename }".to_owned(), name).await.unwrap();
    }
    for i in 0..300 {
        let name = format!("Flood{i}");
        let answer = send(format!("query {name} {{ __typename }}"), name).await;
        assert_eq!(answer.unwrap().status(), 200);
    }
    for _ in 0..12 {
        let answer = send(
            "query Steady { __typename }".to_owned(),
            "Steady".to_owned(),
        )
        .await;
        assert_eq!(answer.unwrap().status(), 200);
    }
    let text = app.get("/metrics").await.text().await.unwrap();

    assert!(
        text.len() < FLOODED_METRICS_BOUND,
        "/metrics is {} bytes:\n{text}",
        text.len()
    );
    assert!(
        text.contains(
            "wish_http_requests_total{endpoint=\"/graphql\",operation=\"Steady\",outcome=\"ok\"} "
        ),
        "{text}"
    );
    assert!(
        !text.contains("Flood"),
        "a name used once got a label:\n{text}"
    );
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "a control character:\n{text:?}"
    );
    for line in text.lines() {
        if let Some((_, rest)) = line.split_once("operation=\"") {
            let operation = rest.split('"').next().unwrap();
            assert!(operation.len() <= 100, "{line}");
        }
    }
}

on_both_databases!(
    every_answer_carries_a_request_id,
    metrics_count_requests_errors_latency_and_the_pool,
    made_up_operation_names_neither_bloat_nor_take_the_metrics,
    a_made_up_operation_name_cannot_flood_or_forge_the_log,
);

/// The server binary on a test database, logging JSON: the process, its log
/// lines after the one that gives its address, and that address. The log is
/// read as it comes, so that a server writing much never blocks on the pipe.
fn serve(database: &TestDatabase) -> (Child, Receiver<String>, String) {
    let settings = &database.settings;
    let mut command = Command::new(env!("CARGO_BIN_EXE_wish-api"));
    command
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            &settings.url,
            "--log-format",
            "json",
        ])
        .env("WISH_JWT_SECRET", crate::helpers::TEST_SECRET)
        .env("WISH_JWT_ISSUER", "wish-api")
        .env("WISH_JWT_AUDIENCE", "wish-api")
        .env_remove("WISH_DATABASE_URL")
        .env_remove("WISH_DATABASE_SCHEMA")
        .stderr(Stdio::piped());
    if let Some(schema) = &settings.schema {
        command.args(["--database-schema", schema]);
    }
    let mut server = command.spawn().unwrap();
    let stderr = server.stderr.take().unwrap();
    let (sender, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let address = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(120))
            .expect("the server logs its address");
        let entry: Value = serde_json::from_str(&line).unwrap_or_default();
        if let Some(address) = entry["address"].as_str() {
            break address.to_owned();
        }
    };
    (server, lines, address)
}

/// Stops the server and returns what it logged since its address.
fn stop(mut server: Child, lines: Receiver<String>) -> Vec<String> {
    let _ = server.kill();
    let _ = server.wait();
    lines.iter().collect()
}

/// The request lines of a log.
fn request_lines(logged: &[String]) -> Vec<&String> {
    logged
        .iter()
        .filter(|l| l.contains("\"request_id\""))
        .collect()
}

/// A long operation name full of control characters is logged as at most
/// 100 printable characters, on one line of its own.
async fn a_made_up_operation_name_cannot_flood_or_forge_the_log(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let (server, lines, address) = serve(&database);
    let name = format!(
        "Forged\n{{\"request_id\":\"x\"}}\r\u{1b}[2J\u{202e}{}",
        "A".repeat(500_000)
    );

    let response = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
        .post(format!("http://{address}/graphql"))
        .json(&json!({ "query": "{ __typename }", "operationName": name }))
        .send()
        .await
        .unwrap();
    let logged = stop(server, lines);

    assert_eq!(response.status(), 200);
    let requests = request_lines(&logged);
    assert_eq!(requests.len(), 1, "{logged:#?}");
    assert!(
        requests[0].len() < 1_000,
        "a line of {} bytes",
        requests[0].len()
    );
    let entry: Value = serde_json::from_str(requests[0]).unwrap();
    let operation = entry["operation"].as_str().unwrap();
    assert!(operation.chars().count() <= 100, "{operation}");
    assert!(
        operation.chars().all(|c| c.is_ascii_graphic()),
        "{operation:?}"
    );
}

/// The server's own log, as an operator reads it: one line per request with
/// its id, route, operation, status and time; never the token or the query.
#[actix_web::test]
async fn one_log_line_per_request_without_secrets() {
    let database = TestDatabase::create(Backend::Sqlite).await.unwrap();
    let (server, lines, address) = serve(&database);
    let secret_token = token(Role::Editor, None);
    let response = reqwest::Client::new()
        .post(format!("http://{address}/graphql"))
        .bearer_auth(&secret_token)
        .header("X-Request-Id", "sync-42")
        .json(&json!({ "query": "query Sync { facilities(filter: { text: \"private words\" }) { totalCount } }", "operationName": "Sync" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let logged = stop(server, lines);

    let requests = request_lines(&logged);
    assert_eq!(requests.len(), 1, "{logged:#?}");
    let entry: Value = serde_json::from_str(requests[0]).unwrap();
    assert_eq!(entry["request_id"], "sync-42");
    assert_eq!(entry["endpoint"], "/graphql");
    assert_eq!(entry["operation"], "Sync");
    assert_eq!(entry["status"], 200);
    assert!(entry["duration_ms"].is_string(), "{entry}");
    let all = logged.join("\n");
    assert!(!all.contains(&secret_token), "the token reached the log");
    assert!(!all.contains("private words"), "the query reached the log");
}
