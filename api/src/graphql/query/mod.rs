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

use async_graphql::MergedObject;

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
