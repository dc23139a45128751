//! `tokens`: the register of issued tokens, for admins.

use async_graphql::{Context, InputObject, Object, Result};

use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::types::connection::{listed, page_args};
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

/// The read of the register of tokens.
#[derive(Default)]
pub struct TokenQuery;

/// # Errors
/// `UNAUTHENTICATED` without a token, `FORBIDDEN` for anyone but admins.
pub fn require_admin(ctx: &Context<'_>, what: &str) -> Result<(), AppError> {
    context::actor(ctx)?.require_admin(what)
}

#[Object]
impl TokenQuery {
    /// The tokens issued here, newest first, a page at a time (`first` defaults
    /// to 50, at most 500); never the tokens themselves. Admins only.
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
    )]
    async fn tokens(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which tokens to include; absent: all of them.")] filter: Option<
            TokenFilter,
        >,
        #[graphql(
            desc = "How many items from the start, or after `after` (default 50, at most 500)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Continue after this cursor (a `pageInfo.endCursor`).")] after: Option<
            String,
        >,
        #[graphql(desc = "How many items from the end, or before `before` (at most 500).")]
        last: Option<i32>,
        #[graphql(desc = "Continue before this cursor (a `pageInfo.startCursor`).")] before: Option<
            String,
        >,
    ) -> Result<ApiTokenConnection> {
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
        listed(ctx, &filter, &page_args(first, after, last, before)).await
    }
}
