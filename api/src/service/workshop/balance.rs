//! The balance of a knowledge workshop's network: how many of its members
//! there are per sector (their kind), per discipline, and, of those who
//! consented to record them, per gender and per age band. Only counts, never
//! a list of people's attributes, and no count below
//! [`MIN_PUBLIC_COUNT`](crate::service::stakeholder::MIN_PUBLIC_COUNT):
//!
//! - a group of fewer than five is not shown: its members are folded into
//!   the breakdown's `withheld`, with those whose value is not recorded (or,
//!   for gender and age band, who did not consent);
//! - `withheld` is itself 0 or at least five: while it would be between 1
//!   and 4, the smallest group shown is folded into it too, so that neither
//!   it nor the total minus the groups shown reveals a small group;
//! - a network of fewer than five members shows no count at all.
//!
//! The same rules hold for every caller, editors included: the balance is
//! the network's, and an editor reads people's records where they need them.

use entity::stakeholder;
use entity::value::{AgeBand, Discipline, Gender, StakeholderKind};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::error::Result;
use crate::service::stakeholder::{MIN_PUBLIC_COUNT, members_of};

/// The groups of one breakdown that may be shown, and how many members
/// are in none of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown<T> {
    /// (value, count), every count at least five, in the values' order.
    pub groups: Vec<(T, i64)>,
    /// Members in no group shown: 0 or at least five; `None` for a network
    /// of fewer than five.
    pub withheld: Option<i64>,
}

/// The balance of one workshop's network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    /// How many members it has (erased people not counted); `None` below five.
    pub members: Option<i64>,
    pub by_sector: Breakdown<StakeholderKind>,
    pub by_discipline: Breakdown<Discipline>,
    pub by_gender: Breakdown<Gender>,
    pub by_age_band: Breakdown<AgeBand>,
}

/// The breakdown of `values`, one per member (`None`: not counted in any group).
#[must_use]
pub fn breakdown<T: Copy + Ord>(values: &[Option<T>]) -> Breakdown<T> {
    let total = i64::try_from(values.len()).unwrap_or(i64::MAX);
    if total < MIN_PUBLIC_COUNT {
        return Breakdown {
            groups: Vec::new(),
            withheld: None,
        };
    }
    let mut counts: std::collections::BTreeMap<T, i64> = std::collections::BTreeMap::new();
    for value in values.iter().flatten() {
        *counts.entry(*value).or_default() += 1;
    }
    let mut groups: Vec<(T, i64)> = counts
        .into_iter()
        .filter(|(_, n)| *n >= MIN_PUBLIC_COUNT)
        .collect();
    loop {
        let withheld = total - groups.iter().map(|(_, n)| n).sum::<i64>();
        if withheld == 0 || withheld >= MIN_PUBLIC_COUNT || groups.is_empty() {
            return Breakdown {
                groups,
                withheld: Some(withheld),
            };
        }
        // The smallest group goes; of equals, the last in the values' order.
        let smallest = groups
            .iter()
            .enumerate()
            .min_by_key(|(i, (_, n))| (*n, std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        if let Some(i) = smallest {
            groups.remove(i);
        }
    }
}

/// The balance of the workshop `workshop_id`: one query.
///
/// # Errors
/// Database errors.
pub async fn of_workshop(db: &impl ConnectionTrait, workshop_id: i32) -> Result<Balance> {
    type Row = (
        StakeholderKind,
        Option<Discipline>,
        Option<Gender>,
        Option<AgeBand>,
        bool,
    );
    let rows: Vec<Row> = stakeholder::Entity::find()
        .select_only()
        .columns([
            stakeholder::Column::Kind,
            stakeholder::Column::Discipline,
            stakeholder::Column::Gender,
            stakeholder::Column::AgeBand,
            stakeholder::Column::ConsentDemographics,
        ])
        .filter(stakeholder::Column::ErasedAt.is_null())
        .filter(members_of(workshop_id))
        .into_tuple()
        .all(db)
        .await?;
    let members = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let consented = |row: &Row| row.4;
    Ok(Balance {
        members: (members >= MIN_PUBLIC_COUNT).then_some(members),
        by_sector: breakdown(&rows.iter().map(|r| Some(r.0)).collect::<Vec<_>>()),
        by_discipline: breakdown(&rows.iter().map(|r| r.1).collect::<Vec<_>>()),
        by_gender: breakdown(
            &rows
                .iter()
                .map(|r| r.2.filter(|_| consented(r)))
                .collect::<Vec<_>>(),
        ),
        by_age_band: breakdown(
            &rows
                .iter()
                .map(|r| r.3.filter(|_| consented(r)))
                .collect::<Vec<_>>(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::breakdown;

    #[test]
    fn small_groups_are_withheld_and_withheld_is_never_small() {
        // 6 a, 5 b, 2 c: c alone would be a withheld 2, so b goes with it.
        let values: Vec<Option<char>> = [['a'; 6].as_slice(), &['b'; 5], &['c'; 2]]
            .concat()
            .into_iter()
            .map(Some)
            .collect();
        let b = breakdown(&values);
        assert_eq!(b.groups, vec![('a', 6)]);
        assert_eq!(b.withheld, Some(7));
    }

    #[test]
    fn unrecorded_values_count_as_withheld() {
        let mut values: Vec<Option<char>> = vec![Some('a'); 5];
        values.extend([None; 5]);
        let b = breakdown(&values);
        assert_eq!(b.groups, vec![('a', 5)]);
        assert_eq!(b.withheld, Some(5));
    }

    #[test]
    fn a_network_under_five_shows_nothing() {
        let b = breakdown(&[Some('a'); 4]);
        assert!(b.groups.is_empty());
        assert_eq!(b.withheld, None);
    }

    #[test]
    fn every_group_shown_and_none_withheld() {
        let values: Vec<Option<char>> = [['a'; 5].as_slice(), &['b'; 7]]
            .concat()
            .into_iter()
            .map(Some)
            .collect();
        let b = breakdown(&values);
        assert_eq!(b.groups, vec![('a', 5), ('b', 7)]);
        assert_eq!(b.withheld, Some(0));
    }
}
