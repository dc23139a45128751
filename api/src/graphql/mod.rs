//! The GraphQL layer: the schema, its resolvers and its types. Resolvers stay
//! thin: they read the request context and call [`crate::service`].

pub mod compiled;
pub mod context;
pub mod documents;
pub mod executed;
pub mod executor;
pub mod extension;
pub mod field_order;
pub mod id;
pub mod limits;
pub mod loader;
pub mod mutation;
pub mod null_propagation;
pub mod own_writes;
pub mod query;
pub mod read_only;
pub mod schema;
pub mod subscription;
pub mod types;
