//! Building the schema, once per process.

use async_graphql::{Schema, SchemaBuilder};
use chrono::{DateTime, Utc};

use sea_orm::DatabaseConnection;
use std::sync::Arc;

use crate::data_version::DataVersion;

use super::limits::Limits;
use super::mutation::MutationRoot;
use super::query::QueryRoot;
use super::subscription::SubscriptionRoot;
use super::types::scalar::DATE_TIME_DESCRIPTION;
use crate::service::token::Register;

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The schema, carrying for every request the database, the register of
/// tokens, and the data version (which the response cache keeps answers by,
/// and which wakes subscriptions).
#[must_use]
pub fn build(
    db: DatabaseConnection,
    versions: Arc<DataVersion>,
    limits: Limits,
    register: Register,
    webhooks: crate::service::webhook::Policy,
) -> AppSchema {
    builder()
        .data(db)
        .data(register)
        .data(webhooks)
        .data(versions)
        .limit_recursive_depth(super::limits::MAX_RECURSION)
        // A misspelt field gets no "did you mean": suggestions map the schema for a prober.
        .disable_suggestions()
        .extension(super::extension::Pipeline::new(limits))
        .finish()
}

/// The schema in SDL: what `schema.graphql` holds and `wish-api schema` prints.
#[must_use]
pub fn sdl() -> String {
    builder().finish().sdl()
}

/// The types and their descriptions, which the served schema and its SDL share.
fn builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .override_output_type_description::<DateTime<Utc>>(DATE_TIME_DESCRIPTION)
}
