//! The scripts, styles and data that the pages at `/graphiql` and `/map`
//! load, served from the binary.

use actix_web::HttpResponse;

/// One file a page loads: its name, content type and bytes.
pub type Asset = (&'static str, &'static str, &'static [u8]);

/// The file `name` among `assets`, which browsers may keep for a day (a new
/// release serves a new page); `NOT_FOUND` naming the `page` otherwise.
#[must_use]
pub fn serve(assets: &[Asset], name: &str, page: &str) -> HttpResponse {
    match assets.iter().find(|(file, _, _)| *file == name) {
        Some((_, content_type, bytes)) => HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header(("Cache-Control", "public, max-age=86400"))
            .body(*bytes),
        None => HttpResponse::NotFound().json(serde_json::json!({
            "code": "NOT_FOUND", "message": format!("no such {page} asset")
        })),
    }
}
