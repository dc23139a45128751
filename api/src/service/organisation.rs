//! Partner organisations: the `org` claim of a partner's token must name one.

use entity::organisation;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::Result;
use crate::service::kernel::record::Stamp;

/// The organisation with this slug.
///
/// # Errors
/// Database errors; an unknown slug is `Ok(None)`.
pub async fn find(db: &impl ConnectionTrait, slug: &str) -> Result<Option<organisation::Model>> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// Registers an organisation if it is new; `true` when it was.
///
/// # Errors
/// Database errors.
pub async fn ensure(db: &impl ConnectionTrait, slug: &str) -> Result<bool> {
    let inserted = organisation::Entity::insert(organisation::ActiveModel {
        slug: Set(slug.to_owned()),
        name: Set(slug.to_owned()),
        ..Stamp::first().into()
    })
    .on_conflict(
        OnConflict::column(organisation::Column::Slug)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted > 0)
}
