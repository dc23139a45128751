//! A replica serves its own writes at once. Cached answers are kept by the
//! data version ([`crate::data_version`]), which other replicas learn of by
//! notification, a moment after the commit; the replica that wrote reads the
//! version again as soon as its mutation has run, so that the next read
//! through it (the client's own, typically) never gets an answer from before
//! the write.

use std::sync::Arc;

use async_graphql::extensions::ExtensionContext;
use async_graphql::parser::types::{ExecutableDocument, OperationType};

use crate::data_version::DataVersion;

/// Whether `document` holds a mutation. Whichever operation runs: reading
/// the version once too often costs one small statement, once too few a
/// stale answer.
#[must_use]
pub fn holds_mutation(document: &ExecutableDocument) -> bool {
    document
        .operations
        .iter()
        .any(|(_, op)| op.node.ty == OperationType::Mutation)
}

/// Reads the data version again, once a mutation has run.
pub async fn catch_up(ctx: &ExtensionContext<'_>) {
    if let Some(versions) = ctx.data_opt::<Arc<DataVersion>>()
        && let Err(err) = versions.catch_up().await
    {
        err.log_if_internal();
    }
}
