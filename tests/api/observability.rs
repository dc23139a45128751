//! Request ids, the log line of each request, and `/metrics`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use entity::value::Role;
use serde_json::json;

use crate::helpers::{Backend, spawn_app, token};
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
    app.client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": "query Count { facilities { totalCount } }", "operationName": "Count" }))
        .send()
        .await
        .unwrap();
    app.graphql("{ facility(slug: \"nowhere\") { id } }", json!({}))
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
    for line in [
        "wish_http_requests_total{endpoint=\"/graphql\",operation=\"Count\",outcome=\"ok\"} 1",
        "wish_http_requests_total{endpoint=\"/graphql\",operation=\"-\",outcome=\"client_error\"} 2",
        "wish_graphql_errors_total{code=\"NOT_FOUND\"} 1",
        "wish_graphql_errors_total{code=\"BAD_USER_INPUT\"} 1",
        "wish_graphql_errors_total{code=\"RATE_LIMITED\"} 0",
        "wish_http_request_duration_seconds_count{endpoint=\"/graphql\"} 3",
        "wish_http_request_duration_seconds_bucket{endpoint=\"/graphql\",le=\"+Inf\"} 3",
        "# TYPE wish_db_pool_connections gauge",
        "wish_db_pool_max_connections ",
    ] {
        assert!(text.contains(line), "/metrics lacks `{line}`:\n{text}");
    }
}

on_both_databases!(
    every_answer_carries_a_request_id,
    metrics_count_requests_errors_latency_and_the_pool,
);

/// The server's own log, as an operator reads it: one line per request with
/// its id, route, operation, status and time; never the token or the query.
#[actix_web::test]
async fn one_log_line_per_request_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("log.db").display());
    let mut server = Command::new(env!("CARGO_BIN_EXE_wish-api"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            &url,
            "--log-format",
            "json",
        ])
        .env("WISH_JWT_SECRET", crate::helpers::TEST_SECRET)
        .env("WISH_JWT_ISSUER", "wish-api")
        .env("WISH_JWT_AUDIENCE", "wish-api")
        .env_remove("WISH_DATABASE_URL")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stderr.take().unwrap()).lines();
    let address = loop {
        let line = lines.next().expect("the server logs its address").unwrap();
        let entry: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        if let Some(address) = entry["address"].as_str() {
            break address.to_owned();
        }
    };
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
    let _ = server.kill();
    let _ = server.wait();

    let logged: Vec<String> = lines.map_while(Result::ok).collect();
    let request_lines: Vec<&String> = logged
        .iter()
        .filter(|l| l.contains("\"request_id\""))
        .collect();
    assert_eq!(request_lines.len(), 1, "{logged:#?}");
    let entry: serde_json::Value = serde_json::from_str(request_lines[0]).unwrap();
    assert_eq!(entry["request_id"], "sync-42");
    assert_eq!(entry["endpoint"], "/graphql");
    assert_eq!(entry["operation"], "Sync");
    assert_eq!(entry["status"], 200);
    assert!(entry["duration_ms"].is_string(), "{entry}");
    let all = logged.join("\n");
    assert!(!all.contains(&secret_token), "the token reached the log");
    assert!(!all.contains("private words"), "the query reached the log");
}
