//! `stakeholder` and `stakeholders`: the people and organisations of the
//! knowledge workshops, by id or a page at a time.

use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::stakeholder;

use super::workshop::workshop_id;
use super::{by_id, list};
use crate::error::AppError;
use crate::graphql::id::Kind;
use crate::graphql::types::connection::{listed, page_args};
use crate::graphql::types::stakeholder::{Stakeholder, StakeholderConnection, StakeholderKind};
use crate::service;

/// Which stakeholders to return. Absent or empty lists place no constraint.
#[derive(InputObject, Default, Debug)]
pub struct StakeholderFilter {
    /// Of any of these kinds.
    pub kind: Option<Vec<StakeholderKind>>,
    /// From any of these countries (ISO 3166-1 alpha-2).
    pub country_code: Option<Vec<String>>,
    /// Members of this knowledge workshop (its key).
    pub workshop: Option<String>,
    /// Words that must all appear in the name or organisation, ignoring case and accents.
    pub text: Option<String>,
}

impl StakeholderFilter {
    /// The filter the service applies, with the workshop's key looked up.
    async fn resolve(self, ctx: &Context<'_>) -> Result<service::stakeholder::Filter, AppError> {
        Ok(service::stakeholder::Filter {
            kind: list(self.kind),
            country_code: self.country_code.unwrap_or_default(),
            workshop_id: workshop_id(ctx, self.workshop.as_deref()).await?,
            text: self.text,
        })
    }
}

/// The reads of stakeholders.
#[derive(Default)]
pub struct StakeholderQuery;

#[Object]
impl StakeholderQuery {
    /// One stakeholder; null when none has this id. A malformed id is `BAD_USER_INPUT`.
    async fn stakeholder(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
    ) -> Result<Option<Stakeholder>> {
        by_id::<stakeholder::Entity, _>(ctx, &id, Kind::Stakeholder).await
    }

    /// Stakeholders by name, a page at a time (`first` defaults to 50, at most 500).
    /// `email` and `phone` are for editors and admins only.
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
    )]
    async fn stakeholders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which records to include; absent: all of them.")] filter: Option<
            StakeholderFilter,
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
    ) -> Result<StakeholderConnection> {
        let filter = filter.unwrap_or_default().resolve(ctx).await?;
        listed(ctx, &filter, &page_args(first, after, last, before)).await
    }
}
