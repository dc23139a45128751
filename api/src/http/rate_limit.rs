//! Rate limits: a token bucket per caller. A caller is whom a verified bearer
//! token names or, without one, the client's address. An `Authorization`
//! header that does not verify counts as none, so that made-up tokens or a
//! token written differently never open buckets of their own. Health,
//! readiness and metrics are never limited, so that probes and scrapers keep
//! working when a caller floods the API.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, FORWARDED, HeaderMap, HeaderName, RETRY_AFTER};
use actix_web::middleware::Next;
use actix_web::web;
use sha2::{Digest, Sha256};

use super::AppState;
use crate::auth::{Authenticator, bearer};
use crate::error::code;

/// Paths that are never limited.
const EXEMPT: [&str; 3] = ["/health", "/ready", "/metrics"];

/// Buckets kept before idle ones are dropped.
const MAX_BUCKETS: usize = 100_000;

/// Requests per minute, for each kind of caller; 0 turns a limit off.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    pub anonymous_per_minute: u32,
    pub token_per_minute: u32,
    /// Take the client address from the entry a trusted proxy appended to
    /// `X-Forwarded-For` (or `Forwarded`).
    pub trust_forwarded_for: bool,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Every caller's bucket.
pub struct RateLimiter {
    rates: Rates,
    buckets: Mutex<HashMap<[u8; 32], Bucket>>,
}

impl RateLimiter {
    #[must_use]
    pub fn new(rates: Rates) -> Self {
        Self {
            rates,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket: `Ok`, or the seconds until one is free.
    /// A bucket holds ten seconds' worth of requests (at least one), so short bursts pass.
    fn take(&self, key: [u8; 32], per_minute: u32) -> Result<(), u64> {
        let rate = f64::from(per_minute) / 60.0;
        let capacity = (rate * 10.0).max(1.0);
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() >= MAX_BUCKETS {
            // Drop the buckets that have refilled: their callers lose nothing.
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.updated).as_secs_f64() * rate < capacity
            });
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.updated).as_secs_f64() * rate).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / rate).ceil().max(1.0) as u64)
        }
    }
}

/// Refuses a request over its caller's rate with `429`, `Retry-After` and `RATE_LIMITED`.
///
/// # Errors
/// Whatever the inner service returns.
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let limiter = &state.limiter;
    let rates = limiter.rates;
    let unlimited = rates.anonymous_per_minute == 0 && rates.token_per_minute == 0;
    if unlimited || EXEMPT.contains(&req.path()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let authenticator = state.authenticator.as_ref();
    let identity = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|header| header.to_str().ok())
        .zip(authenticator)
        .and_then(|(header, authenticator)| identity_key(authenticator, header));
    let (key, per_minute) = match identity {
        Some(key) => (key, rates.token_per_minute),
        None => (
            address_key(client_address(req.request(), rates.trust_forwarded_for)),
            rates.anonymous_per_minute,
        ),
    };
    if per_minute == 0 {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    match limiter.take(key, per_minute) {
        Ok(()) => Ok(next.call(req).await?.map_into_boxed_body()),
        Err(retry_after) => {
            let response = actix_web::HttpResponse::build(StatusCode::TOO_MANY_REQUESTS)
                .insert_header((RETRY_AFTER, retry_after.to_string()))
                .json(serde_json::json!({
                    "errors": [{
                        "message": format!("too many requests: the limit is {per_minute} a minute; try again in {retry_after} s"),
                        "extensions": { "code": code::RATE_LIMITED }
                    }]
                }));
            Ok(req.into_response(response).map_into_boxed_body())
        }
    }
}

/// The bucket of whom a valid token names: its subject, role and
/// organisation (the issuer is this server's, or the token would not
/// verify), never the header's bytes, which a holder can vary at will (case,
/// spaces, a new token for the same identity). `None`: the header is not a
/// token this server accepts.
fn identity_key(authenticator: &Authenticator, header: &str) -> Option<[u8; 32]> {
    let caller = authenticator.verify(bearer(header).ok()?).ok()?;
    let role = caller.role.map(|r| r.as_str()).unwrap_or_default();
    let mut digest = Sha256::new();
    digest.update(b"identity");
    for part in [
        caller.subject.as_deref().unwrap_or(""),
        role.as_str(),
        caller.organisation.as_deref().unwrap_or(""),
    ] {
        // Length-prefixed, so that no two identities run together into one key.
        digest.update((part.len() as u64).to_le_bytes());
        digest.update(part.as_bytes());
    }
    Some(digest.finalize().into())
}

/// The bucket of a client address; IPv6 clients by their /64, the block one
/// subscriber usually holds whole, so that stepping through it gains nothing.
fn address_key(address: Option<IpAddr>) -> [u8; 32] {
    let text = match address.map(|a| a.to_canonical()) {
        Some(IpAddr::V6(v6)) => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            format!("{}/64", std::net::Ipv6Addr::from(segments))
        }
        Some(v4) => v4.to_string(),
        None => "unknown".to_owned(),
    };
    Sha256::digest([b"address:".as_slice(), text.as_bytes()].concat()).into()
}

/// The client's address: the peer's, or, behind a trusted proxy, the one
/// that proxy appended. What the proxy passes on from further left was
/// written by the client and is never read.
pub fn client_address(req: &actix_web::HttpRequest, trust_forwarded_for: bool) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip());
    if !trust_forwarded_for {
        return peer;
    }
    proxied_address(req.headers()).or(peer)
}

/// The rightmost `X-Forwarded-For` entry or, when there is no such header,
/// the `for=` of the last `Forwarded` element (RFC 7239, section 5.2). Most
/// proxies set `X-Forwarded-For` and pass a client's `Forwarded` on as it
/// came, so `X-Forwarded-For` wins when both are there. `None` when the entry
/// is not an address (`unknown`, an obfuscated name): the peer's is used.
fn proxied_address(headers: &HeaderMap) -> Option<IpAddr> {
    let x_forwarded_for = HeaderName::from_static("x-forwarded-for");
    // A proxy may append a header line of its own rather than extend the last one.
    if let Some(line) = headers.get_all(&x_forwarded_for).last() {
        let entry = line.to_str().ok()?.rsplit(',').next()?;
        return node_address(entry);
    }
    let line = headers.get_all(FORWARDED).last()?.to_str().ok()?;
    let element = line.rsplit(',').next()?;
    let node = element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim().eq_ignore_ascii_case("for").then_some(value)
    })?;
    node_address(node)
}

/// The address of a node: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]:4711`, quoted or not.
fn node_address(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"');
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    node.parse().ok().or_else(|| {
        let (host, port) = node.rsplit_once(':')?;
        port.parse::<u16>().ok()?;
        host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
    })
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    fn ip(text: &str) -> Option<IpAddr> {
        text.parse().ok()
    }

    #[test]
    fn node_address_reads_every_form_of_rfc_7239() {
        assert_eq!(node_address("192.0.2.60"), ip("192.0.2.60"));
        assert_eq!(node_address(" 192.0.2.60:4711 "), ip("192.0.2.60"));
        assert_eq!(
            node_address("\"[2001:db8:cafe::17]:4711\""),
            ip("2001:db8:cafe::17")
        );
        assert_eq!(node_address("[2001:db8::1]"), ip("2001:db8::1"));
        assert_eq!(node_address("2001:db8::1"), ip("2001:db8::1"));
        assert_eq!(node_address("unknown"), None);
        assert_eq!(node_address("_hidden"), None);
        assert_eq!(node_address(""), None);
    }

    #[test]
    fn proxied_address_takes_what_the_proxy_appended() {
        let spoofed = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7")]);
        assert_eq!(proxied_address(&spoofed), ip("198.51.100.7"));
        let two_lines = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "198.51.100.7"),
        ]);
        assert_eq!(proxied_address(&two_lines), ip("198.51.100.7"));
        let forwarded = headers(&[(
            "forwarded",
            "for=6.6.6.6;proto=https, For=\"[2001:db8::9]:443\";by=10.0.0.1",
        )]);
        assert_eq!(proxied_address(&forwarded), ip("2001:db8::9"));
        // With both, the client may have written either; most proxies set X-Forwarded-For.
        let both = headers(&[
            ("forwarded", "for=6.6.6.6"),
            ("x-forwarded-for", "198.51.100.7"),
        ]);
        assert_eq!(proxied_address(&both), ip("198.51.100.7"));
        // A last entry that is no address never falls back to the client's.
        let garbled = headers(&[("x-forwarded-for", "6.6.6.6, unknown")]);
        assert_eq!(proxied_address(&garbled), None);
        let no_for = headers(&[("forwarded", "for=6.6.6.6, proto=https")]);
        assert_eq!(proxied_address(&no_for), None);
    }

    #[test]
    fn address_key_groups_an_ipv6_slash_64_and_mapped_ipv4() {
        assert_eq!(
            address_key(ip("2001:db8:1:2:aaaa::1")),
            address_key(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            address_key(ip("2001:db8:1:2::1")),
            address_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(
            address_key(ip("::ffff:192.0.2.1")),
            address_key(ip("192.0.2.1"))
        );
        assert_ne!(address_key(ip("192.0.2.1")), address_key(ip("192.0.2.2")));
    }
}
