//! The demo map page and its assets, served from the binary.

use serde_json::{Value, json};

use crate::helpers::{Backend, serve_settings, spawn_app, spawn_app_with};
use crate::on_both_databases;
use crate::security_headers::{assert_strict_page_policy, policy};

async fn the_map_page_and_every_asset_it_loads_are_served(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let page = app.get("/map").await;
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let policy = policy(&page);
    assert_strict_page_policy(&policy);
    assert_eq!(policy["img-src"], ["'self'", "data:"], "no tile server");
    assert_eq!(policy["connect-src"], ["'self'"], "no tile server");
    assert_eq!(
        policy["style-src-attr"],
        ["'unsafe-inline'"],
        "the markers' colours"
    );
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page loads nothing from elsewhere"
    );
    assert!(
        !html.contains("<style") && !html.contains(" style="),
        "inline styles"
    );
    assert_eq!(html.matches("<script").count(), 1, "one script");
    assert!(html.contains("<script src=\"/map/assets/map.js\">"));

    for (asset, content_type) in [
        ("/map/assets/map.js", "text/javascript"),
        ("/map/assets/map.css", "text/css"),
        ("/map/assets/countries.json", "application/json"),
    ] {
        let response = app.get(asset).await;
        assert_eq!(response.status(), 200, "{asset}");
        let served = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(served.starts_with(content_type), "{asset}: {served}");
        if asset.ends_with("map.js") || asset.ends_with("map.css") {
            assert!(html.contains(asset), "the page loads {asset}");
        }
    }
    let outlines: Value = app
        .get("/map/assets/countries.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(outlines["type"], "FeatureCollection");
    assert_eq!(app.get("/map/assets/../Cargo.toml").await.status(), 404);
    assert_eq!(app.get("/map/assets/nothing.js").await.status(), 404);

    let config: Value = app.get("/map/config.json").await.json().await.unwrap();
    assert_eq!(config, json!({ "tileUrl": null, "attribution": null }));
}

async fn a_tile_server_can_be_configured(backend: Backend) {
    let settings = api::config::ServeSettings {
        map_tile_url: Some("https://tiles.example.org/{z}/{x}/{y}.png".to_owned()),
        map_attribution: Some("© Example".to_owned()),
        ..serve_settings()
    };
    let Some(app) = spawn_app_with(backend, settings).await else {
        return;
    };
    let config: Value = app.get("/map/config.json").await.json().await.unwrap();
    assert_eq!(
        config,
        json!({ "tileUrl": "https://tiles.example.org/{z}/{x}/{y}.png", "attribution": "© Example" })
    );
    // The tile server's origin, and only it, is allowed besides this server.
    let policy = policy(&app.get("/map").await);
    assert_strict_page_policy(&policy);
    assert_eq!(
        policy["img-src"],
        ["'self'", "data:", "https://tiles.example.org"]
    );
    assert_eq!(
        policy["connect-src"],
        ["'self'", "https://tiles.example.org"]
    );
}

/// Leaflet fills `{s}` with `a`, `b` or `c`: those three origins are allowed, not a wildcard.
async fn a_tile_server_with_subdomains_is_allowed_exactly(backend: Backend) {
    let settings = api::config::ServeSettings {
        map_tile_url: Some("https://{s}.tile.example.org/{z}/{x}/{y}.png".to_owned()),
        ..serve_settings()
    };
    let Some(app) = spawn_app_with(backend, settings).await else {
        return;
    };

    let policy = policy(&app.get("/map").await);

    assert_strict_page_policy(&policy);
    let origins = [
        "https://a.tile.example.org",
        "https://b.tile.example.org",
        "https://c.tile.example.org",
    ];
    assert_eq!(policy["img-src"][2..], origins);
    assert_eq!(policy["connect-src"][1..], origins);
}

on_both_databases!(
    the_map_page_and_every_asset_it_loads_are_served,
    a_tile_server_can_be_configured,
    a_tile_server_with_subdomains_is_allowed_exactly,
);
