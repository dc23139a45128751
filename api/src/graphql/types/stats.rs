//! Counts over facilities for the map's side panel.

use async_graphql::{Context, Object, Result, SimpleObject};

use crate::graphql::context;
use crate::service::facility::Filter;
use crate::service::facility::stats::{self, Bucket, GroupBy};

/// Counts of the facilities that match a filter, computed by the database.
pub struct FacilityStats {
    filter: Filter,
    /// `total` and `totalCapacity` come from one query, run at most once.
    totals: tokio::sync::OnceCell<(i64, i64)>,
}

/// One group of facilities.
#[derive(SimpleObject, Clone, Debug)]
pub struct CountBucket {
    /// The group: a country code (`BE`), or an enum value as the API spells it
    /// (`DETENTION_HOUSE`, `OPEN`, `NGO`); `UNKNOWN` where facilities have none.
    pub key: String,
    /// How many facilities.
    pub count: i32,
    /// Their places together (facilities of unknown capacity count 0).
    pub capacity: i32,
}

fn to_i32(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl From<Bucket> for CountBucket {
    fn from(b: Bucket) -> Self {
        Self {
            key: b
                .key
                .map_or_else(|| "UNKNOWN".to_owned(), |k| k.to_ascii_uppercase()),
            count: to_i32(b.count),
            capacity: to_i32(b.capacity),
        }
    }
}

impl FacilityStats {
    #[must_use]
    pub fn new(filter: Filter) -> Self {
        Self {
            filter,
            totals: tokio::sync::OnceCell::new(),
        }
    }

    async fn totals(&self, ctx: &Context<'_>) -> Result<(i64, i64)> {
        let totals = self
            .totals
            .get_or_try_init(|| stats::totals(context::db(ctx), &self.filter))
            .await?;
        Ok(*totals)
    }

    async fn group(&self, ctx: &Context<'_>, by: GroupBy) -> Result<Vec<CountBucket>> {
        let buckets = stats::buckets(context::db(ctx), &self.filter, by).await?;
        Ok(buckets.into_iter().map(Into::into).collect())
    }
}

/// Counts of the facilities that match a filter, computed by the database.
#[Object]
impl FacilityStats {
    /// How many facilities match.
    async fn total(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(to_i32(self.totals(ctx).await?.0))
    }
    /// Their places together (facilities of unknown capacity count 0).
    async fn total_capacity(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(to_i32(self.totals(ctx).await?.1))
    }
    /// By country, largest first.
    async fn by_country(&self, ctx: &Context<'_>) -> Result<Vec<CountBucket>> {
        self.group(ctx, GroupBy::Country).await
    }
    /// By facility type, largest first.
    async fn by_type(&self, ctx: &Context<'_>) -> Result<Vec<CountBucket>> {
        self.group(ctx, GroupBy::Type).await
    }
    /// By status, largest first.
    async fn by_status(&self, ctx: &Context<'_>) -> Result<Vec<CountBucket>> {
        self.group(ctx, GroupBy::Status).await
    }
    /// By who manages them, largest first.
    async fn by_managed_by(&self, ctx: &Context<'_>) -> Result<Vec<CountBucket>> {
        self.group(ctx, GroupBy::ManagedBy).await
    }
}
