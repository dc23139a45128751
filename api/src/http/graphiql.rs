//! GraphiQL, served from the binary with its scripts and styles: it works with
//! no internet, and nothing is loaded from elsewhere.

use actix_web::{HttpResponse, web};

const INDEX_HTML: &str = include_str!("../../assets/graphiql/index.html");

/// (file name, content type, bytes) of every asset the page loads.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    ),
];

/// What GraphiQL opens with: a filtered first page of facilities.
pub const DEFAULT_QUERY: &str = r#"# Welcome to wish-api: small-scale detention facilities in Europe.
# Press the run button (or Ctrl-Enter). Open "Docs" for every type and field.

query SmallFacilitiesInTheLowCountries {
  facilities(
    filter: { countryCode: ["BE", "NL"], status: [OPEN], capacityMax: 30 }
    orderBy: [NAME_ASC]
    first: 10
  ) {
    totalCount
    nodes {
      name
      city
      countryCode
      facilityType
      capacity
      latitude
      longitude
      sourceUrl
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
"#;

/// The page with the default query filled in, made once at start-up.
#[must_use]
pub fn render_page() -> String {
    // JSON inside a <script> element: `<` is escaped so the text cannot close the element.
    let json = serde_json::to_string(DEFAULT_QUERY)
        .unwrap_or_else(|_| "\"\"".to_owned())
        .replace('<', "\\u003c");
    INDEX_HTML.replace("__DEFAULT_QUERY_JSON__", &json)
}

pub async fn page(page: web::Data<GraphiqlPage>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .body(page.0.clone())
}

/// The rendered page, shared by all workers.
pub struct GraphiqlPage(pub String);

pub async fn asset(name: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|(file, _, _)| *file == name.as_str()) {
        Some((_, content_type, bytes)) => HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header(("Cache-Control", "public, max-age=86400"))
            .body(*bytes),
        None => HttpResponse::NotFound().json(serde_json::json!({
            "code": "NOT_FOUND", "message": "no such GraphiQL asset"
        })),
    }
}
