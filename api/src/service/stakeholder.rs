//! Reading stakeholders. Contact details are guarded in the GraphQL layer.

use entity::stakeholder;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::error::Result;

/// # Errors
/// Database errors; an unknown id is `Ok(None)`.
pub async fn find_by_id(db: &impl ConnectionTrait, id: i32) -> Result<Option<stakeholder::Model>> {
    Ok(stakeholder::Entity::find_by_id(id).one(db).await?)
}
