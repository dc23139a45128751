//! Resources of the knowledge library with their authors, languages and
//! links: the hooks of [`Record`] for the write steps of the kernel. Every
//! link is a field of the resource, so one write of a resource, links and
//! all, is one audit event and one entry of the change feed. Editors and
//! admins write resources; partners do not (the library is the project's
//! own, curated like its guidelines).

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{Datelike, NaiveDate};
use entity::resource_dimension::Column as DimensionLink;
use entity::resource_facility::Column as FacilityLink;
use entity::resource_guideline_version::Column as VersionLink;
use entity::resource_language::Column as LanguageLink;
use entity::resource_learning_session::Column as SessionLink;
use entity::resource_visit::Column as VisitLink;
use entity::resource_workshop::Column as WorkshopLink;
use entity::value::{EcosystemDimension, LocalizedText, ResourceKind};
use entity::{
    guideline_version, knowledge_workshop, learning_session, resource, resource_author,
    resource_dimension, resource_language, stakeholder, visit,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;

use crate::error::Result;
use crate::service::kernel::link::{Link, check_ids};
use crate::service::kernel::record::{Record, Stamp};
use crate::service::kernel::unit_of_work::{self as unit_of_work, Write, existing_ids};
use crate::service::kernel::validate::{self, Problems};
use crate::service::kernel::{language, text};

/// The most records one resource lists in each of its links: a work about
/// more is a bibliography, not a resource.
pub const MAX_LINKS: usize = 200;

/// The most authors one resource names; a work by more names a body, which
/// is one organisation author. Queries are costed by this bound.
pub const MAX_AUTHORS: usize = 50;

/// The most languages one work exists in. Queries are costed by this bound.
pub const MAX_LANGUAGES: usize = 30;

/// Who wrote a resource: a stakeholder (a person or an organisation, shown
/// under the stakeholders' consent rules), or an organisation named by text.
/// A person is always a stakeholder, so that their consent decides who sees
/// their name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    Stakeholder(i32),
    Organisation(String),
}

/// Every editable field of a resource, its links included.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceFields {
    pub kind: ResourceKind,
    pub title: LocalizedText,
    pub summary: Option<LocalizedText>,
    /// ISO 639-1 codes, sorted.
    pub languages: Vec<String>,
    pub authors: Vec<Author>,
    pub publisher: Option<String>,
    /// Set from `published_on` when the day is known.
    pub published_year: Option<i32>,
    pub published_on: Option<NaiveDate>,
    pub url: Option<String>,
    pub licence: Option<String>,
    pub open_access: Option<bool>,
    pub facilities: Vec<i32>,
    pub dimensions: Vec<EcosystemDimension>,
    pub workshops: Vec<i32>,
    pub visits: Vec<i32>,
    pub learning_sessions: Vec<i32>,
    pub guideline_versions: Vec<i32>,
}

/// A resource of the knowledge library, as the write steps see it.
pub struct Resource;

/// The lists of a resource that link tables hold.
const FACILITIES: Link<FacilityLink> = Link(FacilityLink::ResourceId, FacilityLink::FacilityId);
const WORKSHOPS: Link<WorkshopLink> = Link(WorkshopLink::ResourceId, WorkshopLink::WorkshopId);
const VISITS: Link<VisitLink> = Link(VisitLink::ResourceId, VisitLink::VisitId);
const LEARNING_SESSIONS: Link<SessionLink> =
    Link(SessionLink::ResourceId, SessionLink::LearningSessionId);
const GUIDELINE_VERSIONS: Link<VersionLink> =
    Link(VersionLink::ResourceId, VersionLink::GuidelineVersionId);
const LANGUAGES: Link<LanguageLink> = Link(LanguageLink::ResourceId, LanguageLink::Language);
const DIMENSIONS: Link<DimensionLink> = Link(DimensionLink::ResourceId, DimensionLink::Dimension);

/// Adds a problem for a list longer than `bound`; answers whether it fits.
fn bounded_by(problems: &mut Problems, field: &str, len: usize, bound: usize) -> bool {
    if len > bound {
        problems.add(field, format!("at most {bound}, got {len}"));
        false
    } else {
        true
    }
}

#[async_trait]
impl Record for Resource {
    type Entity = resource::Entity;
    type Fields = ResourceFields;
    type Resolved = ();

    const EDITORS_ONLY: Option<&'static str> = Some("writing the knowledge library");

    async fn fields_of(
        db: &impl ConnectionTrait,
        model: &resource::Model,
    ) -> Result<ResourceFields> {
        let id = model.id;
        let authors = resource_author::Entity::find()
            .filter(resource_author::Column::ResourceId.eq(id))
            .order_by_asc(resource_author::Column::Position)
            .all(db)
            .await?
            .into_iter()
            .filter_map(|a| match (a.stakeholder_id, a.organisation) {
                (Some(person), _) => Some(Author::Stakeholder(person)),
                (None, Some(name)) => Some(Author::Organisation(name)),
                (None, None) => None,
            })
            .collect();
        let languages = resource_language::Entity::find()
            .filter(resource_language::Column::ResourceId.eq(id))
            .order_by_asc(resource_language::Column::Language)
            .all(db)
            .await?
            .into_iter()
            .map(|l| l.language)
            .collect();
        let mut dimensions: Vec<EcosystemDimension> = resource_dimension::Entity::find()
            .filter(resource_dimension::Column::ResourceId.eq(id))
            .all(db)
            .await?
            .into_iter()
            .map(|d| d.dimension)
            .collect();
        dimensions.sort_unstable();
        Ok(ResourceFields {
            kind: model.kind,
            title: model.title.clone(),
            summary: model.summary.clone(),
            languages,
            authors,
            publisher: model.publisher.clone(),
            published_year: model.published_year,
            published_on: model.published_on,
            url: model.url.clone(),
            licence: model.licence.clone(),
            open_access: model.open_access,
            facilities: FACILITIES.ids(db, id).await?,
            dimensions,
            workshops: WORKSHOPS.ids(db, id).await?,
            visits: VISITS.ids(db, id).await?,
            learning_sessions: LEARNING_SESSIONS.ids(db, id).await?,
            guideline_versions: GUIDELINE_VERSIONS.ids(db, id).await?,
        })
    }

    async fn check(
        write: &Write,
        fields: &mut ResourceFields,
        _current: Option<&resource::Model>,
    ) -> Result<()> {
        let mut problems = Problems::new();
        let db = write.txn();
        validate::localized_name(&mut problems, "input.title", "a title", &mut fields.title);
        validate::localized_prose(&mut problems, "input.summary", fields.summary.as_ref());
        if bounded_by(
            &mut problems,
            "input.languages",
            fields.languages.len(),
            MAX_LANGUAGES,
        ) {
            let mut seen = HashSet::new();
            for (i, code) in fields.languages.iter_mut().enumerate() {
                match language::normalize(code) {
                    None => problems.add(
                        format!("input.languages[{i}]"),
                        language::not_a_language(code),
                    ),
                    Some(normal) if !seen.insert(normal.clone()) => problems.add(
                        format!("input.languages[{i}]"),
                        format!("`{normal}` appears twice"),
                    ),
                    Some(normal) => *code = normal,
                }
            }
        }
        if bounded_by(
            &mut problems,
            "input.authors",
            fields.authors.len(),
            MAX_AUTHORS,
        ) {
            let people: Vec<i32> = fields
                .authors
                .iter()
                .filter_map(|a| match a {
                    Author::Stakeholder(id) => Some(*id),
                    Author::Organisation(_) => None,
                })
                .collect();
            let found =
                existing_ids::<stakeholder::Entity>(db, stakeholder::Column::Id, &people).await?;
            let mut seen = HashSet::new();
            for (i, author) in fields.authors.iter_mut().enumerate() {
                let field = format!("input.authors[{i}]");
                match author {
                    Author::Stakeholder(id) if !found.contains(id) => {
                        problems.add(format!("{field}.stakeholder"), "no stakeholder has this id");
                    }
                    Author::Stakeholder(id) if !seen.insert(*id) => {
                        problems.add(
                            format!("{field}.stakeholder"),
                            "this stakeholder appears twice",
                        );
                    }
                    Author::Stakeholder(_) => {}
                    Author::Organisation(name) => {
                        problems.check(&format!("{field}.organisation"), validate::name(name));
                        *name = name.trim().to_owned();
                    }
                }
            }
        }
        for (field, value) in [
            ("input.publisher", &mut fields.publisher),
            ("input.licence", &mut fields.licence),
        ] {
            if let Some(v) = value {
                problems.check(field, validate::name(v));
                *v = v.trim().to_owned();
            }
        }
        if let Some(url) = &fields.url {
            problems.check("input.url", validate::web_url(url));
        }
        let this_year = validate::current_year();
        if let Some(day) = fields.published_on {
            match fields.published_year {
                Some(year) if year != day.year() => problems.add(
                    "input.publishedYear",
                    format!("{year} is not the year of `publishedOn` ({day})"),
                ),
                _ => fields.published_year = Some(day.year()),
            }
        }
        if let Some(year) = fields.published_year {
            // A work is published, not planned: at most next year (a date
            // announced ahead), not the ten years a facility may be planned.
            let problem = validate::year(year, this_year - 9).err();
            problems.check("input.publishedYear", problem.map_or(Ok(()), Err));
        }
        check_ids::<entity::facility::Entity>(
            db,
            &mut problems,
            "input.facilities",
            &fields.facilities,
            MAX_LINKS,
        )
        .await?;
        if bounded_by(
            &mut problems,
            "input.dimensions",
            fields.dimensions.len(),
            MAX_LINKS,
        ) {
            let mut seen = HashSet::new();
            for (i, d) in fields.dimensions.iter().enumerate() {
                if !seen.insert(*d) {
                    problems.add(
                        format!("input.dimensions[{i}]"),
                        "this dimension appears twice",
                    );
                }
            }
        }
        check_ids::<knowledge_workshop::Entity>(
            db,
            &mut problems,
            "input.workshops",
            &fields.workshops,
            MAX_LINKS,
        )
        .await?;
        check_ids::<visit::Entity>(db, &mut problems, "input.visits", &fields.visits, MAX_LINKS)
            .await?;
        check_ids::<learning_session::Entity>(
            db,
            &mut problems,
            "input.learningSessions",
            &fields.learning_sessions,
            MAX_LINKS,
        )
        .await?;
        check_ids::<guideline_version::Entity>(
            db,
            &mut problems,
            "input.guidelineVersions",
            &fields.guideline_versions,
            MAX_LINKS,
        )
        .await?;
        problems.finish()?;
        // In the order `fields_of` reads them back, so that the same resource
        // written again compares equal and writes nothing.
        fields.languages.sort_unstable();
        fields.dimensions.sort_unstable();
        for ids in [
            &mut fields.facilities,
            &mut fields.workshops,
            &mut fields.visits,
            &mut fields.learning_sessions,
            &mut fields.guideline_versions,
        ] {
            ids.sort_unstable();
        }
        Ok(())
    }

    fn row(fields: &ResourceFields, (): &(), stamp: Stamp) -> resource::ActiveModel {
        let english = fields.title.get("en").unwrap_or_default();
        // People are left out: a search must not find a resource by the
        // name of an author the reader may not see.
        let organisations = fields.authors.iter().filter_map(|a| match a {
            Author::Organisation(name) => Some(name.as_str()),
            Author::Stakeholder(_) => None,
        });
        let search_text = text::fold_all(
            fields
                .title
                .0
                .values()
                .map(String::as_str)
                .chain(
                    fields
                        .summary
                        .iter()
                        .flat_map(|s| s.0.values().map(String::as_str)),
                )
                .chain(fields.publisher.as_deref())
                .chain(organisations),
        );
        resource::ActiveModel {
            kind: Set(fields.kind),
            title: Set(fields.title.clone()),
            summary: Set(fields.summary.clone()),
            publisher: Set(fields.publisher.clone()),
            published_year: Set(fields.published_year),
            published_on: Set(fields.published_on),
            url: Set(fields.url.clone()),
            licence: Set(fields.licence.clone()),
            open_access: Set(fields.open_access),
            sort_title: Set(text::fold(english)),
            search_text: Set(search_text),
            ..stamp.into()
        }
    }

    async fn save_children(
        db: &impl ConnectionTrait,
        id: i32,
        fields: &ResourceFields,
        before: Option<&ResourceFields>,
    ) -> Result<()> {
        let positioned: Vec<(i32, &Author)> = (1..).zip(fields.authors.iter()).collect();
        let positioned_before: Option<Vec<(i32, &Author)>> =
            before.map(|b| (1..).zip(b.authors.iter()).collect());
        unit_of_work::replace_children(
            db,
            resource_author::Column::ResourceId,
            id,
            &positioned,
            positioned_before.as_deref(),
            |(position, author)| resource_author::ActiveModel {
                resource_id: Set(id),
                position: Set(*position),
                stakeholder_id: Set(match author {
                    Author::Stakeholder(person) => Some(*person),
                    Author::Organisation(_) => None,
                }),
                organisation: Set(match author {
                    Author::Organisation(name) => Some(name.clone()),
                    Author::Stakeholder(_) => None,
                }),
            },
        )
        .await?;
        LANGUAGES
            .save(db, id, fields, before, |f| &f.languages)
            .await?;
        DIMENSIONS
            .save(db, id, fields, before, |f| &f.dimensions)
            .await?;
        FACILITIES
            .save(db, id, fields, before, |f| &f.facilities)
            .await?;
        WORKSHOPS
            .save(db, id, fields, before, |f| &f.workshops)
            .await?;
        VISITS.save(db, id, fields, before, |f| &f.visits).await?;
        LEARNING_SESSIONS
            .save(db, id, fields, before, |f| &f.learning_sessions)
            .await?;
        GUIDELINE_VERSIONS
            .save(db, id, fields, before, |f| &f.guideline_versions)
            .await
    }
}
