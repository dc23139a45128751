//! The demo map at `/map`: a page of every facility on a map of Europe, built
//! from `web/map` and served from the binary. With no tile server configured
//! it draws the country outlines it ships with, so it works offline.

use actix_web::http::header::CONTENT_SECURITY_POLICY;
use actix_web::{HttpResponse, web};

use super::asset::{self, Asset};

const INDEX_HTML: &[u8] = include_bytes!("../../assets/map/index.html");

/// Every asset the page loads.
const ASSETS: &[Asset] = &[
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

pub async fn page(state: web::Data<super::AppState>) -> HttpResponse {
    let config = &state.map;
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header((CONTENT_SECURITY_POLICY, policy(config.tile_url.as_deref())))
        .body(INDEX_HTML)
}

/// The page's Content-Security-Policy: scripts and style sheets from this
/// server only, images and data from it and from the tile server (exactly its
/// origins), and no framing. The markers and clusters colour themselves with
/// `style` attributes in the HTML they are built from, hence
/// `style-src-attr 'unsafe-inline'`: an attribute cannot load anything (images
/// stay bound by `img-src`) nor select elements, and `<style>` stays refused.
#[must_use]
pub fn policy(tile_url: Option<&str>) -> String {
    let tiles: String = tile_url
        .map(tile_origins)
        .unwrap_or_default()
        .iter()
        .map(|origin| format!(" {origin}"))
        .collect();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:{tiles}; connect-src 'self'{tiles}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

/// The origins a tile URL template loads from. Leaflet fills `{s}` with its
/// default subdomains `a`, `b` and `c`, which the page does not change: those
/// three, rather than a wildcard that would allow any. An unreadable template
/// has none, so its tiles are refused rather than the policy loosened.
fn tile_origins(template: &str) -> Vec<String> {
    let mut origins: Vec<String> = ["a", "b", "c"]
        .iter()
        .filter_map(|subdomain| {
            let url = url::Url::parse(&template.replace("{s}", subdomain)).ok()?;
            let origin = url.origin();
            (matches!(url.scheme(), "http" | "https") && origin.is_tuple())
                .then(|| origin.ascii_serialization())
        })
        .collect();
    origins.dedup();
    origins
}

pub async fn config(state: web::Data<super::AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-cache"))
        .json(&state.map)
}

pub async fn asset(name: web::Path<String>) -> HttpResponse {
    asset::serve(ASSETS, &name, "map")
}

#[cfg(test)]
mod tests {
    use super::{policy, tile_origins};

    #[test]
    fn tile_origins_are_exactly_those_of_the_template() {
        assert_eq!(
            tile_origins("https://tiles.example.org/{z}/{x}/{y}.png"),
            ["https://tiles.example.org"]
        );
        assert_eq!(
            tile_origins("https://{s}.tile.example.org:8443/{z}/{x}/{y}{r}.png"),
            [
                "https://a.tile.example.org:8443",
                "https://b.tile.example.org:8443",
                "https://c.tile.example.org:8443"
            ]
        );
        assert!(tile_origins("javascript:alert(1)//{z}").is_empty());
        assert!(tile_origins("not a url; script-src *").is_empty());
        assert!(tile_origins("data:image/png,{z}").is_empty());
    }

    #[test]
    fn policy_without_tiles_allows_this_server_only() {
        let policy = policy(None);
        assert!(policy.contains("img-src 'self' data:;"), "{policy}");
        assert!(policy.contains("connect-src 'self';"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    }
}
