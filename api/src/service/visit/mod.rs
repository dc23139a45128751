//! Reading study visits, their participants and findings.

pub mod write;

use chrono::NaiveDate;
use entity::{stakeholder, visit, visit_finding, visit_participant};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select,
};
use serde::Serialize;

use crate::error::Result;
use crate::service::kernel::page::{self, Listing};
use crate::service::kernel::read;

/// Which visits to return.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Filter {
    pub facility_id: Option<i32>,
    pub workshop_id: Option<i32>,
    pub visited_from: Option<NaiveDate>,
    pub visited_to: Option<NaiveDate>,
}

impl Listing for Filter {
    type Entity = visit::Entity;

    const NAME: &'static str = "visit";

    fn condition(&self) -> Result<Condition> {
        let mut cond = Condition::all();
        if let Some(id) = self.facility_id {
            cond = cond.add(visit::Column::FacilityId.eq(id));
        }
        if let Some(id) = self.workshop_id {
            cond = cond.add(visit::Column::WorkshopId.eq(id));
        }
        if let Some(from) = self.visited_from {
            cond = cond.add(visit::Column::VisitedOn.gte(from));
        }
        if let Some(to) = self.visited_to {
            cond = cond.add(visit::Column::VisitedOn.lte(to));
        }
        Ok(cond)
    }

    /// Most recent first.
    fn order(select: Select<visit::Entity>) -> Select<visit::Entity> {
        select
            .order_by_desc(visit::Column::VisitedOn)
            .order_by_desc(visit::Column::Id)
    }
}

/// The fingerprint of a facility's own list of visits, for cursors of `Facility.visits`.
#[must_use]
pub fn facility_visits_fingerprint(facility_id: i32) -> String {
    page::fingerprint(&("facility-visits", facility_id))
}

/// Every visit of many facilities, most recent first (for batching loaders).
///
/// # Errors
/// Database errors.
pub async fn of_facilities(
    db: &impl ConnectionTrait,
    facility_ids: &[i32],
) -> Result<Vec<visit::Model>> {
    let select =
        visit::Entity::find().filter(visit::Column::FacilityId.is_in(facility_ids.iter().copied()));
    Ok(Filter::order(select).all(db).await?)
}

/// Participants of many visits, as (visit id, stakeholder), by name.
///
/// # Errors
/// Database errors.
pub async fn participants_of(
    db: &impl ConnectionTrait,
    visit_ids: &[i32],
) -> Result<Vec<(i32, stakeholder::Model)>> {
    // By name, then by record: two people of one name keep one order on
    // every read and backend.
    let by_name = [stakeholder::Column::SortName, stakeholder::Column::Id];
    read::linked(db, visit_participant::Column::VisitId, visit_ids, &by_name).await
}

/// Findings of many visits.
///
/// # Errors
/// Database errors.
pub async fn findings_of(
    db: &impl ConnectionTrait,
    visit_ids: &[i32],
) -> Result<Vec<visit_finding::Model>> {
    Ok(visit_finding::Entity::find()
        .filter(visit_finding::Column::VisitId.is_in(visit_ids.iter().copied()))
        .all(db)
        .await?)
}
