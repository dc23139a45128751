//! The knowledge library: the `Resource` type, its kinds, its authors as a
//! reader may see them, its links in both directions, and its connection.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, Result};
use entity::resource;
use entity::value as db;

use super::competence::CompetenceConnection;
use super::connection::{connection, linked, paginated};
use super::facility::{EcosystemDimension, FacilityConnection};
use super::guideline::{GuidelineVersionConnection, linked_versions};
use super::learning_session::LearningSessionConnection;
use super::record::record;
use super::revision::Revision;
use super::scalar::Date;
use super::stakeholder::Stakeholder;
use super::translated::translated;
use super::visit::VisitConnection;
use super::workshop::KnowledgeWorkshop;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::loader::{
    ResourceAuthors, ResourceCompetences, ResourceDimensions, ResourceFacilities,
    ResourceGuidelineVersions, ResourceLanguages, ResourceSessions, ResourceVisits,
    ResourceWorkshops,
};
use crate::service::competence::links_fingerprint as competence_fingerprint;
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

translated! {
    /// The title and summary of a resource, which `Resource` shows as its own.
    pub(crate) struct ResourceTexts(Arc<resource::Model>);

    /// Title in the caller's language (`lang`: en, fr, nl or es; else the
    /// `Accept-Language` header), falling back to English.
    title: String,
    /// The language `title(lang:)` serves for the same `lang`: the one asked
    /// for when the resource has a title in it, else English, the fallback.
    title_language("As in `title(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English.");
    /// Summary in the caller's language (`lang`: en, fr, nl or es; else the
    /// `Accept-Language` header), falling back to English.
    summary: Option<String>,
    /// The language `summary(lang:)` serves for the same `lang`: the one
    /// asked for when the resource has a summary in it, else English, the
    /// fallback; null without a summary.
    summary_language("As in `summary(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English.");
}

paginated! {
    /// What a resource is linked to, which `Resource` shows as its own.
    pub(crate) struct ResourceLinks(Arc<resource::Model>);

    /// The facilities it is about or names, by name. The other way: `Facility.resources`.
    async fn facilities(&self, ctx, args) -> FacilityConnection {
        let fingerprint = links_fingerprint("facilities", self.0.id);
        linked(ctx, ResourceFacilities(self.0.id), &fingerprint, &args).await
    }
    /// The study visits it came out of, oldest first. The other way: `Visit.resources`.
    async fn visits(&self, ctx, args) -> VisitConnection {
        let fingerprint = links_fingerprint("visits", self.0.id);
        linked(ctx, ResourceVisits(self.0.id), &fingerprint, &args).await
    }
    /// The learning sessions it came out of, oldest first. The other way:
    /// `LearningSession.resources`.
    async fn learning_sessions(&self, ctx, args) -> LearningSessionConnection {
        let fingerprint = links_fingerprint("learning-sessions", self.0.id);
        linked(ctx, ResourceSessions(self.0.id), &fingerprint, &args).await
    }
    /// The guideline versions it informed, by guideline and number; for
    /// callers other than editors and admins, drafts are left out. The other
    /// way: `GuidelineVersion.resources`.
    async fn guideline_versions(&self, ctx, args) -> GuidelineVersionConnection {
        let key = ResourceGuidelineVersions(self.0.id);
        linked_versions(ctx, key, |list| links_fingerprint(list, self.0.id), &args).await
    }
    /// The competences of relational security it treats, in the framework's
    /// order. The other way: `Competence.resources`; write the link on the competence.
    async fn competences(&self, ctx, args) -> CompetenceConnection {
        let fingerprint = competence_fingerprint("resource", self.0.id);
        linked(ctx, ResourceCompetences(self.0.id), &fingerprint, &args).await
    }
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
    /// `title`, `titleLanguage`, `summary` and `summaryLanguage`.
    #[graphql(flatten)]
    async fn texts(&self) -> ResourceTexts {
        ResourceTexts(self.0.clone())
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
    /// `facilities`, `visits`, `learningSessions`, `guidelineVersions` and `competences`.
    #[graphql(flatten)]
    async fn links(&self) -> ResourceLinks {
        ResourceLinks(self.0.clone())
    }
    /// `version`, `createdAt` and `updatedAt`.
    #[graphql(flatten)]
    async fn revision(&self) -> Revision {
        self.0.as_ref().into()
    }
}
