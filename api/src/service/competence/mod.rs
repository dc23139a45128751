//! Reading the competence framework of relational security: its areas, the
//! competences by filter in the framework's order, and the records each
//! competence is linked to, both ways, for many at once (for batching
//! loaders).

pub mod write;

use entity::{
    competence, competence_area, competence_guideline_version, competence_learning_session,
    competence_resource, guideline, guideline_version, learning_session, resource,
};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, Select,
};
use serde::Serialize;

use crate::error::Result;
use crate::service::kernel::condition::{distinct, text_condition};
use crate::service::kernel::page::{self, Listing};
use crate::service::kernel::read;

/// The most areas the framework holds; queries are costed by it.
pub const MAX_AREAS: usize = 50;

/// The most competences one area holds; queries are costed by it.
pub const MAX_PER_AREA: usize = 100;

/// Which competences to return. An empty list places no constraint.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Filter {
    /// Keys of areas: competences of any of them.
    pub area: Vec<String>,
    pub text: Option<String>,
}

impl Listing for Filter {
    type Entity = competence::Entity;

    const NAME: &'static str = "competence";

    fn condition(&self) -> Result<Condition> {
        let mut cond = Condition::all();
        if !self.area.is_empty() {
            cond = cond.add(
                competence::Column::AreaId.in_subquery(
                    Query::select()
                        .column(competence_area::Column::Id)
                        .from(competence_area::Entity)
                        .and_where(competence_area::Column::Key.is_in(distinct(&self.area)))
                        .to_owned(),
                ),
            );
        }
        if let Some(words) = &self.text {
            cond = text_condition(cond, competence::Column::SearchText, words, "filter.text")?;
        }
        Ok(cond)
    }

    /// The framework's order: by area, then within each area.
    fn order(select: Select<competence::Entity>) -> Select<competence::Entity> {
        select
            .join(
                JoinType::InnerJoin,
                competence::Relation::CompetenceArea.def(),
            )
            .order_by_asc(competence_area::Column::Position)
            .order_by_asc(competence_area::Column::Id)
            .order_by_asc(competence::Column::Position)
            .order_by_asc(competence::Column::Id)
    }
}

/// Every area, in the framework's order; never more than [`MAX_AREAS`].
///
/// # Errors
/// Database errors.
pub async fn areas(db: &impl ConnectionTrait) -> Result<Vec<competence_area::Model>> {
    Ok(competence_area::Entity::find()
        .order_by_asc(competence_area::Column::Position)
        .order_by_asc(competence_area::Column::Id)
        .limit(MAX_AREAS as u64)
        .all(db)
        .await?)
}

/// A competence by key.
///
/// # Errors
/// Database errors; an unknown key is `Ok(None)`.
pub async fn find_by_key(
    db: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<competence::Model>> {
    Ok(competence::Entity::find()
        .filter(competence::Column::Key.eq(key.trim()))
        .one(db)
        .await?)
}

/// The competences of many areas, in their order.
///
/// # Errors
/// Database errors.
pub async fn of_areas(
    db: &impl ConnectionTrait,
    area_ids: &[i32],
) -> Result<Vec<(i32, competence::Model)>> {
    Ok(competence::Entity::find()
        .filter(competence::Column::AreaId.is_in(area_ids.iter().copied()))
        .order_by_asc(competence::Column::Position)
        .order_by_asc(competence::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.area_id, c))
        .collect())
}

/// The fingerprint of the cursors of one record's list of competences
/// (`Resource.competences`, ...), or of one competence's list of links.
#[must_use]
pub fn links_fingerprint(list: &str, id: i32) -> String {
    page::fingerprint(&("competence-links", list, id))
}

/// The resources of many competences, by title.
///
/// # Errors
/// Database errors.
pub async fn resources_of(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<Vec<(i32, resource::Model)>> {
    let order = [resource::Column::SortTitle, resource::Column::Id];
    read::linked(db, competence_resource::Column::CompetenceId, ids, &order).await
}

/// The learning sessions of many competences, oldest first.
///
/// # Errors
/// Database errors.
pub async fn sessions_of(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<Vec<(i32, learning_session::Model)>> {
    let order = [
        learning_session::Column::HeldOn,
        learning_session::Column::Id,
    ];
    let parent = competence_learning_session::Column::CompetenceId;
    read::linked(db, parent, ids, &order).await
}

/// The guideline versions of many competences, with their guidelines, by
/// guideline and number: two queries, however many.
///
/// # Errors
/// Database errors.
pub async fn guideline_versions_of(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<Vec<(i32, (guideline_version::Model, guideline::Model))>> {
    let parent = competence_guideline_version::Column::CompetenceId;
    crate::service::guideline::linked_versions(db, parent, ids).await
}

/// The competences of `pairs` (parent id, competence id), as (parent id,
/// competence), each parent's in the framework's order: one query.
async fn in_order(
    db: &impl ConnectionTrait,
    pairs: Vec<(i32, i32)>,
) -> Result<Vec<(i32, competence::Model)>> {
    let ids: Vec<i32> = distinct(&pairs.iter().map(|(_, c)| *c).collect::<Vec<_>>());
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ordered =
        Filter::order(competence::Entity::find().filter(competence::Column::Id.is_in(ids)))
            .all(db)
            .await?;
    let mut out: Vec<(i32, usize, competence::Model)> = Vec::with_capacity(pairs.len());
    for (parent, id) in pairs {
        if let Some((rank, c)) = ordered.iter().enumerate().find(|(_, c)| c.id == id) {
            out.push((parent, rank, c.clone()));
        }
    }
    out.sort_by_key(|(parent, rank, _)| (*parent, *rank));
    Ok(out.into_iter().map(|(parent, _, c)| (parent, c)).collect())
}

/// The competences that many resources treat.
///
/// # Errors
/// Database errors.
pub async fn of_resources(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<Vec<(i32, competence::Model)>> {
    let pairs = competence_resource::Entity::find()
        .filter(competence_resource::Column::ResourceId.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.resource_id, l.competence_id))
        .collect();
    in_order(db, pairs).await
}

/// The competences that many learning sessions treated.
///
/// # Errors
/// Database errors.
pub async fn of_sessions(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<Vec<(i32, competence::Model)>> {
    let pairs = competence_learning_session::Entity::find()
        .filter(competence_learning_session::Column::LearningSessionId.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.learning_session_id, l.competence_id))
        .collect();
    in_order(db, pairs).await
}

/// The competences that many guideline versions treat.
///
/// # Errors
/// Database errors.
pub async fn of_guideline_versions(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<Vec<(i32, competence::Model)>> {
    let pairs = competence_guideline_version::Entity::find()
        .filter(competence_guideline_version::Column::GuidelineVersionId.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.guideline_version_id, l.competence_id))
        .collect();
    in_order(db, pairs).await
}
