//! The demo map at `/map`: a page of every facility on a map of Europe, built
//! from `web/map` and served from the binary. With no tile server configured
//! it draws the country outlines it ships with, so it works offline.

use actix_web::{HttpResponse, web};

const INDEX_HTML: &[u8] = include_bytes!("../../assets/map/index.html");

/// (file name, content type, bytes) of every asset the page loads.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "map.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/map/map.js"),
    ),
    (
        "map.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/map/map.css"),
    ),
    (
        "countries.json",
        "application/json",
        include_bytes!("../../assets/map/countries.json"),
    ),
];

/// What the page reads from `/map/config.json`: where map tiles come from, if anywhere.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MapConfig {
    /// A `{z}/{x}/{y}` tile URL template; none: offline outlines only.
    pub tile_url: Option<String>,
    /// The attribution the tile provider asks for.
    pub attribution: Option<String>,
}

pub async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .body(INDEX_HTML)
}

pub async fn config(config: web::Data<MapConfig>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-cache"))
        .json(config.get_ref())
}

pub async fn asset(name: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|(file, _, _)| *file == name.as_str()) {
        Some((_, content_type, bytes)) => HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header(("Cache-Control", "public, max-age=86400"))
            .body(*bytes),
        None => HttpResponse::NotFound().json(serde_json::json!({
            "code": "NOT_FOUND", "message": "no such map asset"
        })),
    }
}
