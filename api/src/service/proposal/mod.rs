//! Partners' proposals: changes to facilities (and new facilities) that wait
//! for an editor. Reading them, and seeing field by field where the facility
//! changed since a proposal was made.

pub mod write;

use entity::proposal;
use entity::value::ProposalStatus;
use sea_orm::{ColumnTrait, Condition, QueryOrder, Select};
use serde::Serialize;
use serde_json::Value;

use crate::error::Result;
use crate::service::kernel::condition::one_of;
use crate::service::kernel::page::Listing;

/// Which proposals to list. Absent or empty lists place no constraint.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Filter {
    pub status: Vec<ProposalStatus>,
    pub facility_id: Option<i32>,
    /// Only this organisation's: a partner sees no other.
    pub organisation_id: Option<i32>,
}

impl Listing for Filter {
    type Entity = proposal::Entity;

    const NAME: &'static str = "proposal";

    fn condition(&self) -> Result<Condition> {
        let mut cond = one_of(Condition::all(), proposal::Column::Status, &self.status);
        if let Some(id) = self.facility_id {
            cond = cond.add(proposal::Column::FacilityId.eq(id));
        }
        if let Some(id) = self.organisation_id {
            cond = cond.add(proposal::Column::OrganisationId.eq(id));
        }
        Ok(cond)
    }

    /// Oldest first: the order an editor's queue is worked in.
    fn order(select: Select<proposal::Entity>) -> Select<proposal::Entity> {
        select.order_by_asc(proposal::Column::Id)
    }
}

/// A field that a proposal changes and that the facility changed too, to
/// something else, since the proposal was made (or last resolved).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// The field, as the audit log names it (`capacity`, `sources`).
    pub field: String,
    /// Its value when the proposal was made.
    pub base: Value,
    /// The value the proposal gives it.
    pub proposed: Value,
    /// Its value now.
    pub current: Value,
}

/// The fields `proposed` changes from `base`, by name.
#[must_use]
pub fn changed_fields(base: Option<&Value>, proposed: &Value) -> Vec<String> {
    let Value::Object(proposed) = proposed else {
        return Vec::new();
    };
    let mut fields: Vec<String> = proposed
        .iter()
        .filter(|(field, value)| base.and_then(|b| b.get(field.as_str())) != Some(*value))
        .map(|(field, _)| field.clone())
        .collect();
    fields.sort();
    fields
}

/// The conflicts between a proposal (`base` to `proposed`) and the facility
/// as it is now (`current`): each field the proposal changes that is now
/// neither as it was nor as proposed. A field both changed alike is no
/// conflict; a field only the facility changed stays as it is now.
#[must_use]
pub fn conflicts(base: &Value, proposed: &Value, current: &Value) -> Vec<Conflict> {
    let null = Value::Null;
    changed_fields(Some(base), proposed)
        .into_iter()
        .filter_map(|field| {
            let was = base.get(&field).unwrap_or(&null);
            let wanted = proposed.get(&field).unwrap_or(&null);
            let now = current.get(&field).unwrap_or(&null);
            (now != was && now != wanted).then(|| Conflict {
                base: was.clone(),
                proposed: wanted.clone(),
                current: now.clone(),
                field,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_field_changed_both_ways_differently_is_a_conflict_and_alike_is_not() {
        let base = json!({ "name": "A", "capacity": 10, "city": "X" });
        let proposed = json!({ "name": "B", "capacity": 12, "city": "X" });
        let current = json!({ "name": "C", "capacity": 12, "city": "Y" });
        let found = conflicts(&base, &proposed, &current);
        assert_eq!(
            found,
            vec![Conflict {
                field: "name".to_owned(),
                base: json!("A"),
                proposed: json!("B"),
                current: json!("C"),
            }]
        );
        assert_eq!(changed_fields(Some(&base), &proposed), ["capacity", "name"]);
    }
}
