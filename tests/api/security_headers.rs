//! Headers every answer carries: `X-Content-Type-Options: nosniff`, a
//! `Referrer-Policy`, and, on everything that is not a page, a
//! Content-Security-Policy that loads nothing and may not be framed. The
//! pages' own policies are checked in `graphiql.rs` and `map.rs`.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Backend, spawn_app};
use crate::on_both_databases;

/// The directives of a response's Content-Security-Policy, each with its sources.
pub fn policy(response: &reqwest::Response) -> BTreeMap<String, Vec<String>> {
    let text = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    text.split(';')
        .filter_map(|directive| {
            let mut words = directive.split_whitespace();
            let name = words.next()?.to_owned();
            Some((name, words.map(str::to_owned).collect()))
        })
        .collect()
}

/// What every page's policy holds to, whatever else it allows.
pub fn assert_strict_page_policy(policy: &BTreeMap<String, Vec<String>>) {
    let sources = |name: &str| {
        policy
            .get(name)
            .unwrap_or_else(|| panic!("no {name} in {policy:?}"))
    };
    assert_eq!(sources("default-src"), &["'none'"], "{policy:?}");
    assert_eq!(sources("script-src"), &["'self'"], "{policy:?}");
    assert_eq!(sources("frame-ancestors"), &["'none'"], "{policy:?}");
    assert_eq!(sources("base-uri"), &["'none'"], "{policy:?}");
    assert_eq!(sources("form-action"), &["'none'"], "{policy:?}");
    assert!(
        sources("style-src")
            .iter()
            .all(|s| s == "'self'" || s.starts_with("'nonce-")),
        "{policy:?}"
    );
    for (name, sources) in policy {
        for source in sources {
            assert!(
                !source.contains('*')
                    && source != "'unsafe-eval'"
                    && source != "http:"
                    && source != "https:",
                "{name} allows {source}"
            );
        }
    }
}

const NOT_A_PAGE: &str = "default-src 'none'; frame-ancestors 'none'";

fn assert_hardened(response: &reqwest::Response, what: &str) {
    let headers = response.headers();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what} ({}) has no {name}", response.status()))
    };
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(
        header("referrer-policy"),
        "strict-origin-when-cross-origin",
        "{what}"
    );
    assert_eq!(header("content-security-policy"), NOT_A_PAGE, "{what}");
}

async fn every_answer_that_is_not_a_page_is_locked_down(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let url = |path: &str| format!("{}{path}", app.address);
    let gets = [
        "/health",
        "/ready",
        "/metrics",
        "/graphql?query=%7B__typename%7D",
        "/facilities.geojson",
        "/facilities.csv",
        "/map/config.json",
        "/map/assets/map.js",
        "/map/assets/nothing.js",
        "/graphiql/assets/start.js",
        "/nowhere",
    ];

    for path in gets {
        let response = app.client.get(url(path)).send().await.unwrap();
        assert_hardened(&response, path);
    }
    let post = app
        .client
        .post(url("/graphql"))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_hardened(&post, "POST /graphql");
    let refused = app
        .client
        .post(url("/graphql"))
        .bearer_auth("not-a-token")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert_hardened(&refused, "POST /graphql with a bad token");
    let preflight = app
        .client
        .request(Method::OPTIONS, url("/graphql"))
        .header("Origin", "https://partner.example.org")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_hardened(&preflight, "OPTIONS /graphql");
    let wrong_method = app.client.delete(url("/graphql")).send().await.unwrap();
    assert_hardened(&wrong_method, "DELETE /graphql");
}

on_both_databases!(every_answer_that_is_not_a_page_is_locked_down);
