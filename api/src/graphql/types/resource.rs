//! The knowledge library: the `Resource` type, its kinds, its authors as a
//! reader may see them, its links in both directions, and its connection.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, Result};
use entity::resource;
use entity::value as db;

use super::connection::{connection, page_args, sliced};
use super::facility::{EcosystemDimension, Facility, FacilityConnection};
use super::guideline::{GuidelineVersion, GuidelineVersionConnection};
use super::label::Language;
use super::learning_session::{LearningSession, LearningSessionConnection};
use super::record::record;
use super::revision::Revision;
use super::scalar::Date;
use super::stakeholder::Stakeholder;
use super::visit::{Visit, VisitConnection};
use super::workshop::KnowledgeWorkshop;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::loader::{
    ResourceAuthors, ResourceDimensions, ResourceFacilities, ResourceGuidelineVersions,
    ResourceLanguages, ResourceSessions, ResourceVisits, ResourceWorkshops,
};
use crate::service::kernel::page::PageArgs;
use crate::service::resource::{StoredAuthor, links_fingerprint};

/// What kind of work a resource is.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::ResourceKind")]
pub enum ResourceKind {
    /// A report (of a project, an inspection, an organisation).
    Report,
    /// A research study.
    Study,
    /// An article in a journal, magazine or newspaper.
    Article,
    /// A book.
    Book,
    /// A video.
    Video,
    /// A podcast or a recorded talk.
    Podcast,
    /// A toolkit: guides, checklists, templates for practice.
    Toolkit,
    /// Material to train staff or students.
    TrainingMaterial,
    /// A policy text: a law, a recommendation, rules, a strategy.
    PolicyText,
    /// A data set.
    Dataset,
    /// Anything else.
    Other,
}

record! {
    /// A work of the knowledge library: a report, a study, a video, a toolkit…
    Resource(resource::Model)
}

connection!(Resource, ResourceConnection, ResourceEdge);

/// One author of a resource, as the caller may see them. An organisation
/// named by text is shown by name to everyone. An author who is a
/// stakeholder is shown as stakeholders are: callers other than editors
/// and admins see a person by name only with their consent to a public
/// name; otherwise as an anonymous author, with no id and nothing that
/// links two appearances of the same person.
#[derive(Clone, Debug)]
pub struct ResourceAuthor(StoredAuthor);

impl From<StoredAuthor> for ResourceAuthor {
    fn from(author: StoredAuthor) -> Self {
        Self(author)
    }
}

/// One author of a resource, as the caller may see them: by name, or, for a
/// person who did not consent to a public name, anonymous.
#[Object]
impl ResourceAuthor {
    /// The author's name; for an anonymous author a description: "a
    /// researcher", "a practitioner", ... where their kind is public to you,
    /// else "a participant".
    async fn name(&self, ctx: &Context<'_>) -> String {
        match &self.0 {
            StoredAuthor::Organisation(name) => name.clone(),
            StoredAuthor::Stakeholder(person) => {
                let audience = context::audience(ctx);
                if audience.sees_record(person) {
                    person.name.clone()
                } else {
                    audience.describe(person).to_owned()
                }
            }
        }
    }
    /// The stakeholder's record; null for an organisation named by text, and
    /// for an author anonymous to you.
    // The row came with the author: it costs only what is asked of it.
    #[graphql(complexity = "child_complexity")]
    async fn stakeholder(&self, ctx: &Context<'_>) -> Option<Stakeholder> {
        match &self.0 {
            StoredAuthor::Stakeholder(person) if context::audience(ctx).sees_record(person) => {
                Some(Stakeholder(person.clone()))
            }
            _ => None,
        }
    }
    /// Whether the author is anonymous to you (`stakeholder` is then null and
    /// `name` a description).
    async fn anonymous(&self, ctx: &Context<'_>) -> bool {
        match &self.0 {
            StoredAuthor::Organisation(_) => false,
            StoredAuthor::Stakeholder(person) => !context::audience(ctx).sees_record(person),
        }
    }
}

/// The arguments of a paginated link, in the order every paginated field declares them.
fn args(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> PageArgs {
    page_args(first, after, last, before)
}

/// A work of the knowledge library: a report, a study, a video, a toolkit…
/// with what it is linked to: the facilities, ecosystem dimensions, knowledge
/// workshops, visits, learning sessions and guideline versions it concerns.
#[Object]
impl Resource {
    /// Global id.
    pub async fn id(&self) -> ID {
        id::encode(Kind::Resource, self.0.uuid)
    }
    /// What kind of work it is.
    async fn kind(&self) -> ResourceKind {
        self.0.kind.into()
    }
    /// Title in the caller's language (`lang`: en, fr, nl or es; else the
    /// `Accept-Language` header), falling back to English.
    async fn title(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Language: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English."
        )]
        lang: Option<String>,
    ) -> Result<String> {
        Ok(context::translated(ctx, lang.as_deref(), Some(&self.0.title))?.unwrap_or_default())
    }
    /// The language `title(lang:)` serves for the same `lang`: the one asked
    /// for when the resource has a title in it, else English, the fallback.
    async fn title_language(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "As in `title(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English."
        )]
        lang: Option<String>,
    ) -> Result<Option<Language>> {
        let served = context::served_language(ctx, lang.as_deref(), Some(&self.0.title))?;
        Ok(served.map(Into::into))
    }
    /// Summary in the caller's language (`lang`: en, fr, nl or es; else the
    /// `Accept-Language` header), falling back to English.
    async fn summary(
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
            self.0.summary.as_ref(),
        )?)
    }
    /// The language `summary(lang:)` serves for the same `lang`: the one
    /// asked for when the resource has a summary in it, else English, the
    /// fallback; null without a summary.
    async fn summary_language(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "As in `summary(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English."
        )]
        lang: Option<String>,
    ) -> Result<Option<Language>> {
        let served = context::served_language(ctx, lang.as_deref(), self.0.summary.as_ref())?;
        Ok(served.map(Into::into))
    }
    /// The languages the work itself exists in, as ISO 639-1 codes (`en`,
    /// `nl`, `de`, ...), alphabetically; any language, not only the four the
    /// API writes its own texts in.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::resource::write::MAX_LANGUAGES, child_complexity)"
    )]
    async fn languages(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(context::load_all(ctx, ResourceLanguages(self.0.id)).await?)
    }
    /// Its authors, in the order the work names them (at most 50).
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::resource::write::MAX_AUTHORS, child_complexity)"
    )]
    async fn authors(&self, ctx: &Context<'_>) -> Result<Vec<ResourceAuthor>> {
        Ok(context::load_all(ctx, ResourceAuthors(self.0.id)).await?)
    }
    /// Who published it.
    async fn publisher(&self) -> Option<&str> {
        self.0.publisher.as_deref()
    }
    /// The year it was published, also when the day is not known.
    async fn published_year(&self) -> Option<i32> {
        self.0.published_year
    }
    /// The day it was published; null when only the year is known (see `publishedYear`).
    async fn published_on(&self) -> Option<Date> {
        self.0.published_on.map(Date)
    }
    /// Where to read, watch or download it.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
    /// Its licence as the publisher states it (for example `CC BY 4.0`).
    async fn licence(&self) -> Option<&str> {
        self.0.licence.as_deref()
    }
    /// Whether anyone may read it free of charge; null when unknown.
    async fn open_access(&self) -> Option<bool> {
        self.0.open_access
    }
    /// The ecosystem dimensions it is about, in the dimensions' order. The
    /// other way: `resources(filter: { dimension: [...] })`.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::graphql::types::connection::variants::<entity::value::EcosystemDimension>(), child_complexity)"
    )]
    async fn dimensions(&self, ctx: &Context<'_>) -> Result<Vec<EcosystemDimension>> {
        Ok(context::load_all(ctx, ResourceDimensions(self.0.id)).await?)
    }
    /// The knowledge workshops it came out of or serves, by key (at most the
    /// project's four). The other way: `KnowledgeWorkshop.resources`.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::workshop::MAX_WORKSHOPS, child_complexity)"
    )]
    async fn workshops(&self, ctx: &Context<'_>) -> Result<Vec<KnowledgeWorkshop>> {
        Ok(context::load_all(ctx, ResourceWorkshops(self.0.id)).await?)
    }
    /// The facilities it is about or names, by name. The other way: `Facility.resources`.
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
    )]
    async fn facilities(
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
    ) -> Result<FacilityConnection> {
        let items = context::load(ctx, ResourceFacilities(self.0.id)).await?;
        sliced(
            items.unwrap_or_default(),
            &links_fingerprint("facilities", self.0.id),
            &args(first, after, last, before),
            Facility::from,
        )
        .await
    }
    /// The study visits it came out of, oldest first. The other way: `Visit.resources`.
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
    )]
    async fn visits(
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
    ) -> Result<VisitConnection> {
        let items = context::load(ctx, ResourceVisits(self.0.id)).await?;
        sliced(
            items.unwrap_or_default(),
            &links_fingerprint("visits", self.0.id),
            &args(first, after, last, before),
            Visit::from,
        )
        .await
    }
    /// The learning sessions it came out of, oldest first. The other way:
    /// `LearningSession.resources`.
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
        let items = context::load(ctx, ResourceSessions(self.0.id)).await?;
        sliced(
            items.unwrap_or_default(),
            &links_fingerprint("learning-sessions", self.0.id),
            &args(first, after, last, before),
            LearningSession::from,
        )
        .await
    }
    /// The guideline versions it informed, by guideline and number; for
    /// callers other than editors and admins, drafts are left out. The other
    /// way: `GuidelineVersion.resources`.
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
        let mut items = context::load(ctx, ResourceGuidelineVersions(self.0.id))
            .await?
            .unwrap_or_default();
        items.retain(|(v, _)| drafts.admit(v.status));
        sliced(
            items,
            &links_fingerprint(&format!("guideline-versions-{drafts:?}"), self.0.id),
            &args(first, after, last, before),
            GuidelineVersion::from,
        )
        .await
    }
    /// The competences of relational security it treats, in the framework's
    /// order. The other way: `Competence.resources`; write the link on the competence.
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
    )]
    async fn competences(
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
    ) -> Result<crate::graphql::types::competence::CompetenceConnection> {
        crate::graphql::types::competence::linked_competences(
            ctx,
            crate::graphql::loader::ResourceCompetences(self.0.id),
            "resource",
            self.0.id,
            args(first, after, last, before),
        )
        .await
    }
    /// `version`, `createdAt` and `updatedAt`.
    #[graphql(flatten)]
    async fn revision(&self) -> Revision {
        self.0.as_ref().into()
    }
}

/// The page of a record's resources that `args` ask for (`Facility.resources`,
/// ...): every record of the request asking for the same kind of link is
/// served by one query, and each takes its page out of its own list.
///
/// # Errors
/// Database errors; `BAD_USER_INPUT` for bad page arguments.
pub(crate) async fn linked_resources<K>(
    ctx: &Context<'_>,
    key: K,
    list: &str,
    id: i32,
    args: PageArgs,
) -> Result<ResourceConnection>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    crate::graphql::loader::DbLoader: async_graphql::dataloader::Loader<
            K,
            Value = Vec<resource::Model>,
            Error = Arc<sea_orm::DbErr>,
        >,
{
    let items = context::load(ctx, key).await?.unwrap_or_default();
    sliced(items, &links_fingerprint(list, id), &args, Resource::from).await
}
