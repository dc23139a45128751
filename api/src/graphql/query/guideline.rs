//! `guidelines`, `guideline` by key, and `guidelineVersion` by id.

use async_graphql::{Context, ID, Object, Result};

use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::guideline::{Guideline, GuidelineVersion, Rule};
use crate::service;

/// The reads of guidelines and their versions.
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

    /// One guideline version; null when none has this id, or when it is a draft and the
    /// caller may not read drafts. A malformed id is `BAD_USER_INPUT`.
    async fn guideline_version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
    ) -> Result<Option<GuidelineVersion>> {
        let row_id = id::row(context::db(ctx), &id, Kind::GuidelineVersion, "id").await?;
        Ok(GuidelineVersion::find_visible(ctx, row_id).await?)
    }

    /// A rule by its number (`4.2`) in the latest ADOPTED version of a
    /// guideline; null when that version has no such rule, or none is adopted yet.
    async fn rule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The guideline's key: `ecosystem-rules` or `relational-security`.")]
        guideline: String,
        #[graphql(desc = "The rule's number, as `4.2`, or a part's, as `4`.")] number: String,
    ) -> Result<Option<Rule>> {
        Ok(Rule::in_latest_adopted(ctx, &guideline, &number).await?)
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
