//! The two guidelines of WISH-EU, their numbered versions with their
//! connection and life cycle, and the diff between two versions.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject, Union};
use chrono::{DateTime, Utc};
use entity::value as db;
use entity::{guideline, guideline_version};

use super::connection::{connection, page_args, sliced};
use super::learning_session::LearningSession;
use super::scalar::Date;
use super::visit::Visit;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::loader::{ProvenanceOf, Source, VersionsOf};
use crate::service;
use crate::service::guideline::{Diff, Hunk, LineChange};

/// The life cycle of a guideline version: DRAFT, then CONSULTATION, then ADOPTED.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::GuidelineStatus")]
pub enum GuidelineStatus {
    /// Being written; editors and admins only.
    Draft,
    /// Published for consultation; its text no longer changes.
    Consultation,
    /// Adopted; its text no longer changes.
    Adopted,
}

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
        let versions = context::load(ctx, VersionsOf(self.0.id)).await?;
        Ok(versions.unwrap_or_default())
    }

    fn with_version(&self, model: guideline_version::Model) -> GuidelineVersion {
        GuidelineVersion {
            model: Arc::new(model),
            guideline: self.0.clone(),
        }
    }
}

/// A text the project writes in successive versions: `ecosystem-rules` (European Rules on the
/// ecosystem of small-scale detention facilities) or `relational-security` (European
/// guidelines on relational security).
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
    /// Its versions that the caller may see (drafts: editors and admins only), by number,
    /// a page at a time (`first` defaults to 50, at most 500).
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
    )]
    async fn versions(
        &self,
        ctx: &Context<'_>,
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
    ) -> Result<GuidelineVersionConnection> {
        sliced(
            self.visible_versions(ctx).await?,
            &service::guideline::versions_fingerprint(self.0.id, context::drafts(ctx)),
            &page_args(first, after, last, before),
            |v| self.with_version(v),
        )
        .await
    }
    /// The version with the highest number that the caller may see.
    async fn latest(&self, ctx: &Context<'_>) -> Result<Option<GuidelineVersion>> {
        let versions = self.visible_versions(ctx).await?;
        Ok(versions
            .into_iter()
            .max_by_key(|v| v.number)
            .map(|v| self.with_version(v)))
    }
}

/// One numbered version of a guideline. A version that left DRAFT never changes again.
#[derive(Clone, Debug)]
pub struct GuidelineVersion {
    pub model: Arc<guideline_version::Model>,
    pub guideline: Arc<guideline::Model>,
}

impl From<(guideline_version::Model, guideline::Model)> for GuidelineVersion {
    fn from((model, guideline): (guideline_version::Model, guideline::Model)) -> Self {
        Self {
            model: Arc::new(model),
            guideline: Arc::new(guideline),
        }
    }
}

impl GuidelineVersion {
    /// The version with this row id, unless it is a draft the caller may not read.
    ///
    /// # Errors
    /// Database errors.
    pub async fn find_visible(ctx: &Context<'_>, row: i32) -> Result<Option<Self>, AppError> {
        let found = service::guideline::find_version(context::db(ctx), row).await?;
        Ok(found
            .filter(|(v, _)| context::drafts(ctx).admit(v.status))
            .map(Self::from))
    }
}

connection!(
    GuidelineVersion,
    GuidelineVersionConnection,
    GuidelineVersionEdge
);

/// One numbered version of a guideline. A version that left DRAFT never changes again.
#[Object]
impl GuidelineVersion {
    /// Global id.
    pub async fn id(&self) -> ID {
        id::encode(Kind::GuidelineVersion, self.model.uuid)
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
    /// The resources of the knowledge library that informed this version, by title.
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
    )]
    async fn resources(
        &self,
        ctx: &Context<'_>,
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
    ) -> Result<crate::graphql::types::resource::ResourceConnection> {
        crate::graphql::types::resource::linked_resources(
            ctx,
            crate::graphql::loader::GuidelineVersionResources(self.model.id),
            "guideline-version",
            self.model.id,
            page_args(first, after, last, before),
        )
        .await
    }
    /// The visits and learning sessions that informed this version (at most 100 together).
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::guideline::write::MAX_INFORMED_BY, child_complexity)"
    )]
    async fn informed_by(&self, ctx: &Context<'_>) -> Result<Vec<Provenance>> {
        Ok(context::load_all(ctx, ProvenanceOf(self.model.id)).await?)
    }
    /// A line diff from another version of the same guideline (`against`; by
    /// default the previous version, or an empty text for version 1) to this one,
    /// of at most 1,000 lines.
    async fn diff(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Another version of the same guideline; absent: the version before this one."
        )]
        against: Option<ID>,
    ) -> Result<GuidelineDiff> {
        let db = context::db(ctx);
        let old_body = match against {
            Some(other) => {
                let other_id = id::row(db, &other, Kind::GuidelineVersion, "against").await?;
                let version = GuidelineVersion::find_visible(ctx, other_id).await?;
                let version = version
                    .ok_or_else(|| AppError::not_found("no guideline version has this id"))?;
                if version.model.guideline_id != self.model.guideline_id {
                    return Err(AppError::bad_input(
                        "against",
                        "`against` must be a version of the same guideline",
                    )
                    .into());
                }
                Some(Arc::unwrap_or_clone(version.model).body)
            }
            None => service::guideline::previous_version(db, &self.model)
                .await?
                .filter(|v| context::drafts(ctx).admit(v.status))
                .map(|v| v.body),
        };
        let old_body = old_body.unwrap_or_default();
        let diff = service::guideline::bounded_diff(old_body, self.model.body.clone()).await?;
        Ok(diff.into())
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

/// What informed a guideline version: a study visit or a learning session.
#[derive(Union, Clone, Debug)]
pub enum Provenance {
    Visit(Visit),
    LearningSession(LearningSession),
}

impl From<Source> for Provenance {
    fn from(source: Source) -> Self {
        match source {
            Source::Visit(v) => Provenance::Visit(v.into()),
            Source::Session(s) => Provenance::LearningSession(s.into()),
        }
    }
}

/// A line diff between two versions, as in a unified diff, of at most 1,000
/// lines. Texts that differ too much for the smallest diff to be found in
/// about a second get a coarser one: whole blocks removed and added.
#[derive(SimpleObject, Clone, Debug)]
pub struct GuidelineDiff {
    /// The hunks, in order; their lines together number at most 1,000.
    // Each hunk holds at least one line, so the bound on lines bounds hunks
    // and lines together: a hunk's own fields are counted once per line too.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::guideline::MAX_DIFF_LINES, child_complexity)"
    )]
    pub hunks: Vec<DiffHunk>,
    /// Whether the diff is longer than 1,000 lines and was cut there: the
    /// last hunk then stops short, and later changes are left out.
    pub truncated: bool,
}

impl From<Diff> for GuidelineDiff {
    fn from(diff: Diff) -> Self {
        Self {
            hunks: diff.hunks.into_iter().map(DiffHunk::from).collect(),
            truncated: diff.truncated,
        }
    }
}

/// One hunk of a line diff between two versions, as in a unified diff.
#[derive(SimpleObject, Clone, Debug)]
pub struct DiffHunk {
    /// First line of the hunk in the older version (from 1).
    pub old_start: i32,
    /// Number of lines of the older version in the hunk.
    pub old_lines: i32,
    /// First line of the hunk in the newer version (from 1).
    pub new_start: i32,
    /// Number of lines of the newer version in the hunk.
    pub new_lines: i32,
    /// The lines, in order.
    pub lines: Vec<DiffLine>,
}

/// How a line of a diff relates the two versions.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum DiffLineKind {
    /// In both versions.
    Context,
    /// Only in the newer version.
    Added,
    /// Only in the older version.
    Removed,
}

/// One line of a diff hunk.
#[derive(SimpleObject, Clone, Debug)]
pub struct DiffLine {
    /// Whether the line is in both versions, only the newer, or only the older.
    pub kind: DiffLineKind,
    /// The line's text, without its line end.
    pub text: String,
}

impl From<Hunk> for DiffHunk {
    fn from(hunk: Hunk) -> Self {
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        Self {
            old_start: count(hunk.old_start),
            old_lines: count(hunk.old_lines),
            new_start: count(hunk.new_start),
            new_lines: count(hunk.new_lines),
            lines: hunk
                .lines
                .into_iter()
                .map(|(change, text)| DiffLine {
                    kind: match change {
                        LineChange::Context => DiffLineKind::Context,
                        LineChange::Added => DiffLineKind::Added,
                        LineChange::Removed => DiffLineKind::Removed,
                    },
                    text,
                })
                .collect(),
        }
    }
}
