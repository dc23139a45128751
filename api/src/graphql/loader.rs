//! Batching: nested fields load through one `DataLoader` per request, so a
//! page of facilities costs one query per kind of nested data, not one per row.

use std::collections::HashMap;
use std::sync::Arc;

use entity::value::{EcosystemDimension, Principle, SessionTopic, WorkshopPrinciple};
use entity::{guideline_version, stakeholder};
use sea_orm::{DatabaseConnection, DbErr};

use crate::error::AppError;
use crate::service::kernel::read;
use crate::service::{self, guideline::Drafts};

/// The request's loader; `drafts` carries what the caller may see.
pub struct DbLoader {
    pub db: DatabaseConnection,
    pub drafts: Drafts,
}

type LoadResult<K, V> = Result<HashMap<K, V>, Arc<DbErr>>;

fn to_db_err(err: AppError) -> Arc<DbErr> {
    match err {
        AppError::Db(err) => Arc::new(err),
        other => Arc::new(DbErr::Custom(format!("{other:?}"))),
    }
}

/// Groups `(key, value)` rows by key, keeping every requested key (empty when it has no rows).
fn group<K: std::hash::Hash + Eq + Copy, V>(
    keys: &[K],
    rows: impl IntoIterator<Item = (K, V)>,
) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for (key, value) in rows {
        map.entry(key).or_default().push(value);
    }
    map
}

/// Declares a loader of the rows of an entity's `table` by their own id.
macro_rules! by_id_loader {
    ($key:ident, $table:ident) => {
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i32);

        impl async_graphql::dataloader::Loader<$key> for DbLoader {
            type Value = entity::$table::Model;
            type Error = Arc<DbErr>;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Self::Value> {
                let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
                let id = entity::$table::Column::Id;
                let rows = read::by_ids(&self.db, id, &ids).await.map_err(to_db_err)?;
                Ok(rows.into_iter().map(|row| ($key(row.id), row)).collect())
            }
        }
    };
}

/// Cuts each parent's children at `bound`: the query cost counts at most that
/// many, and the writes of the API never store more. Only rows written around
/// the API can exceed it; they are logged rather than served.
fn cap<K, V>(mut map: HashMap<K, Vec<V>>, bound: usize, what: &str) -> HashMap<K, Vec<V>> {
    for children in map.values_mut() {
        if children.len() > bound {
            tracing::warn!(
                what,
                bound,
                found = children.len(),
                "more rows than the API's bound; the list is cut at the bound"
            );
            children.truncate(bound);
        }
    }
    map
}

/// Declares a loader of a parent's children, by parent id; with a `bound`,
/// each parent gets at most that many.
macro_rules! children_loader {
    ($key:ident, $model:ty, $load:path, bound = $bound:expr) => {
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i32);

        impl async_graphql::dataloader::Loader<$key> for DbLoader {
            type Value = Vec<$model>;
            type Error = Arc<DbErr>;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Self::Value> {
                let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
                let rows = $load(&self.db, &ids).await.map_err(to_db_err)?;
                let grouped = group(
                    keys,
                    rows.into_iter()
                        .map(|(parent, child)| ($key(parent), child)),
                );
                Ok(cap(grouped, $bound, stringify!($key)))
            }
        }
    };
    // No list reaches `usize::MAX`: `cap` leaves every one whole.
    ($key:ident, $model:ty, $load:path) => {
        children_loader!($key, $model, $load, bound = usize::MAX);
    };
}

// The database orders enums by their stored text; the API by the order
// of their variants, which the two loaders below sort by.
async fn principles_by_facility(
    db: &DatabaseConnection,
    ids: &[i32],
) -> crate::error::Result<Vec<(i32, Principle)>> {
    let mut rows = service::facility::principles_of(db, ids).await?;
    rows.sort_by_key(|r| r.principle);
    Ok(rows
        .into_iter()
        .map(|r| (r.facility_id, r.principle))
        .collect())
}
children_loader!(PrinciplesOf, Principle, principles_by_facility);

async fn principles_by_workshop(
    db: &DatabaseConnection,
    ids: &[i32],
) -> crate::error::Result<Vec<(i32, WorkshopPrinciple)>> {
    let rows = service::workshop::principles_of(db, ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.workshop_id, r.principle))
        .collect())
}
children_loader!(
    WorkshopPrinciplesOf,
    WorkshopPrinciple,
    principles_by_workshop
);

async fn themes_by_workshop(
    db: &DatabaseConnection,
    ids: &[i32],
) -> crate::error::Result<Vec<(i32, SessionTopic)>> {
    let rows = service::workshop::themes_of(db, ids).await?;
    Ok(rows.into_iter().map(|r| (r.workshop_id, r.theme)).collect())
}
children_loader!(WorkshopThemesOf, SessionTopic, themes_by_workshop);
children_loader!(
    AgendaOf,
    service::workshop::Goal,
    service::workshop::agenda_of,
    bound = service::workshop::write::MAX_GOALS
);

async fn notes_by_facility(
    db: &DatabaseConnection,
    ids: &[i32],
) -> crate::error::Result<Vec<(i32, (EcosystemDimension, String))>> {
    let mut rows = service::facility::ecosystem_notes_of(db, ids).await?;
    rows.sort_by_key(|r| r.dimension);
    Ok(rows
        .into_iter()
        .map(|r| (r.facility_id, (r.dimension, r.note)))
        .collect())
}
children_loader!(EcosystemOf, (EcosystemDimension, String), notes_by_facility);

async fn refs_by_facility(
    db: &DatabaseConnection,
    ids: &[i32],
) -> crate::error::Result<Vec<(i32, entity::facility_external_ref::Model)>> {
    let mut rows = service::facility::write::refs_of(db, ids).await?;
    rows.sort_by_key(|r| r.scheme);
    Ok(rows.into_iter().map(|r| (r.facility_id, r)).collect())
}
children_loader!(
    ExternalRefsOf,
    entity::facility_external_ref::Model,
    refs_by_facility,
    // One per scheme.
    bound = 5
);

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct VersionsOf(pub i32);

impl async_graphql::dataloader::Loader<VersionsOf> for DbLoader {
    type Value = Vec<guideline_version::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[VersionsOf]) -> LoadResult<VersionsOf, Self::Value> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let rows = service::guideline::versions_of(&self.db, &ids, self.drafts)
            .await
            .map_err(to_db_err)?;
        Ok(group(
            keys,
            rows.into_iter().map(|v| (VersionsOf(v.guideline_id), v)),
        ))
    }
}

by_id_loader!(OrganisationById, organisation);

/// A facility's fields as its writes and the audit log see them (children
/// included), for comparing against what a proposal was made on.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FacilityFieldsOf(pub i32);

impl async_graphql::dataloader::Loader<FacilityFieldsOf> for DbLoader {
    type Value = serde_json::Value;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[FacilityFieldsOf]) -> LoadResult<FacilityFieldsOf, Self::Value> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let facilities = read::by_ids(&self.db, entity::facility::Column::Id, &ids)
            .await
            .map_err(to_db_err)?;
        let models: Vec<&entity::facility::Model> = facilities.iter().collect();
        let fields = service::facility::write::fields_of_many(&self.db, &models)
            .await
            .map_err(to_db_err)?;
        facilities
            .iter()
            .zip(fields)
            .map(|(model, fields)| {
                serde_json::to_value(fields)
                    .map(|json| (FacilityFieldsOf(model.id), json))
                    .map_err(|e| Arc::new(DbErr::Custom(e.to_string())))
            })
            .collect()
    }
}
by_id_loader!(ProposalById, proposal);
by_id_loader!(FacilityById, facility);
by_id_loader!(WorkshopById, knowledge_workshop);
by_id_loader!(VisitById, visit);
by_id_loader!(SessionById, learning_session);
by_id_loader!(GuidelineById, guideline);
by_id_loader!(StakeholderById, stakeholder);
// Drafts included: the fields that read versions filter what the caller may see.
by_id_loader!(GuidelineVersionById, guideline_version);
children_loader!(MembersOf, stakeholder::Model, service::workshop::members_of);
children_loader!(
    VisitParticipants,
    stakeholder::Model,
    service::visit::participants_of,
    bound = service::visit::write::MAX_PARTICIPANTS
);
children_loader!(
    SessionParticipants,
    stakeholder::Model,
    service::learning_session::participants_of,
    bound = service::visit::write::MAX_PARTICIPANTS
);
children_loader!(
    StakeholderWorkshops,
    entity::knowledge_workshop::Model,
    service::stakeholder::workshops_of,
    bound = service::workshop::MAX_WORKSHOPS
);

async fn visits_by_facility(
    db: &DatabaseConnection,
    ids: &[i32],
) -> crate::error::Result<Vec<(i32, entity::visit::Model)>> {
    let visits = service::visit::of_facilities(db, ids).await?;
    Ok(visits.into_iter().map(|v| (v.facility_id, v)).collect())
}
children_loader!(FacilityVisits, entity::visit::Model, visits_by_facility);

async fn visits_by_workshop(
    db: &DatabaseConnection,
    ids: &[i32],
) -> crate::error::Result<Vec<(i32, entity::visit::Model)>> {
    let visits = service::workshop::visits_of(db, ids).await?;
    Ok(visits
        .into_iter()
        .filter_map(|v| Some((v.workshop_id?, v)))
        .collect())
}
children_loader!(WorkshopVisits, entity::visit::Model, visits_by_workshop);

async fn sessions_by_workshop(
    db: &DatabaseConnection,
    ids: &[i32],
) -> crate::error::Result<Vec<(i32, entity::learning_session::Model)>> {
    let sessions = service::workshop::sessions_of(db, ids).await?;
    Ok(sessions
        .into_iter()
        .filter_map(|s| Some((s.workshop_id?, s)))
        .collect())
}
children_loader!(
    WorkshopSessions,
    entity::learning_session::Model,
    sessions_by_workshop
);

async fn findings_by_visit(
    db: &DatabaseConnection,
    ids: &[i32],
) -> crate::error::Result<Vec<(i32, entity::visit_finding::Model)>> {
    let mut findings = service::visit::findings_of(db, ids).await?;
    findings.sort_by_key(|f| f.dimension);
    Ok(findings.into_iter().map(|f| (f.visit_id, f)).collect())
}
children_loader!(
    VisitFindings,
    entity::visit_finding::Model,
    findings_by_visit
);

/// What informed a guideline version.
#[derive(Clone)]
pub enum Source {
    Visit(entity::visit::Model),
    Session(entity::learning_session::Model),
}

async fn provenance_by_version(
    db: &DatabaseConnection,
    ids: &[i32],
) -> crate::error::Result<Vec<(i32, Source)>> {
    let (visits, sessions) = service::guideline::provenance_of(db, ids).await?;
    Ok(visits
        .into_iter()
        .map(|(id, v)| (id, Source::Visit(v)))
        .chain(sessions.into_iter().map(|(id, s)| (id, Source::Session(s))))
        .collect())
}
children_loader!(
    ProvenanceOf,
    Source,
    provenance_by_version,
    bound = service::guideline::write::MAX_INFORMED_BY
);

by_id_loader!(ResourceById, resource);
children_loader!(
    ResourceAuthors,
    service::resource::StoredAuthor,
    service::resource::authors_of,
    bound = service::resource::write::MAX_AUTHORS
);
children_loader!(
    ResourceLanguages,
    String,
    service::resource::languages_of,
    bound = service::resource::write::MAX_LANGUAGES
);
children_loader!(
    ResourceDimensions,
    EcosystemDimension,
    service::resource::dimensions_of
);
children_loader!(
    ResourceFacilities,
    entity::facility::Model,
    service::resource::facilities_of
);
children_loader!(
    ResourceWorkshops,
    entity::knowledge_workshop::Model,
    service::resource::workshops_of
);
children_loader!(
    ResourceVisits,
    entity::visit::Model,
    service::resource::visits_of
);
children_loader!(
    ResourceSessions,
    entity::learning_session::Model,
    service::resource::sessions_of
);
children_loader!(
    ResourceGuidelineVersions,
    (guideline_version::Model, entity::guideline::Model),
    service::resource::guideline_versions_of
);
children_loader!(
    FacilityResources,
    entity::resource::Model,
    service::resource::of_facilities
);
children_loader!(
    WorkshopResources,
    entity::resource::Model,
    service::resource::of_workshops
);
children_loader!(
    VisitResources,
    entity::resource::Model,
    service::resource::of_visits
);
children_loader!(
    SessionResources,
    entity::resource::Model,
    service::resource::of_sessions
);
children_loader!(
    GuidelineVersionResources,
    entity::resource::Model,
    service::resource::of_guideline_versions
);

async fn rules_by_version(
    db: &DatabaseConnection,
    ids: &[i32],
) -> crate::error::Result<Vec<(i32, entity::guideline_rule::Model)>> {
    let rules = service::guideline::rules::of_versions(db, ids).await?;
    Ok(rules
        .into_iter()
        .map(|r| (r.guideline_version_id, r))
        .collect())
}
children_loader!(
    RulesOf,
    entity::guideline_rule::Model,
    rules_by_version,
    bound = service::guideline::rules::MAX_RULES
);
children_loader!(
    RuleSourcesOf,
    service::guideline::rules::SourceRecord,
    service::guideline::rules::source_records_of,
    bound = service::guideline::rules::MAX_RULE_SOURCES
);

/// The rows of one rule's lineage, in the versions the caller may see.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RuleHistory(pub uuid::Uuid);

impl async_graphql::dataloader::Loader<RuleHistory> for DbLoader {
    type Value = Vec<(entity::guideline_rule::Model, guideline_version::Model)>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[RuleHistory]) -> LoadResult<RuleHistory, Self::Value> {
        let lineages: Vec<uuid::Uuid> = keys.iter().map(|k| k.0).collect();
        let rows = service::guideline::rules::history_of(&self.db, &lineages, self.drafts)
            .await
            .map_err(to_db_err)?;
        let grouped = group(
            keys,
            rows.into_iter()
                .map(|(r, v)| (RuleHistory(r.lineage), (r, v))),
        );
        Ok(cap(
            grouped,
            service::guideline::rules::MAX_RULE_HISTORY,
            "RuleHistory",
        ))
    }
}

by_id_loader!(RuleById, guideline_rule);
by_id_loader!(CommentById, consultation_comment);

async fn comments_by_version(
    db: &DatabaseConnection,
    ids: &[i32],
) -> crate::error::Result<Vec<(i32, entity::consultation_comment::Model)>> {
    let comments = service::consultation::of_versions(db, ids).await?;
    Ok(comments
        .into_iter()
        .map(|c| (c.guideline_version_id, c))
        .collect())
}
children_loader!(
    VersionComments,
    entity::consultation_comment::Model,
    comments_by_version
);

async fn comments_by_rule(
    db: &DatabaseConnection,
    ids: &[i32],
) -> crate::error::Result<Vec<(i32, entity::consultation_comment::Model)>> {
    let comments = service::consultation::of_rules(db, ids).await?;
    Ok(comments
        .into_iter()
        .filter_map(|c| Some((c.rule_id?, c)))
        .collect())
}
children_loader!(
    RuleComments,
    entity::consultation_comment::Model,
    comments_by_rule
);
by_id_loader!(CompetenceById, competence);
by_id_loader!(CompetenceAreaById, competence_area);
children_loader!(
    AreaCompetences,
    entity::competence::Model,
    service::competence::of_areas,
    bound = service::competence::MAX_PER_AREA
);
children_loader!(
    CompetenceResources,
    entity::resource::Model,
    service::competence::resources_of
);
children_loader!(
    CompetenceSessions,
    entity::learning_session::Model,
    service::competence::sessions_of
);
children_loader!(
    CompetenceGuidelineVersions,
    (guideline_version::Model, entity::guideline::Model),
    service::competence::guideline_versions_of
);
children_loader!(
    ResourceCompetences,
    entity::competence::Model,
    service::competence::of_resources
);
children_loader!(
    SessionCompetences,
    entity::competence::Model,
    service::competence::of_sessions
);
children_loader!(
    GuidelineVersionCompetences,
    entity::competence::Model,
    service::competence::of_guideline_versions
);
children_loader!(
    StakeholderMemberships,
    (entity::knowledge_workshop::Model, entity::value::MemberRole),
    service::stakeholder::memberships_of,
    bound = service::workshop::MAX_WORKSHOPS
);
