//! The competence framework of relational security: `CompetenceArea`,
//! `Competence`, the links of a competence in both directions, and its
//! connection.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};
use entity::{competence, competence_area};

use super::connection::{connection, linked, paginated};
use super::guideline::{GuidelineVersionConnection, linked_versions};
use super::learning_session::LearningSessionConnection;
use super::record::record;
use super::resource::ResourceConnection;
use super::revision::Revision;
use super::translated::translated;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::loader::{
    AreaCompetences, CompetenceAreaById, CompetenceGuidelineVersions, CompetenceResources,
    CompetenceSessions,
};
use crate::service::competence::links_fingerprint;

record! {
    /// An area of the competence framework of relational security.
    CompetenceArea(competence_area::Model)
}

record! {
    /// A competence of relational security.
    Competence(competence::Model)
}

connection!(Competence, CompetenceConnection, CompetenceEdge);

translated! {
    /// The name and description of an area, which `CompetenceArea` shows as its own.
    pub(crate) struct AreaTexts(Arc<competence_area::Model>);

    /// Name in the caller's language (`lang`: en, fr, nl or es; else the
    /// `Accept-Language` header), falling back to English.
    name: String,
    /// The language `name(lang:)` serves for the same `lang`: the one asked
    /// for when the area has a name in it, else English, the fallback.
    name_language("As in `name(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English.");
    /// Description in the caller's language, falling back to English.
    description: Option<String>,
    /// The language `description(lang:)` serves for the same `lang`; null
    /// without a description.
    description_language("As in `description(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English.");
}

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
    /// `name`, `nameLanguage`, `description` and `descriptionLanguage`.
    #[graphql(flatten)]
    async fn texts(&self) -> AreaTexts {
        AreaTexts(self.0.clone())
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

translated! {
    /// The name and description of a competence, which `Competence` shows as its own.
    pub(crate) struct CompetenceTexts(Arc<competence::Model>);

    /// Name in the caller's language (`lang`: en, fr, nl or es; else the
    /// `Accept-Language` header), falling back to English.
    name: String,
    /// The language `name(lang:)` serves for the same `lang`: the one asked
    /// for when the competence has a name in it, else English, the fallback.
    name_language("As in `name(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English.");
    /// Description in the caller's language, falling back to English.
    description: Option<String>,
    /// The language `description(lang:)` serves for the same `lang`; null
    /// without a description.
    description_language("As in `description(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English.");
}

paginated! {
    /// What a competence is linked to, which `Competence` shows as its own.
    pub(crate) struct CompetenceLinks(Arc<competence::Model>);

    /// The resources of the knowledge library that treat it, by title. The
    /// other way: `Resource.competences`.
    async fn resources(&self, ctx, args) -> ResourceConnection {
        let fingerprint = links_fingerprint("resources", self.0.id);
        linked(ctx, CompetenceResources(self.0.id), &fingerprint, &args).await
    }
    /// The learning sessions that treated it, oldest first: where it was
    /// seen in practice, with their visits through the workshop. The other
    /// way: `LearningSession.competences`.
    async fn learning_sessions(&self, ctx, args) -> LearningSessionConnection {
        let fingerprint = links_fingerprint("learning-sessions", self.0.id);
        linked(ctx, CompetenceSessions(self.0.id), &fingerprint, &args).await
    }
    /// The guideline versions that treat it, by guideline and number; for
    /// callers other than editors and admins, drafts are left out. The other
    /// way: `GuidelineVersion.competences`.
    async fn guideline_versions(&self, ctx, args) -> GuidelineVersionConnection {
        let key = CompetenceGuidelineVersions(self.0.id);
        linked_versions(ctx, key, |list| links_fingerprint(list, self.0.id), &args).await
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
    /// `name`, `nameLanguage`, `description` and `descriptionLanguage`.
    #[graphql(flatten)]
    async fn texts(&self) -> CompetenceTexts {
        CompetenceTexts(self.0.clone())
    }
    /// `resources`, `learningSessions` and `guidelineVersions`.
    #[graphql(flatten)]
    async fn links(&self) -> CompetenceLinks {
        CompetenceLinks(self.0.clone())
    }
    /// `version`, `createdAt` and `updatedAt`.
    #[graphql(flatten)]
    async fn revision(&self) -> Revision {
        self.0.as_ref().into()
    }
}
