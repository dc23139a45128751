//! Refusing mutations that arrive by `GET`. A URL is cached, prefetched and
//! replayed by browsers and proxies, so it must never change data. The check
//! runs after parsing, so it also covers a persisted query sent by hash; it
//! looks at the operation that would run (GraphQL over HTTP: "the values of
//! {query} and {operationName}"), so a document that also holds a mutation
//! may still run its query by `GET`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{ErrorExtensionValues, ServerError, ServerResult};

use crate::error::code;

/// Request data marking a request that may only read, and learning whether
/// it was refused for a mutation (the HTTP layer answers that `405`).
#[derive(Debug, Clone, Default)]
pub struct ReadOnly {
    operation_name: Option<String>,
    refused: Arc<AtomicBool>,
}

impl ReadOnly {
    /// A read-only request that runs the operation of this name, or its
    /// document's only operation.
    #[must_use]
    pub fn new(operation_name: Option<String>) -> Self {
        Self {
            operation_name,
            refused: Arc::default(),
        }
    }

    /// Whether the request asked to run a mutation, and was refused.
    #[must_use]
    pub fn refused(&self) -> bool {
        self.refused.load(Ordering::Acquire)
    }

    /// Refuses `document` when the operation it would run is a mutation.
    ///
    /// # Errors
    /// `BAD_USER_INPUT`, and [`Self::refused`] learns of it.
    pub fn refuse_mutation(&self, document: &ExecutableDocument) -> ServerResult<()> {
        // An unknown name, or no name for several operations, is for
        // async-graphql to refuse as it does on POST.
        let selected = match &self.operation_name {
            Some(name) => document
                .operations
                .iter()
                .find(|(op_name, _)| op_name.is_some_and(|n| n.as_str() == name))
                .map(|(_, op)| op),
            None => {
                let mut operations = document.operations.iter();
                match (operations.next(), operations.next()) {
                    (Some((_, op)), None) => Some(op),
                    _ => None,
                }
            }
        };
        if selected.is_some_and(|op| op.node.ty == OperationType::Mutation) {
            self.refused.store(true, Ordering::Release);
            let mut error = ServerError::new(
                "mutations must be sent with POST: a GET request only reads",
                None,
            );
            let mut extensions = ErrorExtensionValues::default();
            extensions.set("code", code::BAD_USER_INPUT);
            error.extensions = Some(extensions);
            return Err(error);
        }
        Ok(())
    }
}
