//! A replica serves its own writes at once. Cached answers are kept by the
//! data version ([`crate::data_version`]), which other replicas learn of by
//! notification, a moment after the commit; the replica that wrote reads the
//! version again as soon as its mutation has run, so that the next read
//! through it (the client's own, typically) never gets an answer from before
//! the write.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Response, ServerResult, Variables};

use crate::data_version::DataVersion;

/// The extension that reads the data version again after a mutation.
pub struct SeeOwnWrites;

impl ExtensionFactory for SeeOwnWrites {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AfterMutations::default())
    }
}

/// One request's: whether its document holds a mutation.
#[derive(Default)]
struct AfterMutations {
    mutation: AtomicBool,
}

#[async_trait::async_trait]
impl Extension for AfterMutations {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        // Whichever operation runs: reading the version once too often costs
        // one small statement, once too few a stale answer.
        let mutation = document
            .operations
            .iter()
            .any(|(_, op)| op.node.ty == OperationType::Mutation);
        self.mutation.store(mutation, Ordering::Release);
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        if self.mutation.load(Ordering::Acquire)
            && let Some(versions) = ctx.data_opt::<Arc<DataVersion>>()
            && let Err(err) = versions.catch_up().await
        {
            err.log_if_internal();
        }
        response
    }
}
