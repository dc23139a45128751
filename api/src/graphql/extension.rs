//! The one extension the schema runs: a request's way through async-graphql,
//! step by step and in order. Each step's rules live in their own module.
//!
//! One extension rather than one per step: async-graphql passes every field
//! and list item through the whole chain of extensions, a boxed future per
//! extension each time, and only the propagation of nulls needs to see them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::extensions::apollo_persisted_queries::{
    ApolloPersistedQueries, LruCacheStorage,
};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextResolve, NextValidation, ResolveInfo,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{
    Request, Response, ServerError, ServerResult, ValidationResult, Value, Variables,
};

use super::executed::Execution;
use super::limits::{Checked, Limits};
use super::null_propagation::Propagation;
use super::own_writes;
use super::read_only::ReadOnly;

/// How many persisted queries one server remembers (the least recently used
/// go first). The map sends only a query's hash by `GET`, which makes its
/// requests cacheable by URL.
const PERSISTED_QUERIES: usize = 1024;

/// Makes each request's [`Steps`].
pub struct Pipeline {
    limits: Limits,
    persisted: ApolloPersistedQueries<LruCacheStorage>,
}

impl Pipeline {
    #[must_use]
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            persisted: ApolloPersistedQueries::new(LruCacheStorage::new(PERSISTED_QUERIES)),
        }
    }
}

impl ExtensionFactory for Pipeline {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Steps {
            limits: self.limits,
            persisted: self.persisted.create(),
            mutation: AtomicBool::new(false),
            nulls: Propagation::default(),
        })
    }
}

/// One request's way through.
struct Steps {
    limits: Limits,
    /// async-graphql's own: it looks a persisted query up by its hash.
    persisted: Arc<dyn Extension>,
    /// Whether the document holds a mutation.
    mutation: AtomicBool,
    nulls: Propagation,
}

#[async_trait::async_trait]
impl Extension for Steps {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        self.persisted.prepare_request(ctx, request, next).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        self.mutation
            .store(own_writes::holds_mutation(&document), Ordering::Release);
        if let Some(read_only) = ctx.data_opt::<ReadOnly>() {
            read_only.refuse_mutation(&document)?;
        }
        // The HTTP layer checked the document it was sent; a persisted query
        // sent by hash was checked when it was first sent whole, but its
        // variables are new.
        if ctx.data_opt::<Checked>().is_none() {
            self.limits.check(&document, variables)?;
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        self.limits.check_validated(&result).map_err(|e| vec![e])?;
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(execution) = ctx.data_opt::<Execution>() {
            execution.mark();
        }
        let response = next.run(ctx, operation_name).await;
        if self.mutation.load(Ordering::Acquire) {
            own_writes::catch_up(ctx).await;
        }
        self.nulls.finish(response)
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        self.nulls.resolve(ctx, info, next).await
    }
}
