//! What every domain's service shares: the unit of work that every write
//! runs in, the reads by id, pages and cursors, SQL conditions, the rules
//! for input fields, text folding, and country codes.

pub mod condition;
pub mod country;
pub mod global_id;
pub mod language;
pub mod link;
pub mod page;
pub mod read;
pub mod record;
pub mod text;
pub mod unit_of_work;
pub mod validate;

/// The current time at the precision both databases keep (microseconds), so
/// that a value written and read back compares equal.
#[must_use]
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}
