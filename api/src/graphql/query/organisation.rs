//! `organisation` and `organisations`: the partner organisations, for everyone.

use async_graphql::{Context, InputObject, Object, Result};

use crate::graphql::context;
use crate::graphql::types::connection::{listed, page_args};
use crate::graphql::types::organisation::{Organisation, OrganisationConnection};
use crate::service;

/// Which organisations to return.
#[derive(InputObject, Default, Debug)]
pub struct OrganisationFilter {
    /// `true`: only suspended ones; `false`: only those in good standing; absent: all.
    pub suspended: Option<bool>,
}

/// The reads of organisations.
#[derive(Default)]
pub struct OrganisationQuery;

#[Object]
impl OrganisationQuery {
    /// One organisation by its slug; null when none has it.
    async fn organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's slug.")] slug: String,
    ) -> Result<Option<Organisation>> {
        let found = service::organisation::find(context::db(ctx), slug.trim()).await?;
        Ok(found.map(Into::into))
    }

    /// Partner organisations by slug, a page at a time (`first` defaults to 50,
    /// at most 500). `contact` is for admins only.
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
    )]
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which organisations to include; absent: all of them.")] filter: Option<
            OrganisationFilter,
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
    ) -> Result<OrganisationConnection> {
        let filter = service::organisation::Filter {
            suspended: filter.unwrap_or_default().suspended,
        };
        listed(ctx, &filter, &page_args(first, after, last, before)).await
    }
}
