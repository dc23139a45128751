//! Bearer tokens: verifying them into a [`Caller`], and signing them for the
//! `wish-api token` command. HS256 with a shared secret by default; RS256 or
//! EdDSA with a key file as an option. Without a key, the server accepts no
//! token at all (so nobody can write), and says so at start-up.

use std::time::Duration;

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
    pub iss: String,
    pub aud: String,
}

/// Verifies tokens; built once at start-up.
pub struct Authenticator {
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("algorithms", &self.validation.algorithms)
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

fn secret(settings: &AuthSettings) -> anyhow::Result<Option<&[u8]>> {
    match settings.secret.as_deref() {
        None => Ok(None),
        Some(s) if s.len() < MIN_SECRET_BYTES => anyhow::bail!(
            "WISH_JWT_SECRET is too short: use at least {MIN_SECRET_BYTES} random bytes (for example `openssl rand -base64 48`)"
        ),
        Some(s) => Ok(Some(s.as_bytes())),
    }
}

impl Authenticator {
    /// The verifier the settings describe, or `None` when no key is configured.
    ///
    /// # Errors
    /// A secret that is too short, an unreadable or invalid key file, or an
    /// algorithm that does not fit the key.
    pub fn from_settings(settings: &AuthSettings) -> anyhow::Result<Option<Self>> {
        let algorithm = algorithm(settings);
        let decoding = match algorithm {
            Algorithm::HS256 => match secret(settings)? {
                Some(secret) => {
                    DecodingKey::from_secret(secret).context("while reading WISH_JWT_SECRET")?
                }
                None => return Ok(None),
            },
            _ => {
                let Some(path) = &settings.public_key_file else {
                    anyhow::bail!("{algorithm:?} needs a public key: set WISH_JWT_PUBLIC_KEY_FILE");
                };
                let pem = std::fs::read(path).with_context(|| {
                    format!("cannot read the public key file {}", path.display())
                })?;
                if algorithm == Algorithm::RS256 {
                    DecodingKey::from_rsa_pem(&pem)
                } else {
                    DecodingKey::from_ed_pem(&pem)
                }
                .with_context(|| {
                    format!("{} is not a PEM {algorithm:?} public key", path.display())
                })?
            }
        };
        let mut validation = Validation::new(algorithm);
        validation.leeway = settings.leeway_seconds;
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        Ok(Some(Self {
            decoding,
            validation,
        }))
    }

    /// The caller a token names, once its signature, algorithm, expiry, issuer and
    /// audience hold. Whether a partner's organisation exists is checked by the caller.
    ///
    /// # Errors
    /// `UNAUTHENTICATED`, with what was wrong.
    pub fn verify(&self, token: &str) -> Result<Caller, AppError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|err| {
                let why = match err.kind() {
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
                    ErrorKind::ImmatureSignature => "the token is not valid yet",
                    ErrorKind::Json(_) => {
                        "the token's claims are not this server's (`role` is partner, editor or admin)"
                    }
                    _ => "the token is malformed",
                };
                tracing::debug!(error = %err, "token refused");
                AppError::Unauthenticated(format!(
                    "{why}; send `Authorization: Bearer <token>` with a valid token"
                ))
            })?;
        let claims = data.claims;
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
        })
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

/// Signs a token (for `wish-api token`).
///
/// # Errors
/// No signing key configured, or signing failed.
pub fn sign(
    settings: &AuthSettings,
    sub: &str,
    role: Role,
    org: Option<&str>,
    ttl: Duration,
) -> anyhow::Result<String> {
    let algorithm = algorithm(settings);
    let key = match algorithm {
        Algorithm::HS256 => {
            let secret = secret(settings)?.context("set WISH_JWT_SECRET to sign tokens")?;
            EncodingKey::from_secret(secret)?
        }
        _ => {
            let path = settings
                .private_key_file
                .as_ref()
                .context("set WISH_JWT_PRIVATE_KEY_FILE to sign tokens with a key pair")?;
            let pem =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            if algorithm == Algorithm::RS256 {
                EncodingKey::from_rsa_pem(&pem)?
            } else {
                EncodingKey::from_ed_pem(&pem)?
            }
        }
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let claims = Claims {
        sub: sub.to_owned(),
        role,
        org: org.map(str::to_owned),
        exp: now + ttl.as_secs(),
        iat: now,
        iss: settings.issuer.clone(),
        aud: settings.audience.clone(),
    };
    Ok(jsonwebtoken::encode(
        &Header::new(algorithm),
        &claims,
        &key,
    )?)
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
            public_key_file: None,
            private_key_file: None,
            issuer: "wish-api".to_owned(),
            audience: "wish-api".to_owned(),
            leeway_seconds: 5,
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
