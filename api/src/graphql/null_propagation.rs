//! Field errors as the GraphQL specification handles them ("Handling Field
//! Errors"): a field that fails is `null`, its error is in `errors`, and
//! when its type is non-null the `null` moves up to the nearest nullable
//! field or list item, up to `data` itself.
//!
//! async-graphql does otherwise: a failed field's error travels up as an
//! `Err` only as far as the object that selected it, which drops the field's
//! key and keeps the rest, whatever the field's type; an object with no key
//! left becomes `null`. So `{ a: failing b: fine }` answered `{"b": …}`
//! without `a`, and one failing root field answered `"data": null`. Clients
//! that normalise a cache (Apollo, urql) refuse such an answer, since a
//! selected key is missing.
//!
//! This sits on every field and list item as it resolves, and
//! knows each one's type (`ResolveInfo::return_type` is the qualified type,
//! `Facility!` or `[Visit!]!`). A failure of a nullable one answers `null`
//! and keeps the error; a failure of a non-null one marks its parent, and
//! the parent, once resolved, fails in turn. The marks of the root fields'
//! parent make `data` null.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::extensions::{ExtensionContext, NextResolve, ResolveInfo};
use async_graphql::{QueryPathNode, QueryPathSegment, Response, ServerError, ServerResult, Value};

/// A path in the answer: field response keys and list indexes.
type Path = Vec<String>;

/// The state of one operation.
#[derive(Default)]
pub struct Propagation {
    /// Fields and items that must answer null because a non-null child failed;
    /// the empty path is `data`.
    nulled: Mutex<HashSet<Path>>,
    /// Whether `nulled` holds anything: most answers have no error, and need
    /// neither the lock nor their paths.
    any_nulled: AtomicBool,
    /// Errors answered here as null, which async-graphql would otherwise have
    /// collected from the dropped key.
    errors: Mutex<Vec<ServerError>>,
}

impl Propagation {
    /// Whether a non-null child of `path` failed, forgetting the mark.
    fn take_mark(&self, path: &Path) -> bool {
        self.any_nulled.load(Ordering::Acquire)
            && self
                .nulled
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(path)
    }

    fn mark(&self, path: Path) {
        self.nulled
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(path);
        self.any_nulled.store(true, Ordering::Release);
    }

    fn keep(&self, error: ServerError) {
        self.errors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(error);
    }
}

fn path_of(node: &QueryPathNode<'_>) -> Path {
    let mut path: Path = std::iter::once(node)
        .chain(node.parents())
        .map(|n| match n.segment {
            QueryPathSegment::Index(index) => index.to_string(),
            QueryPathSegment::Name(name) => name.to_owned(),
        })
        .collect();
    path.reverse();
    path
}

impl Propagation {
    /// The answer of the whole operation, nulled up to `data` where a
    /// non-null root field failed, with the errors answered here as null.
    pub fn finish(&self, mut response: Response) -> Response {
        if self.take_mark(&Path::new()) {
            response.data = Value::Null;
        }
        let kept = std::mem::take(
            &mut *self
                .errors
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        response.errors.extend(kept);
        response
    }

    /// Resolves one field or list item, answering `null` for a failure.
    ///
    /// # Errors
    /// None of its own: a failure is kept and answered as `null`.
    pub async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let nullable = !info.return_type.ends_with('!');
        let node = info.path_node;
        let result = next.run(ctx, info).await;
        let path = match &result {
            Ok(_) if !self.any_nulled.load(Ordering::Acquire) => return result,
            _ => path_of(node),
        };
        let child_failed = self.take_mark(&path);
        match result {
            Ok(value) if !child_failed => return Ok(value),
            Ok(_) => {}
            Err(error) => self.keep(error),
        }
        if !nullable {
            let mut parent = path;
            parent.pop();
            self.mark(parent);
        }
        // A non-null field answers null too: its parent is nulled in turn.
        Ok(Some(Value::Null))
    }
}
