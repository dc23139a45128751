//! The operations behind the API, over any sea-orm connection or transaction.
//! Resolvers and HTTP handlers call these; they never build SQL themselves.

pub mod changes;
pub mod condition;
pub mod country;
pub mod demo;
pub mod facility;
pub mod facility_csv;
pub mod facility_write;
pub mod guideline;
pub mod guideline_write;
pub mod import;
pub mod learning_session;
pub mod map;
pub mod organisation;
pub mod page;
pub mod search;
pub mod session_write;
pub mod stakeholder;
pub mod stakeholder_write;
pub mod stats;
pub mod text;
pub mod validate;
pub mod visit;
pub mod visit_write;
pub mod workshop;
pub mod write;

/// The current time at the precision both databases keep (microseconds), so
/// that a value written and read back compares equal.
#[must_use]
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}
