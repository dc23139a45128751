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

/// Ten seconds' worth of a rate of 60 a minute: the burst a fresh bucket lets through.
const BURST: usize = 10;

fn limited(anonymous: u32, token: u32, trust_forwarded_for: bool) -> api::config::ServeSettings {
    api::config::ServeSettings {
        rate_limit_anonymous: anonymous,
        rate_limit_token: token,
        trust_forwarded_for,
        ..serve_settings()
    }
}

/// A header that is no valid token buys no bucket of its own: on pages and
/// exports, where nothing else reads it, it counts as the client's address.
async fn made_up_tokens_share_the_address_bucket(backend: Backend) {
    let Some(app) = spawn_app_with(backend, limited(60, 6_000, false)).await else {
        return;
    };
    let paths = [
        "/map",
        "/graphiql",
        "/facilities.geojson",
        "/facilities.csv",
    ];
    let send = |i: usize| {
        app.client
            .get(format!("{}{}", app.address, paths[i % paths.len()]))
            .header("Authorization", format!("Bearer made-up-{i}"))
            .send()
    };

    for i in 0..BURST {
        assert_eq!(send(i).await.unwrap().status(), 200, "request {i}");
    }
    let refused = send(BURST).await.unwrap();

    assert_eq!(refused.status(), 429);
    let body: Value = refused.json().await.unwrap();
    assert_error_code(&body, "RATE_LIMITED");
}

/// A token's bucket is its holder's: writing the header differently, or
/// holding a second token for the same identity, does not refill it; another
/// identity has its own.
async fn one_identity_has_one_bucket_however_its_header_is_written(backend: Backend) {
    let Some(app) = spawn_app_with(backend, limited(6_000, 60, false)).await else {
        return;
    };
    let sign = |subject: &str, seconds: u64| {
        api::auth::sign(
            &crate::helpers::auth_settings(),
            subject,
            Role::Editor,
            None,
            std::time::Duration::from_secs(seconds),
        )
        .unwrap()
    };
    let first = sign("ana@example.org", 600);
    let second = sign("ana@example.org", 900);
    assert_ne!(first, second);
    let headers: Vec<String> = (0..=BURST)
        .map(|i| {
            let token = if i % 2 == 0 { &first } else { &second };
            match i % 4 {
                0 => format!("Bearer {token}"),
                1 => format!("bearer  {token}"),
                2 => format!("BEARER {token}   "),
                _ => format!("bEaReR {token}"),
            }
        })
        .collect();
    let send = |header: String| {
        app.client
            .post(format!("{}/graphql", app.address))
            .header("Authorization", header)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
    };

    for header in &headers[..BURST] {
        assert_eq!(
            send(header.clone()).await.unwrap().status(),
            200,
            "{header}"
        );
    }
    let refused = send(headers[BURST].clone()).await.unwrap();
    let other = send(format!("Bearer {}", sign("ben@example.org", 600)))
        .await
        .unwrap();

    assert_eq!(refused.status(), 429);
    assert_eq!(
        other.status(),
        200,
        "another identity has a bucket of its own"
    );
}

/// Behind a trusted proxy the client's address is the one the proxy appended
/// last; what the client wrote to the left of it changes nothing.
async fn behind_a_proxy_the_rightmost_forwarded_address_counts(backend: Backend) {
    let Some(app) = spawn_app_with(backend, limited(60, 0, true)).await else {
        return;
    };
    let send = |name: &'static str, value: String| {
        app.client
            .get(format!("{}/map", app.address))
            .header(name, value)
            .send()
    };

    for i in 0..BURST {
        let spoofed = format!("10.0.{i}.1, 203.0.113.7");
        assert_eq!(
            send("x-forwarded-for", spoofed).await.unwrap().status(),
            200
        );
    }
    let refused = send("x-forwarded-for", "10.9.9.9, 203.0.113.7".to_owned())
        .await
        .unwrap();
    let next_client = send("x-forwarded-for", "203.0.113.7, 203.0.113.8".to_owned())
        .await
        .unwrap();
    for i in 0..BURST {
        let spoofed = format!("for=10.1.{i}.1, for=\"198.51.100.9:4711\";proto=https");
        assert_eq!(send("forwarded", spoofed).await.unwrap().status(), 200);
    }
    let forwarded_refused = send("forwarded", "for=10.2.0.1, for=198.51.100.9".to_owned())
        .await
        .unwrap();

    assert_eq!(
        refused.status(),
        429,
        "X-Forwarded-For: leftmost entries vary"
    );
    assert_eq!(next_client.status(), 200, "another rightmost address");
    assert_eq!(
        forwarded_refused.status(),
        429,
        "Forwarded: leftmost for= vary"
    );
}

on_both_databases!(
    callers_over_their_rate_get_429_and_probes_do_not,
    made_up_tokens_share_the_address_bucket,
    one_identity_has_one_bucket_however_its_header_is_written,
    behind_a_proxy_the_rightmost_forwarded_address_counts,
);
