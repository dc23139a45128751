use async_graphql::{Context, Object, Result};

use crate::graphql::context;
use crate::graphql::types::guideline::Guideline;
use crate::service;

#[derive(Default)]
pub struct GuidelineQuery;

#[Object]
impl GuidelineQuery {
    /// The two guidelines of the project.
    async fn guidelines(&self, ctx: &Context<'_>) -> Result<Vec<Guideline>> {
        let guidelines = service::guideline::list(context::db(ctx)).await?;
        Ok(guidelines.into_iter().map(Into::into).collect())
    }

    /// One guideline by key (`ecosystem-rules` or `relational-security`); null when there is none.
    async fn guideline(&self, ctx: &Context<'_>, key: String) -> Result<Option<Guideline>> {
        let guideline = service::guideline::find_by_key(context::db(ctx), &key).await?;
        Ok(guideline.map(Into::into))
    }
}
