//! Partner organisations: the `org` claim of a partner's token must name one
//! that is not suspended. Anyone reads them; admins write them.

pub mod write;

use entity::organisation;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Select,
};
use serde::Serialize;

use crate::error::Result;
use crate::service::kernel::page::Listing;
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

/// Registers an organisation named by its slug if it is new; `true` when it
/// was. For data loaders and tests: the API and the command line create
/// organisations with a name through [`write::create`].
///
/// # Errors
/// Database errors.
pub async fn ensure(db: &impl ConnectionTrait, slug: &str) -> Result<bool> {
    let inserted = organisation::Entity::insert(organisation::ActiveModel {
        slug: Set(slug.to_owned()),
        name: Set(slug.to_owned()),
        website: Set(None),
        contact: Set(None),
        suspended_at: Set(None),
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

/// Which organisations to list.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Filter {
    /// Only suspended ones (`true`), only those in good standing (`false`).
    pub suspended: Option<bool>,
}

impl Listing for Filter {
    type Entity = organisation::Entity;

    const NAME: &'static str = "organisation";

    fn condition(&self) -> Result<Condition> {
        Ok(match self.suspended {
            None => Condition::all(),
            Some(true) => Condition::all().add(organisation::Column::SuspendedAt.is_not_null()),
            Some(false) => Condition::all().add(organisation::Column::SuspendedAt.is_null()),
        })
    }

    /// By slug, which is stable.
    fn order(select: Select<organisation::Entity>) -> Select<organisation::Entity> {
        select
            .order_by_asc(organisation::Column::Slug)
            .order_by_asc(organisation::Column::Id)
    }
}
