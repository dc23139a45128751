//! GraphQL types, kept apart from the database models they are read from:
//! one file per domain, each with its enums and its connection, and the
//! shapes the domains share (a record's handle, its revision, translated
//! texts, connections and the fields that page through them).

pub mod change;
pub mod competence;
pub mod connection;
pub mod consultation;
pub mod facility;
pub mod guideline;
pub mod label;
pub mod learning_session;
pub mod node;
pub mod organisation;
pub mod proposal;
pub mod record;
pub mod resource;
pub mod revision;
pub mod scalar;
pub mod source;
pub mod stakeholder;
pub mod stats;
pub mod token;
pub mod translated;
pub mod visit;
pub mod webhook;
pub mod workshop;
