//! Rate limits: a token bucket per bearer token and, for anonymous callers,
//! per client address. Health, readiness and metrics are never limited, so
//! that probes and scrapers keep working when a caller floods the API.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, RETRY_AFTER};
use actix_web::middleware::Next;
use actix_web::web;
use sha2::{Digest, Sha256};

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
    /// Take the client address from `X-Forwarded-For` (behind a trusted proxy).
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
    let Some(limiter) = req.app_data::<web::Data<RateLimiter>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if EXEMPT.contains(&req.path()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let rates = limiter.rates;
    let (key, per_minute) = match req.headers().get(AUTHORIZATION) {
        // Keyed by a digest of the header, so that no token is kept in memory as such.
        Some(header) => (
            Sha256::digest([b"token:".as_slice(), header.as_bytes()].concat()).into(),
            rates.token_per_minute,
        ),
        None => {
            let info = req.connection_info();
            let address = if rates.trust_forwarded_for {
                info.realip_remote_addr()
            } else {
                info.peer_addr()
            }
            .unwrap_or("unknown")
            .to_owned();
            // The address without its port: one client, however many connections.
            let host = address
                .rsplit_once(':')
                .filter(|(h, _)| !h.ends_with(']') || h.starts_with('['))
                .map_or(address.as_str(), |(h, _)| h)
                .to_owned();
            (
                Sha256::digest([b"address:".as_slice(), host.as_bytes()].concat()).into(),
                rates.anonymous_per_minute,
            )
        }
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
