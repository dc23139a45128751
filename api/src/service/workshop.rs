//! Reading knowledge workshops and their members.

use entity::{knowledge_workshop, stakeholder, workshop_membership};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::Result;

/// Every workshop: the national ones first (by country), then the European think tank.
///
/// # Errors
/// Database errors.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<knowledge_workshop::Model>> {
    let mut workshops = knowledge_workshop::Entity::find()
        .order_by_asc(knowledge_workshop::Column::Key)
        .all(db)
        .await?;
    workshops.sort_by_key(|w| (w.country_code.is_none(), w.key.clone()));
    Ok(workshops)
}

/// The members of many workshops at once, as (workshop id, stakeholder) pairs.
///
/// # Errors
/// Database errors.
pub async fn members_of(
    db: &impl ConnectionTrait,
    workshop_ids: &[i32],
) -> Result<Vec<(i32, stakeholder::Model)>> {
    let rows = workshop_membership::Entity::find()
        .filter(workshop_membership::Column::WorkshopId.is_in(workshop_ids.iter().copied()))
        .find_also_related(stakeholder::Entity)
        .order_by_asc(stakeholder::Column::Name)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, s)| s.map(|s| (m.workshop_id, s)))
        .collect())
}

/// # Errors
/// Database errors; an unknown id is `Ok(None)`.
pub async fn find_by_id(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<knowledge_workshop::Model>> {
    Ok(knowledge_workshop::Entity::find_by_id(id).one(db).await?)
}

/// Workshops by id (for batching loaders).
///
/// # Errors
/// Database errors.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<Vec<knowledge_workshop::Model>> {
    Ok(knowledge_workshop::Entity::find()
        .filter(knowledge_workshop::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// A workshop by key.
///
/// # Errors
/// Database errors; an unknown key is `Ok(None)`.
pub async fn find_by_key(
    db: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<knowledge_workshop::Model>> {
    Ok(knowledge_workshop::Entity::find()
        .filter(knowledge_workshop::Column::Key.eq(key))
        .one(db)
        .await?)
}
