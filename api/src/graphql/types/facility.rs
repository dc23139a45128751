//! Facilities: the `Facility` type, its connection, and the enums that
//! describe a facility (the ecosystem dimensions too, which visits share).
//! The enums stored in the database mirror the entity enums, and the order
//! the service's, through `remote`, which generates the conversions both ways.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use entity::facility;
use entity::value as db;

use super::connection::{connection, linked, paginated};
use super::record::record;
use super::resource::ResourceConnection;
use super::revision::Revision;
use super::scalar::Date;
use super::source::Source;
use super::translated::translated;
use super::visit::VisitConnection;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::loader::{
    EcosystemOf, ExternalRefsOf, FacilityResources, FacilityVisits, OrganisationById, PrinciplesOf,
};
use crate::service;

/// RESCALED's bound for a small-scale facility.
pub const SMALL_SCALE_CAPACITY: i32 = 30;

record! {
    /// A small-scale detention facility in Europe.
    Facility(facility::Model)
}

connection!(Facility, FacilityConnection, FacilityEdge);

/// A note on one ecosystem dimension.
#[derive(SimpleObject, Clone, Debug)]
pub struct EcosystemNote {
    /// The dimension the note is about.
    pub dimension: EcosystemDimension,
    /// The note, in English.
    pub note: String,
}

impl From<(db::EcosystemDimension, String)> for EcosystemNote {
    fn from((dimension, note): (db::EcosystemDimension, String)) -> Self {
        Self {
            dimension: dimension.into(),
            note,
        }
    }
}

/// What another register calls a facility.
#[derive(SimpleObject, Clone, Debug)]
pub struct ExternalRef {
    /// The register.
    pub scheme: RefScheme,
    /// The facility's key there (a Wikidata item such as `Q123`, an OSM element
    /// such as `way/123`, the path of a RESCALED page), unique in its scheme.
    pub value: String,
    /// The page of the facility in that register.
    pub url: String,
}

impl From<entity::facility_external_ref::Model> for ExternalRef {
    fn from(r: entity::facility_external_ref::Model) -> Self {
        Self {
            scheme: r.scheme.into(),
            value: r.value,
            url: r.url,
        }
    }
}

/// A register that names facilities.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "db::RefScheme")]
pub enum RefScheme {
    /// RESCALED's map of inspirational practices (inspirational-practices.rescaled.org).
    Rescaled,
    /// Prison Insider (prison-insider.com).
    PrisonInsider,
    /// Wikidata: the value is an item id such as `Q42`.
    Wikidata,
    /// OpenStreetMap: the value is an element such as `way/123456`.
    Osm,
    /// Any other register.
    Other,
}

translated! {
    /// The description of a facility, which `Facility` shows as its own.
    pub(crate) struct FacilityTexts(Arc<facility::Model>);

    /// Description in the caller's language (`lang`: en, fr, nl or es; else the
    /// `Accept-Language` header), falling back to English.
    description: Option<String>,
    /// The language `description(lang:)` serves for the same `lang`: the one
    /// asked for when the facility has a text in it, else English, the fallback;
    /// null without a text.
    description_language("As in `description(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English.");
}

paginated! {
    /// What a facility is linked to, which `Facility` shows as its own.
    pub(crate) struct FacilityLinks(Arc<facility::Model>);

    /// Study visits to this facility, most recent first.
    async fn visits(&self, ctx, args) -> VisitConnection {
        let fingerprint = service::visit::facility_visits_fingerprint(self.0.id);
        linked(ctx, FacilityVisits(self.0.id), &fingerprint, &args).await
    }
    /// The resources of the knowledge library about this facility, by title.
    async fn resources(&self, ctx, args) -> ResourceConnection {
        let fingerprint = service::resource::links_fingerprint("facility", self.0.id);
        linked(ctx, FacilityResources(self.0.id), &fingerprint, &args).await
    }
}

/// A small-scale detention facility in Europe.
#[Object]
impl Facility {
    /// Global id (use it with `facility(id:)` or `node(id:)`).
    pub async fn id(&self) -> ID {
        id::encode(Kind::Facility, self.0.uuid)
    }
    /// Stable, URL-safe name, unique among facilities (for example `detentiehuis-kortrijk`).
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name, in the facility's own language.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// ISO 3166-1 alpha-2 code of the country, upper case (for example `BE`).
    async fn country_code(&self) -> &str {
        &self.0.country_code
    }
    /// City or municipality.
    async fn city(&self) -> Option<&str> {
        self.0.city.as_deref()
    }
    /// Latitude in degrees (WGS 84).
    async fn latitude(&self) -> Option<f64> {
        self.0.latitude
    }
    /// Longitude in degrees (WGS 84).
    async fn longitude(&self) -> Option<f64> {
        self.0.longitude
    }
    /// What kind of facility this is.
    async fn facility_type(&self) -> FacilityType {
        self.0.facility_type.into()
    }
    /// Whether it runs today.
    async fn status(&self) -> FacilityStatus {
        self.0.status.into()
    }
    /// Number of places.
    async fn capacity(&self) -> Option<i32> {
        self.0.capacity
    }
    /// Whether the capacity is within RESCALED's bound of 30 places; null when the capacity is unknown.
    async fn small_scale(&self) -> Option<bool> {
        self.0.capacity.map(|c| c <= SMALL_SCALE_CAPACITY)
    }
    /// Year it opened (or is planned to open).
    async fn opened_year(&self) -> Option<i32> {
        self.0.opened_year
    }
    /// Who runs it, as its source names it.
    async fn operator(&self) -> Option<&str> {
        self.0.operator.as_deref()
    }
    /// Which kind of body manages it.
    async fn managed_by(&self) -> Option<ManagedBy> {
        self.0.managed_by.map(Into::into)
    }
    /// Target group by gender; null when unknown or when the source names only an age group.
    async fn target_gender(&self) -> Option<TargetGender> {
        self.0.population.and_then(TargetGender::from_population)
    }
    /// Target group by age.
    async fn target_age(&self) -> Option<TargetAge> {
        self.0.target_age.map(Into::into)
    }
    /// Who lives there, as the source describes it (the `population` column of the CSV export).
    async fn population(&self) -> Option<Population> {
        self.0.population.map(Into::into)
    }
    /// How open its regime is.
    async fn regime(&self) -> Option<Regime> {
        self.0.regime.map(Into::into)
    }
    /// Security level, where the source gives one.
    async fn security_level(&self) -> Option<SecurityLevel> {
        self.0.security_level.map(Into::into)
    }
    /// The RESCALED principles it applies, each once.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::graphql::types::connection::variants::<entity::value::Principle>(), child_complexity)"
    )]
    async fn principles(&self, ctx: &Context<'_>) -> Result<Vec<Principle>> {
        Ok(context::load_all(ctx, PrinciplesOf(self.0.id)).await?)
    }
    /// What other registers call it, one reference per scheme, in scheme order.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::graphql::types::connection::variants::<entity::value::RefScheme>(), child_complexity)"
    )]
    async fn external_refs(&self, ctx: &Context<'_>) -> Result<Vec<ExternalRef>> {
        Ok(context::load_all(ctx, ExternalRefsOf(self.0.id)).await?)
    }
    /// Whether a social enterprise runs in it; null when unknown.
    async fn social_enterprise(&self) -> Option<bool> {
        self.0.social_enterprise
    }
    /// `description` and `descriptionLanguage`.
    #[graphql(flatten)]
    async fn texts(&self) -> FacilityTexts {
        FacilityTexts(self.0.clone())
    }
    /// The facility's own website.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }
    /// The address of its first source.
    #[graphql(deprecation = "Read `sources`: the first of them is this one.")]
    async fn source_url(&self) -> Option<&str> {
        self.0.sources.0.first().map(|s| s.url.as_str())
    }
    /// Where its facts come from, first the source the record was made from.
    async fn sources(&self) -> Vec<Source> {
        self.0.sources.0.iter().cloned().map(Into::into).collect()
    }
    /// The day an editor last checked the record against its sources; null: never checked.
    async fn verified_on(&self) -> Option<Date> {
        self.0.verified_on.map(Date)
    }
    /// How exactly `latitude` and `longitude` place it; null: not stated. Only
    /// `EXACT` is the building: draw anything else as an approximate position.
    async fn location_precision(&self) -> Option<LocationPrecision> {
        self.0.location_precision.map(Into::into)
    }
    /// Slug of the partner organisation that maintains this record; null: maintained by editors.
    async fn maintained_by(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let Some(org_id) = self.0.maintained_by_id else {
            return Ok(None);
        };
        let org = context::load(ctx, OrganisationById(org_id)).await?;
        Ok(org.map(|o| o.slug))
    }
    /// Its ecosystem profile: notes per ecosystem dimension, in the dimensions' order (one per dimension).
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::graphql::types::connection::variants::<entity::value::EcosystemDimension>(), child_complexity)"
    )]
    async fn ecosystem(&self, ctx: &Context<'_>) -> Result<Vec<EcosystemNote>> {
        Ok(context::load_all(ctx, EcosystemOf(self.0.id)).await?)
    }
    /// `visits` and `resources`.
    #[graphql(flatten)]
    async fn links(&self) -> FacilityLinks {
        FacilityLinks(self.0.clone())
    }
    /// `version`, `createdAt` and `updatedAt`.
    #[graphql(flatten)]
    async fn revision(&self) -> Revision {
        self.0.as_ref().into()
    }
}

/// What kind of small-scale facility this is.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::FacilityType")]
pub enum FacilityType {
    /// A detention house: a small unit in the community for people serving a sentence (Belgium's "detentiehuis").
    DetentionHouse,
    /// A transition house: a small unit that prepares people for release.
    TransitionHouse,
    /// A small-scale facility for young people.
    YouthSmallScale,
    /// A community custody unit.
    CommunityCustodyUnit,
    /// A halfway house between prison and release.
    HalfwayHouse,
    /// A small open prison.
    OpenPrison,
    /// A unit where mothers in custody live with their young children.
    MotherChildUnit,
    /// Another kind of small-scale facility.
    Other,
}

/// How exactly a facility's coordinates place it.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::LocationPrecision")]
pub enum LocationPrecision {
    /// On the building.
    Exact,
    /// In its street, not on the building.
    Street,
    /// Somewhere in its city: the coordinates are the city's centre.
    City,
    /// Somewhere in its region.
    Region,
}

/// Whether a facility runs today.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::FacilityStatus")]
pub enum FacilityStatus {
    /// Open and receiving people.
    Open,
    /// Announced or being built.
    Planned,
    /// No longer in use.
    Closed,
}

/// Who manages a facility.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::ManagedBy")]
pub enum ManagedBy {
    /// The national prison administration.
    NationalPrisonAdministration,
    /// Another public body (a region, a municipality, a youth-care agency).
    OtherPublic,
    /// A non-governmental organisation.
    Ngo,
    /// A private operator.
    Private,
}

/// Who lives in a facility as its source describes it: by gender, or only "youth".
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::Population")]
pub enum Population {
    /// Men.
    Men,
    /// Women.
    Women,
    /// Men and women.
    Mixed,
    /// Young people; the source does not say more.
    Youth,
}

/// The target group of a facility by gender.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum TargetGender {
    /// Men.
    Men,
    /// Women.
    Women,
    /// Men and women.
    Mixed,
}

impl TargetGender {
    #[must_use]
    pub fn from_population(population: db::Population) -> Option<Self> {
        match population {
            db::Population::Men => Some(Self::Men),
            db::Population::Women => Some(Self::Women),
            db::Population::Mixed => Some(Self::Mixed),
            db::Population::Youth => None,
        }
    }

    #[must_use]
    pub fn population(self) -> db::Population {
        match self {
            Self::Men => db::Population::Men,
            Self::Women => db::Population::Women,
            Self::Mixed => db::Population::Mixed,
        }
    }
}

/// The target group of a facility by age.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::TargetAge")]
pub enum TargetAge {
    /// Adults.
    Adults,
    /// Minors.
    Youth,
    /// Young adults (roughly 18 to 25).
    YoungAdults,
    /// Every age.
    All,
}

/// How open a facility's regime is.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::Regime")]
pub enum Regime {
    /// Residents leave and return on their own, for work, training or family.
    Open,
    /// Some leave under conditions.
    SemiOpen,
    /// Residents do not leave without escort.
    Closed,
}

/// The security level a source gives for a facility.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::SecurityLevel")]
pub enum SecurityLevel {
    /// Low security.
    Low,
    /// Medium security.
    Medium,
    /// High security.
    High,
}

/// The principles of the RESCALED movement.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::Principle")]
pub enum Principle {
    /// Small scale: a few dozen people at most.
    SmallScale,
    /// Differentiation: the right place and security for each person.
    Differentiation,
    /// Community integration: a facility that is part of its neighbourhood.
    CommunityIntegration,
}

/// The nine dimensions of a small-scale facility's ecosystem that WISH-EU studies.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::EcosystemDimension")]
pub enum EcosystemDimension {
    /// The building and its place in its surroundings.
    Architecture,
    /// The relations and atmosphere among residents and staff.
    SocialClimate,
    /// Safety, from relationships more than from walls.
    Security,
    /// Ties with the neighbourhood and local services.
    CommunityIntegration,
    /// Environmental and financial sustainability.
    Sustainability,
    /// Work, training and daily activity.
    Work,
    /// Care for each person's needs.
    IndividualNeeds,
    /// The wellbeing of staff.
    StaffWellbeing,
    /// The use of technology.
    Technology,
}

/// Orders of a facility list. Ties are broken by id, so pages are stable.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "crate::service::facility::Ordering")]
pub enum FacilityOrder {
    /// By name, A to Z, ignoring case and accents.
    NameAsc,
    /// By name, Z to A, ignoring case and accents.
    NameDesc,
    /// Smallest capacity first; unknown capacities last.
    CapacityAsc,
    /// Largest capacity first; unknown capacities last.
    CapacityDesc,
    /// Oldest first; unknown opening years last.
    OpenedAsc,
    /// Newest first; unknown opening years last.
    OpenedDesc,
    /// Most recently changed first.
    UpdatedDesc,
}
