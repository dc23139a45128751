//! Building the schema, once per process.

use async_graphql::{EmptyMutation, EmptySubscription, Schema};
use sea_orm::DatabaseConnection;

use super::query::QueryRoot;

pub type AppSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Bounds on what one operation may ask for, checked before it runs.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub depth: usize,
    pub complexity: usize,
}

/// The schema, carrying the database for every request.
#[must_use]
pub fn build(db: DatabaseConnection, limits: Limits) -> AppSchema {
    Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription)
        .data(db)
        .limit_depth(limits.depth)
        .limit_complexity(limits.complexity)
        .finish()
}

/// The schema in SDL: what `schema.graphql` holds and `wish-api schema` prints.
#[must_use]
pub fn sdl() -> String {
    Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription)
        .finish()
        .sdl()
}
