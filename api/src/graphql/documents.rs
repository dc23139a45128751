//! Parsed documents, kept by their text, each with its compiled plan once
//! the resolvers have answered it. The map and partners send the same few
//! documents again and again, each time with other variables at most;
//! parsing one again costs more than looking it up (see bench/RESULTS.md,
//! run 7).

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, OnceLock};

use async_graphql::ServerError;
use async_graphql::parser::types::ExecutableDocument;
use lru::LruCache;
use sea_orm::DbBackend;

use super::compiled::Plan;
use super::limits;

/// Documents longer than this are parsed each time: they are rare, and the
/// cache stays small however many different ones arrive.
const LONGEST_KEPT: usize = 8 * 1024;

/// A parsed document, and what compiling it gave.
pub struct Parsed {
    pub document: ExecutableDocument,
    /// Decided once, after the resolvers first answered the document
    /// without an error: the operation it was compiled for and its plan,
    /// or `None` when it has none.
    compiled: OnceLock<Option<(Option<String>, Plan)>>,
}

impl Parsed {
    fn new(document: ExecutableDocument) -> Self {
        Self {
            document,
            compiled: OnceLock::new(),
        }
    }

    /// The plan of the operation `operation_name`, when there is one.
    #[must_use]
    pub fn plan(&self, operation_name: Option<&str>) -> Option<&Plan> {
        match self.compiled.get()? {
            Some((operation, plan)) if operation.as_deref() == operation_name => Some(plan),
            _ => None,
        }
    }

    /// Whether compiling was decided already.
    #[must_use]
    pub fn decided(&self) -> bool {
        self.compiled.get().is_some()
    }

    /// Compiles the operation `operation_name`, which the resolvers just
    /// answered without an error: it is a valid document, with arguments
    /// of the right types. Only the first operation answered is compiled.
    pub fn answered(&self, operation_name: Option<&str>, backend: DbBackend) {
        self.compiled.get_or_init(|| {
            Plan::compile(&self.document, operation_name, backend)
                .map(|plan| (operation_name.map(str::to_owned), plan))
        });
    }
}

/// The most recently used documents, parsed.
pub struct Documents {
    parsed: Mutex<LruCache<String, Arc<Parsed>>>,
}

impl Documents {
    /// A cache of `capacity` documents (at least one).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            parsed: Mutex::new(LruCache::new(
                NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    /// `query` parsed, as [`limits::parse`] parses it; a document seen
    /// before is not parsed again. A document that does not parse is not
    /// kept: its error is made anew, as cheap as the parse that finds it.
    ///
    /// # Errors
    /// Those of [`limits::parse`].
    pub fn parse(&self, query: &str) -> Result<Arc<Parsed>, ServerError> {
        if query.len() > LONGEST_KEPT {
            return limits::parse(query).map(|document| Arc::new(Parsed::new(document)));
        }
        if let Some(parsed) = self.lock().get(query) {
            return Ok(parsed.clone());
        }
        let parsed = Arc::new(Parsed::new(limits::parse(query)?));
        self.lock().put(query.to_owned(), parsed.clone());
        Ok(parsed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<String, Arc<Parsed>>> {
        self.parsed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_parsed_once_and_a_bad_one_never_kept() {
        let documents = Documents::new(2);
        let first = documents.parse("{ facilities { totalCount } }").unwrap();
        let again = documents.parse("{ facilities { totalCount } }").unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(documents.lock().len(), 1);

        assert!(documents.parse("{ facilities { ").is_err());
        assert_eq!(documents.lock().len(), 1, "an error is not kept");

        documents.parse("{ a }").unwrap();
        documents.parse("{ b }").unwrap();
        assert_eq!(documents.lock().len(), 2, "bounded");
        assert!(
            documents
                .lock()
                .get("{ facilities { totalCount } }")
                .is_none()
        );

        let long = format!("{{ {} }}", "a ".repeat(LONGEST_KEPT));
        documents.parse(&long).unwrap();
        assert!(
            documents.lock().get(long.as_str()).is_none(),
            "long documents are not kept"
        );
    }

    #[test]
    fn a_plan_is_made_once_for_the_operation_answered() {
        let documents = Documents::new(2);
        let query = "query A { facilities(first: 2) { nodes { name } } } query B { facilities { totalCount } }";
        let parsed = documents.parse(query).unwrap();
        assert!(!parsed.decided());
        assert!(parsed.plan(Some("A")).is_none(), "not before an answer");
        parsed.answered(Some("A"), DbBackend::Postgres);
        assert!(parsed.decided());
        assert!(parsed.plan(Some("A")).is_some());
        assert!(
            parsed.plan(Some("B")).is_none(),
            "only the operation answered"
        );
        assert!(parsed.plan(None).is_none());

        let unknown = documents.parse("{ stakeholders { totalCount } }").unwrap();
        unknown.answered(None, DbBackend::Postgres);
        assert!(unknown.decided() && unknown.plan(None).is_none());
    }
}
