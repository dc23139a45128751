//! The demo data set, compiled into the binary: real facilities, the knowledge
//! workshops, the two guidelines and the resources of the knowledge library
//! whose publication is known. It loads once, into an empty database,
//! and never overwrites what exists.

use std::collections::HashSet;

use entity::value::{
    EcosystemDimension, LocalizedText, ResourceKind, SessionTopic, WorkshopPrinciple,
};
use entity::{
    app_state, facility, facility_external_ref, guideline, knowledge_workshop, resource,
    workshop_principle, workshop_theme,
};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QuerySelect, TransactionSession,
    TransactionTrait,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::{AppError, Result};
use crate::service::facility::csv as facility_csv;
use crate::service::facility::import::BATCH;
use crate::service::facility::write::{Facility, Maintainer, ref_rows};
use crate::service::kernel::record::{Record, Stamp};
use crate::service::kernel::{now, read, text};
use crate::service::resource::write::{Author, Resource, ResourceFields};

const FACILITIES_CSV: &[u8] = include_bytes!("../../demo/facilities.csv");
const PROJECT_JSON: &str = include_str!("../../demo/project.json");
const LOADED_KEY: &str = "demo_data_loaded_at";

#[derive(Deserialize)]
struct Project {
    knowledge_workshops: Vec<Workshop>,
    guidelines: Vec<Guideline>,
    #[serde(default)]
    resources: Vec<DemoResource>,
}

/// A published work with a real address; its authors are organisations
/// (people would need their consent first) and it links to facilities only
/// where the work itself names them (none so far).
#[derive(Deserialize)]
struct DemoResource {
    id: Uuid,
    kind: ResourceKind,
    title: LocalizedText,
    summary: Option<LocalizedText>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    authors: Vec<String>,
    publisher: Option<String>,
    published_year: Option<i32>,
    published_on: Option<chrono::NaiveDate>,
    url: Option<String>,
    licence: Option<String>,
    open_access: Option<bool>,
    #[serde(default)]
    dimensions: Vec<EcosystemDimension>,
}

#[derive(Deserialize)]
struct Workshop {
    /// Fixed, so that every installation knows the workshop by one global id.
    id: Uuid,
    key: String,
    name: String,
    country_code: Option<String>,
    /// As the project's own text names them for every workshop it sets up.
    #[serde(default)]
    principles: Vec<WorkshopPrinciple>,
    #[serde(default)]
    themes: Vec<SessionTopic>,
}

#[derive(Deserialize)]
struct Guideline {
    id: Uuid,
    key: String,
    title: String,
}

/// What a load added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub facilities: usize,
    pub workshops: usize,
    pub guidelines: usize,
    pub resources: usize,
}

/// Loads the demo data if this database has never seen it and holds no facilities.
/// Safe when several servers start at once over one database: one loads, the others skip.
///
/// # Errors
/// Database errors; the load is one transaction, so nothing half-loaded remains.
pub async fn load_on_first_start<C>(db: &C) -> Result<Option<Report>>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    let claimed = app_state::Entity::insert(app_state::ActiveModel {
        key: Set(LOADED_KEY.to_owned()),
        value: Set(now().to_rfc3339()),
        updated_at: Set(now()),
    })
    .on_conflict(
        OnConflict::column(app_state::Column::Key)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if claimed == 0 || facility::Entity::find().count(&txn).await? > 0 {
        // Already loaded once, or the database holds someone's data: leave it.
        txn.commit().await?;
        return Ok(None);
    }
    crate::service::kernel::unit_of_work::bump_data_version(&txn).await?;
    let report = load_missing(&txn).await?;
    txn.commit().await?;
    Ok(Some(report))
}

/// Adds every demo record that does not exist yet; existing ones stay as they are.
///
/// # Errors
/// Database errors; the load is one transaction.
pub async fn load<C>(db: &C) -> Result<Report>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    crate::service::kernel::unit_of_work::bump_data_version(&txn).await?;
    let report = load_missing(&txn).await?;
    txn.commit().await?;
    Ok(report)
}

async fn load_missing(db: &impl ConnectionTrait) -> Result<Report> {
    let project: Project = serde_json::from_str(PROJECT_JSON)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("demo project.json is invalid: {e}")))?;
    let workshop_uuids: Vec<Uuid> = project.knowledge_workshops.iter().map(|w| w.id).collect();
    let existing_workshops = read::ids_by_uuid(
        db,
        knowledge_workshop::Column::Uuid,
        knowledge_workshop::Column::Id,
        &workshop_uuids,
    )
    .await?;
    // A workshop that exists keeps the principles and themes it has: an
    // editor may have changed them.
    let workshop_children: Vec<(Uuid, Vec<WorkshopPrinciple>, Vec<SessionTopic>)> = project
        .knowledge_workshops
        .iter()
        .filter(|w| !existing_workshops.contains_key(&w.id))
        .map(|w| (w.id, w.principles.clone(), w.themes.clone()))
        .collect();
    let workshops = project.knowledge_workshops.into_iter().map(|w| {
        let row = knowledge_workshop::ActiveModel {
            key: Set(w.key.clone()),
            name: Set(w.name),
            country_code: Set(w.country_code),
            ..Stamp::first_as(w.id).into()
        };
        (w.key, row)
    });
    let guidelines = project.guidelines.into_iter().map(|g| {
        let row = guideline::ActiveModel {
            key: Set(g.key.clone()),
            title: Set(g.title),
            ..Stamp::first_as(g.id).into()
        };
        (g.key, row)
    });
    let mut report = Report {
        workshops: insert_missing(db, knowledge_workshop::Column::Key, workshops).await?,
        guidelines: insert_missing(db, guideline::Column::Key, guidelines).await?,
        resources: insert_resources(db, project.resources).await?,
        ..Report::default()
    };
    insert_workshop_children(db, workshop_children).await?;

    let rows = facility_csv::parse(FACILITIES_CSV).map_err(|errors| {
        AppError::Internal(anyhow::anyhow!(
            "demo facilities.csv is invalid: {errors:?}"
        ))
    })?;
    // A demo facility is known by the slug its name makes: one that exists,
    // edited or not, stays as it is.
    let mut taken: HashSet<String> = facility::Entity::find()
        .select_only()
        .column(facility::Column::Slug)
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut missing = Vec::new();
    for row in rows {
        let mut fields = row.fields;
        let slug = text::slugify(&fields.name);
        if taken.insert(slug.clone()) {
            fields.slug = Some(slug);
            missing.push(fields);
        }
    }
    report.facilities = missing.len();
    for chunk in missing.chunks(BATCH) {
        // The file gives every row its id, so that every installation
        // that loads the demo knows a facility by the same one.
        let rows = chunk.iter().map(|fields| {
            let stamp = fields.uuid.map_or_else(Stamp::first, Stamp::first_as);
            Facility::row(fields, &Maintainer(None), stamp)
        });
        facility::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
        let uuids: Vec<Uuid> = chunk.iter().filter_map(|f| f.uuid).collect();
        let ids =
            read::ids_by_uuid(db, facility::Column::Uuid, facility::Column::Id, &uuids).await?;
        let refs: Vec<_> = chunk
            .iter()
            .filter_map(|f| Some((*ids.get(&f.uuid?)?, f)))
            .flat_map(|(id, f)| ref_rows(id, &f.external_refs))
            .collect();
        if !refs.is_empty() {
            facility_external_ref::Entity::insert_many(refs)
                .exec_without_returning(db)
                .await?;
        }
    }
    Ok(report)
}

/// Inserts each of `rows` whose key no row of its table holds in its `key`
/// column yet; answers how many it inserted.
async fn insert_missing<A>(
    db: &impl ConnectionTrait,
    key: <A::Entity as EntityTrait>::Column,
    rows: impl Iterator<Item = (String, A)>,
) -> Result<usize>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A> + Sync,
{
    let mut inserted = 0;
    for (value, row) in rows {
        let exists = A::Entity::find().filter(key.eq(value)).count(db).await? > 0;
        if !exists {
            A::Entity::insert(row).exec(db).await?;
            inserted += 1;
        }
    }
    Ok(inserted)
}

/// Gives each workshop the demo data just added its principles and themes.
async fn insert_workshop_children(
    db: &impl ConnectionTrait,
    children: Vec<(Uuid, Vec<WorkshopPrinciple>, Vec<SessionTopic>)>,
) -> Result<()> {
    let uuids: Vec<Uuid> = children.iter().map(|c| c.0).collect();
    let ids = read::ids_by_uuid(
        db,
        knowledge_workshop::Column::Uuid,
        knowledge_workshop::Column::Id,
        &uuids,
    )
    .await?;
    for (uuid, principles, themes) in children {
        // A workshop whose key an older row holds was not inserted.
        let Some(&id) = ids.get(&uuid) else { continue };
        if !principles.is_empty() {
            workshop_principle::Entity::insert_many(principles.into_iter().map(|p| {
                workshop_principle::ActiveModel {
                    workshop_id: Set(id),
                    principle: Set(p),
                }
            }))
            .exec_without_returning(db)
            .await?;
        }
        if !themes.is_empty() {
            workshop_theme::Entity::insert_many(themes.into_iter().map(|t| {
                workshop_theme::ActiveModel {
                    workshop_id: Set(id),
                    theme: Set(t),
                }
            }))
            .exec_without_returning(db)
            .await?;
        }
    }
    Ok(())
}

/// Inserts each demo resource that no row has the UUID of yet, with its
/// children; answers how many it inserted.
async fn insert_resources(
    db: &impl ConnectionTrait,
    resources: Vec<DemoResource>,
) -> Result<usize> {
    let uuids: Vec<Uuid> = resources.iter().map(|r| r.id).collect();
    let existing =
        read::ids_by_uuid(db, resource::Column::Uuid, resource::Column::Id, &uuids).await?;
    let mut inserted = 0;
    for demo in resources {
        if existing.contains_key(&demo.id) {
            continue;
        }
        let mut languages = demo.languages;
        languages.sort_unstable();
        let mut dimensions = demo.dimensions;
        dimensions.sort_unstable();
        let fields = ResourceFields {
            kind: demo.kind,
            title: demo.title,
            summary: demo.summary,
            languages,
            authors: demo.authors.into_iter().map(Author::Organisation).collect(),
            publisher: demo.publisher,
            published_year: demo
                .published_on
                .map(|d| chrono::Datelike::year(&d))
                .or(demo.published_year),
            published_on: demo.published_on,
            url: demo.url,
            licence: demo.licence,
            open_access: demo.open_access,
            facilities: Vec::new(),
            dimensions,
            workshops: Vec::new(),
            visits: Vec::new(),
            learning_sessions: Vec::new(),
            guideline_versions: Vec::new(),
        };
        let model = Resource::row(&fields, &(), Stamp::first_as(demo.id))
            .insert(db)
            .await?;
        Resource::save_children(db, model.id, &fields, None).await?;
        inserted += 1;
    }
    Ok(inserted)
}
