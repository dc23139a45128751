//! `search`: one text search across facilities, learning sessions,
//! stakeholders, guideline versions and resources.

use async_graphql::{Context, Object, Result, Union};

use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::loader::GuidelineById;
use crate::graphql::types::facility::Facility;
use crate::graphql::types::guideline::GuidelineVersion;
use crate::graphql::types::learning_session::LearningSession;
use crate::graphql::types::resource::Resource;
use crate::graphql::types::stakeholder::Stakeholder;
use crate::service::search::{self, Hit};

/// A search hit.
#[derive(Union, Clone, Debug)]
pub enum SearchResult {
    Facility(Facility),
    LearningSession(LearningSession),
    Stakeholder(Stakeholder),
    GuidelineVersion(GuidelineVersion),
    Resource(Resource),
}

/// The one search across the kinds of record.
#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Facilities, learning sessions, stakeholders (public fields only; for callers
    /// other than editors and admins, only people who consented to a public name), guideline
    /// versions and resources of the knowledge library in which every word of `text` appears, ignoring case and accents; best
    /// matches (on the name or title) first. `first` defaults to 20 and is at most 100.
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, None, 20, child_complexity)"
    )]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Words that must all appear, ignoring case and accents.")] text: String,
        #[graphql(desc = "How many results, best first (default 20, at most 100).")] first: Option<
            i32,
        >,
    ) -> Result<Vec<SearchResult>> {
        let hits = search::search(
            context::db(ctx),
            &text,
            first,
            context::drafts(ctx),
            context::audience(ctx),
        )
        .await?;
        let mut results = Vec::with_capacity(hits.len());
        for hit in hits {
            results.push(match hit {
                Hit::Facility(f) => SearchResult::Facility(f.into()),
                Hit::LearningSession(s) => SearchResult::LearningSession(s.into()),
                Hit::Stakeholder(s) => SearchResult::Stakeholder(s.into()),
                Hit::Resource(r) => SearchResult::Resource(r.into()),
                Hit::GuidelineVersion(v) => {
                    let guideline = context::load(ctx, GuidelineById(v.guideline_id))
                        .await?
                        .ok_or_else(|| {
                            AppError::Internal(anyhow::anyhow!("version {} has no guideline", v.id))
                        })?;
                    SearchResult::GuidelineVersion((v, guideline).into())
                }
            });
        }
        Ok(results)
    }
}
