//! A list of a record's fields that a table of two columns stores, one row
//! per item: the ids of the other records it is linked to (a competence's
//! resources), or values (a facility's principles). Each such list is
//! described once, as a [`Link`], and read, checked and stored through it.

use std::collections::HashSet;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Iterable, PrimaryKeyToColumn,
    Value,
};

use crate::error::Result;
use crate::service::kernel::unit_of_work::{
    check_references, child_ids, existing_ids, replace_children,
};
use crate::service::kernel::validate::Problems;

/// A table of two columns that holds one list of a record's fields: the
/// first column names the record, the second holds an item.
#[derive(Debug, Clone, Copy)]
pub struct Link<C>(pub C, pub C);

impl<C> Link<C>
where
    C: ColumnTrait,
    C::EntityName: EntityTrait<Column = C, ActiveModel: Send>,
{
    /// The ids that record `id` is linked to, as [`unit_of_work::child_ids`](child_ids) reads them.
    ///
    /// # Errors
    /// Database errors.
    pub async fn ids(self, db: &impl ConnectionTrait, id: i32) -> Result<Vec<i32>> {
        child_ids(db, self.0, id, self.1).await
    }

    /// Stores the list that `list` picks from the fields of record `id`,
    /// unless it is as in `before` (`None`: a new record), as
    /// [`replace_children`] does.
    ///
    /// # Errors
    /// Database errors.
    pub async fn save<F, T>(
        self,
        db: &impl ConnectionTrait,
        id: i32,
        fields: &F,
        before: Option<&F>,
        list: impl Fn(&F) -> &[T],
    ) -> Result<()>
    where
        T: PartialEq + Clone + Into<Value>,
    {
        replace_children(
            db,
            self.0,
            id,
            list(fields),
            before.map(&list),
            |item: &T| {
                let mut row =
                    <<C::EntityName as EntityTrait>::ActiveModel as ActiveModelTrait>::default();
                row.set(self.0, id.into());
                row.set(self.1, item.clone().into());
                row
            },
        )
        .await
    }
}

/// Checks a list of ids that name records of `E`: at most `max` of them,
/// and as [`check_existing`].
///
/// # Errors
/// Database errors.
pub async fn check_ids<E: EntityTrait>(
    db: &impl ConnectionTrait,
    problems: &mut Problems,
    field: &str,
    ids: &[i32],
    max: usize,
) -> Result<()> {
    if ids.len() > max {
        problems.add(field, format!("at most {max}, got {}", ids.len()));
        return Ok(());
    }
    check_existing::<E>(db, problems, field, ids).await
}

/// Checks that each of `ids` names a record of `E`, none twice: a problem
/// on `field` (`input.resources`) names every one that does not, by the
/// table's name in words ("no resource has this id").
///
/// # Errors
/// Database errors.
pub async fn check_existing<E: EntityTrait>(
    db: &impl ConnectionTrait,
    problems: &mut Problems,
    field: &str,
    ids: &[i32],
) -> Result<()> {
    // Every table written here has one key column, its id.
    let Some(key) = E::PrimaryKey::iter().next() else {
        return Ok(());
    };
    let found: HashSet<i32> = existing_ids::<E>(db, key.into_column(), ids).await?;
    let what = E::default().table_name().replace('_', " ");
    check_references(problems, field, ids, &found, &what);
    Ok(())
}
