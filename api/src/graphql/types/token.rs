//! The register of issued tokens, as admins read it: what each token is
//! for, until when, and whether it was revoked. Never the token itself.

use async_graphql::{Enum, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::api_token;
use entity::value::Role;

use super::connection::connection;
use super::record::record;
use crate::service::token::Status;

/// The role a token gives its bearer.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum TokenRole {
    /// A partner organisation: writes its own facilities and visits.
    Partner,
    /// Writes all content; reads drafts and contact details.
    Editor,
    /// Everything an editor may, and the audit log, deletes, organisations and tokens.
    Admin,
}

impl From<TokenRole> for Role {
    fn from(role: TokenRole) -> Self {
        match role {
            TokenRole::Partner => Role::Partner,
            TokenRole::Editor => Role::Editor,
            TokenRole::Admin => Role::Admin,
        }
    }
}

impl From<Role> for TokenRole {
    fn from(role: Role) -> Self {
        match role {
            Role::Partner => TokenRole::Partner,
            Role::Editor => TokenRole::Editor,
            // The register holds no token of the command line's role.
            Role::Admin | Role::System => TokenRole::Admin,
        }
    }
}

/// Whether a token of the register may still be used.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "crate::service::token::Status")]
pub enum TokenStatus {
    /// Unexpired and not revoked.
    Active,
    /// Past its `expiresAt`.
    Expired,
    /// Revoked: refused by every server within a second of `revokedAt`.
    Revoked,
}

record! {
    /// A token in the register of issued tokens (the token itself is never kept).
    ApiToken(api_token::Model)
}

connection!(ApiToken, ApiTokenConnection, ApiTokenEdge);

/// A token in the register of issued tokens (the token itself is never kept).
#[Object]
impl ApiToken {
    /// The token's id (its `jti` claim): what `revokeToken` takes.
    async fn jti(&self) -> &str {
        &self.0.jti
    }
    /// Who it is for (its `sub` claim).
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// The role it gives.
    async fn role(&self) -> TokenRole {
        self.0.role.into()
    }
    /// A partner token's organisation (slug).
    async fn organisation(&self) -> Option<&str> {
        self.0.organisation.as_deref()
    }
    /// What it is for, in the issuer's words.
    async fn label(&self) -> Option<&str> {
        self.0.label.as_deref()
    }
    /// When it was issued (its `iat`).
    async fn issued_at(&self) -> DateTime<Utc> {
        self.0.issued_at
    }
    /// When it expires (its `exp`).
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// The subject of the admin token that issued it; null when the command line did.
    async fn issued_by(&self) -> Option<&str> {
        self.0.issued_by.as_deref()
    }
    /// When it was revoked; null while it is not.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// The subject of the admin token that revoked it; null when the command line did, or while it is not revoked.
    async fn revoked_by(&self) -> Option<&str> {
        self.0.revoked_by.as_deref()
    }
    /// Whether it may still be used.
    async fn status(&self) -> TokenStatus {
        Status::of(&self.0).into()
    }
}

/// A token just issued: the token, shown this once, and its entry in the register.
#[derive(SimpleObject, Debug)]
pub struct IssueTokenPayload {
    /// The bearer token. It is not stored and cannot be shown again: hand it
    /// to its holder now, over a channel fit for a password.
    pub token: String,
    /// Its entry in the register.
    pub record: ApiToken,
}
