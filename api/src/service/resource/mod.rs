//! Reading the knowledge library: resources by filter and order, and the
//! records each is linked to, both ways, for many at once (for batching
//! loaders). Authors who are people are stakeholders: what a reader sees
//! of them is decided where they are shown, by the stakeholders' consent.

pub mod write;

use entity::value::{EcosystemDimension, ResourceKind};
use entity::{
    competence, competence_resource, facility, guideline, guideline_version, knowledge_workshop,
    learning_session, resource, resource_author, resource_dimension, resource_facility,
    resource_guideline_version, resource_language, resource_learning_session, resource_visit,
    resource_workshop, stakeholder, visit,
};
use sea_orm::sea_query::{Expr, ExprTrait, NullOrdering, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, Select,
};
use serde::Serialize;

use crate::error::{AppError, Result};
use crate::service::kernel::condition::{distinct, text_condition};
use crate::service::kernel::page::{self, Page, PageArgs};
use crate::service::kernel::{country, language, read};

/// Which resources to return. Absent or empty lists place no constraint;
/// a list matches a resource that has any of its values.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Filter {
    pub kind: Vec<ResourceKind>,
    pub dimension: Vec<EcosystemDimension>,
    /// ISO 639-1 codes of the languages the work exists in.
    pub language: Vec<String>,
    /// Countries of a linked facility or knowledge workshop.
    pub country_code: Vec<String>,
    pub workshop_id: Option<i32>,
    /// Keys of competences the resource treats.
    pub competence: Vec<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    pub text: Option<String>,
}

/// Orders a caller can ask for; ties are always broken by id, so pages are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum Ordering {
    /// Most recently published first; undated works last.
    #[default]
    Newest,
    /// Earliest published first; undated works last.
    Oldest,
    /// By English title.
    Title,
}

/// `resource.id IN (SELECT resource_id FROM <link> WHERE <cond>)`.
fn linked_where<E: EntityTrait>(
    link: E,
    resource_id: E::Column,
    cond: impl sea_orm::sea_query::IntoCondition,
) -> Condition {
    Condition::all().add(
        resource::Column::Id.in_subquery(
            Query::select()
                .column(resource_id)
                .from(link)
                .cond_where(cond)
                .to_owned(),
        ),
    )
}

impl Filter {
    /// The SQL condition, after checking every value.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` naming the offending filter field.
    pub fn condition(&self) -> Result<Condition> {
        let mut cond = Condition::all();
        if !self.kind.is_empty() {
            cond = cond.add(resource::Column::Kind.is_in(distinct(&self.kind)));
        }
        if !self.dimension.is_empty() {
            cond = cond.add(linked_where(
                resource_dimension::Entity,
                resource_dimension::Column::ResourceId,
                resource_dimension::Column::Dimension.is_in(distinct(&self.dimension)),
            ));
        }
        if !self.language.is_empty() {
            let codes = language::normalize_all(&self.language, "filter.language")?;
            cond = cond.add(linked_where(
                resource_language::Entity,
                resource_language::Column::ResourceId,
                resource_language::Column::Language.is_in(distinct(&codes)),
            ));
        }
        if !self.country_code.is_empty() {
            let codes = distinct(&country::normalize_all(
                &self.country_code,
                "filter.countryCode",
            )?);
            let of_facility = Query::select()
                .column(resource_facility::Column::ResourceId)
                .from(resource_facility::Entity)
                .inner_join(
                    facility::Entity,
                    Expr::col((facility::Entity, facility::Column::Id)).equals((
                        resource_facility::Entity,
                        resource_facility::Column::FacilityId,
                    )),
                )
                .and_where(facility::Column::CountryCode.is_in(codes.clone()))
                .to_owned();
            let of_workshop = Query::select()
                .column(resource_workshop::Column::ResourceId)
                .from(resource_workshop::Entity)
                .inner_join(
                    knowledge_workshop::Entity,
                    Expr::col((knowledge_workshop::Entity, knowledge_workshop::Column::Id)).equals(
                        (
                            resource_workshop::Entity,
                            resource_workshop::Column::WorkshopId,
                        ),
                    ),
                )
                .and_where(knowledge_workshop::Column::CountryCode.is_in(codes))
                .to_owned();
            cond = cond.add(
                Condition::any()
                    .add(resource::Column::Id.in_subquery(of_facility))
                    .add(resource::Column::Id.in_subquery(of_workshop)),
            );
        }
        if let Some(workshop_id) = self.workshop_id {
            cond = cond.add(linked_where(
                resource_workshop::Entity,
                resource_workshop::Column::ResourceId,
                resource_workshop::Column::WorkshopId.eq(workshop_id),
            ));
        }
        if !self.competence.is_empty() {
            cond = cond.add(linked_where(
                competence_resource::Entity,
                competence_resource::Column::ResourceId,
                competence_resource::Column::CompetenceId.in_subquery(
                    Query::select()
                        .column(competence::Column::Id)
                        .from(competence::Entity)
                        .and_where(competence::Column::Key.is_in(distinct(&self.competence)))
                        .to_owned(),
                ),
            ));
        }
        if let (Some(from), Some(to)) = (self.year_from, self.year_to)
            && from > to
        {
            return Err(AppError::bad_input(
                "filter.yearTo",
                format!("`yearTo` ({to}) is before `yearFrom` ({from})"),
            ));
        }
        if let Some(from) = self.year_from {
            cond = cond.add(resource::Column::PublishedYear.gte(from));
        }
        if let Some(to) = self.year_to {
            cond = cond.add(resource::Column::PublishedYear.lte(to));
        }
        if let Some(words) = &self.text {
            cond = text_condition(cond, resource::Column::SearchText, words, "filter.text")?;
        }
        Ok(cond)
    }
}

/// Resources matching `filter`, in `order`, ready to page.
///
/// # Errors
/// `BAD_USER_INPUT` for an invalid filter.
pub fn select(filter: &Filter, order: Ordering) -> Result<Select<resource::Entity>> {
    let select = resource::Entity::find().filter(filter.condition()?);
    let dated = |select: Select<resource::Entity>, order: Order| {
        // Undated works go last either way, on both backends.
        select
            .order_by_with_nulls(
                resource::Column::PublishedYear,
                order.clone(),
                NullOrdering::Last,
            )
            .order_by_with_nulls(resource::Column::PublishedOn, order, NullOrdering::Last)
    };
    let select = match order {
        Ordering::Newest => dated(select, Order::Desc),
        Ordering::Oldest => dated(select, Order::Asc),
        Ordering::Title => select,
    };
    Ok(select
        .order_by(resource::Column::SortTitle, Order::Asc)
        .order_by(resource::Column::Id, Order::Asc))
}

/// One page of resources.
///
/// # Errors
/// `BAD_USER_INPUT` for a bad filter, page size or cursor; database errors.
pub async fn page(
    db: &impl ConnectionTrait,
    filter: &Filter,
    order: Ordering,
    args: &PageArgs,
) -> Result<Page<resource::Model>> {
    let select = select(filter, order)?;
    let fingerprint = page::fingerprint(&("resource", filter, order));
    page::fetch(db, select, &fingerprint, args).await
}

/// How many resources match `filter`.
///
/// # Errors
/// `BAD_USER_INPUT` for a bad filter; database errors.
pub async fn count(db: &impl ConnectionTrait, filter: &Filter) -> Result<u64> {
    Ok(resource::Entity::find()
        .filter(filter.condition()?)
        .count(db)
        .await?)
}

/// The fingerprint of the cursors of one record's list of resources
/// (`Facility.resources`, ...), or of one resource's list of links.
#[must_use]
pub fn links_fingerprint(list: &str, id: i32) -> String {
    page::fingerprint(&("resource-links", list, id))
}

/// One author of a resource as stored: a stakeholder (with their record)
/// or an organisation named by text.
#[derive(Debug, Clone)]
pub enum StoredAuthor {
    Stakeholder(std::sync::Arc<stakeholder::Model>),
    Organisation(String),
}

/// The authors of many resources, as (resource id, author), in their order.
///
/// # Errors
/// Database errors.
pub async fn authors_of(
    db: &impl ConnectionTrait,
    resource_ids: &[i32],
) -> Result<Vec<(i32, StoredAuthor)>> {
    let rows = resource_author::Entity::find()
        .filter(resource_author::Column::ResourceId.is_in(resource_ids.iter().copied()))
        .find_also_related(stakeholder::Entity)
        .order_by_asc(resource_author::Column::ResourceId)
        .order_by_asc(resource_author::Column::Position)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(author, person)| {
            let stored = match (person, author.organisation) {
                (Some(person), _) => StoredAuthor::Stakeholder(std::sync::Arc::new(person)),
                (None, Some(name)) => StoredAuthor::Organisation(name),
                (None, None) => return None,
            };
            Some((author.resource_id, stored))
        })
        .collect())
}

/// The languages of many resources, as (resource id, ISO 639-1 code), by code.
///
/// # Errors
/// Database errors.
pub async fn languages_of(
    db: &impl ConnectionTrait,
    resource_ids: &[i32],
) -> Result<Vec<(i32, String)>> {
    Ok(resource_language::Entity::find()
        .filter(resource_language::Column::ResourceId.is_in(resource_ids.iter().copied()))
        .order_by_asc(resource_language::Column::Language)
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.resource_id, l.language))
        .collect())
}

/// The ecosystem dimensions of many resources, in the dimensions' order.
///
/// # Errors
/// Database errors.
pub async fn dimensions_of(
    db: &impl ConnectionTrait,
    resource_ids: &[i32],
) -> Result<Vec<(i32, EcosystemDimension)>> {
    let mut rows: Vec<(i32, EcosystemDimension)> = resource_dimension::Entity::find()
        .filter(resource_dimension::Column::ResourceId.is_in(resource_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.resource_id, d.dimension))
        .collect();
    // The database orders enums by their stored text; the API by the variants' order.
    rows.sort_by_key(|(_, d)| *d);
    Ok(rows)
}

/// The facilities of many resources, by name.
///
/// # Errors
/// Database errors.
pub async fn facilities_of(
    db: &impl ConnectionTrait,
    resource_ids: &[i32],
) -> Result<Vec<(i32, facility::Model)>> {
    let parent = resource_facility::Column::ResourceId;
    read::linked(db, parent, resource_ids, &[facility::Column::SortName]).await
}

/// The knowledge workshops of many resources, by key.
///
/// # Errors
/// Database errors.
pub async fn workshops_of(
    db: &impl ConnectionTrait,
    resource_ids: &[i32],
) -> Result<Vec<(i32, knowledge_workshop::Model)>> {
    let parent = resource_workshop::Column::ResourceId;
    read::linked(db, parent, resource_ids, &[knowledge_workshop::Column::Key]).await
}

/// The visits of many resources, oldest first.
///
/// # Errors
/// Database errors.
pub async fn visits_of(
    db: &impl ConnectionTrait,
    resource_ids: &[i32],
) -> Result<Vec<(i32, visit::Model)>> {
    let parent = resource_visit::Column::ResourceId;
    let order = [visit::Column::VisitedOn, visit::Column::Id];
    read::linked(db, parent, resource_ids, &order).await
}

/// The learning sessions of many resources, oldest first.
///
/// # Errors
/// Database errors.
pub async fn sessions_of(
    db: &impl ConnectionTrait,
    resource_ids: &[i32],
) -> Result<Vec<(i32, learning_session::Model)>> {
    let parent = resource_learning_session::Column::ResourceId;
    let order = [
        learning_session::Column::HeldOn,
        learning_session::Column::Id,
    ];
    read::linked(db, parent, resource_ids, &order).await
}

/// The guideline versions many resources informed, with their guidelines,
/// by guideline and number: two queries, however many.
///
/// # Errors
/// Database errors.
pub async fn guideline_versions_of(
    db: &impl ConnectionTrait,
    resource_ids: &[i32],
) -> Result<Vec<(i32, (guideline_version::Model, guideline::Model))>> {
    let parent = resource_guideline_version::Column::ResourceId;
    crate::service::guideline::linked_versions(db, parent, resource_ids).await
}

/// Declares a reader of the resources linked to many records of one kind,
/// by title.
macro_rules! resources_of {
    ($(#[$doc:meta])* $name:ident, $link:expr) => {
        $(#[$doc])*
        ///
        /// # Errors
        /// Database errors.
        pub async fn $name(
            db: &impl ConnectionTrait,
            ids: &[i32],
        ) -> Result<Vec<(i32, resource::Model)>> {
            let order = [resource::Column::SortTitle, resource::Column::Id];
            read::linked(db, $link, ids, &order).await
        }
    };
}

resources_of!(
    /// The resources of many facilities, as (facility id, resource).
    of_facilities,
    resource_facility::Column::FacilityId
);
resources_of!(
    /// The resources of many knowledge workshops.
    of_workshops,
    resource_workshop::Column::WorkshopId
);
resources_of!(
    /// The resources that came out of many visits.
    of_visits,
    resource_visit::Column::VisitId
);
resources_of!(
    /// The resources that came out of many learning sessions.
    of_sessions,
    resource_learning_session::Column::LearningSessionId
);
resources_of!(
    /// The resources that informed many guideline versions.
    of_guideline_versions,
    resource_guideline_version::Column::GuidelineVersionId
);
