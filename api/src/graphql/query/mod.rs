//! The `Query` root, merged from one object per domain.

mod changes;
mod competence;
mod consultation;
pub(crate) mod facility;
mod guideline;
mod label;
mod learning_session;
mod node;
mod organisation;
mod proposal;
mod resource;
mod search;
mod stakeholder;
mod token;
mod viewer;
mod visit;
mod webhook;
mod workshop;

use async_graphql::{Context, ID, MergedObject, Result};
use sea_orm::{EntityTrait, PrimaryKeyTrait};

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
    label::LabelQuery,
    search::SearchQuery,
    viewer::ViewerQuery,
    changes::ChangesQuery,
    organisation::OrganisationQuery,
    proposal::ProposalQuery,
    token::TokenQuery,
    webhook::WebhookQuery,
    resource::ResourceQuery,
    consultation::ConsultationQuery,
    competence::CompetenceQuery,
);

/// The record of `E` that `id` names; `None` when there is none: every
/// field that reads one record answers a missing one with null and no
/// error, as Relay's `node(id:)` does, so that one rule holds for all.
///
/// # Errors
/// `BAD_USER_INPUT` for an id that is not one of `kind`.
async fn by_id<E, T>(ctx: &Context<'_>, id: &ID, kind: Kind) -> Result<Option<T>>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i32>,
    T: From<E::Model>,
{
    let row_id = id::row(context::db(ctx), id, kind, "id").await?;
    let model = read::find_by_id::<E>(context::db(ctx), row_id).await?;
    Ok(model.map(Into::into))
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
