//! Creating, changing and deleting resources of the knowledge library, with
//! their authors and links in the same write.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Result};

use super::{
    RecordInput, RecordPatch, TranslationInput, decode_all, decode_list, localized, localized_opt,
    prose_maybe, set,
};
use crate::error::{AppError, Problem};
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::facility::EcosystemDimension;
use crate::graphql::types::resource::{Resource, ResourceKind};
use crate::graphql::types::scalar::Date;
use crate::service::resource::write::{Author, Resource as ResourceRecord, ResourceFields};

/// One author: a stakeholder (a person or an organisation, shown under the
/// stakeholders' consent rules), or an organisation named by text. Give
/// exactly one of the two. A person is always a stakeholder: record them
/// with `createStakeholder` and their consent first.
#[derive(InputObject, Debug, Clone)]
pub struct ResourceAuthorInput {
    /// The stakeholder who wrote it (their id).
    pub stakeholder: Option<ID>,
    /// An organisation that wrote it and is not a stakeholder (for example
    /// `Council of Europe`); never a person's name.
    pub organisation: Option<String>,
}

/// A new resource of the knowledge library (editors and admins).
#[derive(InputObject, Debug)]
pub struct ResourceInput {
    /// What kind of work it is.
    pub kind: ResourceKind,
    /// Title in one or more languages; English is required.
    pub title: Vec<TranslationInput>,
    /// Summary in one or more languages; English is required when any is given.
    pub summary: Option<Vec<TranslationInput>>,
    /// The languages the work exists in (ISO 639-1 codes, any language).
    pub languages: Option<Vec<String>>,
    /// Its authors, in the order the work names them.
    pub authors: Option<Vec<ResourceAuthorInput>>,
    /// Who published it.
    pub publisher: Option<String>,
    /// The year it was published, when the day is not known (with
    /// `publishedOn`, it must be that day's year).
    pub published_year: Option<i32>,
    /// The day it was published, when known.
    pub published_on: Option<Date>,
    /// Where to read, watch or download it: an absolute http(s) URL.
    pub url: Option<String>,
    /// Its licence as the publisher states it.
    pub licence: Option<String>,
    /// Whether anyone may read it free of charge; absent: unknown.
    pub open_access: Option<bool>,
    /// The facilities it is about or names.
    pub facilities: Option<Vec<ID>>,
    /// The ecosystem dimensions it is about.
    pub dimensions: Option<Vec<EcosystemDimension>>,
    /// The knowledge workshops it came out of or serves.
    pub workshops: Option<Vec<ID>>,
    /// The study visits it came out of.
    pub visits: Option<Vec<ID>>,
    /// The learning sessions it came out of.
    pub learning_sessions: Option<Vec<ID>>,
    /// The guideline versions it informed.
    pub guideline_versions: Option<Vec<ID>>,
}

/// Changes to a resource: an absent field stays; `null` clears an optional
/// one; a list replaces the list. `publishedYear` without `publishedOn`
/// makes the date a year only.
#[derive(InputObject, Debug, Default)]
pub struct ResourcePatch {
    /// What kind of work it is.
    pub kind: Option<ResourceKind>,
    /// Title (replaces every translation; English is required).
    pub title: Option<Vec<TranslationInput>>,
    /// Summary (replaces every translation).
    pub summary: MaybeUndefined<Vec<TranslationInput>>,
    /// The languages the work exists in (replaces the list).
    pub languages: Option<Vec<String>>,
    /// Its authors (replaces the list).
    pub authors: Option<Vec<ResourceAuthorInput>>,
    /// Who published it.
    pub publisher: MaybeUndefined<String>,
    /// The year it was published.
    pub published_year: MaybeUndefined<i32>,
    /// The day it was published.
    pub published_on: MaybeUndefined<Date>,
    /// Where to read, watch or download it.
    pub url: MaybeUndefined<String>,
    /// Its licence.
    pub licence: MaybeUndefined<String>,
    /// Whether anyone may read it free of charge.
    pub open_access: MaybeUndefined<bool>,
    /// The facilities it is about (replaces the list).
    pub facilities: Option<Vec<ID>>,
    /// The ecosystem dimensions it is about (replaces the list).
    pub dimensions: Option<Vec<EcosystemDimension>>,
    /// The knowledge workshops (replaces the list).
    pub workshops: Option<Vec<ID>>,
    /// The study visits (replaces the list).
    pub visits: Option<Vec<ID>>,
    /// The learning sessions (replaces the list).
    pub learning_sessions: Option<Vec<ID>>,
    /// The guideline versions it informed (replaces the list).
    pub guideline_versions: Option<Vec<ID>>,
}

/// The authors of an input, their stakeholders' ids looked up in one query.
///
/// # Errors
/// `BAD_USER_INPUT` for an author with neither or both of its fields, or a
/// malformed id; database errors.
async fn authors(
    ctx: &Context<'_>,
    items: Vec<ResourceAuthorInput>,
) -> Result<Vec<Author>, AppError> {
    let mut problems = Vec::new();
    let mut keys = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let field = format!("input.authors[{i}]");
        match (&item.stakeholder, &item.organisation) {
            (Some(person), None) => match id::decode(person, Kind::Stakeholder, &field) {
                Ok(key) => keys.push(key),
                Err(err) => problems.push(Problem {
                    field: format!("{field}.stakeholder"),
                    message: err.public_message(),
                }),
            },
            (None, Some(_)) => {}
            _ => problems.push(Problem {
                field,
                message: "give either `stakeholder` or `organisation`".to_owned(),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let mut rows = id::rows(context::db(ctx), Kind::Stakeholder, &keys)
        .await?
        .into_iter();
    Ok(items
        .into_iter()
        .filter_map(|item| match item.organisation {
            Some(name) => Some(Author::Organisation(name)),
            None => rows.next().map(Author::Stakeholder),
        })
        .collect())
}

impl RecordInput for ResourceInput {
    type Record = ResourceRecord;

    async fn decode(self, ctx: &Context<'_>) -> Result<ResourceFields, AppError> {
        Ok(ResourceFields {
            kind: self.kind.into(),
            title: localized("input.title", self.title)?,
            summary: localized_opt("input.summary", self.summary)?,
            languages: self.languages.unwrap_or_default(),
            authors: authors(ctx, self.authors.unwrap_or_default()).await?,
            publisher: self.publisher,
            published_year: self.published_year,
            published_on: self.published_on.map(|d| d.0),
            url: self.url,
            licence: self.licence,
            open_access: self.open_access,
            facilities: decode_all(ctx, self.facilities, Kind::Facility, "input.facilities")
                .await?,
            dimensions: self
                .dimensions
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            workshops: decode_all(
                ctx,
                self.workshops,
                Kind::KnowledgeWorkshop,
                "input.workshops",
            )
            .await?,
            visits: decode_all(ctx, self.visits, Kind::Visit, "input.visits").await?,
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

impl RecordPatch for ResourcePatch {
    type Record = ResourceRecord;

    async fn decode(
        self,
        ctx: &Context<'_>,
    ) -> Result<impl FnOnce(&mut ResourceFields) + Send, AppError> {
        let Self {
            kind,
            title,
            summary,
            languages,
            authors: new_authors,
            publisher,
            published_year,
            published_on,
            url,
            licence,
            open_access,
            facilities,
            dimensions,
            workshops,
            visits,
            learning_sessions,
            guideline_versions,
        } = self;
        let title = title.map(|t| localized("input.title", t)).transpose()?;
        let summary = prose_maybe(summary, "input.summary")?;
        let new_authors = match new_authors {
            Some(items) => Some(authors(ctx, items).await?),
            None => None,
        };
        let facilities = decode_list(ctx, facilities, Kind::Facility, "input.facilities").await?;
        let workshops =
            decode_list(ctx, workshops, Kind::KnowledgeWorkshop, "input.workshops").await?;
        let visits = decode_list(ctx, visits, Kind::Visit, "input.visits").await?;
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
        let year_only = !published_year.is_undefined() && published_on.is_undefined();
        Ok(move |f: &mut ResourceFields| {
            set(&mut f.kind, kind.map(Into::into));
            set(&mut f.title, title);
            summary.update_to(&mut f.summary);
            set(&mut f.languages, languages);
            set(&mut f.authors, new_authors);
            publisher.update_to(&mut f.publisher);
            if year_only {
                f.published_on = None;
            }
            published_year.update_to(&mut f.published_year);
            published_on
                .map_value(|d| d.0)
                .update_to(&mut f.published_on);
            url.update_to(&mut f.url);
            licence.update_to(&mut f.licence);
            open_access.update_to(&mut f.open_access);
            set(&mut f.facilities, facilities);
            if let Some(v) = dimensions {
                f.dimensions = v.into_iter().map(Into::into).collect();
            }
            set(&mut f.workshops, workshops);
            set(&mut f.visits, visits);
            set(&mut f.learning_sessions, learning_sessions);
            set(&mut f.guideline_versions, guideline_versions);
        })
    }
}

record_writes! {
    /// The writes of the knowledge library.
    ResourceMutation: ResourceRecord => Resource, Kind::Resource;
    /// Adds a resource to the knowledge library, with its authors and links
    /// (editors and admins; partners get `FORBIDDEN`).
    create_resource(ResourceInput);
    /// Changes a resource, its authors and links included (editors and
    /// admins); a stale `expectedVersion` is a `CONFLICT` and changes nothing.
    update_resource(ResourcePatch);
    /// Deletes a resource with its authors and links (admins only); returns its id.
    delete_resource;
}
