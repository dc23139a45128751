//! The operations behind the API, over any sea-orm connection or transaction.
//! Resolvers and HTTP handlers call these; they never build SQL themselves.
//!
//! One folder per domain (its reads in `mod.rs`, its writes in `write.rs`),
//! and one shared [`kernel`] that every domain builds on.

pub mod changes;
pub mod competence;
pub mod consultation;
pub mod demo;
pub mod facility;
pub mod guideline;
pub mod kernel;
pub mod learning_session;
pub mod organisation;
pub mod proposal;
pub mod resource;
pub mod search;
pub mod stakeholder;
pub mod token;
pub mod visit;
pub mod webhook;
pub mod workshop;
