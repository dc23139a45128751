//! `visit` and `visits`: study visits, by id or a page at a time.

use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::visit;

use super::by_id;
use super::workshop::workshop_id;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::connection::{listed, paginated};
use crate::graphql::types::scalar::Date;
use crate::graphql::types::visit::{Visit, VisitConnection};
use crate::service;

/// Which visits to return.
#[derive(InputObject, Default, Debug)]
pub struct VisitFilter {
    /// Visits to this facility (its id).
    pub facility: Option<ID>,
    /// Visits organised by this knowledge workshop (its key: `be`, `fr`, `nl` or `eu`).
    pub workshop: Option<String>,
    /// On or after this day.
    pub visited_from: Option<Date>,
    /// On or before this day.
    pub visited_to: Option<Date>,
}

impl VisitFilter {
    /// The filter the service applies, with the facility's id decoded and
    /// the workshop's key looked up.
    async fn resolve(self, ctx: &Context<'_>) -> Result<service::visit::Filter, AppError> {
        let facility_id = match self.facility {
            Some(id) => {
                Some(id::row(context::db(ctx), &id, Kind::Facility, "filter.facility").await?)
            }
            None => None,
        };
        Ok(service::visit::Filter {
            facility_id,
            workshop_id: workshop_id(ctx, self.workshop.as_deref()).await?,
            visited_from: self.visited_from.map(|d| d.0),
            visited_to: self.visited_to.map(|d| d.0),
        })
    }
}

paginated! {
    /// `visits`, which `VisitQuery` shows as its own.
    struct VisitList;

    /// Study visits, most recent first, a page at a time (`first` defaults to 50, at most 500).
    async fn visits(
        &self,
        ctx,
        #[graphql(desc = "Which records to include; absent: all of them.")] filter: Option<VisitFilter>,
        args,
    ) -> VisitConnection {
        let filter = filter.unwrap_or_default().resolve(ctx).await?;
        listed(ctx, &filter, &args).await
    }
}

/// The reads of study visits.
#[derive(Default)]
pub struct VisitQuery;

#[Object]
impl VisitQuery {
    /// One study visit; null when none has this id. A malformed id is `BAD_USER_INPUT`.
    async fn visit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
    ) -> Result<Option<Visit>> {
        by_id::<visit::Entity, _>(ctx, &id, Kind::Visit).await
    }
    /// `visits`.
    #[graphql(flatten)]
    async fn list(&self) -> VisitList {
        VisitList
    }
}
