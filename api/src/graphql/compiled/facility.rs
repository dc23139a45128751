//! `facility(slug:)` and `facilities` compiled: the fields of `Facility`
//! that its own columns answer, its visits, and the connection of a page.

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, SelectionSet};
use async_graphql::{Name, Positioned, ScalarType, Value};
use async_graphql_value::Value as InputValue;
use chrono::{DateTime, NaiveDate, Utc};
use entity::facility::{self, Column};
use entity::value as db;
use sea_orm::{
    ColumnTrait, DbBackend, DbErr, EntityTrait, IdenStatic, QueryFilter, QueryResult, QuerySelect,
    QueryTrait, Select, TryGetable,
};
use uuid::Uuid;

use super::visit::OfFacility;
use super::{Inputs, argument, arguments, fields, leaves, nullable, page_size};
use crate::db::Reader;
use crate::graphql::id::{self, Kind};
use crate::graphql::query::facility::FacilityFilter;
use crate::graphql::types::facility::{
    FacilityOrder, FacilityStatus, FacilityType, LocationPrecision, ManagedBy, Population, Regime,
    SMALL_SCALE_CAPACITY, SecurityLevel, TargetAge, TargetGender,
};
use crate::graphql::types::scalar::Date;
use crate::service;
use crate::service::kernel::page::{self, PageArgs, TOTAL_COLUMN};

/// A field of `Facility` answered by its own columns, as its resolver in
/// `types::facility` answers it.
struct Scalar {
    name: &'static str,
    columns: &'static [Column],
    read: fn(&QueryResult) -> Result<Value, DbErr>,
}

fn get<T: TryGetable>(row: &QueryResult, column: Column) -> Result<T, DbErr> {
    row.try_get("", column.as_str())
}

fn enumerated<T: async_graphql::EnumType>(value: T) -> Value {
    async_graphql::resolver_utils::enum_value(value)
}

const SCALARS: &[Scalar] = &[
    Scalar {
        name: "id",
        columns: &[Column::Uuid],
        read: |row| {
            let uuid: Uuid = get(row, Column::Uuid)?;
            Ok(Value::String(id::encode(Kind::Facility, uuid).to_string()))
        },
    },
    Scalar {
        name: "slug",
        columns: &[Column::Slug],
        read: |row| Ok(get::<String>(row, Column::Slug)?.to_value()),
    },
    Scalar {
        name: "name",
        columns: &[Column::Name],
        read: |row| Ok(get::<String>(row, Column::Name)?.to_value()),
    },
    Scalar {
        name: "countryCode",
        columns: &[Column::CountryCode],
        read: |row| Ok(get::<String>(row, Column::CountryCode)?.to_value()),
    },
    Scalar {
        name: "city",
        columns: &[Column::City],
        read: |row| {
            Ok(nullable(get::<Option<String>>(row, Column::City)?, |v| {
                v.to_value()
            }))
        },
    },
    Scalar {
        name: "latitude",
        columns: &[Column::Latitude],
        read: |row| {
            Ok(nullable(get::<Option<f64>>(row, Column::Latitude)?, |v| {
                v.to_value()
            }))
        },
    },
    Scalar {
        name: "longitude",
        columns: &[Column::Longitude],
        read: |row| {
            Ok(nullable(get::<Option<f64>>(row, Column::Longitude)?, |v| {
                v.to_value()
            }))
        },
    },
    Scalar {
        name: "facilityType",
        columns: &[Column::FacilityType],
        read: |row| {
            let value: db::FacilityType = get(row, Column::FacilityType)?;
            Ok(enumerated(FacilityType::from(value)))
        },
    },
    Scalar {
        name: "status",
        columns: &[Column::Status],
        read: |row| {
            let value: db::FacilityStatus = get(row, Column::Status)?;
            Ok(enumerated(FacilityStatus::from(value)))
        },
    },
    Scalar {
        name: "capacity",
        columns: &[Column::Capacity],
        read: |row| {
            Ok(nullable(get::<Option<i32>>(row, Column::Capacity)?, |v| {
                v.to_value()
            }))
        },
    },
    Scalar {
        name: "smallScale",
        columns: &[Column::Capacity],
        read: |row| {
            let capacity: Option<i32> = get(row, Column::Capacity)?;
            Ok(nullable(capacity, |c| {
                (c <= SMALL_SCALE_CAPACITY).to_value()
            }))
        },
    },
    Scalar {
        name: "openedYear",
        columns: &[Column::OpenedYear],
        read: |row| {
            Ok(nullable(
                get::<Option<i32>>(row, Column::OpenedYear)?,
                |v| v.to_value(),
            ))
        },
    },
    Scalar {
        name: "operator",
        columns: &[Column::Operator],
        read: |row| {
            Ok(nullable(
                get::<Option<String>>(row, Column::Operator)?,
                |v| v.to_value(),
            ))
        },
    },
    Scalar {
        name: "managedBy",
        columns: &[Column::ManagedBy],
        read: |row| {
            let value: Option<db::ManagedBy> = get(row, Column::ManagedBy)?;
            Ok(nullable(value, |v| enumerated(ManagedBy::from(v))))
        },
    },
    Scalar {
        name: "targetGender",
        columns: &[Column::Population],
        read: |row| {
            let value: Option<db::Population> = get(row, Column::Population)?;
            Ok(nullable(
                value.and_then(TargetGender::from_population),
                enumerated,
            ))
        },
    },
    Scalar {
        name: "targetAge",
        columns: &[Column::TargetAge],
        read: |row| {
            let value: Option<db::TargetAge> = get(row, Column::TargetAge)?;
            Ok(nullable(value, |v| enumerated(TargetAge::from(v))))
        },
    },
    Scalar {
        name: "population",
        columns: &[Column::Population],
        read: |row| {
            let value: Option<db::Population> = get(row, Column::Population)?;
            Ok(nullable(value, |v| enumerated(Population::from(v))))
        },
    },
    Scalar {
        name: "regime",
        columns: &[Column::Regime],
        read: |row| {
            let value: Option<db::Regime> = get(row, Column::Regime)?;
            Ok(nullable(value, |v| enumerated(Regime::from(v))))
        },
    },
    Scalar {
        name: "securityLevel",
        columns: &[Column::SecurityLevel],
        read: |row| {
            let value: Option<db::SecurityLevel> = get(row, Column::SecurityLevel)?;
            Ok(nullable(value, |v| enumerated(SecurityLevel::from(v))))
        },
    },
    Scalar {
        name: "socialEnterprise",
        columns: &[Column::SocialEnterprise],
        read: |row| {
            Ok(nullable(
                get::<Option<bool>>(row, Column::SocialEnterprise)?,
                |v| v.to_value(),
            ))
        },
    },
    Scalar {
        name: "website",
        columns: &[Column::Website],
        read: |row| {
            Ok(nullable(
                get::<Option<String>>(row, Column::Website)?,
                |v| v.to_value(),
            ))
        },
    },
    Scalar {
        name: "verifiedOn",
        columns: &[Column::VerifiedOn],
        read: |row| {
            let value: Option<NaiveDate> = get(row, Column::VerifiedOn)?;
            Ok(nullable(value, |v| Date(v).to_value()))
        },
    },
    Scalar {
        name: "locationPrecision",
        columns: &[Column::LocationPrecision],
        read: |row| {
            let value: Option<db::LocationPrecision> = get(row, Column::LocationPrecision)?;
            Ok(nullable(value, |v| enumerated(LocationPrecision::from(v))))
        },
    },
    Scalar {
        name: "version",
        columns: &[Column::Version],
        read: |row| Ok(get::<i32>(row, Column::Version)?.to_value()),
    },
    Scalar {
        name: "createdAt",
        columns: &[Column::CreatedAt],
        read: |row| Ok(get::<DateTime<Utc>>(row, Column::CreatedAt)?.to_value()),
    },
    Scalar {
        name: "updatedAt",
        columns: &[Column::UpdatedAt],
        read: |row| Ok(get::<DateTime<Utc>>(row, Column::UpdatedAt)?.to_value()),
    },
];

/// What a selection asks of one facility.
struct Node {
    fields: Vec<(Name, NodeField)>,
    /// The columns the fields read, each once, decided when compiled.
    columns: Vec<Column>,
}

enum NodeField {
    Typename,
    Scalar(&'static Scalar),
    Visits(OfFacility),
}

impl Node {
    fn compile(set: &Positioned<SelectionSet>, backend: DbBackend) -> Option<Self> {
        let mut compiled = Vec::new();
        let mut columns: Vec<Column> = Vec::new();
        for (index, (key, field)) in fields(set)?.into_iter().enumerate() {
            let name = field.name.node.as_str();
            let node_field = match name {
                "__typename" => NodeField::Typename,
                "visits" => NodeField::Visits(OfFacility::compile(
                    field,
                    backend,
                    &format!("wish_visits_{index}"),
                )?),
                _ => {
                    if !field.arguments.is_empty() {
                        return None;
                    }
                    let scalar = SCALARS.iter().find(|scalar| scalar.name == name)?;
                    for column in scalar.columns {
                        if !columns.iter().any(|kept| kept.as_str() == column.as_str()) {
                            columns.push(*column);
                        }
                    }
                    NodeField::Scalar(scalar)
                }
            };
            compiled.push((key, node_field));
        }
        if columns.is_empty() {
            // A statement selects something, even for `__typename` alone.
            columns.push(Column::Id);
        }
        Some(Self {
            fields: compiled,
            columns,
        })
    }

    /// `select` narrowed to the columns the fields read, with what their
    /// nested lists need beside them.
    fn select(&self, select: Select<facility::Entity>) -> Select<facility::Entity> {
        let mut select = select.select_only().columns(self.columns.iter().copied());
        for (_, field) in &self.fields {
            if let NodeField::Visits(visits) = field {
                select = visits.select(select);
            }
        }
        select
    }

    fn read(&self, row: &QueryResult) -> Result<Value, DbErr> {
        let mut object = IndexMap::with_capacity(self.fields.len());
        for (key, field) in &self.fields {
            let value = match field {
                NodeField::Typename => Value::String("Facility".to_owned()),
                NodeField::Scalar(scalar) => (scalar.read)(row)?,
                NodeField::Visits(visits) => visits.read(row)?,
            };
            object.insert(key.clone(), value);
        }
        Ok(Value::Object(object))
    }
}

/// Runs `select` as one statement, `limit` rows from `offset` on.
///
/// The two numbers are written into the SQL, not bound: PostgreSQL plans a
/// prepared statement once for all executions when the parameters do not
/// change its plan, but a bound `LIMIT` hides the page size from it, and it
/// then planned every execution anew (two fifths of its time on a page of
/// twenty; bench/RESULTS.md, run 11). The page size is the document's own
/// and the offset comes from a cursor's position: a plan makes few distinct
/// texts.
async fn rows(
    db: &Reader<'_>,
    select: Select<facility::Entity>,
    limit: u64,
    offset: u64,
) -> Option<Vec<QueryResult>> {
    let mut statement = select.build(db.backend());
    statement.sql = format!("{} LIMIT {limit} OFFSET {offset}", statement.sql);
    match db.query_all(statement).await {
        Ok(rows) => Some(rows),
        Err(err) => {
            // The resolvers run it again, and answer the error as theirs.
            tracing::debug!(error = %err, "a compiled read failed");
            None
        }
    }
}

/// Reads `rows` with `read`; a row it cannot read sends the request to the
/// resolvers.
fn each(
    rows: &[QueryResult],
    read: impl Fn(&QueryResult) -> Result<Value, DbErr>,
) -> Option<Vec<Value>> {
    rows.iter()
        .map(|row| {
            read(row)
                .map_err(
                    |err| tracing::warn!(error = %err, "a compiled read could not read its row"),
                )
                .ok()
        })
        .collect()
}

/// `facility(slug:)` or `facility(id:)`.
pub struct One {
    by: By,
    node: Node,
}

/// Which argument names the facility.
enum By {
    Slug(Positioned<InputValue>),
    Id(Positioned<InputValue>),
}

impl One {
    pub fn compile(field: &Field, backend: DbBackend) -> Option<Self> {
        let by = match arguments(field, &["slug", "id"])?.as_slice() {
            [("slug", slug)] => By::Slug((*slug).clone()),
            [("id", id)] => By::Id((*id).clone()),
            _ => return None,
        };
        Some(Self {
            by,
            node: Node::compile(&field.selection_set, backend)?,
        })
    }

    pub(super) async fn answer(&self, db: &Reader<'_>, inputs: &Inputs<'_>) -> Option<Value> {
        // A null argument, or an id of another type, is the resolvers' to refuse.
        let named = match &self.by {
            By::Slug(slug) => Column::Slug.eq(inputs.parse::<String>(Some(slug))?),
            By::Id(id) => {
                let id: async_graphql::ID = inputs.parse(Some(id))?;
                match id::decode(&id, Kind::Facility, "id").ok()? {
                    id::Key::Uuid(uuid) => Column::Uuid.eq(uuid),
                    id::Key::Serial(row) => Column::Id.eq(row),
                }
            }
        };
        let select = facility::Entity::find().filter(named);
        let rows = rows(db, self.node.select(select), 1, 0).await?;
        match rows.first() {
            None => Some(Value::Null),
            Some(_) => each(&rows[..1], |row| self.node.read(row))?.pop(),
        }
    }
}

/// `facilities(filter:, orderBy:, first:, after:)`.
pub struct List {
    filter: Option<Positioned<InputValue>>,
    order_by: Option<Positioned<InputValue>>,
    after: Option<Positioned<InputValue>>,
    first: Option<i32>,
    fields: Vec<(Name, ListField)>,
}

enum ListField {
    Typename,
    TotalCount,
    Nodes(Node),
    Edges(Vec<(Name, EdgeField)>),
    PageInfo(Vec<(Name, PageInfoField)>),
}

enum EdgeField {
    Typename,
    Cursor,
    Node(Node),
}

#[derive(Clone, Copy)]
enum PageInfoField {
    Typename,
    HasNextPage,
    HasPreviousPage,
    StartCursor,
    EndCursor,
}

impl List {
    pub fn compile(field: &Field, backend: DbBackend) -> Option<Self> {
        let arguments = arguments(field, &["filter", "orderBy", "first", "after"])?;
        let first = argument(&arguments, "first");
        page_size(first)?;
        let mut compiled = Vec::new();
        for (key, field) in fields(&field.selection_set)? {
            if !field.arguments.is_empty() {
                return None;
            }
            let list_field = match field.name.node.as_str() {
                "__typename" => ListField::Typename,
                "totalCount" => ListField::TotalCount,
                "nodes" => ListField::Nodes(Node::compile(&field.selection_set, backend)?),
                "edges" => ListField::Edges(edge_fields(&field.selection_set, backend)?),
                "pageInfo" => ListField::PageInfo(page_info_fields(&field.selection_set)?),
                _ => return None,
            };
            compiled.push((key, list_field));
        }
        // One node selection per statement: two (`nodes` and `edges.node`)
        // would want columns of both, which is rare enough to leave to the
        // resolvers.
        if compiled
            .iter()
            .filter(|(_, f)| matches!(f, ListField::Nodes(_) | ListField::Edges(_)))
            .count()
            > 1
        {
            return None;
        }
        Some(Self {
            filter: argument(&arguments, "filter").cloned(),
            order_by: argument(&arguments, "orderBy").cloned(),
            after: argument(&arguments, "after").cloned(),
            first: first.and_then(|value| match &value.node {
                InputValue::Number(number) => number.as_i64().and_then(|n| i32::try_from(n).ok()),
                _ => None,
            }),
            fields: compiled,
        })
    }

    fn node(&self) -> Option<&Node> {
        self.fields.iter().find_map(|(_, field)| match field {
            ListField::Nodes(node) => Some(node),
            ListField::Edges(edge) => edge.iter().find_map(|(_, field)| match field {
                EdgeField::Node(node) => Some(node),
                _ => None,
            }),
            _ => None,
        })
    }

    pub(super) async fn answer(&self, db: &Reader<'_>, inputs: &Inputs<'_>) -> Option<Value> {
        let filter: Option<FacilityFilter> = inputs.parse(self.filter.as_ref())?;
        let order_by: Option<Vec<FacilityOrder>> = inputs.parse(self.order_by.as_ref())?;
        let after: Option<String> = inputs.parse(self.after.as_ref())?;
        let filter: service::facility::Filter = filter.unwrap_or_default().into();
        let order: Vec<service::facility::Ordering> = order_by
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let with_total = self
            .fields
            .iter()
            .any(|(_, f)| matches!(f, ListField::TotalCount));
        let args = PageArgs {
            first: self.first,
            after,
            last: None,
            before: None,
            with_total,
        };
        let fingerprint = service::facility::fingerprint(&filter, &order);
        // Without `last`, the window never counts.
        let (offset, limit, _) = page::window(&fingerprint, &args, async { Ok(0) })
            .await
            .ok()?;
        let select = service::facility::select(&filter, &order).ok()?;
        let total = with_total.then(|| page::total_of(&select));
        let mut select = match self.node() {
            Some(node) => node.select(select),
            None => select.select_only().column(Column::Id),
        };
        if let Some(total) = total {
            select = select.expr_as(total, TOTAL_COLUMN);
        }
        let rows = rows(db, select, limit + 1, offset).await?;
        let total = match rows.first() {
            Some(row) if with_total => row.try_get::<i64>("", TOTAL_COLUMN).ok()?,
            // Past the end no row carries the total: the resolvers count it.
            None if with_total && offset > 0 => return None,
            _ => 0,
        };
        let has_next_page = rows.len() as u64 > limit;
        let shown = &rows[..rows.len().min(usize::try_from(limit).unwrap_or(usize::MAX))];
        let nodes = match self.node() {
            Some(node) => each(shown, |row| node.read(row))?,
            None => vec![Value::Null; shown.len()],
        };
        let cursors: Vec<String> = (offset..)
            .take(nodes.len())
            .map(|position| page::encode_cursor(&fingerprint, position))
            .collect();
        // Given to the one field that lists them (`nodes` or `edges`).
        let mut nodes = Some(nodes);
        let mut object = IndexMap::with_capacity(self.fields.len());
        for (key, field) in &self.fields {
            let value = match field {
                ListField::Typename => Value::String("FacilityConnection".to_owned()),
                ListField::TotalCount => i32::try_from(total).unwrap_or(i32::MAX).to_value(),
                ListField::Nodes(_) => Value::List(nodes.take().unwrap_or_default()),
                ListField::Edges(edge) => Value::List(
                    nodes
                        .take()
                        .unwrap_or_default()
                        .into_iter()
                        .zip(&cursors)
                        .map(|(node, cursor)| {
                            let mut node = Some(node);
                            let mut object = IndexMap::with_capacity(edge.len());
                            for (key, field) in edge {
                                let value = match field {
                                    EdgeField::Typename => Value::String("FacilityEdge".to_owned()),
                                    EdgeField::Cursor => Value::String(cursor.clone()),
                                    EdgeField::Node(_) => node.take().unwrap_or_default(),
                                };
                                object.insert(key.clone(), value);
                            }
                            Value::Object(object)
                        })
                        .collect(),
                ),
                ListField::PageInfo(info) => {
                    let mut object = IndexMap::with_capacity(info.len());
                    for (key, field) in info {
                        let value = match field {
                            PageInfoField::Typename => Value::String("PageInfo".to_owned()),
                            PageInfoField::HasNextPage => Value::Boolean(has_next_page),
                            PageInfoField::HasPreviousPage => Value::Boolean(offset > 0),
                            PageInfoField::StartCursor => {
                                nullable(cursors.first(), |c| Value::String(c.clone()))
                            }
                            PageInfoField::EndCursor => {
                                nullable(cursors.last(), |c| Value::String(c.clone()))
                            }
                        };
                        object.insert(key.clone(), value);
                    }
                    Value::Object(object)
                }
            };
            object.insert(key.clone(), value);
        }
        Some(Value::Object(object))
    }
}

fn edge_fields(
    set: &Positioned<SelectionSet>,
    backend: DbBackend,
) -> Option<Vec<(Name, EdgeField)>> {
    fields(set)?
        .into_iter()
        .map(|(key, field)| {
            let edge_field = match field.name.node.as_str() {
                "__typename" => EdgeField::Typename,
                "cursor" => EdgeField::Cursor,
                "node" => EdgeField::Node(Node::compile(&field.selection_set, backend)?),
                _ => return None,
            };
            Some((key, edge_field))
        })
        .collect()
}

fn page_info_fields(set: &Positioned<SelectionSet>) -> Option<Vec<(Name, PageInfoField)>> {
    leaves(
        set,
        &[
            ("__typename", PageInfoField::Typename),
            ("hasNextPage", PageInfoField::HasNextPage),
            ("hasPreviousPage", PageInfoField::HasPreviousPage),
            ("startCursor", PageInfoField::StartCursor),
            ("endCursor", PageInfoField::EndCursor),
        ],
    )
}
