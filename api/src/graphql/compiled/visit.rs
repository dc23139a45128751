//! `Facility.visits` compiled: a facility's visits and their participants
//! as JSON that PostgreSQL builds beside the facility's row, in the same
//! statement. SQLite leaves them to the resolvers.

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, SelectionSet};
use async_graphql::{Name, Positioned, ScalarType, Value};
use chrono::NaiveDate;
use entity::facility;
use entity::value::StakeholderKind as DbKind;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveEnum, DbBackend, DbErr, QueryResult, QuerySelect, Select};
use serde::Deserialize;
use uuid::Uuid;

use super::{argument, arguments, fields, leaves, page_size};
use crate::graphql::id::{self, Kind};
use crate::graphql::types::scalar::Date;
use crate::graphql::types::stakeholder::StakeholderKind;
use crate::service::stakeholder::{Audience, Consent, Consents};
use crate::service::visit::write::MAX_PARTICIPANTS;

/// What a plan's reader sees of participants: plans read as every caller
/// but editors.
const AUDIENCE: Audience = Audience::Public;

/// `visits(first:)` of a facility, with the SQL that reads them, made
/// when compiled.
pub struct OfFacility {
    fields: Vec<(Name, ConnectionField)>,
    /// Their number, as a subquery, and the column it is read from.
    total: (String, String),
    /// The page of them as JSON, as a subquery, and its column.
    nodes: (String, String),
}

enum ConnectionField {
    Typename,
    TotalCount,
    Nodes(Vec<(Name, VisitField)>),
}

enum VisitField {
    Typename,
    Id,
    VisitedOn,
    Participants(Vec<(Name, ParticipantField)>),
}

#[derive(Clone, Copy)]
enum ParticipantField {
    Typename,
    Name,
    Anonymous,
    Kind,
}

impl OfFacility {
    /// Only on PostgreSQL, whose JSON functions build the nested lists;
    /// its columns are named after `alias`.
    pub fn compile(field: &Field, backend: DbBackend, alias: &str) -> Option<Self> {
        if backend != DbBackend::Postgres {
            return None;
        }
        let arguments = arguments(field, &["first"])?;
        let limit = page_size(argument(&arguments, "first"))?;
        let mut compiled = Vec::new();
        for (key, field) in fields(&field.selection_set)? {
            if !field.arguments.is_empty() {
                return None;
            }
            let connection_field = match field.name.node.as_str() {
                "__typename" => ConnectionField::Typename,
                "totalCount" => ConnectionField::TotalCount,
                "nodes" => ConnectionField::Nodes(visit_fields(&field.selection_set)?),
                _ => return None,
            };
            compiled.push((key, connection_field));
        }
        let participants = compiled.iter().any(|(_, field)| match field {
            ConnectionField::Nodes(visit) => visit
                .iter()
                .any(|(_, field)| matches!(field, VisitField::Participants(_))),
            _ => false,
        });
        let (total, nodes) = statements(limit, participants);
        Some(Self {
            fields: compiled,
            total: (total, format!("{alias}_total")),
            nodes: (nodes, format!("{alias}_nodes")),
        })
    }

    /// `select` of facilities with this facility's visits beside each row.
    pub fn select(&self, select: Select<facility::Entity>) -> Select<facility::Entity> {
        select
            .expr_as(Expr::cust(self.total.0.clone()), self.total.1.as_str())
            .expr_as(Expr::cust(self.nodes.0.clone()), self.nodes.1.as_str())
    }

    pub fn read(&self, row: &QueryResult) -> Result<Value, DbErr> {
        let total: i64 = row.try_get("", &self.total.1)?;
        let nodes: String = row.try_get("", &self.nodes.1)?;
        let visits: Vec<VisitRow> =
            serde_json::from_str(&nodes).map_err(|e| DbErr::Json(e.to_string()))?;
        let mut object = IndexMap::with_capacity(self.fields.len());
        for (key, field) in &self.fields {
            let value = match field {
                ConnectionField::Typename => Value::String("VisitConnection".to_owned()),
                ConnectionField::TotalCount => i32::try_from(total).unwrap_or(i32::MAX).to_value(),
                ConnectionField::Nodes(fields) => Value::List(
                    visits
                        .iter()
                        .map(|visit| visit.read(fields))
                        .collect::<Result<_, _>>()?,
                ),
            };
            object.insert(key.clone(), value);
        }
        Ok(Value::Object(object))
    }
}

/// The subqueries of a facility's visits: their number, and the first
/// `limit` of them as JSON, in the order and with the participants the
/// resolvers give (`service::visit`). Each participant's record is looked
/// up by its key (the `LATERAL … LIMIT 1`): joined, PostgreSQL hashed the
/// whole small table of stakeholders once per visit, a third of the
/// statement's time.
fn statements(limit: u64, participants: bool) -> (String, String) {
    let of_facility = r#""visit"."facility_id" = "facility"."id""#;
    let total = format!(r#"(SELECT COUNT(*) FROM "visit" WHERE {of_facility})"#);
    let participants = if participants {
        format!(
            r#"(SELECT json_agg(json_build_array("s"."name", "s"."kind", "s"."consent_name", "s"."consent_kind", "s"."erased_at" IS NOT NULL) ORDER BY "s"."sort_name", "s"."id")
            FROM (SELECT "st".* FROM "visit_participant" AS "p" CROSS JOIN LATERAL
                    (SELECT "id", "name", "kind", "consent_name", "consent_kind", "erased_at", "sort_name"
                     FROM "stakeholder" WHERE "stakeholder"."id" = "p"."stakeholder_id" LIMIT 1) AS "st"
                  WHERE "p"."visit_id" = "v"."id" ORDER BY "st"."sort_name", "st"."id" LIMIT {MAX_PARTICIPANTS}) AS "s")"#
        )
    } else {
        "NULL".to_owned()
    };
    let nodes = format!(
        r#"(SELECT COALESCE(json_agg(json_build_array("v"."uuid", "v"."visited_on", {participants}) ORDER BY "v"."visited_on" DESC, "v"."id" DESC), '[]')::text
        FROM (SELECT "id", "uuid", "visited_on" FROM "visit" WHERE {of_facility}
              ORDER BY "visited_on" DESC, "id" DESC LIMIT {limit}) AS "v")"#
    );
    (total, nodes)
}

fn visit_fields(set: &Positioned<SelectionSet>) -> Option<Vec<(Name, VisitField)>> {
    fields(set)?
        .into_iter()
        .map(|(key, field)| {
            if !field.arguments.is_empty() {
                return None;
            }
            let visit_field = match field.name.node.as_str() {
                "__typename" => VisitField::Typename,
                "id" => VisitField::Id,
                "visitedOn" => VisitField::VisitedOn,
                "participants" => {
                    VisitField::Participants(participant_fields(&field.selection_set)?)
                }
                _ => return None,
            };
            Some((key, visit_field))
        })
        .collect()
}

fn participant_fields(set: &Positioned<SelectionSet>) -> Option<Vec<(Name, ParticipantField)>> {
    leaves(
        set,
        &[
            ("__typename", ParticipantField::Typename),
            ("name", ParticipantField::Name),
            ("anonymous", ParticipantField::Anonymous),
            ("kind", ParticipantField::Kind),
        ],
    )
}

/// A visit as the statement gives it: its UUID, its day, and its
/// participants (null without any, or when none were asked for).
#[derive(Deserialize)]
struct VisitRow(String, NaiveDate, Option<Vec<PersonRow>>);

/// A participant as the statement gives them: name, kind, consent to a
/// public name and kind, and whether they were erased.
#[derive(Deserialize)]
struct PersonRow(String, String, bool, bool, bool);

/// A participant, with what [`Audience`] decides on.
struct Person {
    name: String,
    kind: DbKind,
    consent: Consent,
    erased: bool,
}

impl Consents for Person {
    fn erased(&self) -> bool {
        self.erased
    }

    fn consents(&self) -> Consent {
        self.consent
    }

    fn kind(&self) -> DbKind {
        self.kind
    }
}

impl VisitRow {
    fn read(&self, fields: &[(Name, VisitField)]) -> Result<Value, DbErr> {
        let mut object = IndexMap::with_capacity(fields.len());
        for (key, field) in fields {
            let value = match field {
                VisitField::Typename => Value::String("Visit".to_owned()),
                VisitField::Id => {
                    let uuid = Uuid::parse_str(&self.0).map_err(|e| DbErr::Type(e.to_string()))?;
                    Value::String(id::encode(Kind::Visit, uuid).to_string())
                }
                VisitField::VisitedOn => Date(self.1).to_value(),
                VisitField::Participants(fields) => self.participants(fields)?,
            };
            object.insert(key.clone(), value);
        }
        Ok(Value::Object(object))
    }

    fn participants(&self, fields: &[(Name, ParticipantField)]) -> Result<Value, DbErr> {
        let mut people = self
            .2
            .iter()
            .flatten()
            .map(
                |PersonRow(name, kind, consent_name, consent_kind, erased)| {
                    Ok(Person {
                        name: name.clone(),
                        kind: DbKind::try_from_value(kind)?,
                        // Not selected: nothing a participant shows depends on it.
                        consent: Consent {
                            name: *consent_name,
                            affiliation: false,
                            kind: *consent_kind,
                        },
                        erased: *erased,
                    })
                },
            )
            .collect::<Result<Vec<Person>, DbErr>>()?;
        people.sort_by_key(|person| AUDIENCE.position(person));
        Ok(Value::List(
            people
                .iter()
                .map(|person| {
                    let named = AUDIENCE.sees_record(person);
                    let mut object = IndexMap::with_capacity(fields.len());
                    for (key, field) in fields {
                        let value = match field {
                            ParticipantField::Typename => Value::String("Participant".to_owned()),
                            ParticipantField::Name if named => Value::String(person.name.clone()),
                            ParticipantField::Name => {
                                Value::String(AUDIENCE.describe(person).to_owned())
                            }
                            ParticipantField::Anonymous => Value::Boolean(!named),
                            ParticipantField::Kind if AUDIENCE.sees_kind(person) => {
                                async_graphql::resolver_utils::enum_value(StakeholderKind::from(
                                    person.kind,
                                ))
                            }
                            ParticipantField::Kind => Value::Null,
                        };
                        object.insert(key.clone(), value);
                    }
                    Value::Object(object)
                })
                .collect(),
        ))
    }
}
