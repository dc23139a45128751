//! What a GraphQL document may ask for, checked before async-graphql parses
//! or validates it.
//!
//! async-graphql's own walks over a document (its recursion-depth check, its
//! depth and complexity visitors) expand every fragment spread anew, so a
//! 1 KB document whose fragments spread the next one twice per level costs
//! 2^levels before any limit answers. Here each fragment is measured once,
//! the document's size with every spread expanded is bounded, and a cycle is
//! refused, so that everything async-graphql does afterwards is linear in a
//! bounded size. The parser itself recurses on brackets, so their nesting is
//! bounded before it runs. Inputs are bounded too: no list longer than a set
//! number of items and no string holding control or bidirectional-override
//! characters, whether written in the document or sent as a variable.

use async_graphql::parser::types::{
    Directive, ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{
    ErrorExtensionValues, Name, Pos, Positioned, ServerError, ValidationResult, Variables,
};
use async_graphql_value::{ConstValue, Value};
use std::collections::{HashMap, HashSet};

use crate::error::code;
use crate::service::kernel::text;

/// Deepest nesting of brackets (`{`, `[`, `(`) the parser is given. The
/// depth limit on selections (`WISH_MAX_QUERY_DEPTH`) is far below it.
pub const MAX_NESTING: usize = 64;

/// Deepest chain of selection sets and fragment spreads, as async-graphql's
/// own recursion check counts it (its default, set explicitly in the schema).
pub const MAX_RECURSION: usize = 32;

/// Longest `operationName`: a GraphQL name, short enough for a log line or a metric label.
pub const MAX_OPERATION_NAME: usize = 100;

/// The most of each that one request may ask for.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of selections.
    pub depth: usize,
    /// Highest cost, as the fields' `complexity` attributes count it.
    pub complexity: usize,
    pub aliases: usize,
    pub root_fields: usize,
    pub directives: usize,
    /// Fields and fragment spreads, each fragment counted wherever it is spread.
    pub fields: usize,
    /// Items of one list input.
    pub list_items: usize,
}

/// Request data marking a document that passed [`Limits::check`]
/// before it reached the schema; a persisted query sent by hash has not.
#[derive(Debug, Clone, Copy)]
pub struct Checked;

fn refusal(code: &str, message: String, pos: Option<Pos>, field: Option<&str>) -> ServerError {
    let mut error = ServerError::new(message, pos);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    if let Some(field) = field {
        extensions.set("field", field);
    }
    error.extensions = Some(extensions);
    error
}

fn too_complex(message: String) -> ServerError {
    refusal(code::QUERY_TOO_COMPLEX, message, None, None)
}

/// Checks an `operationName` before it goes anywhere (logs, metrics, the schema).
///
/// # Errors
/// `BAD_USER_INPUT` when it is not a GraphQL name of at most [`MAX_OPERATION_NAME`] characters.
pub fn check_operation_name(name: &str) -> Result<(), ServerError> {
    let mut chars = name.chars();
    // The length first: a megabyte of name is refused without reading it.
    let well_formed = name.len() <= MAX_OPERATION_NAME
        && chars
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric());
    if well_formed {
        Ok(())
    } else {
        Err(refusal(
            code::BAD_USER_INPUT,
            format!(
                "`operationName` must be the name of an operation of the document: letters, digits and `_`, at most {MAX_OPERATION_NAME} characters"
            ),
            None,
            Some("operationName"),
        ))
    }
}

/// Most names and values (tokens other than punctuation) a document may
/// hold: the parser builds a node for each, and the largest real queries
/// (GraphiQL's introspection among them) hold a few hundred.
pub const MAX_TOKENS: usize = 50_000;

/// What the parser would face, read without parsing: the deepest nesting of
/// brackets, and the number of names and values.
#[derive(Debug, Default, PartialEq, Eq)]
struct Shape {
    deepest: usize,
    tokens: usize,
}

fn shape(query: &str) -> Shape {
    let bytes = query.as_bytes();
    let (mut depth, mut shape, mut i) = (0usize, Shape::default(), 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' | b'(' => {
                depth += 1;
                shape.deepest = shape.deepest.max(depth);
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                shape.tokens += 1;
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    // `\"""` is an escaped delimiter inside a block string.
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                shape.tokens += 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'_' | b'-' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' => {
                shape.tokens += 1;
                while i + 1 < bytes.len()
                    && matches!(bytes[i + 1], b'_' | b'.' | b'+' | b'-' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
                {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    shape
}

/// Parses a document, refusing first what would make the parser recurse too deep.
///
/// # Errors
/// `QUERY_TOO_COMPLEX` for brackets nested too deep; `BAD_USER_INPUT` for a
/// syntax error, located but without the document's text.
pub fn parse(query: &str) -> Result<ExecutableDocument, ServerError> {
    let Shape { deepest, tokens } = shape(query);
    if tokens > MAX_TOKENS {
        return Err(too_complex(format!(
            "the document holds {tokens} names and values; at most {MAX_TOKENS} are read"
        )));
    }
    if deepest > MAX_NESTING {
        return Err(too_complex(format!(
            "the query is nested too deep: its brackets nest {deepest} levels, and at most {MAX_NESTING} are read (selections nest at most WISH_MAX_QUERY_DEPTH levels)"
        )));
    }
    async_graphql::parser::parse_query(query).map_err(|err| {
        let pos = err.positions().next();
        // pest's message quotes the offending line; keep only what it expected.
        let full = err.to_string();
        let expected = full
            .lines()
            .rev()
            .find_map(|line| line.trim().strip_prefix("= "))
            .unwrap_or(full.lines().next().unwrap_or_default())
            .trim()
            .to_owned();
        let at = pos.map_or(String::new(), |p| {
            format!(" at line {}, column {}", p.line, p.column)
        });
        refusal(
            code::BAD_USER_INPUT,
            format!("the document is not valid GraphQL{at}: {expected}"),
            pos,
            None,
        )
    })
}

#[derive(Default)]
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

/// The size of selections with every fragment spread expanded, each fragment
/// measured once.
struct Expansion<'a> {
    document: &'a ExecutableDocument,
    measured: HashMap<&'a str, usize>,
    open: HashSet<&'a str>,
    limit: usize,
}

impl<'a> Expansion<'a> {
    fn selections(&mut self, set: &'a SelectionSet, depth: usize) -> Result<usize, ServerError> {
        if depth > MAX_RECURSION {
            return Err(too_complex(format!(
                "the query nests selections and fragment spreads more than {MAX_RECURSION} deep"
            )));
        }
        let mut size = 0usize;
        for item in &set.items {
            size = size.saturating_add(match &item.node {
                Selection::Field(field) => {
                    1 + self.selections(&field.node.selection_set.node, depth + 1)?
                }
                Selection::InlineFragment(fragment) => {
                    self.selections(&fragment.node.selection_set.node, depth + 1)?
                }
                Selection::FragmentSpread(spread) => {
                    1 + self.fragment(&spread.node.fragment_name.node, spread.pos, depth + 1)?
                }
            });
            if size > self.limit {
                return Err(too_complex(format!(
                    "the query selects more than {} fields once its fragments are expanded where they are spread (WISH_MAX_QUERY_FIELDS)",
                    self.limit
                )));
            }
        }
        Ok(size)
    }

    fn fragment(&mut self, name: &'a str, pos: Pos, depth: usize) -> Result<usize, ServerError> {
        if let Some(size) = self.measured.get(name) {
            return Ok(*size);
        }
        // An unknown fragment is the validator's to report.
        let Some(fragment) = self.document.fragments.get(name) else {
            return Ok(0);
        };
        if !self.open.insert(name) {
            return Err(refusal(
                code::QUERY_TOO_COMPLEX,
                format!(
                    "a fragment may not spread itself, directly or through others, and `{name}` does"
                ),
                Some(pos),
                None,
            ));
        }
        let size = self.selections(&fragment.node.selection_set.node, depth)?;
        self.open.remove(name);
        self.measured.insert(name, size);
        Ok(size)
    }
}

/// Walks every input value of a document: arguments written in it, variables'
/// default values and the variables sent with it.
struct Inputs<'a> {
    variables: &'a Variables,
    walked: HashSet<&'a str>,
    list_items: usize,
}

impl<'a> Inputs<'a> {
    fn refuse(path: &str, message: String) -> ServerError {
        let field = if path.is_empty() { None } else { Some(path) };
        refusal(code::BAD_USER_INPUT, message, None, field)
    }

    fn string(path: &str, value: &str) -> Result<(), ServerError> {
        match value
            .char_indices()
            .find(|(_, c)| text::forbidden_in_text(*c))
        {
            None => Ok(()),
            Some((at, c)) => Err(Self::refuse(
                path,
                format!(
                    "`{path}` holds the character U+{:04X} at byte {at}: control characters (other than tab and line breaks) and invisible characters that reorder text are not accepted",
                    u32::from(c)
                ),
            )),
        }
    }

    fn list_length(&self, path: &str, len: usize) -> Result<(), ServerError> {
        if len > self.list_items {
            Err(Self::refuse(
                path,
                format!(
                    "`{path}` lists {len} items; the limit is {} (WISH_MAX_LIST_ITEMS)",
                    self.list_items
                ),
            ))
        } else {
            Ok(())
        }
    }

    fn value(&mut self, value: &'a Value, path: &mut String) -> Result<(), ServerError> {
        match value {
            Value::Variable(name) => match self.variables.get(name) {
                Some(sent) if self.walked.insert(name.as_str()) => self.constant(sent, path),
                _ => Ok(()),
            },
            Value::String(s) => Self::string(path, s),
            Value::List(items) => {
                self.list_length(path, items.len())?;
                items.iter().try_for_each(|item| self.value(item, path))
            }
            Value::Object(fields) => fields.iter().try_for_each(|(key, item)| {
                let len = path.len();
                push_key(path, key);
                let outcome = self.value(item, path);
                path.truncate(len);
                outcome
            }),
            Value::Null
            | Value::Number(_)
            | Value::Boolean(_)
            | Value::Binary(_)
            | Value::Enum(_) => Ok(()),
        }
    }

    fn constant(&self, value: &ConstValue, path: &mut String) -> Result<(), ServerError> {
        match value {
            ConstValue::String(s) => Self::string(path, s),
            ConstValue::List(items) => {
                self.list_length(path, items.len())?;
                items.iter().try_for_each(|item| self.constant(item, path))
            }
            ConstValue::Object(fields) => fields.iter().try_for_each(|(key, item)| {
                let len = path.len();
                push_key(path, key);
                let outcome = self.constant(item, path);
                path.truncate(len);
                outcome
            }),
            ConstValue::Null
            | ConstValue::Number(_)
            | ConstValue::Boolean(_)
            | ConstValue::Binary(_)
            | ConstValue::Enum(_) => Ok(()),
        }
    }

    fn arguments(
        &mut self,
        arguments: &'a [(Positioned<Name>, Positioned<Value>)],
    ) -> Result<(), ServerError> {
        for (name, value) in arguments {
            let mut path = name.node.to_string();
            self.value(&value.node, &mut path)?;
        }
        Ok(())
    }

    fn directives(&mut self, directives: &'a [Positioned<Directive>]) -> Result<(), ServerError> {
        directives
            .iter()
            .try_for_each(|d| self.arguments(&d.node.arguments))
    }

    fn field(&mut self, field: &'a Field) -> Result<(), ServerError> {
        self.arguments(&field.arguments)?;
        self.directives(&field.directives)?;
        self.selections(&field.selection_set.node)
    }

    fn selections(&mut self, set: &'a SelectionSet) -> Result<(), ServerError> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => self.field(&field.node)?,
                Selection::FragmentSpread(spread) => self.directives(&spread.node.directives)?,
                Selection::InlineFragment(fragment) => {
                    self.directives(&fragment.node.directives)?;
                    self.selections(&fragment.node.selection_set.node)?;
                }
            }
        }
        Ok(())
    }

    fn operation(&mut self, operation: &'a OperationDefinition) -> Result<(), ServerError> {
        for definition in &operation.variable_definitions {
            if let Some(default) = &definition.node.default_value {
                let mut path = format!("${}", definition.node.name.node);
                self.constant(&default.node, &mut path)?;
            }
        }
        self.directives(&operation.directives)?;
        self.selections(&operation.selection_set.node)
    }
}

fn push_key(path: &mut String, key: &Name) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

impl Limits {
    /// Checks a parsed document and the variables sent with it.
    ///
    /// # Errors
    /// `QUERY_TOO_COMPLEX` naming the limit the document exceeds;
    /// `BAD_USER_INPUT` for a fragment cycle, a list input over its limit or
    /// a string with a forbidden character, naming the input.
    pub fn check(
        &self,
        document: &ExecutableDocument,
        variables: &Variables,
    ) -> Result<(), ServerError> {
        let mut counts = Counts::default();
        let mut widest = 0;
        for (_, operation) in document.operations.iter() {
            let set = &operation.node.selection_set.node;
            counts.directives += operation.node.directives.len();
            count(set, &mut counts);
            widest = widest.max(root_fields(set));
        }
        for fragment in document.fragments.values() {
            counts.directives += fragment.node.directives.len();
            count(&fragment.node.selection_set.node, &mut counts);
        }
        if counts.aliases > self.aliases {
            return Err(too_complex(format!(
                "the query uses {} aliases; the limit is {} (WISH_MAX_ALIASES)",
                counts.aliases, self.aliases
            )));
        }
        if widest > self.root_fields {
            return Err(too_complex(format!(
                "an operation asks for {widest} root fields; the limit is {} (WISH_MAX_ROOT_FIELDS)",
                self.root_fields
            )));
        }
        if counts.directives > self.directives {
            return Err(too_complex(format!(
                "the query uses {} directives; the limit is {} (WISH_MAX_DIRECTIVES)",
                counts.directives, self.directives
            )));
        }

        let mut expansion = Expansion {
            document,
            measured: HashMap::new(),
            open: HashSet::new(),
            limit: self.fields,
        };
        for (_, operation) in document.operations.iter() {
            expansion.selections(&operation.node.selection_set.node, 0)?;
        }
        for (name, fragment) in &document.fragments {
            // Fragments no operation spreads are measured too: one never spread
            // is the validator's to refuse, but it must not be a cycle that
            // async-graphql's own walk would follow.
            expansion.fragment(name, fragment.pos, 0)?;
        }

        let mut inputs = Inputs {
            variables,
            walked: HashSet::new(),
            list_items: self.list_items,
        };
        for (_, operation) in document.operations.iter() {
            inputs.operation(&operation.node)?;
        }
        for fragment in document.fragments.values() {
            inputs.directives(&fragment.node.directives)?;
            inputs.selections(&fragment.node.selection_set.node)?;
        }
        Ok(())
    }
}

impl Limits {
    /// Depth and cost, which async-graphql measures while it validates: they
    /// are compared here rather than by async-graphql's own limits, so that
    /// each refusal carries its code and names its setting without anyone
    /// reading its message.
    ///
    /// # Errors
    /// `QUERY_TOO_COMPLEX`.
    pub fn check_validated(&self, result: &ValidationResult) -> Result<(), ServerError> {
        if result.depth > self.depth {
            return Err(too_complex(format!(
                "the query is nested too deep: {} levels, and the limit is {} (WISH_MAX_QUERY_DEPTH)",
                result.depth, self.depth
            )));
        }
        if result.complexity > self.complexity {
            return Err(too_complex(format!(
                "the query is too complex: its cost is {}, over the limit of {} (WISH_MAX_QUERY_COMPLEXITY); ask for fewer fields or smaller pages (`first`)",
                result.complexity, self.complexity
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        depth: 15,
        complexity: 20_000,
        aliases: 30,
        root_fields: 20,
        directives: 50,
        fields: 2_000,
        list_items: 100,
    };

    fn check(query: &str) -> Result<(), ServerError> {
        LIMITS.check(&parse(query)?, &Variables::default())
    }

    fn code_of(err: &ServerError) -> String {
        err.extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .map(ToString::to_string)
            .unwrap_or_default()
    }

    #[test]
    fn shape_ignores_brackets_in_strings_and_comments() {
        assert_eq!(shape("{ a(x: \"{{{[[[\") # {{{{\n }").deepest, 2);
        assert_eq!(shape("{ a(x: \"\"\" {{{ \\\"\"\" {{ \"\"\") }").deepest, 2);
        assert_eq!(shape(&"[".repeat(100)).deepest, 100);
    }

    #[test]
    fn shape_counts_names_and_values() {
        assert_eq!(
            shape("query Q($n: Int = -1.5e3) { a(x: \"s p a c e s\", y: [1, 2]) { b c } }").tokens,
            13
        );
    }

    #[test]
    fn a_document_of_too_many_tokens_is_refused_before_parsing() {
        let query = format!("{{ viewer {{ {} }} }}", "role ".repeat(MAX_TOKENS));
        let err = parse(&query).err().map(|e| code_of(&e));
        assert_eq!(err.as_deref(), Some("\"QUERY_TOO_COMPLEX\""));
    }

    #[test]
    fn deep_brackets_are_refused_before_parsing() {
        let query = format!(
            "{{ a(x: {}1{}) }}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let err = parse(&query).err().map(|e| code_of(&e));
        assert_eq!(err.as_deref(), Some("\"QUERY_TOO_COMPLEX\""));
    }

    #[test]
    fn fragments_that_double_at_each_level_are_refused_in_linear_time() {
        let mut query = String::from("query { viewer { ...L0 } }\n");
        for level in 0..40 {
            query.push_str(&format!(
                "fragment L{level} on Viewer {{ ...L{next} ...L{next} }}\n",
                next = level + 1
            ));
        }
        query.push_str("fragment L40 on Viewer { role }\n");
        let started = std::time::Instant::now();
        let err = check(&query).err().map(|e| code_of(&e));
        assert_eq!(err.as_deref(), Some("\"QUERY_TOO_COMPLEX\""));
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn a_fragment_cycle_is_refused() {
        let err = check(
            "{ viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { ...A ...A }",
        )
        .err()
        .map(|e| code_of(&e));
        assert_eq!(err.as_deref(), Some("\"QUERY_TOO_COMPLEX\""));
    }

    #[test]
    fn a_syntax_error_is_located_without_echoing_the_document() {
        let Err(err) = parse("{ facilities { secret-token-text") else {
            panic!("a syntax error parses");
        };
        assert!(!err.message.contains("secret"), "{}", err.message);
        assert!(err.message.contains("line 1"), "{}", err.message);
        assert_eq!(err.locations.len(), 1);
    }

    #[test]
    fn long_lists_and_control_characters_are_refused_with_their_field() {
        let principles = vec!["SMALL_SCALE"; 101].join(",");
        let err = check(&format!(
            "{{ facilities(filter: {{ principles: [{principles}] }}) {{ totalCount }} }}"
        ))
        .err();
        let field = err
            .as_ref()
            .and_then(|e| e.extensions.as_ref())
            .and_then(|e| e.get("field"))
            .map(ToString::to_string);
        assert_eq!(field.as_deref(), Some("\"filter.principles\""));

        let variables = Variables::from_json(serde_json::json!({ "f": { "text": "a\u{0}b" } }));
        let document = parse("query($f: FacilityFilter) { facilities(filter: $f) { totalCount } }")
            .map_err(|e| e.message)
            .unwrap_or_else(|m| panic!("{m}"));
        let err = LIMITS.check(&document, &variables).err();
        let field = err
            .as_ref()
            .and_then(|e| e.extensions.as_ref())
            .and_then(|e| e.get("field"))
            .map(ToString::to_string);
        assert_eq!(field.as_deref(), Some("\"filter.text\""));
    }

    #[test]
    fn operation_names_are_graphql_names_of_bounded_length() {
        assert!(check_operation_name("MapFacilities_2").is_ok());
        for bad in ["", "2x", "a b", "a\nb", &"x".repeat(101)] {
            assert!(check_operation_name(bad).is_err(), "{bad:?}");
        }
    }
}
