//! GraphQL types, kept apart from the database models they are read from.

pub mod change;
pub mod connection;
pub mod enums;
pub mod facility;
pub mod guideline;
pub mod node;
pub mod scalar;
pub mod stats;
pub mod visit;
pub mod workshop;
