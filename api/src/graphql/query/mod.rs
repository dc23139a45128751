//! The `Query` root, merged from one object per domain.

mod changes;
mod facility;
mod guideline;
mod learning_session;
mod node;
mod search;
mod stakeholder;
mod viewer;
mod visit;
mod workshop;

use async_graphql::{Context, ID, MergedObject, Result};
use sea_orm::{EntityTrait, PrimaryKeyTrait};

use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::service::kernel::read;

/// Every read of the API.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    node::NodeQuery,
    facility::FacilityQuery,
    visit::VisitQuery,
    learning_session::LearningSessionQuery,
    stakeholder::StakeholderQuery,
    workshop::WorkshopQuery,
    guideline::GuidelineQuery,
    search::SearchQuery,
    viewer::ViewerQuery,
    changes::ChangesQuery,
);

/// The record of `E` that `id` names. An unknown id is a `NOT_FOUND` error
/// rather than null, as each of these fields promises; only `node(id:)`
/// answers null.
async fn by_id<E, T>(ctx: &Context<'_>, id: &ID, kind: Kind, what: &str) -> Result<Option<T>>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i32>,
    T: From<E::Model>,
{
    let row_id = id::row(context::db(ctx), id, kind, "id").await?;
    let model = read::find_by_id::<E>(context::db(ctx), row_id).await?;
    let model = model.ok_or_else(|| AppError::not_found(format!("no {what} has this id")))?;
    Ok(Some(model.into()))
}

/// An optional list argument in the service's terms. Absent is the same as
/// empty: no constraint for a filter, the default for an order.
fn list<G, D: From<G>>(values: Option<Vec<G>>) -> Vec<D> {
    values
        .unwrap_or_default()
        .into_iter()
        .map(Into::into)
        .collect()
}
