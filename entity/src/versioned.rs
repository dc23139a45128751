//! What the records the API writes have in common: an id, a version that
//! every change increments (optimistic concurrency), and when they were
//! created. The write steps of the service layer are written once over it.

use sea_orm::prelude::{DateTimeUtc, Uuid};

/// A record with an id, a version and a creation time.
pub trait Versioned {
    fn id(&self) -> i32;
    fn version(&self) -> i32;
    fn created_at(&self) -> DateTimeUtc;
    /// The identity that outlives installations (`id` is this database's).
    fn uuid(&self) -> Uuid;
}

macro_rules! versioned {
    ($($table:ident),+ $(,)?) => {
        $(
            impl Versioned for crate::$table::Model {
                fn id(&self) -> i32 {
                    self.id
                }
                fn version(&self) -> i32 {
                    self.version
                }
                fn uuid(&self) -> Uuid {
                    self.uuid
                }
                fn created_at(&self) -> DateTimeUtc {
                    self.created_at
                }
            }
        )+
    };
}

versioned!(
    facility,
    visit,
    learning_session,
    stakeholder,
    guideline_version,
    organisation,
    proposal,
    resource,
    knowledge_workshop,
    consultation_comment,
    competence_area,
    competence
);
