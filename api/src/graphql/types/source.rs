//! Provenance: the sources a record's facts come from, and which facts each
//! one supports.

use async_graphql::{Enum, InputObject, SimpleObject};
use entity::value as db;

use super::scalar::Date;

/// A document on the web that facts of a record come from.
#[derive(SimpleObject, Clone, Debug)]
pub struct Source {
    /// Where it is (http or https).
    pub url: String,
    /// Its title, as it gives it.
    pub title: Option<String>,
    /// Who published it (a ministry, a newspaper, a research project).
    pub publisher: Option<String>,
    /// The day someone read it for this record.
    pub read_on: Option<Date>,
    /// The facts it supports; empty: the record as a whole.
    pub supports: Vec<FacilityFact>,
}

impl From<db::Source> for Source {
    fn from(source: db::Source) -> Self {
        Self {
            url: source.url,
            title: source.title,
            publisher: source.publisher,
            read_on: source.read_on.map(Date),
            supports: source.supports.into_iter().map(Into::into).collect(),
        }
    }
}

/// A source of a record's facts.
#[derive(InputObject, Clone, Debug)]
pub struct SourceInput {
    /// Where it is (http or https, at most 2000 characters); each URL once per record.
    pub url: String,
    /// Its title (at most 200 characters).
    pub title: Option<String>,
    /// Who published it (at most 200 characters).
    pub publisher: Option<String>,
    /// The day someone read it for this record; not in the future.
    pub read_on: Option<Date>,
    /// The facts it supports; empty or absent: the record as a whole.
    pub supports: Option<Vec<FacilityFact>>,
}

impl From<SourceInput> for db::Source {
    fn from(input: SourceInput) -> Self {
        Self {
            url: input.url,
            title: input.title,
            publisher: input.publisher,
            read_on: input.read_on.map(|d| d.0),
            supports: input
                .supports
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        }
    }
}

/// A fact of a facility that a source can support.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::FacilityFact")]
pub enum FacilityFact {
    /// `name`.
    Name,
    /// Where it is: `countryCode`, `city`, `latitude`, `longitude`.
    Location,
    /// `facilityType`.
    FacilityType,
    /// `status`.
    Status,
    /// `capacity`.
    Capacity,
    /// `openedYear`.
    OpenedYear,
    /// `operator`.
    Operator,
    /// `managedBy`.
    ManagedBy,
    /// `population` and `targetGender`.
    Population,
    /// `targetAge`.
    TargetAge,
    /// `regime`.
    Regime,
    /// `securityLevel`.
    SecurityLevel,
    /// `principles`.
    Principles,
    /// `socialEnterprise`.
    SocialEnterprise,
    /// `description`.
    Description,
    /// `ecosystem`.
    Ecosystem,
}
