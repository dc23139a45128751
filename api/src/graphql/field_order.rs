//! An answer's keys in the order of the selection.
//!
//! The GraphQL specification ("Serialized Map Ordering") asks that an
//! object's keys come in the order its fields were selected. async-graphql
//! writes them in the order they finish: a field that waits for a batched
//! load comes after one that did not, so `{ edges { … } pageInfo { … } }`
//! answered `pageInfo` first, and the same document could answer in
//! different orders from one request to the next. Here each object of the
//! `data` is put back in the order of its selection set, fragments
//! expanded where they are spread.
//!
//! A fragment on another type than the object's own is expanded too (the
//! answer does not say which type an object is): a key selected both there
//! and later outside it takes the earlier place. Only its place, never its
//! value, and only in a document that selects one field twice through
//! fragments on two different types.

use std::collections::HashMap;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Value};

/// Puts the objects of `data`, the answer to the operation `operation_name`
/// of `document`, in the order of their selections.
pub fn restore(data: &mut Value, document: &ExecutableDocument, operation_name: Option<&str>) {
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => match operations.get(name) {
            Some(operation) => operation,
            None => return,
        },
        (DocumentOperations::Multiple(operations), None) => match operations.values().next() {
            Some(operation) if operations.len() == 1 => operation,
            _ => return,
        },
    };
    order(data, &[&operation.node.selection_set], &document.fragments);
}

type Fragments = HashMap<Name, Positioned<FragmentDefinition>>;

/// Orders `value` by `sets`, the selection sets that selected it (one, or
/// several where a field is selected more than once and merged).
fn order(value: &mut Value, sets: &[&Positioned<SelectionSet>], fragments: &Fragments) {
    match value {
        Value::List(items) => {
            for item in items {
                order(item, sets, fragments);
            }
        }
        Value::Object(object) => {
            let mut fields: Vec<(&Name, Vec<&Field>)> = Vec::new();
            for set in sets {
                collect(set, fragments, &mut fields, 0);
            }
            object.sort_by_cached_key(|key, _| {
                fields
                    .iter()
                    .position(|(selected, _)| *selected == key)
                    .unwrap_or(usize::MAX)
            });
            for (key, selected) in &fields {
                if let Some(child) = object.get_mut(*key) {
                    let sets: Vec<&Positioned<SelectionSet>> =
                        selected.iter().map(|field| &field.selection_set).collect();
                    order(child, &sets, fragments);
                }
            }
        }
        _ => {}
    }
}

/// The deepest fragments nest in a document the limits let through
/// (`graphql::limits`), with room to spare; past it nothing more is ordered.
const DEEPEST: usize = 64;

/// The fields of `set` by response key, in the order each key is first
/// selected, fragments expanded.
fn collect<'a>(
    set: &'a Positioned<SelectionSet>,
    fragments: &'a Fragments,
    fields: &mut Vec<(&'a Name, Vec<&'a Field>)>,
    depth: usize,
) {
    if depth > DEEPEST {
        return;
    }
    for selection in &set.node.items {
        match &selection.node {
            Selection::Field(field) => {
                let key = &field.node.response_key().node;
                match fields.iter_mut().find(|(seen, _)| *seen == key) {
                    Some((_, merged)) => merged.push(&field.node),
                    None => fields.push((key, vec![&field.node])),
                }
            }
            Selection::InlineFragment(fragment) => {
                collect(&fragment.node.selection_set, fragments, fields, depth + 1);
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = fragments.get(&spread.node.fragment_name.node) {
                    collect(&fragment.node.selection_set, fragments, fields, depth + 1);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ordered(query: &str, answer: serde_json::Value) -> String {
        let document = async_graphql::parser::parse_query(query).unwrap();
        let mut data = Value::from_json(answer).unwrap();
        restore(&mut data, &document, None);
        serde_json::to_string(&data).unwrap()
    }

    #[test]
    fn keys_follow_the_selection_through_aliases_lists_and_fragments() {
        let query = "{ b: facilities { pageInfo { end } edges { node { ...F } } total } a }
                     fragment F on Facility { name ... on Facility { id } slug }";
        let answer = serde_json::json!({
            "a": 1,
            "b": {
                "total": 2,
                "edges": [{ "node": { "slug": "s", "id": "i", "name": "n" } }],
                "pageInfo": { "end": null },
            },
        });
        assert_eq!(
            ordered(query, answer),
            r#"{"b":{"pageInfo":{"end":null},"edges":[{"node":{"name":"n","id":"i","slug":"s"}}],"total":2},"a":1}"#
        );
    }

    #[test]
    fn a_field_selected_twice_orders_the_union_of_its_selections() {
        let query = "{ f { y } g f { x y } }";
        let answer = serde_json::json!({ "g": 0, "f": { "x": 1, "y": 2 } });
        assert_eq!(ordered(query, answer), r#"{"f":{"y":2,"x":1},"g":0}"#);
    }
}
