use async_graphql::{Context, Object, Result};

use crate::graphql::context;
use crate::graphql::types::workshop::KnowledgeWorkshop;
use crate::service;

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
