//! Creating, changing and deleting the competence framework: areas, and
//! competences with their links in the same write.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Result};

use super::{
    RecordInput, RecordPatch, TranslationInput, decode_all, decode_list, localized, localized_opt,
    prose_maybe, set,
};
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::competence::{Competence, CompetenceArea};
use crate::service::competence::write::{
    Area as AreaRecord, AreaFields, Competence as CompetenceRecord, CompetenceFields,
};

/// A new area of the competence framework (editors and admins).
#[derive(InputObject, Debug)]
pub struct CompetenceAreaInput {
    /// Stable key: lower-case letters and digits in words joined by `-` (at most 60 characters).
    pub key: String,
    /// Where it goes in the framework's order (smallest first; default 0, ties by creation).
    pub position: Option<i32>,
    /// Name in one or more languages; English is required.
    pub name: Vec<TranslationInput>,
    /// Description in one or more languages; English is required when any is given.
    pub description: Option<Vec<TranslationInput>>,
}

/// Changes to an area: an absent field stays; `null` clears the description.
#[derive(InputObject, Debug, Default)]
pub struct CompetenceAreaPatch {
    /// Stable key (changing it changes what filters name).
    pub key: Option<String>,
    /// Where it goes in the framework's order.
    pub position: Option<i32>,
    /// Name (replaces every translation; English is required).
    pub name: Option<Vec<TranslationInput>>,
    /// Description (replaces every translation).
    pub description: MaybeUndefined<Vec<TranslationInput>>,
}

/// A new competence (editors and admins), with its links.
#[derive(InputObject, Debug)]
pub struct CompetenceInput {
    /// Stable key: lower-case letters and digits in words joined by `-` (at most 60 characters).
    pub key: String,
    /// The area it belongs to (its id).
    pub area: ID,
    /// Where it goes within its area (smallest first; default 0, ties by creation).
    pub position: Option<i32>,
    /// Name in one or more languages; English is required.
    pub name: Vec<TranslationInput>,
    /// Description in one or more languages; English is required when any is given.
    pub description: Option<Vec<TranslationInput>>,
    /// The resources of the knowledge library that treat it.
    pub resources: Option<Vec<ID>>,
    /// The learning sessions that treated it.
    pub learning_sessions: Option<Vec<ID>>,
    /// The guideline versions that treat it.
    pub guideline_versions: Option<Vec<ID>>,
}

/// Changes to a competence: an absent field stays; `null` clears the
/// description; a list replaces the list.
#[derive(InputObject, Debug, Default)]
pub struct CompetencePatch {
    /// Stable key.
    pub key: Option<String>,
    /// The area it belongs to.
    pub area: Option<ID>,
    /// Where it goes within its area.
    pub position: Option<i32>,
    /// Name (replaces every translation; English is required).
    pub name: Option<Vec<TranslationInput>>,
    /// Description (replaces every translation).
    pub description: MaybeUndefined<Vec<TranslationInput>>,
    /// The resources that treat it (replaces the list).
    pub resources: Option<Vec<ID>>,
    /// The learning sessions that treated it (replaces the list).
    pub learning_sessions: Option<Vec<ID>>,
    /// The guideline versions that treat it (replaces the list).
    pub guideline_versions: Option<Vec<ID>>,
}

impl RecordInput for CompetenceAreaInput {
    type Record = AreaRecord;

    async fn decode(self, _ctx: &Context<'_>) -> Result<AreaFields, AppError> {
        Ok(AreaFields {
            key: self.key,
            position: self.position.unwrap_or(0),
            name: localized("input.name", self.name)?,
            description: localized_opt("input.description", self.description)?,
        })
    }
}

impl RecordPatch for CompetenceAreaPatch {
    type Record = AreaRecord;

    async fn decode(
        self,
        _ctx: &Context<'_>,
    ) -> Result<impl FnOnce(&mut AreaFields) + Send, AppError> {
        let name = self.name.map(|t| localized("input.name", t)).transpose()?;
        let description = prose_maybe(self.description, "input.description")?;
        let (key, position) = (self.key, self.position);
        Ok(move |f: &mut AreaFields| {
            set(&mut f.key, key);
            set(&mut f.position, position);
            set(&mut f.name, name);
            description.update_to(&mut f.description);
        })
    }
}

impl RecordInput for CompetenceInput {
    type Record = CompetenceRecord;

    async fn decode(self, ctx: &Context<'_>) -> Result<CompetenceFields, AppError> {
        Ok(CompetenceFields {
            area: id::row(
                context::db(ctx),
                &self.area,
                Kind::CompetenceArea,
                "input.area",
            )
            .await?,
            key: self.key,
            position: self.position.unwrap_or(0),
            name: localized("input.name", self.name)?,
            description: localized_opt("input.description", self.description)?,
            resources: decode_all(ctx, self.resources, Kind::Resource, "input.resources").await?,
            learning_sessions: decode_all(
                ctx,
                self.learning_sessions,
                Kind::LearningSession,
                "input.learningSessions",
            )
            .await?,
            guideline_versions: decode_all(
                ctx,
                self.guideline_versions,
                Kind::GuidelineVersion,
                "input.guidelineVersions",
            )
            .await?,
        })
    }
}

impl RecordPatch for CompetencePatch {
    type Record = CompetenceRecord;

    async fn decode(
        self,
        ctx: &Context<'_>,
    ) -> Result<impl FnOnce(&mut CompetenceFields) + Send, AppError> {
        let Self {
            key,
            area,
            position,
            name,
            description,
            resources,
            learning_sessions,
            guideline_versions,
        } = self;
        let area = match area {
            Some(area) => {
                Some(id::row(context::db(ctx), &area, Kind::CompetenceArea, "input.area").await?)
            }
            None => None,
        };
        let name = name.map(|t| localized("input.name", t)).transpose()?;
        let description = prose_maybe(description, "input.description")?;
        let resources = decode_list(ctx, resources, Kind::Resource, "input.resources").await?;
        let learning_sessions = decode_list(
            ctx,
            learning_sessions,
            Kind::LearningSession,
            "input.learningSessions",
        )
        .await?;
        let guideline_versions = decode_list(
            ctx,
            guideline_versions,
            Kind::GuidelineVersion,
            "input.guidelineVersions",
        )
        .await?;
        Ok(move |f: &mut CompetenceFields| {
            set(&mut f.key, key);
            set(&mut f.area, area);
            set(&mut f.position, position);
            set(&mut f.name, name);
            description.update_to(&mut f.description);
            set(&mut f.resources, resources);
            set(&mut f.learning_sessions, learning_sessions);
            set(&mut f.guideline_versions, guideline_versions);
        })
    }
}

record_writes! {
    /// The writes of the competence framework's areas.
    CompetenceAreaMutation: AreaRecord => CompetenceArea, Kind::CompetenceArea;
    /// Adds an area to the competence framework (editors and admins;
    /// partners get `FORBIDDEN`).
    create_competence_area(CompetenceAreaInput);
    /// Changes an area (editors and admins); a stale `expectedVersion` is a
    /// `CONFLICT` and changes nothing.
    update_competence_area(CompetenceAreaPatch);
    /// Deletes an area that holds no competence (editors and admins; one
    /// that holds some is a `CONFLICT`); returns its id.
    delete_competence_area;
}

record_writes! {
    /// The writes of the competence framework's competences.
    CompetenceMutation: CompetenceRecord => Competence, Kind::Competence;
    /// Adds a competence, with its links to the resources, learning
    /// sessions and guideline versions that treat it (editors and admins).
    create_competence(CompetenceInput);
    /// Changes a competence, its links included (editors and admins); a
    /// stale `expectedVersion` is a `CONFLICT` and changes nothing.
    update_competence(CompetencePatch);
    /// Deletes a competence with its links (editors and admins); returns its id.
    delete_competence;
}
