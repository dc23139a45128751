//! Parsed documents, kept by their text. The map and partners send the same
//! few documents again and again, each time with other variables at most;
//! parsing one again costs more than looking it up (see bench/RESULTS.md,
//! run 7).

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use async_graphql::ServerError;
use async_graphql::parser::types::ExecutableDocument;
use lru::LruCache;

use super::limits;

/// Documents longer than this are parsed each time: they are rare, and the
/// cache stays small however many different ones arrive.
const LONGEST_KEPT: usize = 8 * 1024;

/// The most recently used documents, parsed.
pub struct Documents {
    parsed: Mutex<LruCache<String, Arc<ExecutableDocument>>>,
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
    pub fn parse(&self, query: &str) -> Result<ExecutableDocument, ServerError> {
        if query.len() > LONGEST_KEPT {
            return limits::parse(query);
        }
        if let Some(document) = self.lock().get(query) {
            return Ok(ExecutableDocument::clone(document));
        }
        let document = limits::parse(query)?;
        self.lock()
            .put(query.to_owned(), Arc::new(document.clone()));
        Ok(document)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<String, Arc<ExecutableDocument>>> {
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
        assert_eq!(format!("{first:?}"), format!("{again:?}"));
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
}
