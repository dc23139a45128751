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

use std::future::Future;

use async_graphql::{Context, ID, MergedObject, Result};
use sea_orm::DatabaseConnection;

use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};

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

/// The record that `id` names, read by `find`. An unknown id is a
/// `NOT_FOUND` error rather than null, as each of these fields promises;
/// only `node(id:)` answers null.
async fn by_id<'a, M, T, F>(
    ctx: &Context<'a>,
    id: &ID,
    kind: Kind,
    what: &str,
    find: impl FnOnce(&'a DatabaseConnection, i32) -> F,
) -> Result<Option<T>>
where
    F: Future<Output = crate::error::Result<Option<M>>>,
    T: From<M>,
{
    let row_id = id::decode(id, kind, "id")?;
    let model = find(context::db(ctx), row_id).await?;
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
