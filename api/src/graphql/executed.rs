//! Whether a request reached execution. The GraphQL specification draws its
//! line between request errors there: one raised before execution (a
//! document that does not parse or validate, variables that do not coerce,
//! an operation that is not there) answers no `data` at all, and GraphQL
//! over HTTP gives it a `4xx`; from execution on, `data` is there, if only
//! `null`. async-graphql answers both with `"data": null`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Request data that learns whether its request was executed.
#[derive(Debug, Clone, Default)]
pub struct Execution(Arc<AtomicBool>);

impl Execution {
    /// Whether the request got past parsing, validation and the coercion of
    /// its variables.
    #[must_use]
    pub fn ran(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    pub(super) fn mark(&self) {
        self.0.store(true, Ordering::Release);
    }
}
