//! `facility`, `facilities` and the map's reads: `facilitiesGeoJson` and
//! `facilityStats`, with the filter they share.

use async_graphql::{Context, ID, InputObject, Json, Object, Result};
use entity::facility;

use super::list;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::connection::{fetched, paginated, wants_total};
use crate::graphql::types::facility::{
    Facility, FacilityConnection, FacilityOrder, FacilityStatus, FacilityType, ManagedBy,
    Population, Principle, RefScheme, Regime, TargetAge, TargetGender,
};
use crate::graphql::types::stats::FacilityStats;
use crate::service;
use crate::service::facility::map::BBox;
use crate::service::kernel::read;

/// A bounding box in degrees (WGS 84), as `[west, south, east, north]` in
/// RFC 7946. A box whose `west` is greater than its `east` crosses the
/// antimeridian: it holds the longitudes from `west` to 180 and from -180 to `east`.
#[derive(InputObject, Debug, Clone, Copy)]
#[graphql(name = "BBox")]
pub struct BBoxInput {
    /// Westernmost longitude, -180 to 180.
    pub west: f64,
    /// Southernmost latitude, -90 to 90.
    pub south: f64,
    /// Easternmost longitude, -180 to 180.
    pub east: f64,
    /// Northernmost latitude, -90 to 90; not below `south`.
    pub north: f64,
}

/// Which facilities to return. Every field narrows the result; an absent or
/// empty list places no constraint. The fields mirror the filters of
/// RESCALED's map of inspirational practices.
#[derive(InputObject, Default, Debug, Clone)]
pub struct FacilityFilter {
    /// ISO 3166-1 alpha-2 codes, any case (`["BE", "NL"]`).
    pub country_code: Option<Vec<String>>,
    /// Any of these types.
    pub facility_type: Option<Vec<FacilityType>>,
    /// Any of these statuses.
    pub status: Option<Vec<FacilityStatus>>,
    /// Managed by any of these.
    pub managed_by: Option<Vec<ManagedBy>>,
    /// For any of these genders.
    pub target_gender: Option<Vec<TargetGender>>,
    /// For any of these age groups.
    pub target_age: Option<Vec<TargetAge>>,
    /// With any of these regimes.
    pub regime: Option<Vec<Regime>>,
    /// Applying all of these principles.
    pub principles: Option<Vec<Principle>>,
    /// With (true) or without (false) a social enterprise; unknown matches neither.
    pub social_enterprise: Option<bool>,
    /// At least this many places (facilities of unknown capacity do not match).
    pub capacity_min: Option<i32>,
    /// At most this many places (facilities of unknown capacity do not match).
    pub capacity_max: Option<i32>,
    /// Opened in or after this year.
    pub opened_from: Option<i32>,
    /// Opened in or before this year.
    pub opened_to: Option<i32>,
    /// Words that must all appear in the name, city or description, ignoring case and accents ("liege" finds "Liège").
    pub text: Option<String>,
    /// Any of these populations, as sources describe them.
    pub population: Option<Vec<Population>>,
    /// Only facilities whose coordinates lie in this box (the map's visible area); facilities without coordinates lie in none.
    pub bbox: Option<BBoxInput>,
    /// Only facilities that have a reference in each of these registers
    /// (`[WIKIDATA]`: those Wikidata knows).
    pub with_external_ref: Option<Vec<RefScheme>>,
    /// Only facilities that have no reference in any of these registers
    /// (`[WIKIDATA]`: those still to be linked to Wikidata).
    pub without_external_ref: Option<Vec<RefScheme>>,
}

/// A facility's key in another register, to find it by.
#[derive(InputObject, Debug, Clone)]
pub struct ExternalRefKey {
    /// The register.
    pub scheme: RefScheme,
    /// The facility's key there, as `Facility.externalRefs` shows it.
    pub value: String,
}

impl From<BBoxInput> for BBox {
    fn from(b: BBoxInput) -> Self {
        Self {
            west: b.west,
            south: b.south,
            east: b.east,
            north: b.north,
        }
    }
}

impl From<FacilityFilter> for service::facility::Filter {
    fn from(f: FacilityFilter) -> Self {
        Self {
            country_code: f.country_code.unwrap_or_default(),
            facility_type: list(f.facility_type),
            status: list(f.status),
            managed_by: list(f.managed_by),
            target_gender: f
                .target_gender
                .unwrap_or_default()
                .into_iter()
                .map(TargetGender::population)
                .collect(),
            population: list(f.population),
            target_age: list(f.target_age),
            regime: list(f.regime),
            principles: list(f.principles),
            social_enterprise: f.social_enterprise,
            capacity_min: f.capacity_min,
            capacity_max: f.capacity_max,
            opened_from: f.opened_from,
            opened_to: f.opened_to,
            text: f.text,
            bbox: f.bbox.map(Into::into),
            with_external_ref: list(f.with_external_ref),
            without_external_ref: list(f.without_external_ref),
        }
    }
}

paginated! {
    /// `facilities`, which `FacilityQuery` shows as its own.
    struct FacilityList;

    /// Facilities matching `filter`, in `orderBy` order (default: by name), a page at a time.
    /// `first` defaults to 50 and is at most 500; page back with `last` and `before`.
    async fn facilities(
        &self,
        ctx,
        #[graphql(desc = "Which records to include; absent: all of them.")] filter: Option<FacilityFilter>,
        #[graphql(desc = "Sort keys, the first deciding (default: by name).")] order_by: Option<Vec<FacilityOrder>>,
        args,
    ) -> FacilityConnection {
        let db = context::db(ctx);
        let filter: service::facility::Filter = filter.unwrap_or_default().into();
        let order: Vec<service::facility::Ordering> = list(order_by);
        let args = args.with_total(wants_total(ctx));
        let page = service::facility::page(db, &filter, &order, &args);
        fetched(ctx, page, service::facility::count(db, &filter)).await
    }
}

/// The reads of facilities, for lists and for the map.
#[derive(Default)]
pub struct FacilityQuery;

#[Object]
impl FacilityQuery {
    /// One facility, by `id`, `slug` or `ref` (give exactly one); null when none has it.
    /// A malformed id, or more or fewer than one argument, is `BAD_USER_INPUT`.
    async fn facility(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: Option<ID>,
        #[graphql(desc = "The facility's slug (for example `detentiehuis-kortrijk`).")]
        slug: Option<String>,
        #[graphql(
            name = "ref",
            desc = "The facility's key in another register (for example `{scheme: WIKIDATA, value: \"Q42\"}`)."
        )]
        external_ref: Option<ExternalRefKey>,
    ) -> Result<Option<Facility>> {
        let db = context::db(ctx);
        let found = match (id, slug, external_ref) {
            (None, None, Some(key)) => {
                service::facility::find_by_ref(db, key.scheme.into(), &key.value).await?
            }
            (Some(id), None, None) => {
                let row_id = id::row(db, &id, Kind::Facility, "id").await?;
                read::find_by_id::<facility::Entity>(db, row_id).await?
            }
            (None, Some(slug), None) => service::facility::find_by_slug(db, &slug).await?,
            _ => {
                return Err(AppError::bad_input(
                    "id",
                    "give exactly one of `id`, `slug` and `ref`",
                )
                .into());
            }
        };
        Ok(found.map(Into::into))
    }

    /// GeoJSON FeatureCollection (RFC 7946), one Point feature per facility with
    /// coordinates, `[longitude, latitude]`; `properties` holds the facility's global
    /// `id` and the columns of the CSV export under the same names (`facility_type`,
    /// `country_code`, ...), with its references as an `external_refs` array. Also at
    /// `GET /facilities.geojson`, and importable as the CSV is.
    async fn facilities_geo_json(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which records to include; absent: all of them.")] filter: Option<
            FacilityFilter,
        >,
        #[graphql(
            desc = "Only facilities inside this box; the same as `filter.bbox`, which the other reads of facilities take too.",
            deprecation = "Use `filter.bbox`."
        )]
        bbox: Option<BBoxInput>,
    ) -> Result<Json<serde_json::Value>> {
        let mut filter: service::facility::Filter = filter.unwrap_or_default().into();
        if let Some(bbox) = bbox {
            if filter.bbox.is_some() {
                return Err(AppError::bad_input(
                    "bbox",
                    "give the box once, as `filter.bbox` (the `bbox` argument is deprecated)",
                )
                .into());
            }
            filter.bbox = Some(BBox::from(bbox).validate("bbox")?);
        }
        let collection =
            service::facility::map::feature_collection(context::db(ctx), &filter).await?;
        let collection =
            serde_json::from_slice(&collection).map_err(|e| AppError::Internal(e.into()))?;
        Ok(Json(collection))
    }

    /// Counts of the facilities matching `filter`: total, places, and groups by country,
    /// type, status and managing body.
    async fn facility_stats(
        &self,
        #[graphql(desc = "Which records to include; absent: all of them.")] filter: Option<
            FacilityFilter,
        >,
    ) -> Result<FacilityStats> {
        let filter: service::facility::Filter = filter.unwrap_or_default().into();
        filter.condition()?;
        Ok(FacilityStats::new(filter))
    }

    /// `facilities`.
    #[graphql(flatten)]
    async fn list(&self) -> FacilityList {
        FacilityList
    }
}
