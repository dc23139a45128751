//! Resources of the knowledge library with their authors, languages and
//! links: the hooks of [`Record`] for the write steps of the kernel. Every
//! link is a field of the resource, so one write of a resource, links and
//! all, is one audit event and one entry of the change feed. Editors and
//! admins write resources; partners do not (the library is the project's
//! own, curated like its guidelines).

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{Datelike, NaiveDate};
use entity::value::{AuditEntity, EcosystemDimension, LocalizedText, ResourceKind};
use entity::{
    guideline_version, knowledge_workshop, learning_session, resource, resource_author,
    resource_dimension, resource_facility, resource_guideline_version, resource_language,
    resource_learning_session, resource_visit, resource_workshop, stakeholder, visit,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;

use crate::error::Result;
use crate::service::kernel::record::{Record, Stamp};
use crate::service::kernel::unit_of_work::{
    self as unit_of_work, Write, check_references, existing_ids,
};
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

/// Adds a problem for a list longer than [`MAX_LINKS`]; answers whether it fits.
fn bounded(problems: &mut Problems, field: &str, len: usize) -> bool {
    bounded_by(problems, field, len, MAX_LINKS)
}

/// Adds a problem for a list longer than `bound`; answers whether it fits.
fn bounded_by(problems: &mut Problems, field: &str, len: usize, bound: usize) -> bool {
    if len > bound {
        problems.add(field, format!("at most {bound}, got {len}"));
        false
    } else {
        true
    }
}

/// Checks that every id of a link names a record of `E`, once.
async fn check_link<E: EntityTrait>(
    db: &impl ConnectionTrait,
    problems: &mut Problems,
    (field, what): (&str, &str),
    id: E::Column,
    ids: &[i32],
) -> Result<()> {
    if bounded(problems, field, ids.len()) {
        let found = existing_ids::<E>(db, id, ids).await?;
        check_references(problems, field, ids, &found, what);
    }
    Ok(())
}

#[async_trait]
impl Record for Resource {
    type Entity = resource::Entity;
    type Fields = ResourceFields;
    type Resolved = ();

    const ENTITY: AuditEntity = AuditEntity::Resource;
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
            facilities: unit_of_work::child_ids(
                db,
                resource_facility::Column::ResourceId,
                id,
                resource_facility::Column::FacilityId,
            )
            .await?,
            dimensions,
            workshops: unit_of_work::child_ids(
                db,
                resource_workshop::Column::ResourceId,
                id,
                resource_workshop::Column::WorkshopId,
            )
            .await?,
            visits: unit_of_work::child_ids(
                db,
                resource_visit::Column::ResourceId,
                id,
                resource_visit::Column::VisitId,
            )
            .await?,
            learning_sessions: unit_of_work::child_ids(
                db,
                resource_learning_session::Column::ResourceId,
                id,
                resource_learning_session::Column::LearningSessionId,
            )
            .await?,
            guideline_versions: unit_of_work::child_ids(
                db,
                resource_guideline_version::Column::ResourceId,
                id,
                resource_guideline_version::Column::GuidelineVersionId,
            )
            .await?,
        })
    }

    async fn check(
        write: &Write,
        fields: &mut ResourceFields,
        _current: Option<&resource::Model>,
    ) -> Result<()> {
        let mut problems = Problems::new();
        let db = write.txn();
        if fields.title.0.is_empty() {
            problems.add("input.title", "give a title, at least in English (`en`)");
        }
        for (lang, title) in &mut fields.title.0 {
            problems.check(&format!("input.title.{lang}"), validate::name(title));
            *title = title.trim().to_owned();
        }
        if let Some(summary) = &fields.summary {
            for (lang, text) in &summary.0 {
                problems.check(
                    &format!("input.summary.{lang}"),
                    validate::prose(text, validate::MAX_PROSE),
                );
            }
        }
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
        check_link::<entity::facility::Entity>(
            db,
            &mut problems,
            ("input.facilities", "facility"),
            entity::facility::Column::Id,
            &fields.facilities,
        )
        .await?;
        if bounded(&mut problems, "input.dimensions", fields.dimensions.len()) {
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
        check_link::<knowledge_workshop::Entity>(
            db,
            &mut problems,
            ("input.workshops", "knowledge workshop"),
            knowledge_workshop::Column::Id,
            &fields.workshops,
        )
        .await?;
        check_link::<visit::Entity>(
            db,
            &mut problems,
            ("input.visits", "visit"),
            visit::Column::Id,
            &fields.visits,
        )
        .await?;
        check_link::<learning_session::Entity>(
            db,
            &mut problems,
            ("input.learningSessions", "learning session"),
            learning_session::Column::Id,
            &fields.learning_sessions,
        )
        .await?;
        check_link::<guideline_version::Entity>(
            db,
            &mut problems,
            ("input.guidelineVersions", "guideline version"),
            guideline_version::Column::Id,
            &fields.guideline_versions,
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
        unit_of_work::replace_children(
            db,
            resource_language::Column::ResourceId,
            id,
            &fields.languages,
            before.map(|b| b.languages.as_slice()),
            |code| resource_language::ActiveModel {
                resource_id: Set(id),
                language: Set(code.clone()),
            },
        )
        .await?;
        unit_of_work::replace_children(
            db,
            resource_dimension::Column::ResourceId,
            id,
            &fields.dimensions,
            before.map(|b| b.dimensions.as_slice()),
            |d| resource_dimension::ActiveModel {
                resource_id: Set(id),
                dimension: Set(*d),
            },
        )
        .await?;
        unit_of_work::replace_children(
            db,
            resource_facility::Column::ResourceId,
            id,
            &fields.facilities,
            before.map(|b| b.facilities.as_slice()),
            |f| resource_facility::ActiveModel {
                resource_id: Set(id),
                facility_id: Set(*f),
            },
        )
        .await?;
        unit_of_work::replace_children(
            db,
            resource_workshop::Column::ResourceId,
            id,
            &fields.workshops,
            before.map(|b| b.workshops.as_slice()),
            |w| resource_workshop::ActiveModel {
                resource_id: Set(id),
                workshop_id: Set(*w),
            },
        )
        .await?;
        unit_of_work::replace_children(
            db,
            resource_visit::Column::ResourceId,
            id,
            &fields.visits,
            before.map(|b| b.visits.as_slice()),
            |v| resource_visit::ActiveModel {
                resource_id: Set(id),
                visit_id: Set(*v),
            },
        )
        .await?;
        unit_of_work::replace_children(
            db,
            resource_learning_session::Column::ResourceId,
            id,
            &fields.learning_sessions,
            before.map(|b| b.learning_sessions.as_slice()),
            |s| resource_learning_session::ActiveModel {
                resource_id: Set(id),
                learning_session_id: Set(*s),
            },
        )
        .await?;
        unit_of_work::replace_children(
            db,
            resource_guideline_version::Column::ResourceId,
            id,
            &fields.guideline_versions,
            before.map(|b| b.guideline_versions.as_slice()),
            |v| resource_guideline_version::ActiveModel {
                resource_id: Set(id),
                guideline_version_id: Set(*v),
            },
        )
        .await
    }
}
