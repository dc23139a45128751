//! `resource` and `resources`: the knowledge library, by id or a page at a time.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use entity::resource;

use super::workshop::workshop_id;
use super::{by_id, list};
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::Kind;
use crate::graphql::types::connection::{fetched, paginated, wants_total};
use crate::graphql::types::facility::EcosystemDimension;
use crate::graphql::types::resource::{Resource, ResourceConnection, ResourceKind};
use crate::service;

/// Which resources to return. Every field narrows the list; a list field
/// matches a resource that has any of its values; absent or empty lists
/// place no constraint.
#[derive(InputObject, Default, Debug)]
pub struct ResourceFilter {
    /// Of these kinds.
    pub kind: Option<Vec<ResourceKind>>,
    /// About any of these ecosystem dimensions.
    pub dimension: Option<Vec<EcosystemDimension>>,
    /// Existing in any of these languages (ISO 639-1 codes: `en`, `nl`, `de`, ...).
    pub language: Option<Vec<String>>,
    /// Linked to a facility or a knowledge workshop of any of these countries
    /// (ISO 3166-1 alpha-2 codes).
    pub country_code: Option<Vec<String>>,
    /// Of this knowledge workshop (its key: `be`, `fr`, `nl` or `eu`).
    pub workshop: Option<String>,
    /// Treating any of these competences of relational security (their keys: `de-escalation`, ...).
    pub competence: Option<Vec<String>>,
    /// Published in or after this year (undated works are left out).
    pub year_from: Option<i32>,
    /// Published in or before this year (undated works are left out).
    pub year_to: Option<i32>,
    /// Every word appears in a title, a summary, the publisher or an
    /// organisation among the authors, ignoring case and accents (authors
    /// who are people are not searched: their names are theirs to make public).
    pub text: Option<String>,
}

impl ResourceFilter {
    /// The filter the service applies, with the workshop's key looked up.
    async fn resolve(self, ctx: &Context<'_>) -> Result<service::resource::Filter, AppError> {
        Ok(service::resource::Filter {
            kind: list(self.kind),
            dimension: list(self.dimension),
            language: self.language.unwrap_or_default(),
            country_code: self.country_code.unwrap_or_default(),
            workshop_id: workshop_id(ctx, self.workshop.as_deref()).await?,
            competence: self.competence.unwrap_or_default(),
            year_from: self.year_from,
            year_to: self.year_to,
            text: self.text,
        })
    }
}

/// How to order resources; ties go by English title, then by id.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq, Default)]
#[graphql(remote = "service::resource::Ordering")]
pub enum ResourceOrder {
    /// Most recently published first; undated works last.
    #[default]
    Newest,
    /// Earliest published first; undated works last.
    Oldest,
    /// By English title.
    Title,
}

paginated! {
    /// `resources`, which `ResourceQuery` shows as its own.
    struct ResourceList;

    /// The knowledge library: resources matching `filter`, in `orderBy` order
    /// (default: most recently published first), a page at a time (`first`
    /// defaults to 50, at most 500).
    async fn resources(
        &self,
        ctx,
        #[graphql(desc = "Which records to include; absent: all of them.")] filter: Option<ResourceFilter>,
        #[graphql(desc = "The order (default: `NEWEST`).")] order_by: Option<ResourceOrder>,
        args,
    ) -> ResourceConnection {
        let filter = filter.unwrap_or_default().resolve(ctx).await?;
        let order = order_by.unwrap_or_default().into();
        let args = args.with_total(wants_total(ctx));
        let db = context::db(ctx);
        fetched(
            ctx,
            service::resource::page(db, &filter, order, &args),
            service::resource::count(db, &filter),
        )
        .await
    }
}

/// The reads of the knowledge library.
#[derive(Default)]
pub struct ResourceQuery;

#[Object]
impl ResourceQuery {
    /// One resource of the knowledge library; null when none has this id. A
    /// malformed id is `BAD_USER_INPUT`.
    async fn resource(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
    ) -> Result<Option<Resource>> {
        by_id::<resource::Entity, _>(ctx, &id, Kind::Resource).await
    }

    /// `resources`.
    #[graphql(flatten)]
    async fn list(&self) -> ResourceList {
        ResourceList
    }
}
