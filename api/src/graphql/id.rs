//! Global object ids as the GraphQL layer takes them: what they are is in
//! [`global_id`](crate::service::kernel::global_id); here, the rows they
//! name, looked up in one query however many come in.

use std::collections::HashMap;

use entity::{
    competence, competence_area, consultation_comment, facility, guideline_rule, guideline_version,
    knowledge_workshop, learning_session, organisation, proposal, resource, stakeholder, visit,
    webhook_endpoint,
};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::error::AppError;
pub use crate::service::kernel::global_id::{Key, Kind, decode, decode_any, encode, encode_serial};
use crate::service::kernel::read;

/// The row id that no row has: what an id naming no record resolves to,
/// so that the reads and writes answer for it as for any unknown id.
pub const NO_ROW: i32 = 0;

/// The row id of a global id that must be of type `kind`; [`NO_ROW`] when
/// no record has it.
///
/// # Errors
/// As [`decode`]; database errors.
pub async fn row(
    db: &impl ConnectionTrait,
    id: &str,
    kind: Kind,
    argument: &str,
) -> Result<i32, AppError> {
    let key = decode(id, kind, argument)?;
    Ok(rows(db, kind, &[key]).await?[0])
}

/// The row ids of keys of one type, in their order: one query for all the
/// UUIDs among them, however many; [`NO_ROW`] for a key no record has.
///
/// # Errors
/// Database errors.
pub async fn rows(
    db: &impl ConnectionTrait,
    kind: Kind,
    keys: &[Key],
) -> Result<Vec<i32>, AppError> {
    let uuids: Vec<Uuid> = keys
        .iter()
        .filter_map(|k| match k {
            Key::Uuid(u) => Some(*u),
            Key::Serial(_) => None,
        })
        .collect();
    let found: HashMap<Uuid, i32> = if uuids.is_empty() {
        HashMap::new()
    } else {
        match kind {
            Kind::Facility => {
                read::ids_by_uuid(db, facility::Column::Uuid, facility::Column::Id, &uuids).await?
            }
            Kind::Visit => {
                read::ids_by_uuid(db, visit::Column::Uuid, visit::Column::Id, &uuids).await?
            }
            Kind::LearningSession => {
                read::ids_by_uuid(
                    db,
                    learning_session::Column::Uuid,
                    learning_session::Column::Id,
                    &uuids,
                )
                .await?
            }
            Kind::Stakeholder => {
                read::ids_by_uuid(
                    db,
                    stakeholder::Column::Uuid,
                    stakeholder::Column::Id,
                    &uuids,
                )
                .await?
            }
            Kind::KnowledgeWorkshop => {
                read::ids_by_uuid(
                    db,
                    knowledge_workshop::Column::Uuid,
                    knowledge_workshop::Column::Id,
                    &uuids,
                )
                .await?
            }
            Kind::GuidelineVersion => {
                read::ids_by_uuid(
                    db,
                    guideline_version::Column::Uuid,
                    guideline_version::Column::Id,
                    &uuids,
                )
                .await?
            }
            Kind::Organisation => {
                read::ids_by_uuid(
                    db,
                    organisation::Column::Uuid,
                    organisation::Column::Id,
                    &uuids,
                )
                .await?
            }
            Kind::Proposal => {
                read::ids_by_uuid(db, proposal::Column::Uuid, proposal::Column::Id, &uuids).await?
            }
            Kind::Resource => {
                read::ids_by_uuid(db, resource::Column::Uuid, resource::Column::Id, &uuids).await?
            }
            Kind::CompetenceArea => {
                read::ids_by_uuid(
                    db,
                    competence_area::Column::Uuid,
                    competence_area::Column::Id,
                    &uuids,
                )
                .await?
            }
            Kind::Competence => {
                read::ids_by_uuid(db, competence::Column::Uuid, competence::Column::Id, &uuids)
                    .await?
            }
            Kind::Rule => {
                read::ids_by_uuid(
                    db,
                    guideline_rule::Column::Uuid,
                    guideline_rule::Column::Id,
                    &uuids,
                )
                .await?
            }
            Kind::ConsultationComment => {
                read::ids_by_uuid(
                    db,
                    consultation_comment::Column::Uuid,
                    consultation_comment::Column::Id,
                    &uuids,
                )
                .await?
            }
            Kind::WebhookEndpoint => {
                read::ids_by_uuid(
                    db,
                    webhook_endpoint::Column::Uuid,
                    webhook_endpoint::Column::Id,
                    &uuids,
                )
                .await?
            }
        }
    };
    Ok(keys
        .iter()
        .map(|k| match k {
            Key::Uuid(u) => found.get(u).copied().unwrap_or(NO_ROW),
            Key::Serial(n) => *n,
        })
        .collect())
}
