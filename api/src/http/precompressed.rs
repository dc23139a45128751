//! Compressed copies of cached answers, made once per answer and encoding
//! instead of once per request. Browsers always ask for gzip or brotli, and
//! the GeoJSON of every facility is megabytes: compressing it per request
//! costs tens of milliseconds of a worker, compressing it once costs that
//! once per change of the data. Requests that want a copy while it is being
//! made wait for it rather than make it again.

use std::io::Write;

use tokio::sync::OnceCell;

use actix_web::HttpRequest;
use actix_web::http::header::{AcceptEncoding, ContentEncoding, Encoding, Header};
use actix_web::web::Bytes;

/// Answers smaller than this fit a packet as they are. Above it a kept copy
/// pays: the compression middleware would otherwise compress the answer anew
/// for every request.
const WORTH_COMPRESSING: usize = 256;

/// The encodings offered, the server's preference first; identity last.
const OFFERED: [Encoding; 3] = [Encoding::brotli(), Encoding::gzip(), Encoding::identity()];

type Compressor = fn(&[u8]) -> std::io::Result<Vec<u8>>;

/// Compressed copies of one answer, each made on first demand.
#[derive(Default)]
pub struct Compressed {
    brotli: OnceCell<Bytes>,
    gzip: OnceCell<Bytes>,
}

impl Compressed {
    /// The compressed copy of `body` in the encoding the request prefers
    /// among brotli and gzip; `None` when it prefers the answer as it is.
    #[must_use]
    pub async fn choose(
        &self,
        req: &HttpRequest,
        body: &Bytes,
    ) -> Option<(ContentEncoding, Bytes)> {
        if body.len() < WORTH_COMPRESSING {
            return None;
        }
        let encoding = preferred(req)?;
        let (slot, compress): (_, Compressor) = match encoding {
            ContentEncoding::Brotli => (&self.brotli, brotli),
            ContentEncoding::Gzip => (&self.gzip, gzip),
            _ => return None,
        };
        let compressed = slot
            .get_or_try_init(|| async {
                // Megabytes take tens of milliseconds: off the HTTP worker,
                // which meanwhile serves its other connections.
                let body = body.clone();
                match actix_web::web::block(move || compress(&body)).await {
                    Ok(Ok(made)) => Ok(Bytes::from(made)),
                    _ => Err(()),
                }
            })
            .await
            .ok()?
            .clone();
        Some((encoding, compressed))
    }
}

/// The encoding the request prefers among those offered, if not identity.
fn preferred(req: &HttpRequest) -> Option<ContentEncoding> {
    let accepted = AcceptEncoding::parse(req).ok()?;
    match accepted.negotiate(OFFERED.iter())? {
        Encoding::Known(ContentEncoding::Brotli) => Some(ContentEncoding::Brotli),
        Encoding::Known(ContentEncoding::Gzip) => Some(ContentEncoding::Gzip),
        _ => None,
    }
}

/// `"abc"` becomes `"abc-br"`: a strong ETag names one representation.
#[must_use]
pub fn variant_etag(etag: &str, encoding: ContentEncoding) -> String {
    let suffix = match encoding {
        ContentEncoding::Brotli => "br",
        ContentEncoding::Gzip => "gzip",
        _ => return etag.to_owned(),
    };
    format!("{}-{suffix}\"", etag.strip_suffix('"').unwrap_or(etag))
}

fn brotli(body: &[u8]) -> std::io::Result<Vec<u8>> {
    // Quality 6 of 11: within a few percent of the best size at a fraction of its time.
    let mut writer = brotli::CompressorWriter::new(Vec::new(), 64 * 1024, 6, 22);
    writer.write_all(body)?;
    writer.flush()?;
    Ok(writer.into_inner())
}

fn gzip(body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(body)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn body() -> Bytes {
        Bytes::from(
            "{\"type\":\"Feature\",\"properties\":{\"name\":\"Huis\"}}"
                .repeat(100)
                .into_bytes(),
        )
    }

    fn accepting(encodings: &str) -> HttpRequest {
        TestRequest::default()
            .insert_header(("Accept-Encoding", encodings))
            .to_http_request()
    }

    #[actix_web::test]
    async fn the_preferred_encoding_is_chosen_and_made_once() {
        let compressed = Compressed::default();
        let req = accepting("gzip, deflate, br");
        let (encoding, first) = compressed.choose(&req, &body()).await.unwrap();
        assert_eq!(encoding, ContentEncoding::Brotli);
        assert!(first.len() < body().len() / 10);
        let (_, again) = compressed.choose(&req, &body()).await.unwrap();
        assert_eq!(again.as_ptr(), first.as_ptr(), "made once");

        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut &first[..], &mut decoded).unwrap();
        assert_eq!(decoded, body());
    }

    #[actix_web::test]
    async fn gzip_when_asked_and_nothing_when_refused_absent_or_small() {
        let compressed = Compressed::default();
        let (encoding, gzipped) = compressed
            .choose(&accepting("gzip"), &body())
            .await
            .unwrap();
        assert_eq!(encoding, ContentEncoding::Gzip);
        let mut decoded = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&gzipped[..]),
            &mut decoded,
        )
        .unwrap();
        assert_eq!(decoded, body());

        let absent = TestRequest::default().to_http_request();
        assert!(compressed.choose(&absent, &body()).await.is_none());
        assert!(
            compressed
                .choose(&accepting("br;q=0, gzip;q=0"), &body())
                .await
                .is_none()
        );
        assert!(
            compressed
                .choose(&accepting("gzip"), &Bytes::from_static(b"{\"data\":{}}"))
                .await
                .is_none()
        );
    }

    #[test]
    fn each_encoding_has_its_own_etag() {
        assert_eq!(
            variant_etag("\"abc\"", ContentEncoding::Brotli),
            "\"abc-br\""
        );
        assert_eq!(
            variant_etag("\"abc\"", ContentEncoding::Gzip),
            "\"abc-gzip\""
        );
    }
}
