//! The competence framework of relational security: `CompetenceArea`,
//! `Competence`, the links of a competence in both directions, and its
//! connection.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};
use entity::{competence, competence_area};

use super::connection::{connection, page_args, sliced};
use super::guideline::{GuidelineVersion, GuidelineVersionConnection};
use super::label::Language;
use super::learning_session::{LearningSession, LearningSessionConnection};
use super::record::record;
use super::resource::{Resource, ResourceConnection};
use super::revision::Revision;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::loader::{
    AreaCompetences, CompetenceAreaById, CompetenceGuidelineVersions, CompetenceResources,
    CompetenceSessions,
};
use crate::service::competence::links_fingerprint;
use crate::service::kernel::page::PageArgs;

record! {
    /// An area of the competence framework of relational security.
    CompetenceArea(competence_area::Model)
}

record! {
    /// A competence of relational security.
    Competence(competence::Model)
}

connection!(Competence, CompetenceConnection, CompetenceEdge);

/// An area of the competence framework of relational security: a part of
/// the work, with the competences it groups.
#[Object]
impl CompetenceArea {
    /// Global id.
    pub async fn id(&self) -> ID {
        id::encode(Kind::CompetenceArea, self.0.uuid)
    }
    /// Stable key (`de-escalation`), which `competences(filter: { area: ... })` takes.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Where it goes in the framework's order (smallest first).
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// Name in the caller's language (`lang`: en, fr, nl or es; else the
    /// `Accept-Language` header), falling back to English.
    async fn name(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Language: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English."
        )]
        lang: Option<String>,
    ) -> Result<String> {
        Ok(context::translated(ctx, lang.as_deref(), Some(&self.0.name))?.unwrap_or_default())
    }
    /// The language `name(lang:)` serves for the same `lang`: the one asked
    /// for when the area has a name in it, else English, the fallback.
    async fn name_language(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "As in `name(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English."
        )]
        lang: Option<String>,
    ) -> Result<Option<Language>> {
        let served = context::served_language(ctx, lang.as_deref(), Some(&self.0.name))?;
        Ok(served.map(Into::into))
    }
    /// Description in the caller's language, falling back to English.
    async fn description(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Language: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English."
        )]
        lang: Option<String>,
    ) -> Result<Option<String>> {
        Ok(context::translated(
            ctx,
            lang.as_deref(),
            self.0.description.as_ref(),
        )?)
    }
    /// The language `description(lang:)` serves for the same `lang`; null
    /// without a description.
    async fn description_language(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "As in `description(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English."
        )]
        lang: Option<String>,
    ) -> Result<Option<Language>> {
        let served = context::served_language(ctx, lang.as_deref(), self.0.description.as_ref())?;
        Ok(served.map(Into::into))
    }
    /// Its competences, in their order (at most 100).
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::competence::MAX_PER_AREA, child_complexity)"
    )]
    async fn competences(&self, ctx: &Context<'_>) -> Result<Vec<Competence>> {
        Ok(context::load_all(ctx, AreaCompetences(self.0.id)).await?)
    }
    /// `version`, `createdAt` and `updatedAt`.
    #[graphql(flatten)]
    async fn revision(&self) -> Revision {
        self.0.as_ref().into()
    }
}

/// A competence of relational security: what professionals in small-scale
/// detention need to know and be able to do, with what the project knows
/// about it: the resources, learning sessions and guideline versions that
/// treat it.
#[Object]
impl Competence {
    /// Global id.
    pub async fn id(&self) -> ID {
        id::encode(Kind::Competence, self.0.uuid)
    }
    /// Stable key (`de-escalation`), which `competence(key:)` and
    /// `resources(filter: { competence: ... })` take.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// The area it belongs to.
    async fn area(&self, ctx: &Context<'_>) -> Result<CompetenceArea> {
        context::load(ctx, CompetenceAreaById(self.0.area_id))
            .await?
            .map(Into::into)
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("a competence without its area")).into()
            })
    }
    /// Where it goes within its area (smallest first).
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// Name in the caller's language (`lang`: en, fr, nl or es; else the
    /// `Accept-Language` header), falling back to English.
    async fn name(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Language: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English."
        )]
        lang: Option<String>,
    ) -> Result<String> {
        Ok(context::translated(ctx, lang.as_deref(), Some(&self.0.name))?.unwrap_or_default())
    }
    /// The language `name(lang:)` serves for the same `lang`: the one asked
    /// for when the competence has a name in it, else English, the fallback.
    async fn name_language(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "As in `name(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English."
        )]
        lang: Option<String>,
    ) -> Result<Option<Language>> {
        let served = context::served_language(ctx, lang.as_deref(), Some(&self.0.name))?;
        Ok(served.map(Into::into))
    }
    /// Description in the caller's language, falling back to English.
    async fn description(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Language: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English."
        )]
        lang: Option<String>,
    ) -> Result<Option<String>> {
        Ok(context::translated(
            ctx,
            lang.as_deref(),
            self.0.description.as_ref(),
        )?)
    }
    /// The language `description(lang:)` serves for the same `lang`; null
    /// without a description.
    async fn description_language(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "As in `description(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English."
        )]
        lang: Option<String>,
    ) -> Result<Option<Language>> {
        let served = context::served_language(ctx, lang.as_deref(), self.0.description.as_ref())?;
        Ok(served.map(Into::into))
    }
    /// The resources of the knowledge library that treat it, by title. The
    /// other way: `Resource.competences`.
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
    ) -> Result<ResourceConnection> {
        let items = context::load(ctx, CompetenceResources(self.0.id)).await?;
        sliced(
            items.unwrap_or_default(),
            &links_fingerprint("resources", self.0.id),
            &page_args(first, after, last, before),
            Resource::from,
        )
        .await
    }
    /// The learning sessions that treated it, oldest first: where it was
    /// seen in practice, with their visits through the workshop. The other
    /// way: `LearningSession.competences`.
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
    )]
    async fn learning_sessions(
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
    ) -> Result<LearningSessionConnection> {
        let items = context::load(ctx, CompetenceSessions(self.0.id)).await?;
        sliced(
            items.unwrap_or_default(),
            &links_fingerprint("learning-sessions", self.0.id),
            &page_args(first, after, last, before),
            LearningSession::from,
        )
        .await
    }
    /// The guideline versions that treat it, by guideline and number; for
    /// callers other than editors and admins, drafts are left out. The other
    /// way: `GuidelineVersion.competences`.
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
    )]
    async fn guideline_versions(
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
        let drafts = context::drafts(ctx);
        let mut items = context::load(ctx, CompetenceGuidelineVersions(self.0.id))
            .await?
            .unwrap_or_default();
        items.retain(|(v, _)| drafts.admit(v.status));
        sliced(
            items,
            &links_fingerprint(&format!("guideline-versions-{drafts:?}"), self.0.id),
            &page_args(first, after, last, before),
            GuidelineVersion::from,
        )
        .await
    }
    /// `version`, `createdAt` and `updatedAt`.
    #[graphql(flatten)]
    async fn revision(&self) -> Revision {
        self.0.as_ref().into()
    }
}

/// The page of a record's competences that `args` ask for
/// (`Resource.competences`, ...): every record of the request asking for
/// the same kind of link is served by one query.
///
/// # Errors
/// Database errors; `BAD_USER_INPUT` for bad page arguments.
pub(crate) async fn linked_competences<K>(
    ctx: &Context<'_>,
    key: K,
    list: &str,
    id: i32,
    args: PageArgs,
) -> Result<CompetenceConnection>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    crate::graphql::loader::DbLoader: async_graphql::dataloader::Loader<
            K,
            Value = Vec<competence::Model>,
            Error = Arc<sea_orm::DbErr>,
        >,
{
    let items = context::load(ctx, key).await?.unwrap_or_default();
    sliced(items, &links_fingerprint(list, id), &args, Competence::from).await
}
