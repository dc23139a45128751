//! `issueToken` and `revokeToken` (admins): onboarding a caller through the
//! API, and cutting one off.

use async_graphql::{Context, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use crate::error::{AppError, Problem};
use crate::graphql::context;
use crate::graphql::types::token::{ApiToken, IssueTokenPayload, TokenRole};
use crate::service;
use crate::service::token::Register;

/// Lifetime of a token when the input gives neither `ttl` nor `expiresAt`.
const DEFAULT_TTL: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

/// A token to issue.
#[derive(InputObject, Debug)]
pub struct IssueTokenInput {
    /// Who it is for (its `sub` claim): an e-mail address or a service's name.
    pub subject: String,
    /// The role it gives.
    pub role: TokenRole,
    /// A partner token's organisation (slug); it must exist and not be suspended.
    /// Only partner tokens name one.
    pub organisation: Option<String>,
    /// How long it is valid: `30d`, `12h`, `1week`. At most the server's
    /// `WISH_JWT_MAX_TTL` (90 days by default). Give this or `expiresAt`;
    /// with neither, 30 days.
    pub ttl: Option<String>,
    /// Until when it is valid, instead of `ttl`.
    pub expires_at: Option<DateTime<Utc>>,
    /// What it is for, shown in the register (at most 200 characters).
    pub label: Option<String>,
}

impl IssueTokenInput {
    fn lifetime(&self) -> Result<std::time::Duration, AppError> {
        match (&self.ttl, self.expires_at) {
            (Some(_), Some(_)) => Err(AppError::Invalid(vec![Problem {
                field: "input.expiresAt".to_owned(),
                message: "give `ttl` or `expiresAt`, not both".to_owned(),
            }])),
            (Some(ttl), None) => crate::config::duration(ttl.trim())
                .map_err(|message| AppError::bad_input("input.ttl", message)),
            (None, Some(at)) => (at - Utc::now())
                .to_std()
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| AppError::bad_input("input.expiresAt", "must be in the future")),
            (None, None) => Ok(DEFAULT_TTL),
        }
    }
}

fn register<'a>(ctx: &Context<'a>) -> Result<&'a Register, AppError> {
    ctx.data::<Register>()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("the schema carries no token register")))
}

/// The writes of the register of tokens.
#[derive(Default)]
pub struct TokenMutation;

#[Object]
impl TokenMutation {
    /// Issues a token and records it in the register (admins). The answer
    /// holds the token this once: it is not stored. An unknown or suspended
    /// organisation, a lifetime past the cap, or a partner token without an
    /// organisation is `BAD_USER_INPUT`.
    async fn issue_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What the token is for.")] input: IssueTokenInput,
    ) -> Result<IssueTokenPayload> {
        let actor = context::actor(ctx)?;
        actor.require_admin("issuing tokens")?;
        let register = register(ctx)?;
        let Some(signer) = &register.signer else {
            return Err(AppError::Conflict(
                "this server holds no signing key (it verifies tokens with a public key only): issue tokens where WISH_JWT_SECRET or WISH_JWT_PRIVATE_KEY_FILE is set".to_owned(),
            )
            .into());
        };
        let ttl = input.lifetime()?;
        let issued = service::token::issue(
            context::db(ctx),
            signer,
            service::token::Request {
                subject: input.subject,
                role: input.role.into(),
                organisation: input.organisation.map(|o| o.trim().to_owned()),
                ttl,
                label: input.label,
            },
            actor.subject,
        )
        .await?;
        Ok(IssueTokenPayload {
            token: issued.token,
            record: issued.record.into(),
        })
    }

    /// Revokes a token (admins): every server refuses it within a second, with
    /// `UNAUTHENTICATED`. Revoking a revoked token changes nothing; an id the
    /// register does not hold is `NOT_FOUND`.
    async fn revoke_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token's id (`jti`), as `tokens` lists it.")] jti: String,
    ) -> Result<ApiToken> {
        let actor = context::actor(ctx)?;
        actor.require_admin("revoking tokens")?;
        let db = context::db(ctx);
        let revoked = service::token::revoke(db, &jti, actor.subject).await?;
        register(ctx)?.changed(db).await;
        Ok(revoked.into())
    }
}
