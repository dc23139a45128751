//! The reads every kind of record answers alike: one by its id, many by
//! their ids (for batching loaders), and the records that a link table ties
//! to many parents at once.

use std::collections::HashMap;

use sea_orm::sea_query::ValueType;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait, PrimaryKeyTrait, QueryFilter,
    QueryOrder, QuerySelect, Related,
};
use uuid::Uuid;

use crate::error::Result;

/// The record of `E` with this id.
///
/// # Errors
/// Database errors; an unknown id is `Ok(None)`.
pub async fn find_by_id<E>(db: &impl ConnectionTrait, id: i32) -> Result<Option<E::Model>>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i32>,
{
    Ok(E::find_by_id(id).one(db).await?)
}

/// The records whose `id` column is one of `ids`, in no particular order.
///
/// # Errors
/// Database errors.
pub async fn by_ids<C>(
    db: &impl ConnectionTrait,
    id: C,
    ids: &[i32],
) -> Result<Vec<<C::EntityName as EntityTrait>::Model>>
where
    C: ColumnTrait,
    C::EntityName: EntityTrait<Column = C>,
{
    Ok(<C::EntityName as EntityTrait>::find()
        .filter(id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// The records linked to any of `parents` through a link table whose
/// `parent` column names them, as (parent id, record) pairs sorted by
/// `order`, one query for all parents.
///
/// # Errors
/// Database errors.
pub async fn linked<P, O>(
    db: &impl ConnectionTrait,
    parent: P,
    parents: &[i32],
    order: &[O],
) -> Result<Vec<(i32, <O::EntityName as EntityTrait>::Model)>>
where
    P: ColumnTrait,
    P::EntityName: EntityTrait<Column = P> + Related<O::EntityName>,
    O: ColumnTrait,
    O::EntityName: EntityTrait<Column = O>,
{
    let mut select = <P::EntityName as EntityTrait>::find()
        .filter(parent.is_in(parents.iter().copied()))
        .find_also_related(O::EntityName::default());
    for column in order {
        select = select.order_by_asc(*column);
    }
    Ok(select
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(link, record)| {
            // Link tables' parent columns are integer ids; a link without
            // its record (deleted around the API) is left out.
            let parent_id = <i32 as ValueType>::try_from(link.get(parent)).ok()?;
            Some((parent_id, record?))
        })
        .collect())
}

/// The row ids of the records of `uuid`'s table that have one of `uuids`,
/// by UUID: one query, however many.
///
/// # Errors
/// Database errors.
pub async fn ids_by_uuid<C>(
    db: &impl ConnectionTrait,
    uuid: C,
    id: C,
    uuids: &[Uuid],
) -> Result<HashMap<Uuid, i32>>
where
    C: ColumnTrait,
    C::EntityName: EntityTrait<Column = C>,
{
    Ok(<C::EntityName as EntityTrait>::find()
        .select_only()
        .column(uuid)
        .column(id)
        .filter(uuid.is_in(uuids.iter().copied()))
        .into_tuple::<(Uuid, i32)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}
