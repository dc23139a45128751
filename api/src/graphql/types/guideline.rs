//! The two guidelines of WISH-EU and their numbered versions.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::{guideline, guideline_version};

use super::enums::GuidelineStatus;
use super::scalar::Date;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::loader::VersionsOf;

/// A text the project writes in successive versions: `ecosystem-rules` (European Rules on
/// the ecosystem of small-scale detention facilities) or `relational-security` (European
/// guidelines on relational security).
#[derive(Clone, Debug)]
pub struct Guideline(pub Arc<guideline::Model>);

impl From<guideline::Model> for Guideline {
    fn from(model: guideline::Model) -> Self {
        Self(Arc::new(model))
    }
}

impl Guideline {
    async fn visible_versions(&self, ctx: &Context<'_>) -> Result<Vec<guideline_version::Model>> {
        let loader = context::loader(ctx);
        Ok(loader
            .load_one(VersionsOf(self.0.id))
            .await
            .map_err(AppError::from)?
            .unwrap_or_default())
    }
}

#[Object]
impl Guideline {
    /// Stable key: `ecosystem-rules` or `relational-security`.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Full title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Its versions that the caller may see (drafts: editors and admins only), by number.
    async fn versions(&self, ctx: &Context<'_>) -> Result<Vec<GuidelineVersion>> {
        let versions = self.visible_versions(ctx).await?;
        Ok(versions
            .into_iter()
            .map(|v| GuidelineVersion {
                model: Arc::new(v),
                guideline: self.0.clone(),
            })
            .collect())
    }
    /// The version with the highest number that the caller may see.
    async fn latest(&self, ctx: &Context<'_>) -> Result<Option<GuidelineVersion>> {
        let versions = self.visible_versions(ctx).await?;
        Ok(versions
            .into_iter()
            .max_by_key(|v| v.number)
            .map(|v| GuidelineVersion {
                model: Arc::new(v),
                guideline: self.0.clone(),
            }))
    }
}

/// One numbered version of a guideline. A version that left DRAFT never changes again.
#[derive(Clone, Debug)]
pub struct GuidelineVersion {
    pub model: Arc<guideline_version::Model>,
    pub guideline: Arc<guideline::Model>,
}

#[Object]
impl GuidelineVersion {
    /// Global id.
    pub async fn id(&self) -> ID {
        id::encode(Kind::GuidelineVersion, self.model.id)
    }
    /// The guideline this is a version of.
    async fn guideline(&self) -> Guideline {
        Guideline(self.guideline.clone())
    }
    /// Version number: 1, 2, 3… without gaps.
    async fn number(&self) -> i32 {
        self.model.number
    }
    /// Where it is in its life cycle.
    async fn status(&self) -> GuidelineStatus {
        self.model.status.into()
    }
    /// Title of this version.
    async fn title(&self) -> &str {
        &self.model.title
    }
    /// Full text, in Markdown.
    async fn body(&self) -> &str {
        &self.model.body
    }
    /// When it was published for consultation or adopted.
    async fn published_on(&self) -> Option<Date> {
        self.model.published_on.map(Date)
    }
    /// Optimistic-concurrency version of the record (not the version number).
    async fn version(&self) -> i32 {
        self.model.version
    }
    /// When the record was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }
    /// When the record last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.model.updated_at
    }
}
