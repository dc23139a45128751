//! `organisation` and `organisations`: the partner organisations, for everyone.

use async_graphql::{Context, InputObject, Object, Result};

use crate::graphql::context;
use crate::graphql::types::connection::{listed, paginated};
use crate::graphql::types::organisation::{Organisation, OrganisationConnection};
use crate::service;

/// Which organisations to return.
#[derive(InputObject, Default, Debug)]
pub struct OrganisationFilter {
    /// `true`: only suspended ones; `false`: only those in good standing; absent: all.
    pub suspended: Option<bool>,
}

paginated! {
    /// `organisations`, which `OrganisationQuery` shows as its own.
    struct OrganisationList;

    /// Partner organisations by slug, a page at a time (`first` defaults to 50,
    /// at most 500). `contact` is for admins only.
    async fn organisations(
        &self,
        ctx,
        #[graphql(desc = "Which organisations to include; absent: all of them.")] filter: Option<OrganisationFilter>,
        args,
    ) -> OrganisationConnection {
        let filter = service::organisation::Filter {
            suspended: filter.unwrap_or_default().suspended,
        };
        listed(ctx, &filter, &args).await
    }
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

    /// `organisations`.
    #[graphql(flatten)]
    async fn list(&self) -> OrganisationList {
        OrganisationList
    }
}
