//! `guidelines`, `guideline` by key, and `guidelineVersion` by id.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};

use crate::error::AppError;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::guideline::GuidelineVersion;

use crate::graphql::context;
use crate::graphql::types::guideline::Guideline;
use crate::service;

#[derive(Default)]
pub struct GuidelineQuery;

#[Object]
impl GuidelineQuery {
    /// The two guidelines of the project.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::guideline::MAX_GUIDELINES, child_complexity)"
    )]
    async fn guidelines(&self, ctx: &Context<'_>) -> Result<Vec<Guideline>> {
        let guidelines = service::guideline::list(context::db(ctx)).await?;
        Ok(guidelines.into_iter().map(Into::into).collect())
    }

    /// One guideline version; an unknown id (or a draft, for callers who may not read drafts)
    /// is a `NOT_FOUND` error.
    async fn guideline_version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
    ) -> Result<Option<GuidelineVersion>> {
        let row_id = id::decode(&id, Kind::GuidelineVersion, "id")?;
        let found = service::guideline::find_version(context::db(ctx), row_id).await?;
        let visible = found.filter(|(v, _)| context::drafts(ctx).admit(v.status));
        let (version, guideline) =
            visible.ok_or_else(|| AppError::not_found("no guideline version has this id"))?;
        Ok(Some(GuidelineVersion {
            model: Arc::new(version),
            guideline: Arc::new(guideline),
        }))
    }

    /// One guideline by key (`ecosystem-rules` or `relational-security`); null when there is none.
    async fn guideline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The guideline's key: `ecosystem-rules` or `relational-security`.")]
        key: String,
    ) -> Result<Option<Guideline>> {
        let guideline = service::guideline::find_by_key(context::db(ctx), &key).await?;
        Ok(guideline.map(Into::into))
    }
}
