//! Bounds on the shape of a document, checked right after parsing and before
//! anything runs: aliases (10,000 aliases of one field multiply its cost
//! without nesting), root fields, and directives. Depth and complexity are
//! async-graphql's own limits, set in [`super::schema::build`].

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, ServerError, ServerResult, Variables};

use crate::error::code;

/// The most of each that one document may hold.
#[derive(Debug, Clone, Copy)]
pub struct DocumentLimits {
    pub aliases: usize,
    pub root_fields: usize,
    pub directives: usize,
}

#[derive(Debug, Default)]
struct Counts {
    aliases: usize,
    directives: usize,
}

fn count(set: &SelectionSet, counts: &mut Counts) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                counts.aliases += usize::from(field.node.alias.is_some());
                counts.directives += field.node.directives.len();
                count(&field.node.selection_set.node, counts);
            }
            Selection::FragmentSpread(spread) => {
                counts.directives += spread.node.directives.len();
            }
            Selection::InlineFragment(fragment) => {
                counts.directives += fragment.node.directives.len();
                count(&fragment.node.selection_set.node, counts);
            }
        }
    }
}

/// Fields at the top of an operation, looking through inline fragments.
fn root_fields(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(_) | Selection::FragmentSpread(_) => 1,
            Selection::InlineFragment(fragment) => root_fields(&fragment.node.selection_set.node),
        })
        .sum()
}

impl DocumentLimits {
    /// The first limit `document` exceeds, as the message to send back.
    #[must_use]
    pub fn violation(&self, document: &ExecutableDocument) -> Option<String> {
        let mut counts = Counts::default();
        let mut widest = 0;
        for (_, operation) in document.operations.iter() {
            counts.directives += operation.node.directives.len();
            count(&operation.node.selection_set.node, &mut counts);
            widest = widest.max(root_fields(&operation.node.selection_set.node));
        }
        for fragment in document.fragments.values() {
            counts.directives += fragment.node.directives.len();
            count(&fragment.node.selection_set.node, &mut counts);
        }
        if counts.aliases > self.aliases {
            Some(format!(
                "the query uses {} aliases; the limit is {} (WISH_MAX_ALIASES)",
                counts.aliases, self.aliases
            ))
        } else if widest > self.root_fields {
            Some(format!(
                "an operation asks for {widest} root fields; the limit is {} (WISH_MAX_ROOT_FIELDS)",
                self.root_fields
            ))
        } else if counts.directives > self.directives {
            Some(format!(
                "the query uses {} directives; the limit is {} (WISH_MAX_DIRECTIVES)",
                counts.directives, self.directives
            ))
        } else {
            None
        }
    }
}

impl ExtensionFactory for DocumentLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(*self)
    }
}

#[async_trait::async_trait]
impl Extension for DocumentLimits {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if let Some(message) = self.violation(&document) {
            let mut error = ServerError::new(message, None);
            let mut extensions = ErrorExtensionValues::default();
            extensions.set("code", code::QUERY_TOO_COMPLEX);
            error.extensions = Some(extensions);
            return Err(error);
        }
        Ok(document)
    }
}
