//! Tokens from an identity provider: an organisation's Keycloak or Entra ID
//! issues them, and this server verifies them against the keys the provider
//! publishes as a JSON Web Key Set. A key is chosen by the token's `kid`,
//! and only with the algorithm the key is for (RS256 or EdDSA). The keys are
//! cached, read again on a schedule, and on a `kid` the cache does not know,
//! at most once per `WISH_JWKS_MIN_REFRESH`. The role and the organisation
//! come from claims the settings name.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use anyhow::Context;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use super::{Caller, refusal};
use crate::config::ProviderSettings;
use crate::error::AppError;
use entity::value::Role;

/// A key the provider publishes, with the one algorithm it verifies.
struct ProviderKey {
    key: DecodingKey,
    algorithm: Algorithm,
}

/// The provider's keys and how its claims read.
pub struct IdentityProvider {
    url: String,
    client: reqwest::Client,
    keys: RwLock<HashMap<String, Arc<ProviderKey>>>,
    /// When the key set was last asked for, successfully or not.
    asked: Mutex<Option<Instant>>,
    min_refresh: Duration,
    refresh: Duration,
    issuer: String,
    audience: String,
    leeway: u64,
    max_ttl: Duration,
    role_claim: Vec<String>,
    roles: Vec<(String, Role)>,
    organisation_claim: Vec<String>,
}

impl std::fmt::Debug for IdentityProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityProvider")
            .field("url", &self.url)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

fn path(dotted: &str) -> Vec<String> {
    dotted.split('.').map(str::to_owned).collect()
}

/// The value at a dotted path of the claims.
fn at<'a>(claims: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(claims, |value, key| value.get(key))
}

/// The algorithm a published key verifies: the one it names, if this server
/// accepts it for that kind of key, else the one its kind implies.
fn algorithm_of(jwk: &Jwk) -> Option<Algorithm> {
    let by_kind = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            Algorithm::EdDSA
        }
        _ => return None,
    };
    match jwk.common.key_algorithm {
        None => Some(by_kind),
        Some(KeyAlgorithm::RS256) if by_kind == Algorithm::RS256 => Some(by_kind),
        Some(KeyAlgorithm::EdDSA) if by_kind == Algorithm::EdDSA => Some(by_kind),
        Some(_) => None,
    }
}

impl IdentityProvider {
    /// The provider the settings describe; `None` without a JWKS URL.
    ///
    /// # Errors
    /// A URL without issuer or audience, or a role map that does not read.
    pub fn from_settings(
        settings: &ProviderSettings,
        leeway: u64,
        max_ttl: Duration,
    ) -> anyhow::Result<Option<Self>> {
        let Some(url) = settings.jwks_url.clone() else {
            return Ok(None);
        };
        let issuer = settings
            .jwks_issuer
            .clone()
            .context("WISH_JWKS_URL needs WISH_JWKS_ISSUER: the `iss` of the provider's tokens")?;
        let audience = settings.jwks_audience.clone().context(
            "WISH_JWKS_URL needs WISH_JWKS_AUDIENCE: the `aud` the provider's tokens carry for this API",
        )?;
        let mut roles = Vec::new();
        for entry in settings.role_map.iter().filter(|e| !e.trim().is_empty()) {
            let (value, role) = entry
                .split_once('=')
                .with_context(|| format!("WISH_JWKS_ROLE_MAP: `{entry}` is not `value=role`"))?;
            let role = Role::parse(role.trim())
                .filter(|r| Role::OF_TOKENS.contains(r))
                .with_context(|| {
                    format!("WISH_JWKS_ROLE_MAP: `{role}` is not partner, editor or admin")
                })?;
            roles.push((value.trim().to_owned(), role));
        }
        if roles.is_empty() {
            roles = Role::OF_TOKENS.iter().map(|r| (r.as_str(), *r)).collect();
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .context("while making the HTTP client of the identity provider")?;
        Ok(Some(Self {
            url,
            client,
            keys: RwLock::new(HashMap::new()),
            asked: Mutex::new(None),
            min_refresh: settings.jwks_min_refresh,
            refresh: settings.jwks_refresh,
            issuer,
            audience,
            leeway,
            max_ttl,
            role_claim: path(&settings.role_claim),
            roles,
            organisation_claim: path(&settings.organisation_claim),
        }))
    }

    /// Reads the key set and replaces the cached keys with it: a key the
    /// provider no longer publishes is no longer accepted.
    ///
    /// # Errors
    /// The provider did not answer with a key set.
    pub async fn fetch(&self) -> anyhow::Result<()> {
        if let Ok(mut asked) = self.asked.lock() {
            *asked = Some(Instant::now());
        }
        let set: JwkSet = self
            .client
            .get(&self.url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .with_context(|| format!("while reading the key set at {}", self.url))?
            .json()
            .await
            .with_context(|| format!("{} is not a JSON Web Key Set", self.url))?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let (Some(kid), Some(algorithm)) = (jwk.common.key_id.clone(), algorithm_of(jwk))
            else {
                continue;
            };
            match DecodingKey::from_jwk(jwk) {
                Ok(key) => {
                    keys.insert(kid, Arc::new(ProviderKey { key, algorithm }));
                }
                Err(err) => tracing::warn!(kid, error = %err, "a published key does not read"),
            }
        }
        if let Ok(mut cached) = self.keys.write() {
            *cached = keys;
        }
        Ok(())
    }

    fn cached(&self, kid: &str) -> Option<Arc<ProviderKey>> {
        self.keys.read().ok().and_then(|k| k.get(kid).cloned())
    }

    /// The key named `kid`, reading the key set again if it is unknown and
    /// the last read is old enough.
    async fn key(&self, kid: &str) -> Option<Arc<ProviderKey>> {
        if let Some(key) = self.cached(kid) {
            return Some(key);
        }
        let due = self
            .asked
            .lock()
            .map(|asked| asked.is_none_or(|at| at.elapsed() >= self.min_refresh))
            .unwrap_or(false);
        if due && let Err(err) = self.fetch().await {
            tracing::warn!(
                error = format!("{err:#}"),
                "the identity provider's keys are unreadable"
            );
        }
        self.cached(kid)
    }

    /// Reads the key set now and then on the schedule, for as long as the
    /// server holds the provider.
    pub fn watch(self: &Arc<Self>) {
        let provider: Weak<Self> = Arc::downgrade(self);
        let every = self.refresh;
        actix_web::rt::spawn(async move {
            let mut ticks = actix_web::rt::time::interval(every);
            loop {
                ticks.tick().await;
                let Some(provider) = provider.upgrade() else {
                    return;
                };
                if let Err(err) = provider.fetch().await {
                    tracing::warn!(
                        error = format!("{err:#}"),
                        "the identity provider's keys are unreadable"
                    );
                }
            }
        });
    }

    /// The caller a provider's token names.
    ///
    /// # Errors
    /// `UNAUTHENTICATED`, with what was wrong.
    pub async fn verify(&self, token: &str, kid: &str) -> Result<Caller, AppError> {
        let refused = |why: &str| {
            AppError::Unauthenticated(format!(
                "{why}; send `Authorization: Bearer <token>` with a valid token"
            ))
        };
        let Some(key) = self.key(kid).await else {
            return Err(refused(
                "the token is signed with a key (`kid`) the identity provider does not publish",
            ));
        };
        let mut validation = Validation::new(key.algorithm);
        validation.leeway = self.leeway;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<Value>(token, &key.key, &validation)
            .map_err(|err| {
                tracing::debug!(error = %err, "identity provider token refused");
                refused(refusal(err.kind()))
            })?
            .claims;
        let now = super::now_seconds();
        if let Some(iat) = claims.get("iat").and_then(Value::as_u64) {
            if iat > now.saturating_add(self.leeway) {
                return Err(refused(
                    "the token claims to be issued in the future (`iat`)",
                ));
            }
            let exp = claims
                .get("exp")
                .and_then(Value::as_u64)
                .unwrap_or(u64::MAX);
            if exp.saturating_sub(iat) > self.max_ttl.as_secs() {
                return Err(refused(
                    "the token's lifetime (`exp` - `iat`) is longer than this server accepts",
                ));
            }
        }
        let role = self.role(&claims).ok_or_else(|| {
            refused(&format!(
                "the token's `{}` claim names no role of this API",
                self.role_claim.join(".")
            ))
        })?;
        let organisation = at(&claims, &self.organisation_claim)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .filter(|o| !o.is_empty());
        if role == Role::Partner && organisation.is_none() {
            return Err(refused(&format!(
                "a partner token must name its organisation (`{}`)",
                self.organisation_claim.join(".")
            )));
        }
        Ok(Caller {
            subject: claims.get("sub").and_then(Value::as_str).map(str::to_owned),
            role: Some(role),
            organisation: organisation.filter(|_| role == Role::Partner),
            organisation_record: None,
            token_id: claims.get("jti").and_then(Value::as_str).map(str::to_owned),
            token_expiry: claims
                .get("exp")
                .and_then(Value::as_u64)
                .and_then(|exp| super::expiry(exp, self.leeway)),
        })
    }

    /// The highest role the role claim maps to (one value or a list of them).
    fn role(&self, claims: &Value) -> Option<Role> {
        let values: Vec<&str> = match at(claims, &self.role_claim)? {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => return None,
        };
        let mapped = |role: Role| {
            self.roles
                .iter()
                .any(|(value, r)| *r == role && values.contains(&value.as_str()))
        };
        [Role::Admin, Role::Editor, Role::Partner]
            .into_iter()
            .find(|r| mapped(*r))
    }
}
