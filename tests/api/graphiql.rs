use crate::helpers::{Backend, spawn_app};
use crate::on_both_databases;

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
    assert!(html.contains("UpdateCapacity") && html.contains("defaultTabs"));
}

on_both_databases!(
    graphiql_page_loads_only_local_assets,
    graphiql_default_query_runs,
    every_graphiql_example_runs
);
