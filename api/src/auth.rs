//! Bearer tokens: verifying them into a [`Caller`], and signing them for
//! `issueToken` and `wish-api token`. HS256 with a shared secret by default;
//! RS256 or EdDSA with a key file as an option. Without a key, the server
//! accepts no token at all (so nobody can write), and says so at start-up.
//! During a rotation, a previous secret or public key verifies too.

pub mod provider;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};

use crate::config::{AuthSettings, JwtAlgorithm};
use crate::error::AppError;
use entity::value::Role;

/// The caller of one request. Without a token, everything is `None`.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub subject: Option<String>,
    pub role: Option<Role>,
    /// A partner's organisation slug.
    pub organisation: Option<String>,
    /// A partner's organisation as registered, read once when the token was
    /// checked, so that a write does not read it again.
    pub organisation_record: Option<entity::organisation::Model>,
    /// The token's id, which the register of issued tokens knows it by.
    pub token_id: Option<String>,
    /// When the server stops accepting the token: the second after its `exp`
    /// plus the leeway allowed for clocks' skew. A subscription's connection
    /// is closed then (each request verifies its token anew).
    pub token_expiry: Option<SystemTime>,
}

impl Caller {
    #[must_use]
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// Editors and admins read drafts and stakeholders' contact details.
    #[must_use]
    pub fn is_editor(&self) -> bool {
        self.role.is_some_and(Role::writes_all_content)
    }

    /// Admins read organisations' contacts and the register of tokens.
    #[must_use]
    pub fn is_admin(&self) -> bool {
        self.role == Some(Role::Admin)
    }
}

/// Shortest accepted HS256 secret, in bytes (RFC 7518 asks for at least the hash size).
pub const MIN_SECRET_BYTES: usize = 32;

/// The claims of a wish-api token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    pub exp: u64,
    pub iat: u64,
    /// Not before; tokens this server signs are valid from `iat` and leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// The token's id (a UUID v7 for tokens this server signs). Optional here
    /// only so that a token without one is refused with its own reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    pub iss: String,
    pub aud: String,
}

/// Verifies tokens; built once at start-up.
pub struct Authenticator {
    /// The current key first, then the one being rotated out, if any.
    keys: Vec<DecodingKey>,
    validation: Validation,
    leeway: u64,
    max_ttl: Duration,
    /// An identity provider whose tokens (those naming a `kid`) are accepted too.
    provider: Option<Arc<provider::IdentityProvider>>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("algorithms", &self.validation.algorithms)
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

fn algorithm(settings: &AuthSettings) -> Algorithm {
    match settings.algorithm {
        JwtAlgorithm::Hs256 => Algorithm::HS256,
        JwtAlgorithm::Rs256 => Algorithm::RS256,
        JwtAlgorithm::EdDsa => Algorithm::EdDSA,
    }
}

fn checked_secret<'a>(secret: Option<&'a str>, name: &str) -> anyhow::Result<Option<&'a [u8]>> {
    match secret {
        None => Ok(None),
        Some(s) if s.len() < MIN_SECRET_BYTES => anyhow::bail!(
            "{name} is too short: use at least {MIN_SECRET_BYTES} random bytes (for example `openssl rand -base64 48`)"
        ),
        Some(s) => Ok(Some(s.as_bytes())),
    }
}

fn secret(settings: &AuthSettings) -> anyhow::Result<Option<&[u8]>> {
    checked_secret(settings.secret.as_deref(), "WISH_JWT_SECRET")
}

fn public_key(algorithm: Algorithm, path: &std::path::Path) -> anyhow::Result<DecodingKey> {
    let pem = std::fs::read(path)
        .with_context(|| format!("cannot read the public key file {}", path.display()))?;
    if algorithm == Algorithm::RS256 {
        DecodingKey::from_rsa_pem(&pem)
    } else {
        DecodingKey::from_ed_pem(&pem)
    }
    .with_context(|| format!("{} is not a PEM {algorithm:?} public key", path.display()))
}

/// A lifetime as the settings write it: whole days as `90d`.
fn describe(duration: Duration) -> String {
    const DAY: u64 = 24 * 3600;
    let seconds = duration.as_secs();
    if seconds > 0 && seconds.is_multiple_of(DAY) {
        format!("{}d", seconds / DAY)
    } else {
        humantime::format_duration(duration).to_string()
    }
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// When a token that expires at `exp` stops being accepted: verifying
/// accepts it while `exp` plus the leeway is not before the current second.
/// `None` for an expiry past what the clock holds.
fn expiry(exp: u64, leeway: u64) -> Option<SystemTime> {
    let refused_from = exp.checked_add(leeway)?.checked_add(1)?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(refused_from))
}

impl Authenticator {
    /// The verifier the settings describe, or `None` when no key is configured.
    ///
    /// # Errors
    /// A secret that is too short, an unreadable or invalid key file, or an
    /// algorithm that does not fit the key.
    pub fn from_settings(settings: &AuthSettings) -> anyhow::Result<Option<Self>> {
        let algorithm = algorithm(settings);
        let provider = provider::IdentityProvider::from_settings(
            &settings.provider,
            settings.leeway_seconds,
            settings.max_ttl,
        )?
        .map(Arc::new);
        let mut keys = Vec::new();
        if algorithm == Algorithm::HS256 {
            let Some(current) = secret(settings)? else {
                return Ok(provider.map(|provider| Self {
                    keys,
                    validation: Validation::new(algorithm),
                    leeway: settings.leeway_seconds,
                    max_ttl: settings.max_ttl,
                    provider: Some(provider),
                }));
            };
            keys.push(DecodingKey::from_secret(current).context("while reading WISH_JWT_SECRET")?);
            if let Some(previous) = checked_secret(
                settings.previous_secret.as_deref(),
                "WISH_JWT_PREVIOUS_SECRET",
            )? {
                keys.push(
                    DecodingKey::from_secret(previous)
                        .context("while reading WISH_JWT_PREVIOUS_SECRET")?,
                );
            }
        } else {
            let Some(path) = &settings.public_key_file else {
                anyhow::bail!("{algorithm:?} needs a public key: set WISH_JWT_PUBLIC_KEY_FILE");
            };
            keys.push(public_key(algorithm, path)?);
            if let Some(path) = &settings.previous_public_key_file {
                keys.push(public_key(algorithm, path)?);
            }
        }
        let mut validation = Validation::new(algorithm);
        validation.leeway = settings.leeway_seconds;
        validation.validate_nbf = true;
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        Ok(Some(Self {
            keys,
            validation,
            leeway: settings.leeway_seconds,
            max_ttl: settings.max_ttl,
            provider,
        }))
    }

    /// The identity provider, if one is configured.
    #[must_use]
    pub fn provider(&self) -> Option<&Arc<provider::IdentityProvider>> {
        self.provider.as_ref()
    }

    /// The caller any accepted token names: one of the identity provider's
    /// (its header names a `kid`) when one is configured, else one of this
    /// server's (see [`Authenticator::verify`]).
    ///
    /// # Errors
    /// `UNAUTHENTICATED`, with what was wrong.
    pub async fn identify(&self, token: &str) -> Result<Caller, AppError> {
        if let Some(provider) = &self.provider
            && let Ok(header) = jsonwebtoken::decode_header(token)
            && let Some(kid) = header.kid
        {
            return provider.verify(token, &kid).await;
        }
        if self.keys.is_empty() {
            return Err(AppError::Unauthenticated(
                "this server accepts only its identity provider's tokens, which name their key (`kid`)"
                    .to_owned(),
            ));
        }
        self.verify(token)
    }

    /// The caller a token names, once its signature, algorithm, times, issuer,
    /// audience and id hold. Whether it was revoked, and whether a partner's
    /// organisation exists and is in good standing, is checked by the caller.
    ///
    /// # Errors
    /// `UNAUTHENTICATED`, with what was wrong.
    pub fn verify(&self, token: &str) -> Result<Caller, AppError> {
        let refused = |why: &str| {
            AppError::Unauthenticated(format!(
                "{why}; send `Authorization: Bearer <token>` with a valid token"
            ))
        };
        let mut keys = self.keys.iter().peekable();
        let data = loop {
            let Some(key) = keys.next() else {
                return Err(refused("the token is malformed"));
            };
            match jsonwebtoken::decode::<Claims>(token, key, &self.validation) {
                Ok(data) => break data,
                // During a rotation, the previous key may have signed it.
                Err(err)
                    if matches!(err.kind(), ErrorKind::InvalidSignature)
                        && keys.peek().is_some() => {}
                Err(err) => {
                    tracing::debug!(error = %err, "token refused");
                    return Err(refused(refusal(err.kind())));
                }
            }
        };
        let claims = data.claims;
        self.check_times(&claims).map_err(|why| refused(&why))?;
        if claims.jti.as_deref().is_none_or(str::is_empty) {
            return Err(refused(
                "the token has no id (`jti`); tokens issued before ids were introduced are no longer accepted: ask an admin for a new one",
            ));
        }
        let role = claims.role;
        if !Role::OF_TOKENS.contains(&role) {
            return Err(AppError::Unauthenticated(
                "the token's role is the command line's; a token is partner, editor or admin"
                    .to_owned(),
            ));
        }
        if role == Role::Partner && claims.org.as_deref().is_none_or(str::is_empty) {
            return Err(AppError::Unauthenticated(
                "a partner token must name its organisation (`org`)".to_owned(),
            ));
        }
        Ok(Caller {
            subject: Some(claims.sub),
            role: Some(role),
            organisation: claims.org,
            organisation_record: None,
            token_id: claims.jti,
            token_expiry: expiry(claims.exp, self.leeway),
        })
    }

    /// What the library does not check: `iat` in the future, and a lifetime
    /// past the cap (which also catches an `exp` at the end of time).
    fn check_times(&self, claims: &Claims) -> Result<(), String> {
        let now = now_seconds();
        if claims.iat > now.saturating_add(self.leeway) {
            return Err("the token claims to be issued in the future (`iat`)".to_owned());
        }
        let lifetime = claims.exp.saturating_sub(claims.iat);
        if lifetime > self.max_ttl.as_secs() {
            return Err(format!(
                "the token's lifetime (`exp` - `iat`) is longer than this server accepts ({})",
                describe(self.max_ttl)
            ));
        }
        Ok(())
    }
}

/// Why the library refused a token, as the caller is told.
fn refusal(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ExpiredSignature => "the token has expired",
        ErrorKind::InvalidSignature => "the token's signature is wrong",
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
            "the token is signed with an algorithm this server does not accept"
        }
        ErrorKind::InvalidIssuer => "the token is from another issuer",
        ErrorKind::InvalidAudience => "the token is for another audience",
        ErrorKind::MissingRequiredClaim(_) => {
            "the token lacks a required claim (sub, exp, iat, iss, aud)"
        }
        ErrorKind::ImmatureSignature => "the token is not valid yet (`nbf`)",
        ErrorKind::InvalidClaimFormat(_) => {
            "a time or name claim of the token is malformed (`exp`, `nbf` and `iat` are whole seconds)"
        }
        ErrorKind::Json(_) => {
            "the token's claims are not this server's (`role` is partner, editor or admin; `exp`, `nbf` and `iat` are whole seconds)"
        }
        _ => "the token is malformed",
    }
}

/// Reads the bearer token of an `Authorization` header value.
///
/// # Errors
/// `UNAUTHENTICATED` when the header is not `Bearer <token>`.
pub fn bearer(header: &str) -> Result<&str, AppError> {
    let mut parts = header.trim().splitn(2, ' ');
    match (parts.next(), parts.next()) {
        (Some(scheme), Some(token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(AppError::Unauthenticated(
            "the Authorization header must be `Bearer <token>`".to_owned(),
        )),
    }
}

/// Signs tokens with the configured key; built once, where tokens are issued.
pub struct Signer {
    key: EncodingKey,
    algorithm: Algorithm,
    issuer: String,
    audience: String,
    max_ttl: Duration,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// The signer the settings describe, or `None` when they hold no signing
    /// key (a server with only a public key verifies, and issues nothing).
    ///
    /// # Errors
    /// A secret that is too short, an unreadable or invalid private key.
    pub fn from_settings(settings: &AuthSettings) -> anyhow::Result<Option<Self>> {
        let algorithm = algorithm(settings);
        let key = match algorithm {
            Algorithm::HS256 => match secret(settings)? {
                Some(secret) => {
                    EncodingKey::from_secret(secret).context("while reading WISH_JWT_SECRET")?
                }
                None => return Ok(None),
            },
            _ => {
                let Some(path) = settings.private_key_file.as_ref() else {
                    return Ok(None);
                };
                let pem = std::fs::read(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                if algorithm == Algorithm::RS256 {
                    EncodingKey::from_rsa_pem(&pem)
                } else {
                    EncodingKey::from_ed_pem(&pem)
                }
                .with_context(|| {
                    format!("{} is not a PEM {algorithm:?} private key", path.display())
                })?
            }
        };
        Ok(Some(Self {
            key,
            algorithm,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            max_ttl: settings.max_ttl,
        }))
    }

    /// The longest lifetime a token may have.
    #[must_use]
    pub fn max_ttl(&self) -> Duration {
        self.max_ttl
    }

    /// The claims of a new token, with a new id, valid from now for `ttl`.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` on `ttl` when it is zero or longer than the cap.
    pub fn claims(
        &self,
        sub: &str,
        role: Role,
        org: Option<&str>,
        ttl: Duration,
    ) -> Result<Claims, AppError> {
        if ttl.is_zero() || ttl > self.max_ttl {
            return Err(AppError::bad_input(
                "ttl",
                format!(
                    "a token lives for some time and at most {} (the server's WISH_JWT_MAX_TTL); got {}",
                    describe(self.max_ttl),
                    describe(ttl)
                ),
            ));
        }
        let now = now_seconds();
        Ok(Claims {
            sub: sub.to_owned(),
            role,
            org: org.map(str::to_owned),
            exp: now.saturating_add(ttl.as_secs()),
            iat: now,
            nbf: None,
            jti: Some(uuid::Uuid::now_v7().to_string()),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        })
    }

    /// The signed token of `claims`.
    ///
    /// # Errors
    /// Signing failed (it does not with a key that loaded).
    pub fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        jsonwebtoken::encode(&Header::new(self.algorithm), claims, &self.key)
            .context("while signing a token")
    }
}

/// Signs a token with a new id, without recording it: for tests and tools
/// that need a token the server accepts (`wish-api token` records its tokens).
///
/// # Errors
/// No signing key configured, a lifetime past the cap, or signing failed.
pub fn sign(
    settings: &AuthSettings,
    sub: &str,
    role: Role,
    org: Option<&str>,
    ttl: Duration,
) -> anyhow::Result<String> {
    let signer = Signer::from_settings(settings)?.context(
        "set WISH_JWT_SECRET (or WISH_JWT_PRIVATE_KEY_FILE for a key pair) to sign tokens",
    )?;
    let claims = signer
        .claims(sub, role, org, ttl)
        .map_err(|e| anyhow::anyhow!(e.public_message()))?;
    signer.sign(&claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_reads_the_token() {
        assert_eq!(bearer("Bearer abc.def.ghi").ok(), Some("abc.def.ghi"));
        assert_eq!(bearer("bearer   abc").ok(), Some("abc"));
        assert!(bearer("Basic dXNlcjpwYXNz").is_err());
        assert!(bearer("Bearer ").is_err());
    }
}

/// Generated headers and tokens: reading them never panics, and every refusal is `UNAUTHENTICATED`.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::{Authenticator, bearer};
    use crate::config::{AuthSettings, JwtAlgorithm};
    use crate::error::code;

    fn authenticator() -> Authenticator {
        Authenticator::from_settings(&AuthSettings {
            secret: Some("a-secret-for-generated-tests-0123456789abcdef".to_owned()),
            algorithm: JwtAlgorithm::Hs256,
            ..AuthSettings::defaults()
        })
        .ok()
        .flatten()
        .expect("an authenticator")
    }

    proptest! {
        #[test]
        fn any_authorization_header_is_read_or_refused(header in ".{0,300}") {
            if let Err(err) = bearer(&header) {
                prop_assert_eq!(err.code(), code::UNAUTHENTICATED);
            }
        }

        #[test]
        fn any_token_shaped_text_is_refused_cleanly(
            header in "[A-Za-z0-9_-]{0,60}", claims in "[A-Za-z0-9_-]{0,120}", signature in "[A-Za-z0-9_-]{0,60}",
        ) {
            let token = format!("{header}.{claims}.{signature}");
            let err = authenticator().verify(&token).err();
            prop_assert_eq!(err.map(|e| e.code()), Some(code::UNAUTHENTICATED));
        }

        #[test]
        fn any_header_json_is_refused_cleanly(json in "\\{(\"(alg|typ|kid|jku|crit)\":\"[A-Za-z0-9]{0,8}\",?){0,4}\\}") {
            use base64::Engine;
            let encode = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
            let token = format!("{}.{}.{}", encode(&json), encode("{\"sub\":\"x\"}"), encode("sig"));
            let err = authenticator().verify(&token).err();
            prop_assert_eq!(err.map(|e| e.code()), Some(code::UNAUTHENTICATED));
        }
    }
}
