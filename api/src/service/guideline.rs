//! Reading guidelines and their versions. Drafts are visible only to callers
//! allowed to see them; the caller says which through `drafts`.

use entity::value::GuidelineStatus;
use entity::{guideline, guideline_version};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::Result;

/// Whether drafts are part of what a caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drafts {
    Hidden,
    Visible,
}

/// # Errors
/// Database errors.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<guideline::Model>> {
    Ok(guideline::Entity::find()
        .order_by_asc(guideline::Column::Key)
        .all(db)
        .await?)
}

/// # Errors
/// Database errors; an unknown key is `Ok(None)`.
pub async fn find_by_key(db: &impl ConnectionTrait, key: &str) -> Result<Option<guideline::Model>> {
    Ok(guideline::Entity::find()
        .filter(guideline::Column::Key.eq(key))
        .one(db)
        .await?)
}

/// The versions of many guidelines at once, oldest number first.
///
/// # Errors
/// Database errors.
pub async fn versions_of(
    db: &impl ConnectionTrait,
    guideline_ids: &[i32],
    drafts: Drafts,
) -> Result<Vec<guideline_version::Model>> {
    let mut cond = Condition::all()
        .add(guideline_version::Column::GuidelineId.is_in(guideline_ids.iter().copied()));
    if drafts == Drafts::Hidden {
        cond = cond.add(guideline_version::Column::Status.ne(GuidelineStatus::Draft));
    }
    Ok(guideline_version::Entity::find()
        .filter(cond)
        .order_by_asc(guideline_version::Column::GuidelineId)
        .order_by_asc(guideline_version::Column::Number)
        .all(db)
        .await?)
}

/// A version with its guideline.
///
/// # Errors
/// Database errors; an unknown id is `Ok(None)`.
pub async fn find_version(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<(guideline_version::Model, guideline::Model)>> {
    let found = guideline_version::Entity::find_by_id(id)
        .find_also_related(guideline::Entity)
        .one(db)
        .await?;
    Ok(found.and_then(|(v, g)| g.map(|g| (v, g))))
}
