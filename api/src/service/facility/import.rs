//! Bulk import of facilities from CSV (the columns of the export) or GeoJSON,
//! all or nothing. Every bad row is reported with its line (or feature
//! number), column and reason.
//!
//! A row is a facility's fields, checked by the rules the API checks its
//! input by; a row that updates a facility replaces only what the file
//! carries. Every row is stored as [`Facility::row`] makes it and audited as
//! the API audits a facility, in statements of [`BATCH`] rows.
//!
//! A row names its facility by its `id` (the global id, the same in every
//! installation), else by one of its external references, else by its
//! `slug`; never by its name, so a facility renamed in the file is updated,
//! not created again. Files are read and checked before any lock is taken: a
//! dry run never takes the write lock, and an import takes it only to write.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use entity::value::{AuditAction, AuditEntity, Principle, RefScheme};
use entity::{facility, facility_external_ref, facility_principle};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Iterable,
    QueryFilter, TryIntoModel,
};
use uuid::Uuid;

use crate::error::{AppError, Result};
use crate::service::facility::csv::{self as facility_csv, COLUMNS, FacilityRow, RowError};
use crate::service::facility::write::{
    ExternalRef, Facility, FacilityChildren, FacilityFields, Maintainer, fields_of_many, free_slug,
    ref_rows,
};
use crate::service::kernel::record::{Record, Stamp, snapshot};
use crate::service::kernel::text;
use crate::service::kernel::unit_of_work::{self as unit_of_work, Actor, Change, Write};

/// Rows written per statement: 1,000 rows of 27 columns stay under the
/// parameter limits of SQLite (32,766) and PostgreSQL (65,535).
pub const BATCH: usize = 1000;

/// The file formats an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    GeoJson,
}

impl Format {
    /// GeoJSON when the content is a JSON object, else CSV.
    #[must_use]
    pub fn detect(content: &[u8]) -> Self {
        let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
        match content.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Format::GeoJson,
            _ => Format::Csv,
        }
    }
}

/// What an import did, or would do on a dry run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Every bad row; when there is any, nothing was written.
    pub errors: Vec<RowError>,
    pub dry_run: bool,
    /// Whether the changes are in the database now.
    pub written: bool,
}

/// Progress of a long import: (rows done, rows in all).
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Send + Sync);

/// Reads a file into valid rows, checked by the API's rules for a
/// facility, or every problem found.
///
/// # Errors
/// Every bad row, in file order.
pub fn parse(format: Format, content: &[u8]) -> Result<Vec<FacilityRow>, Vec<RowError>> {
    match format {
        Format::Csv => facility_csv::parse(content),
        Format::GeoJson => parse_geojson(content),
    }
}

/// [`parse`] on a blocking thread: a large file would otherwise hold up every
/// request that shares the async worker.
///
/// # Errors
/// `Internal` if the reader panicked; the file's problems are the inner `Err`.
pub async fn parse_blocking(
    format: Format,
    content: Vec<u8>,
) -> Result<Result<Vec<FacilityRow>, Vec<RowError>>> {
    tokio::task::spawn_blocking(move || parse(format, &content))
        .await
        .map_err(|err| {
            AppError::Internal(anyhow::Error::new(err).context("while reading an import"))
        })
}

/// Imports rows: each updates the facility it names or creates one.
/// Nothing is locked while the rows are matched; a dry run stops there. An
/// import that changes anything then takes the write lock, matches again if
/// anyone wrote in between, and writes everything in one transaction.
///
/// # Errors
/// Database errors only; bad rows are in the report.
pub async fn import(
    db: &DatabaseConnection,
    actor: Actor,
    origin: &'static str,
    records: Vec<FacilityRow>,
    dry_run: bool,
    progress: Progress<'_>,
) -> Result<Report> {
    actor.require_unreviewed()?;
    let records = Arc::new(records);
    // Read before the facilities: a write committed after this shows as a
    // newer version once the lock is held.
    let version = unit_of_work::data_version(db).await?;
    let existing = Existing::load(db).await?;
    let mut plan = plan_blocking(&actor, existing, &records).await?;
    let mut report = plan.report(records.len(), dry_run);
    if !report.errors.is_empty() || dry_run || plan.is_empty() {
        // An import that changes nothing is done: the database holds the file.
        report.written = report.errors.is_empty() && !dry_run;
        return Ok(report);
    }

    let mut write = Write::begin(db, actor, origin).await?;
    if unit_of_work::data_version(write.txn()).await? != version + 1 {
        // Someone wrote between the match and the lock: match against what is there now.
        let existing = Existing::load(write.txn()).await?;
        plan = plan_blocking(&write.actor, existing, &records).await?;
        report = plan.report(records.len(), dry_run);
        if !report.errors.is_empty() || plan.is_empty() {
            report.written = report.errors.is_empty();
            return Ok(report);
        }
    }
    write_plan(&mut write, plan, &records, progress).await?;
    write.commit().await?;
    report.written = true;
    Ok(report)
}

/// What an import does: rows are indices into its records.
#[derive(Debug, Default)]
struct Plan {
    /// New facilities: their slug and row.
    inserts: Vec<(String, usize)>,
    /// Changed facilities: as stored, and the row that changes them.
    updates: Vec<(facility::Model, usize)>,
    unchanged: usize,
    errors: Vec<RowError>,
}

impl Plan {
    fn is_empty(&self) -> bool {
        self.inserts.is_empty() && self.updates.is_empty()
    }

    fn report(&self, rows: usize, dry_run: bool) -> Report {
        Report {
            rows,
            created: self.inserts.len(),
            updated: self.updates.len(),
            unchanged: self.unchanged,
            errors: self.errors.clone(),
            dry_run,
            written: false,
        }
    }
}

/// The stored facilities, the references that name them, and their
/// principles (a column of the files).
struct Existing {
    facilities: Vec<facility::Model>,
    refs: Vec<facility_external_ref::Model>,
    principles: HashMap<i32, Vec<Principle>>,
}

impl Existing {
    async fn load(db: &impl ConnectionTrait) -> Result<Self> {
        let mut principles: HashMap<i32, Vec<Principle>> = HashMap::new();
        for p in facility_principle::Entity::find().all(db).await? {
            principles
                .entry(p.facility_id)
                .or_default()
                .push(p.principle);
        }
        // In the order the fields keep them, so that stored and read rows compare.
        principles.values_mut().for_each(|p| p.sort());
        Ok(Self {
            facilities: facility::Entity::find().all(db).await?,
            refs: facility_external_ref::Entity::find().all(db).await?,
            principles,
        })
    }
}

/// [`plan`] on a blocking thread, as large files are.
async fn plan_blocking(
    actor: &Actor,
    existing: Existing,
    records: &Arc<Vec<FacilityRow>>,
) -> Result<Plan> {
    let actor = actor.clone();
    let records = Arc::clone(records);
    tokio::task::spawn_blocking(move || plan(&actor, &existing, &records))
        .await
        .map_err(|err| {
            AppError::Internal(anyhow::Error::new(err).context("while matching an import"))
        })
}

/// Matches every row to the facility it is, if any: the facility with the
/// row's `id`, else the one that one of its references names, else the one
/// with its `slug`; none of these, a new facility, under the row's slug or
/// one made from its name that no facility and no other row holds. Two rows
/// that are the same facility, a reference another facility holds, and a
/// partner's row that is another organisation's facility are row errors.
fn plan(actor: &Actor, existing: &Existing, records: &[FacilityRow]) -> Plan {
    let by_uuid: HashMap<Uuid, &facility::Model> =
        existing.facilities.iter().map(|f| (f.uuid, f)).collect();
    let by_slug: HashMap<&str, &facility::Model> = existing
        .facilities
        .iter()
        .map(|f| (f.slug.as_str(), f))
        .collect();
    let by_id: HashMap<i32, &facility::Model> =
        existing.facilities.iter().map(|f| (f.id, f)).collect();
    let by_ref: HashMap<(RefScheme, &str), i32> = existing
        .refs
        .iter()
        .map(|r| ((r.scheme, r.value.as_str()), r.facility_id))
        .collect();
    let mut taken: HashSet<String> = existing.facilities.iter().map(|f| f.slug.clone()).collect();
    taken.extend(records.iter().filter_map(|r| r.fields.slug.clone()));
    // The first line of the file that is each facility, and that holds each reference.
    let mut first_line: HashMap<Target, u64> = HashMap::new();
    let mut ref_line: HashMap<(RefScheme, &str), u64> = HashMap::new();

    let mut plan = Plan::default();
    for (
        i,
        FacilityRow {
            line, fields: row, ..
        },
    ) in records.iter().enumerate()
    {
        let fail = |column: &str, reason: String| RowError {
            line: *line,
            column: column.to_owned(),
            reason,
        };
        let found = row
            .uuid
            .and_then(|uuid| by_uuid.get(&uuid).copied())
            .or_else(|| {
                row.external_refs.iter().find_map(|r| {
                    by_ref
                        .get(&(r.scheme, r.value.as_str()))
                        .and_then(|id| by_id.get(id).copied())
                })
            })
            .or_else(|| row.slug.as_deref().and_then(|s| by_slug.get(s).copied()));
        let target = match found {
            Some(current) => Target::Stored(current.id),
            None => Target::New(match &row.slug {
                Some(slug) => slug.clone(),
                None => {
                    let base = text::slugify(&row.name);
                    let slug = free_slug(if base.is_empty() { "facility" } else { &base }, &taken);
                    taken.insert(slug.clone());
                    slug
                }
            }),
        };
        if let Some(first) = first_line.get(&target) {
            plan.errors.push(fail(
                "id",
                format!("line {first} is this facility too; a facility takes one row"),
            ));
            continue;
        }
        first_line.insert(target.clone(), *line);
        let mut refused = false;
        for r in &row.external_refs {
            let column = format!("ref_{}", r.scheme.as_str());
            let holder = by_ref.get(&(r.scheme, r.value.as_str())).copied();
            if holder.is_some() && holder != found.map(|f| f.id) {
                let slug = holder
                    .and_then(|id| by_id.get(&id))
                    .map_or("", |f| f.slug.as_str());
                plan.errors.push(fail(
                    &column,
                    format!(
                        "`{}` already names facility `{slug}`; a reference names one facility",
                        r.value
                    ),
                ));
                refused = true;
            } else if let Some(first) = ref_line.insert((r.scheme, r.value.as_str()), *line) {
                plan.errors.push(fail(
                    &column,
                    format!(
                        "line {first} has `{}` too; a reference names one facility",
                        r.value
                    ),
                ));
                refused = true;
            }
        }
        if refused {
            continue;
        }
        match (found, target) {
            (Some(current), _) if !actor.may_maintain(current.maintained_by_id) => {
                plan.errors.push(fail(
                    "slug",
                    format!(
                        "facility `{}` is maintained by another organisation; partners import their own facilities only",
                        current.slug
                    ),
                ));
            }
            (Some(current), _) => {
                // The columns and references say whether the row changes its
                // facility; the children a file does not carry are left out.
                let refs = existing
                    .refs
                    .iter()
                    .filter(|r| r.facility_id == current.id)
                    .map(|r| ExternalRef {
                        scheme: r.scheme,
                        value: r.value.clone(),
                        url: r.url.clone(),
                    })
                    .collect();
                let stored = FacilityFields::of(
                    current,
                    FacilityChildren {
                        external_refs: refs,
                        principles: existing
                            .principles
                            .get(&current.id)
                            .cloned()
                            .unwrap_or_default(),
                        ..FacilityChildren::default()
                    },
                );
                let mut next = stored.clone();
                facility_csv::carry(&records[i], &mut next);
                if next == stored {
                    plan.unchanged += 1;
                } else {
                    plan.updates.push((current.clone(), i));
                }
            }
            (None, Target::New(slug)) => plan.inserts.push((slug, i)),
            (None, Target::Stored(_)) => {}
        }
    }
    plan
}

/// Which facility a row is: a stored one, or a new one under this slug.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Target {
    Stored(i32),
    New(String),
}

/// Writes a plan in batches, inside the import's one transaction: every
/// row made by [`Facility::row`], every change audited as the API audits it.
async fn write_plan(
    write: &mut Write,
    plan: Plan,
    records: &[FacilityRow],
    progress: Progress<'_>,
) -> Result<()> {
    let owner = write.actor.organisation.clone();
    let maintainer = Maintainer(owner.as_ref().map(|o| o.id));
    let total = plan.inserts.len() + plan.updates.len();
    let mut done = 0;
    for chunk in plan.inserts.chunks(BATCH) {
        let new: Vec<FacilityFields> = chunk
            .iter()
            .map(|(slug, i)| {
                let mut fields = records[*i].fields.clone();
                fields.slug = Some(slug.clone());
                fields.maintained_by = owner.as_ref().map(|o| o.slug.clone());
                fields
            })
            .collect();
        // Inserted in file order, so that ids and the change feed follow the
        // file; each keeps the identity the file gives it.
        let rows = new.iter().map(|fields| {
            let stamp = fields.uuid.map_or_else(Stamp::first, Stamp::first_as);
            Facility::row(fields, &maintainer, stamp)
        });
        let created = facility::Entity::insert_many(rows)
            .exec_with_returning(write.txn())
            .await?;
        // Returned rows come in no promised order: each finds its fields by slug.
        let by_slug: HashMap<&str, &FacilityFields> = chunk
            .iter()
            .map(|(slug, _)| slug.as_str())
            .zip(&new)
            .collect();
        let mut children = Children::default();
        for model in created {
            let fields = by_slug.get(model.slug.as_str()).ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!(
                    "the database returned facility `{}`, which the import did not insert",
                    model.slug
                ))
            })?;
            write.record(Change {
                entity: AuditEntity::Facility,
                id: model.id,
                action: AuditAction::Created,
                version: Some(model.version),
                public: Facility::public(&model),
                before: None,
                after: Some(snapshot::<Facility>(&model, fields)?),
            });
            children.add(model.id, fields, None);
        }
        children.save(write.txn()).await?;
        write.flush().await?;
        done += chunk.len();
        progress(done, total);
    }
    for chunk in plan.updates.chunks(BATCH) {
        let current: Vec<&facility::Model> = chunk.iter().map(|(model, _)| model).collect();
        let stored = fields_of_many(write.txn(), &current).await?;
        let mut rows = Vec::with_capacity(chunk.len());
        let mut children = Children::default();
        for ((current, i), before) in chunk.iter().zip(stored) {
            let mut after = before.clone();
            facility_csv::carry(&records[*i], &mut after);
            let mut row = Facility::row(
                &after,
                &Maintainer(current.maintained_by_id),
                Stamp::next(current),
            );
            // The identity is not the row's to change: stated for the
            // snapshot, and left out of the columns the upsert updates.
            row.uuid = ActiveValue::Set(current.uuid);
            let model = row.clone().try_into_model()?;
            children.add(current.id, &after, Some(&before));
            write.record(Change {
                entity: AuditEntity::Facility,
                id: model.id,
                action: AuditAction::Updated,
                version: Some(model.version),
                public: Facility::public(&model),
                before: Some(snapshot::<Facility>(current, &before)?),
                after: Some(snapshot::<Facility>(&model, &after)?),
            });
            // Met by its slug, not its id: an id here would be a second
            // unique key the database checks before the slug.
            row.id = ActiveValue::NotSet;
            rows.push(row);
        }
        // One statement per chunk: an insert that meets every row by its slug
        // and updates it in place.
        facility::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::column(facility::Column::Slug)
                    .update_columns(facility::Column::iter().filter(|c| {
                        !matches!(
                            c,
                            facility::Column::Id
                                | facility::Column::Uuid
                                | facility::Column::Slug
                                | facility::Column::CreatedAt
                        )
                    }))
                    .to_owned(),
            )
            .exec_without_returning(write.txn())
            .await?;
        children.save(write.txn()).await?;
        write.flush().await?;
        done += chunk.len();
        progress(done, total);
    }
    Ok(())
}

/// Reads a GeoJSON FeatureCollection of Point features whose properties are
/// named like the CSV columns (`country_code`; `countryCode` is read too),
/// with the references as an `external_refs` array of `{scheme, value, url}`
/// instead of columns; coordinates come from the geometry. A row's "line" is
/// its feature number, from 1.
fn parse_geojson(content: &[u8]) -> Result<Vec<FacilityRow>, Vec<RowError>> {
    let whole = |reason: &str| {
        vec![RowError {
            line: 0,
            column: String::new(),
            reason: reason.to_owned(),
        }]
    };
    let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    let value: serde_json::Value = serde_json::from_slice(content).map_err(|e| {
        whole(&format!(
            "the file is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    if value.get("type").and_then(|t| t.as_str()) != Some("FeatureCollection") {
        return Err(whole("a GeoJSON import is a FeatureCollection"));
    }
    let Some(features) = value.get("features").and_then(|f| f.as_array()) else {
        return Err(whole("the FeatureCollection has no `features` array"));
    };
    let mut rows = facility_csv::Rows::default();
    for (i, feature) in features.iter().enumerate() {
        let line = u64::try_from(i + 1).unwrap_or(u64::MAX);
        // [latitude, longitude], as the columns have them.
        let position = match feature.get("geometry") {
            Some(serde_json::Value::Null) | None => None,
            Some(g) => {
                let point = g.get("type").and_then(|t| t.as_str()) == Some("Point");
                let coordinates = g.get("coordinates").and_then(|c| c.as_array());
                match (point, coordinates) {
                    (true, Some(c)) if c.len() >= 2 => Some([c[1].to_string(), c[0].to_string()]),
                    _ => {
                        rows.refuse(RowError {
                            line,
                            column: "geometry".to_owned(),
                            reason: "the geometry must be a Point with [longitude, latitude]"
                                .to_owned(),
                        });
                        continue;
                    }
                }
            }
        };
        let properties = feature.get("properties").and_then(|p| p.as_object());
        let refs =
            properties.and_then(|p| p.get("external_refs").or_else(|| p.get("externalRefs")));
        let carries_refs = refs.is_some();
        // The references are one property; every other column is its own.
        let present = facility_csv::Present::by_name(|name| match name {
            "latitude" | "longitude" => true,
            name if name.starts_with("ref_") => carries_refs,
            name => properties.is_some_and(|p| {
                p.contains_key(name) || p.contains_key(&facility_csv::camel_case(name))
            }),
        });
        let refs: Vec<&serde_json::Map<String, serde_json::Value>> = refs
            .and_then(|r| r.as_array())
            .map(|r| r.iter().filter_map(|r| r.as_object()).collect())
            .unwrap_or_default();
        // `ref_osm` and `ref_osm_url`: the value and page of the `osm` reference.
        let reference = |name: &str| {
            let rest = name.strip_prefix("ref_")?;
            let (scheme, part) = match rest.strip_suffix("_url") {
                Some(scheme) => (scheme, "url"),
                None => (rest, "value"),
            };
            let r = refs.iter().find(|r| {
                r.get("scheme")
                    .and_then(|s| s.as_str())
                    .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
            })?;
            r.get(part)?
                .as_str()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let property = |name: &str| {
            let value = properties.and_then(|p| {
                p.get(name)
                    .or_else(|| p.get(&facility_csv::camel_case(name)))
            })?;
            match value {
                serde_json::Value::String(s) => Some(s.trim().to_owned()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                serde_json::Value::Bool(b) => Some(b.to_string()),
                serde_json::Value::Null => None,
                // A list of values (`principles`) is a cell's `a;b`; sources are the cell's JSON.
                serde_json::Value::Array(items) if items.iter().all(|i| i.is_string()) => Some(
                    items
                        .iter()
                        .filter_map(|i| i.as_str())
                        .collect::<Vec<_>>()
                        .join(";"),
                ),
                other => Some(other.to_string()),
            }
            .filter(|s| !s.is_empty())
        };
        let cells: Vec<Option<String>> = COLUMNS
            .iter()
            .map(|column| match column.name {
                // Where a feature is, its geometry says, not its properties.
                "latitude" => position.as_ref().map(|[latitude, _]| latitude.clone()),
                "longitude" => position.as_ref().map(|[_, longitude]| longitude.clone()),
                name if name.starts_with("ref_") => reference(name),
                name => property(name),
            })
            .collect();
        let cell = |i: usize| cells.get(i).and_then(|c| c.as_deref());
        rows.read(line, present, &cell);
    }
    rows.finish()
}

/// The child rows the files carry (references and principles) of a chunk
/// of facilities, for those whose children changed: at most two statements
/// per table for the whole chunk.
#[derive(Default)]
struct Children {
    /// Facilities whose stored rows go first.
    replaced_refs: Vec<i32>,
    replaced_principles: Vec<i32>,
    refs: Vec<facility_external_ref::ActiveModel>,
    principles: Vec<facility_principle::ActiveModel>,
}

impl Children {
    /// The children of facility `id` as `fields` has them, where they
    /// differ from `before` (`None`: a new facility).
    fn add(&mut self, id: i32, fields: &FacilityFields, before: Option<&FacilityFields>) {
        if before.is_none_or(|b| b.external_refs != fields.external_refs) {
            self.replaced_refs.extend(before.map(|_| id));
            self.refs.extend(ref_rows(id, &fields.external_refs));
        }
        if before.is_none_or(|b| b.principles != fields.principles) {
            self.replaced_principles.extend(before.map(|_| id));
            self.principles.extend(fields.principles.iter().map(|p| {
                facility_principle::ActiveModel {
                    facility_id: ActiveValue::Set(id),
                    principle: ActiveValue::Set(*p),
                }
            }));
        }
    }

    async fn save(self, db: &impl ConnectionTrait) -> Result<()> {
        let refs = facility_external_ref::Column::FacilityId;
        replace_rows(db, refs, self.replaced_refs, self.refs).await?;
        let principles = facility_principle::Column::FacilityId;
        replace_rows(db, principles, self.replaced_principles, self.principles).await
    }
}

/// Deletes the rows whose `parent` is one of `replaced`, then inserts `rows`.
async fn replace_rows<A>(
    db: &impl ConnectionTrait,
    parent: <A::Entity as EntityTrait>::Column,
    replaced: Vec<i32>,
    rows: Vec<A>,
) -> Result<()>
where
    A: sea_orm::ActiveModelTrait + Send,
{
    if !replaced.is_empty() {
        <A::Entity as EntityTrait>::delete_many()
            .filter(parent.is_in(replaced))
            .exec(db)
            .await?;
    }
    if !rows.is_empty() {
        <A::Entity as EntityTrait>::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geojson_reads_points_and_reports_features() {
        let json = br#"{"type":"FeatureCollection","features":[
          {"type":"Feature","geometry":{"type":"Point","coordinates":[4.35,50.85]},
           "properties":{"name":"Huis","countryCode":"BE","facilityType":"detention_house","status":"open","capacity":20}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[4.35,95]},
           "properties":{"name":"","country_code":"XX","facility_type":"detention_house","status":"open"}}
        ]}"#;
        let errors = parse(Format::GeoJson, json).expect_err("second feature is bad");
        let cells: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(cells, [(2, "name"), (2, "country_code"), (2, "latitude")]);
        assert_eq!(Format::detect(b"  {\"type\""), Format::GeoJson);
        assert_eq!(Format::detect(b"name,country_code"), Format::Csv);
    }
}

/// Generated files: the CSV and GeoJSON readers never panic, locate every
/// problem on a real line, and read valid rows back exactly.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::{Format, parse};
    use crate::service::facility::csv::{self as facility_csv, COLUMNS};

    /// Names are one line, as the API's rules have them; a quoted line
    /// break is the CSV reader's own test.
    fn row() -> impl Strategy<Value = (String, String, Option<i32>, f64, f64)> {
        (
            "[A-Za-zÀ-ÿ ,\"'-]{1,40}".prop_filter("a name", |n| !n.trim().is_empty()),
            prop::sample::select(vec!["BE", "NL", "FR", "DE", "ES"]).prop_map(str::to_owned),
            prop::option::of(1..500i32),
            -90.0f64..=90.0,
            -180.0f64..=180.0,
        )
    }

    proptest! {
        #[test]
        fn any_bytes_are_rows_or_located_problems(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            for format in [Format::Csv, Format::GeoJson] {
                if let Err(errors) = parse(format, &bytes) {
                    prop_assert!(!errors.is_empty());
                }
            }
        }

        #[test]
        fn any_json_is_features_or_located_problems(json in "\\{\"type\":\"FeatureCollection\",\"features\":\\[(\\{\"type\":\"Feature\",\"geometry\":(null|\\{\"type\":\"Point\",\"coordinates\":\\[-?[0-9]{1,3}(\\.[0-9])?,-?[0-9]{1,2}\\]\\}),\"properties\":\\{\"name\":\"[a-z ]{0,8}\",\"countryCode\":\"[A-Z]{2}\",\"facilityType\":\"(detention_house|castle)\",\"status\":\"(open|shut)\"\\}\\},?){0,4}\\]\\}") {
            match parse(Format::GeoJson, json.as_bytes()) {
                Ok(rows) => prop_assert!(rows.iter().all(|r| !r.fields.name.is_empty())),
                Err(errors) => prop_assert!(errors.iter().all(|e| e.line <= 4)),
            }
        }

        #[test]
        fn valid_rows_read_back_exactly(rows in proptest::collection::vec(row(), 1..20)) {
            let mut writer = csv::Writer::from_writer(Vec::new());
            // The source list's columns and `slug`.
            writer.write_record(COLUMNS.iter().take(18).map(|c| c.name)).unwrap();
            for (name, country, capacity, lat, lon) in &rows {
                let capacity = capacity.map(|c| c.to_string()).unwrap_or_default();
                // Quoted as the export quotes it: a name may start like a formula.
                writer.write_record([
                    facility_csv::quote_formula(name.trim()).as_ref(), country, "", &lat.to_string(), &lon.to_string(), "detention_house",
                    &capacity, "", "", "", "", "open", "", "", "", "", "", "",
                ]).unwrap();
            }
            let file = writer.into_inner().unwrap();
            let read = facility_csv::parse(&file);
            prop_assert!(read.is_ok(), "{:?}", read.err());
            let read = read.unwrap();
            prop_assert_eq!(read.len(), rows.len());
            for (row, (name, country, capacity, lat, lon)) in read.iter().zip(&rows) {
                let record = &row.fields;
                prop_assert_eq!(&record.name, name.trim());
                prop_assert_eq!(&record.country_code, country);
                prop_assert_eq!(record.capacity, *capacity);
                prop_assert_eq!(record.latitude, Some(*lat));
                prop_assert_eq!(record.longitude, Some(*lon));
            }
        }
    }
}
