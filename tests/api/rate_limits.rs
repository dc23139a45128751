//! Rate limits per client address and per token, with `429`, `Retry-After`
//! and `RATE_LIMITED`; probes and metrics are never limited.

use entity::value::Role;
use serde_json::{Value, json};

use crate::helpers::{Backend, assert_error_code, serve_settings, spawn_app_with, token};
use crate::on_both_databases;

async fn callers_over_their_rate_get_429_and_probes_do_not(backend: Backend) {
    let settings = api::config::ServeSettings {
        rate_limit_anonymous: 60,
        rate_limit_token: 120,
        ..serve_settings()
    };
    let Some(app) = spawn_app_with(backend, settings).await else {
        return;
    };
    let query = json!({ "query": "{ __typename }" });
    let anonymous = || {
        app.client
            .post(format!("{}/graphql", app.address))
            .json(&query)
            .send()
    };

    // A minute's rate of 60 lets a burst of ten seconds' worth through.
    for _ in 0..10 {
        assert_eq!(anonymous().await.unwrap().status(), 200);
    }
    let refused = anonymous().await.unwrap();
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after), "Retry-After: {retry_after}");
    let body: Value = refused.json().await.unwrap();
    assert_error_code(&body, "RATE_LIMITED");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("60 a minute")
    );

    // Probes and metrics still answer; a token has a bucket of its own.
    for path in ["/health", "/ready", "/metrics"] {
        assert_eq!(app.get(path).await.status(), 200, "{path}");
    }
    let (status, _) = app
        .graphql_as(&token(Role::Editor, None), "{ __typename }", json!({}))
        .await;
    assert_eq!(status, 200);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("outcome=\"client_error\""), "{metrics}");
}

on_both_databases!(callers_over_their_rate_get_429_and_probes_do_not);
