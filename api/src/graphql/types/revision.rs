//! The version and times of a record the API writes, which every such type
//! shows alike.

use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};

/// Flattened into the type of each record (`#[graphql(flatten)]`): its
/// fields are the record's own, and no type of this name is in the schema.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct Revision {
    /// Optimistic-concurrency version: pass it as `expectedVersion` when updating.
    pub version: i32,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

macro_rules! revision_of {
    ($($table:ident),+ $(,)?) => {
        $(
            impl From<&entity::$table::Model> for Revision {
                fn from(model: &entity::$table::Model) -> Self {
                    Self {
                        version: model.version,
                        created_at: model.created_at,
                        updated_at: model.updated_at,
                    }
                }
            }
        )+
    };
}

// A guideline version is not among them: its `version` is described apart
// from its version number.
revision_of!(
    facility,
    visit,
    learning_session,
    stakeholder,
    organisation,
    proposal,
    resource,
    consultation_comment,
    competence_area,
    competence
);
