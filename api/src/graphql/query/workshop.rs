//! `knowledgeWorkshops`, and the lookup by key for the filters that name
//! a workshop.

use async_graphql::{Context, Object, Result};

use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::types::workshop::KnowledgeWorkshop;
use crate::service;

/// The row id of the workshop a filter names by key; none for no key.
///
/// # Errors
/// `BAD_USER_INPUT` on `filter.workshop` for a key that names no workshop.
pub(super) async fn workshop_id(
    ctx: &Context<'_>,
    key: Option<&str>,
) -> Result<Option<i32>, AppError> {
    let Some(key) = key else { return Ok(None) };
    match service::workshop::find_by_key(context::db(ctx), key).await? {
        Some(workshop) => Ok(Some(workshop.id)),
        None => Err(AppError::bad_input(
            "filter.workshop",
            format!("`{key}` is not a knowledge workshop: use be, fr, nl or eu"),
        )),
    }
}

/// The reads of knowledge workshops.
#[derive(Default)]
pub struct WorkshopQuery;

#[Object]
impl WorkshopQuery {
    /// The knowledge workshops: Belgium, France, the Netherlands, then the European think tank.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::workshop::MAX_WORKSHOPS, child_complexity)"
    )]
    async fn knowledge_workshops(&self, ctx: &Context<'_>) -> Result<Vec<KnowledgeWorkshop>> {
        let workshops = service::workshop::list(context::db(ctx)).await?;
        Ok(workshops.into_iter().map(Into::into).collect())
    }
}
