//! `tokens`: the register of issued tokens, for admins.

use async_graphql::{Context, InputObject};

use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::types::connection::{listed, paginated};
use crate::graphql::types::token::{ApiTokenConnection, TokenRole, TokenStatus};
use crate::service;

/// Which tokens of the register to return. Absent or empty lists place no constraint.
#[derive(InputObject, Default, Debug)]
pub struct TokenFilter {
    /// Issued for this subject (exactly).
    pub subject: Option<String>,
    /// Of this organisation (slug).
    pub organisation: Option<String>,
    /// Of any of these roles.
    pub role: Option<Vec<TokenRole>>,
    /// In any of these states.
    pub status: Option<Vec<TokenStatus>>,
}

/// # Errors
/// `UNAUTHENTICATED` without a token, `FORBIDDEN` for anyone but admins.
pub fn require_admin(ctx: &Context<'_>, what: &str) -> Result<(), AppError> {
    context::actor(ctx)?.require_admin(what)
}

paginated! {
    /// The read of the register of tokens.
    #[derive(Default)]
    pub struct TokenQuery;

    /// The tokens issued here, newest first, a page at a time (`first` defaults
    /// to 50, at most 500); never the tokens themselves. Admins only.
    async fn tokens(
        &self,
        ctx,
        #[graphql(desc = "Which tokens to include; absent: all of them.")] filter: Option<TokenFilter>,
        args,
    ) -> ApiTokenConnection {
        require_admin(ctx, "reading the register of tokens")?;
        let filter = filter.unwrap_or_default();
        let filter = service::token::Filter {
            subject: filter.subject,
            organisation: filter.organisation,
            role: filter
                .role
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            status: filter
                .status
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        };
        listed(ctx, &filter, &args).await
    }
}
