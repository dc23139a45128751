//! Refusing mutations that arrive by `GET`. A URL is cached, prefetched and
//! replayed by browsers and proxies, so it must never change data. The check
//! runs after parsing, so it also covers a persisted query sent by hash.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{ErrorExtensionValues, ServerError, ServerResult, Variables};

use crate::error::code;

/// Request data marking a request that may only read.
#[derive(Debug, Clone, Copy)]
pub struct ReadOnly;

/// The extension that enforces [`ReadOnly`].
pub struct RefuseWritesWhenReadOnly;

impl ExtensionFactory for RefuseWritesWhenReadOnly {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Refuser)
    }
}

struct Refuser;

#[async_trait::async_trait]
impl Extension for Refuser {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let writes = document
            .operations
            .iter()
            .any(|(_, op)| op.node.ty == OperationType::Mutation);
        if writes && ctx.data_opt::<ReadOnly>().is_some() {
            let mut error = ServerError::new(
                "mutations must be sent with POST: a GET request only reads",
                None,
            );
            let mut extensions = ErrorExtensionValues::default();
            extensions.set("code", code::BAD_USER_INPUT);
            error.extensions = Some(extensions);
            return Err(error);
        }
        Ok(document)
    }
}
