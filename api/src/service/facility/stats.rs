//! Aggregates over facilities, computed by the database.

use entity::facility;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func};
use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::error::Result;
use crate::service::facility::Filter;

/// One group: its key, how many facilities, and their known places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    /// The group's value; `None` where facilities have none.
    pub key: Option<String>,
    pub count: i64,
    pub capacity: i64,
}

/// What to group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Country,
    Type,
    Status,
    ManagedBy,
}

impl GroupBy {
    fn column(self) -> facility::Column {
        match self {
            GroupBy::Country => facility::Column::CountryCode,
            GroupBy::Type => facility::Column::FacilityType,
            GroupBy::Status => facility::Column::Status,
            GroupBy::ManagedBy => facility::Column::ManagedBy,
        }
    }
}

/// Facilities matching `filter` grouped by one column, largest groups first.
///
/// # Errors
/// `BAD_USER_INPUT` for a bad filter; database errors.
pub async fn buckets(
    db: &impl ConnectionTrait,
    filter: &Filter,
    by: GroupBy,
) -> Result<Vec<Bucket>> {
    let column = by.column();
    let rows: Vec<(Option<String>, i64, Option<i64>)> = facility::Entity::find()
        .filter(filter.condition()?)
        .select_only()
        .column(column)
        .column_as(Expr::col(facility::Column::Id).count(), "count")
        .column_as(capacity_sum(), "capacity")
        .group_by(column)
        .into_tuple()
        .all(db)
        .await?;
    let mut buckets: Vec<Bucket> = rows
        .into_iter()
        .map(|(key, count, capacity)| Bucket {
            key,
            count,
            capacity: capacity.unwrap_or(0),
        })
        .collect();
    buckets.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    Ok(buckets)
}

/// How many facilities match, and their places together.
///
/// # Errors
/// `BAD_USER_INPUT` for a bad filter; database errors.
pub async fn totals(db: &impl ConnectionTrait, filter: &Filter) -> Result<(i64, i64)> {
    let row: Option<(i64, Option<i64>)> = facility::Entity::find()
        .filter(filter.condition()?)
        .select_only()
        .column_as(Expr::col(facility::Column::Id).count(), "count")
        .column_as(capacity_sum(), "capacity")
        .into_tuple()
        .one(db)
        .await?;
    Ok(row.map_or((0, 0), |(count, capacity)| (count, capacity.unwrap_or(0))))
}

/// SUM(capacity) as a 64-bit integer on both backends (PostgreSQL sums
/// integers into bigint already; the cast keeps SQLite and it alike).
fn capacity_sum() -> Expr {
    Expr::expr(Func::sum(Expr::col(facility::Column::Capacity))).cast_as(Alias::new("BIGINT"))
}
