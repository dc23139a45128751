use crate::helpers::{Backend, spawn_app};
use crate::on_both_databases;
use crate::security_headers::{assert_strict_page_policy, policy};

async fn graphiql_page_loads_only_local_assets(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = app.get("/graphiql").await;

    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(
        html.contains("SmallFacilitiesInTheLowCountries"),
        "default query is filled in"
    );
    assert!(!html.contains("__DEFAULT_TABS_JSON__"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external resource"
    );
    for asset in [
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
    ] {
        assert!(
            html.contains(&format!("/graphiql/assets/{asset}")),
            "{asset} is referenced"
        );
        let served = app.get(&format!("/graphiql/assets/{asset}")).await;
        assert_eq!(served.status(), 200, "{asset}");
        assert!(
            served.bytes().await.unwrap().len() > 1_000,
            "{asset} has content"
        );
    }
}

async fn graphiql_default_query_runs(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let data = app
        .query(api::http::graphiql::DEFAULT_QUERY, serde_json::json!({}))
        .await;

    let nodes = data["facilities"]["nodes"].as_array().unwrap();
    assert!(!nodes.is_empty());
    assert!(nodes.iter().all(|n| n["capacity"].as_i64().unwrap() <= 30));
}

/// Every example tab is a valid operation that teaches something true: the
/// reads answer without error, and the write, without a token, asks for one.
async fn every_graphiql_example_runs(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let examples = api::http::graphiql::EXAMPLES;
    assert!(examples.len() >= 7);
    for example in examples {
        let variables: serde_json::Value = example
            .variables
            .map_or(serde_json::json!({}), |v| serde_json::from_str(v).unwrap());
        let body = app.graphql(example.query, variables).await;
        if example.headers.is_some() {
            crate::helpers::assert_error_code(&body, "UNAUTHENTICATED");
        } else {
            assert!(body.get("errors").is_none(), "{}: {body:#}", example.query);
        }
    }
    let html = app.get("/graphiql").await.text().await.unwrap();
    let start = app
        .get("/graphiql/assets/start.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("UpdateCapacity") && start.contains("defaultTabs"));
}

/// The page may run only the scripts of this server, talk only to it, and not
/// be framed; it has nothing inline that its own policy would block.
async fn graphiql_page_has_a_strict_content_security_policy(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = app.get("/graphiql").await;
    let again = policy(&app.get("/graphiql").await);

    let policy = policy(&response);
    assert_strict_page_policy(&policy);
    let nonce = policy["style-src"][1].clone();
    assert!(nonce.len() > 30, "{nonce}");
    assert_ne!(again["style-src"][1], nonce, "a nonce is used once");
    assert_eq!(policy["connect-src"], ["'self'"]);
    assert_eq!(policy["img-src"], ["'self'", "data:"]);
    assert_eq!(policy["font-src"], ["'self'", "data:"]);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let html = response.text().await.unwrap();
    assert!(!html.contains("<style"), "an inline stylesheet");
    assert!(!html.contains(" style="), "an inline style");
    for script in html.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap();
        assert!(
            tag.contains(" src=\"/graphiql/assets/") || tag.contains("type=\"application/json\""),
            "an inline script: <script{tag}>"
        );
    }
    let given = nonce.trim_start_matches("'nonce-").trim_end_matches('\'');
    assert!(
        html.contains(&format!("start.js\" nonce=\"{given}\"")),
        "the page's script knows the nonce"
    );
    for asset in ["start.js", "start.css"] {
        assert!(
            html.contains(&format!("/graphiql/assets/{asset}")),
            "{asset}"
        );
        let served = app.get(&format!("/graphiql/assets/{asset}")).await;
        assert_eq!(served.status(), 200, "{asset}");
    }
}

on_both_databases!(
    graphiql_page_has_a_strict_content_security_policy,
    graphiql_page_loads_only_local_assets,
    graphiql_default_query_runs,
    every_graphiql_example_runs
);
