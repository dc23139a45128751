//! Reading facilities: filters and orders translated to SQL, so that the
//! database does the work on both backends.

pub mod csv;
pub mod import;
pub mod map;
pub mod stats;
pub mod write;

use entity::value::{
    FacilityStatus, FacilityType, ManagedBy, Population, Principle, RefScheme, Regime, TargetAge,
};
use entity::{facility, facility_ecosystem_note, facility_external_ref, facility_principle};
use sea_orm::sea_query::{Expr, ExprTrait, NullOrdering, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder, Select,
};
use serde::Serialize;

use crate::error::{AppError, Result};
use crate::service::kernel::condition::{count_of, distinct, one_of, text_condition};
use crate::service::kernel::country;
use crate::service::kernel::page::{self, Page, PageArgs};
use map::BBox;

/// Which facilities to return. Absent (or empty) lists place no constraint.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Filter {
    pub country_code: Vec<String>,
    pub facility_type: Vec<FacilityType>,
    pub status: Vec<FacilityStatus>,
    pub managed_by: Vec<ManagedBy>,
    /// The gender part of the population (men, women, mixed).
    pub target_gender: Vec<Population>,
    pub population: Vec<Population>,
    pub target_age: Vec<TargetAge>,
    pub regime: Vec<Regime>,
    /// Facilities that apply all of these.
    pub principles: Vec<Principle>,
    pub social_enterprise: Option<bool>,
    pub capacity_min: Option<i32>,
    pub capacity_max: Option<i32>,
    pub opened_from: Option<i32>,
    pub opened_to: Option<i32>,
    /// Words that must all appear in the name, city or description.
    pub text: Option<String>,
    /// Only facilities whose coordinates lie in this box; facilities without
    /// coordinates lie in none.
    pub bbox: Option<BBox>,
    /// Facilities with a reference of each of these schemes.
    pub with_external_ref: Vec<RefScheme>,
    /// Facilities with a reference of none of these schemes.
    pub without_external_ref: Vec<RefScheme>,
}

/// Orders a caller can ask for; ties are always broken by id, so pages are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Ordering {
    NameAsc,
    NameDesc,
    CapacityAsc,
    CapacityDesc,
    OpenedAsc,
    OpenedDesc,
    UpdatedDesc,
}

impl Filter {
    /// The SQL condition, after checking every value.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` naming the offending filter field.
    pub fn condition(&self) -> Result<Condition> {
        let mut cond = Condition::all();
        if !self.country_code.is_empty() {
            let codes = country::normalize_all(&self.country_code, "filter.countryCode")?;
            cond = one_of(cond, facility::Column::CountryCode, &codes);
        }
        cond = one_of(cond, facility::Column::FacilityType, &self.facility_type);
        cond = one_of(cond, facility::Column::Status, &self.status);
        cond = one_of(cond, facility::Column::ManagedBy, &self.managed_by);
        cond = one_of(cond, facility::Column::Population, &self.target_gender);
        cond = one_of(cond, facility::Column::Population, &self.population);
        cond = one_of(cond, facility::Column::TargetAge, &self.target_age);
        cond = one_of(cond, facility::Column::Regime, &self.regime);
        if !self.principles.is_empty() {
            // Facilities that apply every principle asked for: one grouped
            // subquery, however many are asked (a subquery per principle
            // nested past SQLite's expression depth and PostgreSQL's patience).
            let principles = distinct(&self.principles);
            let wanted = i64::try_from(principles.len()).unwrap_or(i64::MAX);
            cond = cond.add(
                facility::Column::Id.in_subquery(
                    Query::select()
                        .column(facility_principle::Column::FacilityId)
                        .from(facility_principle::Entity)
                        .and_where(facility_principle::Column::Principle.is_in(principles))
                        .group_by_col(facility_principle::Column::FacilityId)
                        .and_having(
                            Expr::expr(count_of(facility_principle::Column::Principle)).eq(wanted),
                        )
                        .to_owned(),
                ),
            );
        }
        if let Some(social_enterprise) = self.social_enterprise {
            cond = cond.add(facility::Column::SocialEnterprise.eq(social_enterprise));
        }
        check_range(
            "filter.capacityMin",
            self.capacity_min,
            "filter.capacityMax",
            self.capacity_max,
        )?;
        if let Some(min) = self.capacity_min {
            cond = cond.add(facility::Column::Capacity.gte(min));
        }
        if let Some(max) = self.capacity_max {
            cond = cond.add(facility::Column::Capacity.lte(max));
        }
        check_range(
            "filter.openedFrom",
            self.opened_from,
            "filter.openedTo",
            self.opened_to,
        )?;
        if let Some(from) = self.opened_from {
            cond = cond.add(facility::Column::OpenedYear.gte(from));
        }
        if let Some(to) = self.opened_to {
            cond = cond.add(facility::Column::OpenedYear.lte(to));
        }
        if let Some(words) = &self.text {
            cond = text_condition(cond, facility::Column::SearchText, words, "filter.text")?;
        }
        if let Some(bbox) = self.bbox {
            cond = cond.add(inside(bbox.validate("filter.bbox")?));
        }
        let referenced = |schemes: Vec<RefScheme>| {
            Query::select()
                .column(facility_external_ref::Column::FacilityId)
                .from(facility_external_ref::Entity)
                .and_where(facility_external_ref::Column::Scheme.is_in(schemes))
                .to_owned()
        };
        // At most one subquery per scheme: there are five.
        for scheme in distinct(&self.with_external_ref) {
            cond = cond.add(facility::Column::Id.in_subquery(referenced(vec![scheme])));
        }
        if !self.without_external_ref.is_empty() {
            let schemes = distinct(&self.without_external_ref);
            cond = cond.add(facility::Column::Id.not_in_subquery(referenced(schemes)));
        }
        Ok(cond)
    }
}

/// Coordinates inside `bbox`. A box whose west edge is east of its east edge
/// crosses the antimeridian, as in RFC 7946 (5.2): it holds the longitudes
/// from `west` to 180 and from -180 to `east`.
fn inside(bbox: BBox) -> Condition {
    let latitude = facility::Column::Latitude.between(bbox.south, bbox.north);
    let longitude = if bbox.west <= bbox.east {
        Condition::all().add(facility::Column::Longitude.between(bbox.west, bbox.east))
    } else {
        Condition::any()
            .add(facility::Column::Longitude.gte(bbox.west))
            .add(facility::Column::Longitude.lte(bbox.east))
    };
    Condition::all().add(latitude).add(longitude)
}

fn check_range(min_name: &str, min: Option<i32>, max_name: &str, max: Option<i32>) -> Result<()> {
    match (min, max) {
        (Some(min), Some(max)) if min > max => Err(AppError::bad_input(
            min_name,
            format!("`{min_name}` ({min}) is greater than `{max_name}` ({max})"),
        )),
        _ => Ok(()),
    }
}

/// Facilities matching `filter`, in `order`, ready to page or count.
///
/// # Errors
/// `BAD_USER_INPUT` for an invalid filter.
pub fn select(filter: &Filter, order: &[Ordering]) -> Result<Select<facility::Entity>> {
    let mut select = facility::Entity::find().filter(filter.condition()?);
    let order = if order.is_empty() {
        &[Ordering::NameAsc][..]
    } else {
        order
    };
    for ordering in order {
        select = match ordering {
            Ordering::NameAsc => select.order_by(facility::Column::SortName, Order::Asc),
            Ordering::NameDesc => select.order_by(facility::Column::SortName, Order::Desc),
            // Unknown capacities and years go last either way, on both backends.
            Ordering::CapacityAsc => select.order_by_with_nulls(
                facility::Column::Capacity,
                Order::Asc,
                NullOrdering::Last,
            ),
            Ordering::CapacityDesc => select.order_by_with_nulls(
                facility::Column::Capacity,
                Order::Desc,
                NullOrdering::Last,
            ),
            Ordering::OpenedAsc => select.order_by_with_nulls(
                facility::Column::OpenedYear,
                Order::Asc,
                NullOrdering::Last,
            ),
            Ordering::OpenedDesc => select.order_by_with_nulls(
                facility::Column::OpenedYear,
                Order::Desc,
                NullOrdering::Last,
            ),
            Ordering::UpdatedDesc => select.order_by(facility::Column::UpdatedAt, Order::Desc),
        };
    }
    Ok(select.order_by(facility::Column::Id, Order::Asc))
}

/// One page of facilities.
///
/// # Errors
/// `BAD_USER_INPUT` for a bad filter, page size or cursor.
pub async fn page(
    db: &impl ConnectionTrait,
    filter: &Filter,
    order: &[Ordering],
    args: &PageArgs,
) -> Result<Page<facility::Model>> {
    let select = select(filter, order)?;
    page::fetch(db, select, &fingerprint(filter, order), args).await
}

/// What the cursors of a page of facilities carry: the list they index.
#[must_use]
pub fn fingerprint(filter: &Filter, order: &[Ordering]) -> String {
    page::fingerprint(&("facility", filter, order))
}

/// How many facilities match `filter`.
///
/// # Errors
/// `BAD_USER_INPUT` for a bad filter.
pub async fn count(db: &impl ConnectionTrait, filter: &Filter) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(facility::Entity::find()
        .filter(filter.condition()?)
        .count(db)
        .await?)
}

/// # Errors
/// Database errors only; an unknown slug is `Ok(None)`.
pub async fn find_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<facility::Model>> {
    Ok(facility::Entity::find()
        .filter(facility::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// The facility that a register's key names.
///
/// # Errors
/// Database errors; an unknown reference is `Ok(None)`.
pub async fn find_by_ref(
    db: &impl ConnectionTrait,
    scheme: RefScheme,
    value: &str,
) -> Result<Option<facility::Model>> {
    Ok(facility::Entity::find()
        .filter(
            facility::Column::Id.in_subquery(
                Query::select()
                    .column(facility_external_ref::Column::FacilityId)
                    .from(facility_external_ref::Entity)
                    .and_where(facility_external_ref::Column::Scheme.eq(scheme))
                    .and_where(facility_external_ref::Column::Value.eq(value.trim()))
                    .to_owned(),
            ),
        )
        .one(db)
        .await?)
}

/// The principles of many facilities at once (for batching loaders).
///
/// # Errors
/// Database errors.
pub async fn principles_of(
    db: &impl ConnectionTrait,
    facility_ids: &[i32],
) -> Result<Vec<facility_principle::Model>> {
    Ok(facility_principle::Entity::find()
        .filter(facility_principle::Column::FacilityId.is_in(facility_ids.iter().copied()))
        .order_by_asc(facility_principle::Column::Principle)
        .all(db)
        .await?)
}

/// The ecosystem notes of many facilities at once (for batching loaders).
///
/// # Errors
/// Database errors.
pub async fn ecosystem_notes_of(
    db: &impl ConnectionTrait,
    facility_ids: &[i32],
) -> Result<Vec<facility_ecosystem_note::Model>> {
    Ok(facility_ecosystem_note::Entity::find()
        .filter(facility_ecosystem_note::Column::FacilityId.is_in(facility_ids.iter().copied()))
        .order_by_asc(facility_ecosystem_note::Column::Dimension)
        .all(db)
        .await?)
}
