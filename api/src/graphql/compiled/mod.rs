//! Reads answered by one SQL statement, without the resolvers.
//!
//! The resolvers answer a facility with its visits and their participants
//! in three statements and a page of facilities by decoding whole rows,
//! each field a future of its own; most of the time of an uncached read goes
//! there (bench/RESULTS.md, runs 8 and 10). A document the resolvers have
//! answered once without an error, and whose every field this module knows,
//! is compiled to a [`Plan`]: per root field, one statement that selects
//! only the columns asked for, with a facility's visits and participants
//! as JSON built by PostgreSQL beside it, and the answer assembled from its
//! rows in the order of the selection.
//!
//! A plan answers only what it is sure of. Whatever it does not know (a
//! fragment, a directive, an argument or a field it has no column for, a
//! page size given by a variable, a variable value it cannot coerce, a
//! database error) makes it answer `None`, and the request goes the
//! resolvers' way, which gives the same answer or the error with its code.
//! Plans read as every caller but editors does (participants as the public
//! sees them); `--compiled-reads false` turns them off, and the
//! integration tests compare their answers with the resolvers' on both
//! databases (tests/api/compiled.rs).

mod facility;
mod visit;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationType, Selection, SelectionSet,
    VariableDefinition,
};
use async_graphql::{InputType, Name, Positioned, Value, Variables};
use async_graphql_value::Value as InputValue;
use sea_orm::DbBackend;

use crate::db::Reader;

use crate::service::kernel::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// The compiled form of one query operation.
pub struct Plan {
    roots: Vec<(Name, Root)>,
    /// The operation's variables, for their default values.
    variables: Vec<Positioned<VariableDefinition>>,
}

/// A root field a plan can answer.
enum Root {
    Typename,
    Facility(facility::One),
    Facilities(facility::List),
}

impl Plan {
    /// The plan of the operation `operation_name` of `document` (chosen as
    /// async-graphql chooses it), when every field it selects is known here.
    #[must_use]
    pub fn compile(
        document: &ExecutableDocument,
        operation_name: Option<&str>,
        backend: DbBackend,
    ) -> Option<Self> {
        let operation = match (&document.operations, operation_name) {
            (DocumentOperations::Single(operation), None) => operation,
            (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name)?,
            (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
                operations.values().next()?
            }
            _ => return None,
        };
        let operation = &operation.node;
        if operation.ty != OperationType::Query || !operation.directives.is_empty() {
            return None;
        }
        let mut roots = Vec::new();
        for (key, field) in fields(&operation.selection_set)? {
            let root = match field.name.node.as_str() {
                "__typename" => Root::Typename,
                "facility" => Root::Facility(facility::One::compile(field, backend)?),
                "facilities" => Root::Facilities(facility::List::compile(field, backend)?),
                _ => return None,
            };
            roots.push((key, root));
        }
        Some(Self {
            roots,
            variables: operation.variable_definitions.clone(),
        })
    }

    /// The `data` of the answer with these variables; `None` when the
    /// resolvers must answer instead.
    pub async fn answer(&self, db: &Reader<'_>, variables: &Variables) -> Option<Value> {
        let inputs = Inputs {
            variables,
            definitions: &self.variables,
        };
        let mut data = IndexMap::with_capacity(self.roots.len());
        for (key, root) in &self.roots {
            let value = match root {
                Root::Typename => Value::String("Query".to_owned()),
                Root::Facility(one) => one.answer(db, &inputs).await?,
                Root::Facilities(list) => list.answer(db, &inputs).await?,
            };
            data.insert(key.clone(), value);
        }
        Some(Value::Object(data))
    }
}

/// A request's variables, with the defaults its operation declares.
struct Inputs<'a> {
    variables: &'a Variables,
    definitions: &'a [Positioned<VariableDefinition>],
}

impl Inputs<'_> {
    /// An argument's value as the resolvers would take it (an absent
    /// argument is `None`), by the type's own coercion; `None` when that
    /// fails or names a variable without a value.
    fn parse<T: InputType>(&self, argument: Option<&Positioned<InputValue>>) -> Option<T> {
        let value = match argument {
            None => None,
            Some(value) => Some(
                value
                    .node
                    .clone()
                    .into_const_with(|name| {
                        self.definitions
                            .iter()
                            .find(|definition| definition.node.name.node == name)
                            .and_then(|definition| {
                                self.variables
                                    .get(&definition.node.name.node)
                                    .or_else(|| definition.node.default_value())
                            })
                            .cloned()
                            .ok_or(())
                    })
                    .ok()?,
            ),
        };
        T::parse(value).ok()
    }
}

/// The fields of a selection set with their response keys, in order; `None`
/// for a fragment, a directive, or a response key given twice (which
/// GraphQL merges, and a plan does not).
fn fields(set: &Positioned<SelectionSet>) -> Option<Vec<(Name, &Field)>> {
    let mut fields: Vec<(Name, &Field)> = Vec::with_capacity(set.node.items.len());
    for selection in &set.node.items {
        let Selection::Field(field) = &selection.node else {
            return None;
        };
        let field = &field.node;
        if !field.directives.is_empty() {
            return None;
        }
        let key = field.response_key().node.clone();
        if fields.iter().any(|(seen, _)| *seen == key) {
            return None;
        }
        fields.push((key, field));
    }
    Some(fields)
}

/// The fields of a selection set of leaves, each one of `known` by name.
fn leaves<T: Copy>(set: &Positioned<SelectionSet>, known: &[(&str, T)]) -> Option<Vec<(Name, T)>> {
    fields(set)?
        .into_iter()
        .map(|(key, field)| {
            let name = field.name.node.as_str();
            let (_, leaf) = known.iter().find(|(known, _)| *known == name)?;
            Some((key, *leaf))
        })
        .collect()
}

/// The field's arguments, when each of them is one of `known`.
fn arguments<'a>(
    field: &'a Field,
    known: &[&str],
) -> Option<Vec<(&'a str, &'a Positioned<InputValue>)>> {
    field
        .arguments
        .iter()
        .map(|(name, value)| {
            known
                .contains(&name.node.as_str())
                .then_some((name.node.as_str(), value))
        })
        .collect()
}

/// The argument `name` among `arguments`.
fn argument<'a>(
    arguments: &[(&str, &'a Positioned<InputValue>)],
    name: &str,
) -> Option<&'a Positioned<InputValue>> {
    arguments
        .iter()
        .find(|(given, _)| *given == name)
        .map(|(_, value)| *value)
}

/// The size of a page whose `first` is written in the document: the page's
/// cost in the complexity limit depends on it, and that limit was checked
/// for the document's own value. A variable, or a size the page arguments
/// refuse, is `None`.
fn page_size(first: Option<&Positioned<InputValue>>) -> Option<u64> {
    match first.map(|value| &value.node) {
        None => Some(DEFAULT_PAGE_SIZE),
        Some(InputValue::Number(number)) => number.as_u64().filter(|size| *size <= MAX_PAGE_SIZE),
        Some(_) => None,
    }
}

/// An optional value as GraphQL writes it: `null` for `None`.
fn nullable<T>(value: Option<T>, write: impl FnOnce(T) -> Value) -> Value {
    value.map_or(Value::Null, write)
}
