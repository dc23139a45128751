//! Creating, changing and deleting facilities, one at a time or by import.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entity::value::{EcosystemDimension as DbDimension, Population as DbPopulation, Source};

use super::{RecordInput, RecordPatch, TranslationInput, localized_opt, prose_maybe, set};
use crate::error::{AppError, Problem};
use crate::graphql::context;
use crate::graphql::id::Kind;
use crate::graphql::types::facility::{
    EcosystemDimension, Facility, FacilityStatus, FacilityType, LocationPrecision, ManagedBy,
    Population, Principle, RefScheme, Regime, SecurityLevel, TargetAge, TargetGender,
};
use crate::graphql::types::scalar::Date;
use crate::graphql::types::source::SourceInput;
use crate::service::facility::import::{self as import, Format, Report};
use crate::service::facility::write::{
    ExternalRef, Facility as FacilityRecord, FacilityFields, lead_with,
};

/// A note on one ecosystem dimension.
#[derive(InputObject, Debug, Clone)]
pub struct EcosystemNoteInput {
    /// The dimension the note is about; each dimension at most once per facility.
    pub dimension: EcosystemDimension,
    /// The note, in English.
    pub note: String,
}

/// What another register calls a facility.
#[derive(InputObject, Debug, Clone)]
pub struct ExternalRefInput {
    /// The register.
    pub scheme: RefScheme,
    /// The facility's key there: one line, at most 200 characters.
    pub value: String,
    /// The facility's page there (http or https).
    pub url: String,
}

/// References in the service's terms.
fn refs(items: Vec<ExternalRefInput>) -> Vec<ExternalRef> {
    items
        .into_iter()
        .map(|r| ExternalRef {
            scheme: r.scheme.into(),
            value: r.value,
            url: r.url,
        })
        .collect()
}

/// A new facility. A partner's facility is maintained by the partner's organisation.
#[derive(InputObject, Debug)]
pub struct FacilityInput {
    /// Stable, URL-safe name; made from `name` when absent ("Liège" gives `liege`), with `-2`, `-3`, … when taken.
    pub slug: Option<String>,
    /// Name, in the facility's own language (at most 200 characters).
    pub name: String,
    /// ISO 3166-1 alpha-2 country code, any case.
    pub country_code: String,
    /// City or municipality.
    pub city: Option<String>,
    /// Latitude in degrees, -90 to 90; give it with `longitude`.
    pub latitude: Option<f64>,
    /// Longitude in degrees, -180 to 180; give it with `latitude`.
    pub longitude: Option<f64>,
    /// How exactly the coordinates place it (a city's centre is `CITY`).
    pub location_precision: Option<LocationPrecision>,
    /// What kind of facility this is.
    pub facility_type: FacilityType,
    /// Whether it runs today.
    pub status: FacilityStatus,
    /// Number of places, at least 1.
    pub capacity: Option<i32>,
    /// Year it opened or is planned to open, 1800 to ten years from now.
    pub opened_year: Option<i32>,
    /// Who runs it.
    pub operator: Option<String>,
    /// Which kind of body manages it.
    pub managed_by: Option<ManagedBy>,
    /// Target group by gender (give this or `population`, not both).
    pub target_gender: Option<TargetGender>,
    /// Who lives there, as the source describes it (give this or `targetGender`, not both).
    pub population: Option<Population>,
    /// Target group by age.
    pub target_age: Option<TargetAge>,
    /// How open its regime is.
    pub regime: Option<Regime>,
    /// Security level, where the source gives one.
    pub security_level: Option<SecurityLevel>,
    /// The RESCALED principles it applies.
    pub principles: Option<Vec<Principle>>,
    /// Whether a social enterprise runs in it.
    pub social_enterprise: Option<bool>,
    /// Description in one or more languages; English is required when any is given.
    pub description: Option<Vec<TranslationInput>>,
    /// The facility's own website (http or https).
    pub website: Option<String>,
    /// Where the facts of this record come from (http or https): its one source.
    #[graphql(deprecation = "Give `sources`; this is a source with only a URL.")]
    pub source_url: Option<String>,
    /// Where its facts come from, first the one the record is made from (at most 20).
    pub sources: Option<Vec<SourceInput>>,
    /// The day an editor last checked the record against its sources; not in the future.
    pub verified_on: Option<Date>,
    /// Slug of the partner organisation that maintains it. Partners: their own, the default.
    /// Editors and admins: any registered organisation, or none.
    pub maintained_by: Option<String>,
    /// Notes per ecosystem dimension.
    pub ecosystem: Option<Vec<EcosystemNoteInput>>,
    /// What other registers call it, one per scheme; a scheme's value names
    /// one facility only (another facility's is a `CONFLICT`).
    pub external_refs: Option<Vec<ExternalRefInput>>,
}

/// Changes to a facility. An absent field stays as it is; `null` clears an
/// optional field (and leaves a required one as it is); a list replaces the whole list.
#[derive(InputObject, Debug, Default)]
pub struct FacilityPatch {
    /// New slug; old links by slug stop working.
    pub slug: Option<String>,
    /// Name (at most 200 characters).
    pub name: Option<String>,
    /// ISO 3166-1 alpha-2 country code, any case.
    pub country_code: Option<String>,
    /// City or municipality.
    pub city: MaybeUndefined<String>,
    /// Latitude in degrees, -90 to 90; set or clear it with `longitude`.
    pub latitude: MaybeUndefined<f64>,
    /// Longitude in degrees, -180 to 180; set or clear it with `latitude`.
    pub longitude: MaybeUndefined<f64>,
    /// How exactly the coordinates place it.
    pub location_precision: MaybeUndefined<LocationPrecision>,
    /// What kind of facility this is.
    pub facility_type: Option<FacilityType>,
    /// Whether it runs today.
    pub status: Option<FacilityStatus>,
    /// Number of places, at least 1.
    pub capacity: MaybeUndefined<i32>,
    /// Year it opened or is planned to open.
    pub opened_year: MaybeUndefined<i32>,
    /// Who runs it.
    pub operator: MaybeUndefined<String>,
    /// Which kind of body manages it.
    pub managed_by: MaybeUndefined<ManagedBy>,
    /// Target group by gender (give this or `population`, not both).
    pub target_gender: MaybeUndefined<TargetGender>,
    /// Who lives there, as the source describes it.
    pub population: MaybeUndefined<Population>,
    /// Target group by age.
    pub target_age: MaybeUndefined<TargetAge>,
    /// How open its regime is.
    pub regime: MaybeUndefined<Regime>,
    /// Security level.
    pub security_level: MaybeUndefined<SecurityLevel>,
    /// The RESCALED principles it applies (replaces the list).
    pub principles: Option<Vec<Principle>>,
    /// Whether a social enterprise runs in it.
    pub social_enterprise: MaybeUndefined<bool>,
    /// Description in one or more languages (replaces every translation).
    pub description: MaybeUndefined<Vec<TranslationInput>>,
    /// The facility's own website.
    pub website: MaybeUndefined<String>,
    /// The first source's URL: a new URL leads the sources, `null` removes the first.
    #[graphql(deprecation = "Give `sources`.")]
    pub source_url: MaybeUndefined<String>,
    /// Where its facts come from (replaces the list).
    pub sources: Option<Vec<SourceInput>>,
    /// The day an editor last checked the record against its sources.
    pub verified_on: MaybeUndefined<Date>,
    /// Slug of the maintaining partner organisation (editors and admins only).
    pub maintained_by: MaybeUndefined<String>,
    /// Notes per ecosystem dimension (replaces every note).
    pub ecosystem: Option<Vec<EcosystemNoteInput>>,
    /// What other registers call it (replaces the list).
    pub external_refs: Option<Vec<ExternalRefInput>>,
}

/// Both `targetGender` and `population`: they set the same column.
fn gender_and_population() -> AppError {
    AppError::Invalid(vec![Problem {
        field: "input.targetGender".to_owned(),
        message: "give `targetGender` or `population`, not both".to_owned(),
    }])
}

fn population_of(
    gender: Option<TargetGender>,
    population: Option<Population>,
) -> Result<Option<DbPopulation>, AppError> {
    match (gender, population) {
        (Some(_), Some(_)) => Err(gender_and_population()),
        (Some(g), None) => Ok(Some(g.population())),
        (None, p) => Ok(p.map(Into::into)),
    }
}

/// The sources of a new facility: its `sources`, or the one `sourceUrl` names.
fn sources_of(
    sources: Option<Vec<SourceInput>>,
    source_url: Option<String>,
) -> Result<Vec<Source>, AppError> {
    match (sources, source_url) {
        (Some(_), Some(_)) => Err(AppError::Invalid(vec![Problem {
            field: "input.sourceUrl".to_owned(),
            message: "give `sources` or `sourceUrl`, not both".to_owned(),
        }])),
        (Some(list), None) => Ok(list.into_iter().map(Into::into).collect()),
        (None, url) => Ok(url.map(Source::at).into_iter().collect()),
    }
}

/// Notes per ecosystem dimension in the service's terms (a facility's
/// profile, or a visit's findings).
pub(super) fn notes(items: Vec<EcosystemNoteInput>) -> Vec<(DbDimension, String)> {
    items
        .into_iter()
        .map(|n| (n.dimension.into(), n.note))
        .collect()
}

impl FacilityInput {
    pub(super) fn into_fields(self) -> Result<FacilityFields, AppError> {
        Ok(FacilityFields {
            uuid: None,
            population: population_of(self.target_gender, self.population)?,
            description: localized_opt("input.description", self.description)?,
            slug: self.slug,
            name: self.name,
            country_code: self.country_code,
            city: self.city,
            latitude: self.latitude,
            longitude: self.longitude,
            location_precision: self.location_precision.map(Into::into),
            facility_type: self.facility_type.into(),
            status: self.status.into(),
            capacity: self.capacity,
            opened_year: self.opened_year,
            operator: self.operator,
            managed_by: self.managed_by.map(Into::into),
            target_age: self.target_age.map(Into::into),
            regime: self.regime.map(Into::into),
            security_level: self.security_level.map(Into::into),
            social_enterprise: self.social_enterprise,
            website: self.website,
            sources: sources_of(self.sources, self.source_url)?,
            verified_on: self.verified_on.map(|d| d.0),
            maintained_by: self.maintained_by,
            principles: self
                .principles
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            ecosystem: notes(self.ecosystem.unwrap_or_default()),
            external_refs: refs(self.external_refs.unwrap_or_default()),
        })
    }
}

impl RecordInput for FacilityInput {
    type Record = FacilityRecord;

    async fn decode(self, _ctx: &Context<'_>) -> Result<FacilityFields, AppError> {
        self.into_fields()
    }
}

impl RecordPatch for FacilityPatch {
    type Record = FacilityRecord;

    async fn decode(
        self,
        _ctx: &Context<'_>,
    ) -> Result<impl FnOnce(&mut FacilityFields) + Send, AppError> {
        self.changes()
    }
}

/// A patch whose input-level problems are already resolved, ready to apply.
struct CheckedPatch {
    patch: FacilityPatch,
    population: MaybeUndefined<DbPopulation>,
    description: MaybeUndefined<entity::value::LocalizedText>,
}

impl FacilityPatch {
    /// The patch with its input-level problems resolved, as a change of the stored fields.
    pub(super) fn changes(mut self) -> Result<impl FnOnce(&mut FacilityFields) + Send, AppError> {
        let population = match (
            std::mem::take(&mut self.target_gender),
            std::mem::take(&mut self.population),
        ) {
            (MaybeUndefined::Undefined, p) => p.map_value(Into::into),
            (g, MaybeUndefined::Undefined) => g.map_value(TargetGender::population),
            _ => return Err(gender_and_population()),
        };
        let description = prose_maybe(std::mem::take(&mut self.description), "input.description")?;
        let checked = CheckedPatch {
            patch: self,
            population,
            description,
        };
        Ok(move |f: &mut FacilityFields| checked.apply(f))
    }
}

impl CheckedPatch {
    fn apply(self, f: &mut FacilityFields) {
        let p = self.patch;
        if let Some(v) = p.slug {
            f.slug = Some(v);
        }
        set(&mut f.name, p.name);
        set(&mut f.country_code, p.country_code);
        p.city.update_to(&mut f.city);
        p.latitude.update_to(&mut f.latitude);
        p.longitude.update_to(&mut f.longitude);
        p.location_precision
            .map_value(Into::into)
            .update_to(&mut f.location_precision);
        set(&mut f.facility_type, p.facility_type.map(Into::into));
        set(&mut f.status, p.status.map(Into::into));
        p.capacity.update_to(&mut f.capacity);
        p.opened_year.update_to(&mut f.opened_year);
        p.operator.update_to(&mut f.operator);
        p.managed_by
            .map_value(Into::into)
            .update_to(&mut f.managed_by);
        self.population.update_to(&mut f.population);
        p.target_age
            .map_value(Into::into)
            .update_to(&mut f.target_age);
        p.regime.map_value(Into::into).update_to(&mut f.regime);
        p.security_level
            .map_value(Into::into)
            .update_to(&mut f.security_level);
        if let Some(v) = p.principles {
            f.principles = v.into_iter().map(Into::into).collect();
        }
        p.social_enterprise.update_to(&mut f.social_enterprise);
        self.description.update_to(&mut f.description);
        p.website.update_to(&mut f.website);
        if let Some(v) = p.sources {
            f.sources = v.into_iter().map(Into::into).collect();
        }
        match p.source_url {
            MaybeUndefined::Value(url) => lead_with(&mut f.sources, Source::at(url)),
            MaybeUndefined::Null if !f.sources.is_empty() => {
                f.sources.remove(0);
            }
            _ => {}
        }
        p.verified_on
            .map_value(|d| d.0)
            .update_to(&mut f.verified_on);
        p.maintained_by.update_to(&mut f.maintained_by);
        if let Some(v) = p.ecosystem {
            f.ecosystem = notes(v);
        }
        if let Some(v) = p.external_refs {
            f.external_refs = refs(v);
        }
    }
}

/// One bad row of an import.
#[derive(SimpleObject, Debug)]
pub struct ImportError {
    /// Line of the file where the row starts (the header is line 1); for
    /// GeoJSON, the feature's number from 1. 0: the file as a whole.
    pub line: i32,
    /// The column (or GeoJSON property) at fault; empty for the row or file as a whole.
    pub column: String,
    /// What is wrong, and how to put it right.
    pub reason: String,
}

/// What an import did, or would do on a dry run. With any error, nothing was written.
#[derive(SimpleObject, Debug)]
pub struct ImportReport {
    /// Rows read.
    pub rows: i32,
    /// Facilities created (or that would be, on a dry run).
    pub created: i32,
    /// Facilities changed.
    pub updated: i32,
    /// Rows equal to the stored facility.
    pub unchanged: i32,
    /// Every bad row; empty when the file is valid.
    pub errors: Vec<ImportError>,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Whether the changes are now in the database.
    pub written: bool,
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl From<Report> for ImportReport {
    fn from(r: Report) -> Self {
        Self {
            rows: count(r.rows),
            created: count(r.created),
            updated: count(r.updated),
            unchanged: count(r.unchanged),
            errors: r
                .errors
                .into_iter()
                .map(|e| ImportError {
                    line: i32::try_from(e.line).unwrap_or(i32::MAX),
                    column: e.column,
                    reason: e.reason,
                })
                .collect(),
            dry_run: r.dry_run,
            written: r.written,
        }
    }
}

record_writes! {
    /// The writes of facilities, one at a time.
    FacilityMutation: FacilityRecord => Facility, Kind::Facility;
    /// Creates a facility (partners, for their own organisation; editors and admins).
    /// Every bad field is reported at once, in `extensions.problems`.
    create_facility(FacilityInput);
    /// Changes a facility. `expectedVersion` is the `version` you read: if the
    /// facility changed since, nothing is written and the error is `CONFLICT`.
    update_facility(FacilityPatch);
    /// Deletes a facility without visits (admins only); returns its id.
    delete_facility;
}

/// Facilities written many at a time, from a file.
#[derive(Default)]
pub struct FacilityImport;

#[Object]
impl FacilityImport {
    /// Imports facilities from CSV text with the columns of `GET /facilities.csv`
    /// (so an export imports back unchanged). A row with a `slug` updates the
    /// facility with that slug, or creates it; a row without one updates the
    /// one facility of that name you may change, or creates a new one, and is
    /// refused when several have the name. Partners import their own
    /// facilities only. One bad row means nothing is written, and the report
    /// lists every bad row. `dryRun` checks and reports without writing or
    /// waiting for writers. For files larger than the request limit, use
    /// `wish-api import`.
    async fn import_facilities(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "CSV text with the columns of `GET /facilities.csv`, header first; or a GeoJSON FeatureCollection as `GET /facilities.geojson` writes it."
        )]
        csv: String,
        #[graphql(
            default_with = "Some(false)",
            desc = "Check every row and report what would change, without writing."
        )]
        dry_run: Option<bool>,
    ) -> Result<ImportReport> {
        let actor = context::actor(ctx)?;
        let dry_run = dry_run.unwrap_or(false);
        let records =
            match import::parse_blocking(Format::detect(csv.as_bytes()), csv.into_bytes()).await? {
                Ok(records) => records,
                Err(errors) => {
                    return Ok(Report {
                        errors,
                        dry_run,
                        ..Report::default()
                    }
                    .into());
                }
            };
        let report = import::import(
            context::db(ctx),
            actor,
            "import",
            records,
            dry_run,
            &|_, _| {},
        )
        .await?;
        Ok(report.into())
    }
}
