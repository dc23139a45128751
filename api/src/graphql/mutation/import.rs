//! `importFacilities`: a partner's or editor's list of facilities, in one go.

use async_graphql::{Context, Object, Result, SimpleObject};

use crate::graphql::context;
use crate::service::facility::import::{self as import, Format, Report};

/// One bad row of an import.
#[derive(SimpleObject, Debug)]
pub struct ImportError {
    /// Line of the file where the row starts (the header is line 1); for
    /// GeoJSON, the feature's number from 1. 0: the file as a whole.
    pub line: i32,
    /// The column (or GeoJSON property) at fault; empty for the row or file as a whole.
    pub column: String,
    /// What is wrong, and how to put it right.
    pub reason: String,
}

/// What an import did, or would do on a dry run. With any error, nothing was written.
#[derive(SimpleObject, Debug)]
pub struct ImportReport {
    /// Rows read.
    pub rows: i32,
    /// Facilities created (or that would be, on a dry run).
    pub created: i32,
    /// Facilities changed.
    pub updated: i32,
    /// Rows equal to the stored facility.
    pub unchanged: i32,
    /// Every bad row; empty when the file is valid.
    pub errors: Vec<ImportError>,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Whether the changes are now in the database.
    pub written: bool,
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl From<Report> for ImportReport {
    fn from(r: Report) -> Self {
        Self {
            rows: count(r.rows),
            created: count(r.created),
            updated: count(r.updated),
            unchanged: count(r.unchanged),
            errors: r
                .errors
                .into_iter()
                .map(|e| ImportError {
                    line: i32::try_from(e.line).unwrap_or(i32::MAX),
                    column: e.column,
                    reason: e.reason,
                })
                .collect(),
            dry_run: r.dry_run,
            written: r.written,
        }
    }
}

#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Imports facilities from CSV text with the columns of `GET /facilities.csv`
    /// (so an export imports back unchanged). A row with a `slug` updates the
    /// facility with that slug, or creates it; a row without one updates the
    /// one facility of that name you may change, or creates a new one, and is
    /// refused when several have the name. Partners import their own
    /// facilities only. One bad row means nothing is written, and the report
    /// lists every bad row. `dryRun` checks and reports without writing or
    /// waiting for writers. For files larger than the request limit, use
    /// `wish-api import`.
    async fn import_facilities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "CSV text with the columns of `GET /facilities.csv`, header first.")] csv: String,
        #[graphql(
            default_with = "Some(false)",
            desc = "Check every row and report what would change, without writing."
        )]
        dry_run: Option<bool>,
    ) -> Result<ImportReport> {
        let actor = context::actor(ctx)?;
        let dry_run = dry_run.unwrap_or(false);
        let records = match import::parse_blocking(Format::Csv, csv.into_bytes()).await? {
            Ok(records) => records,
            Err(errors) => {
                return Ok(Report {
                    errors,
                    dry_run,
                    ..Report::default()
                }
                .into());
            }
        };
        let report = import::import(
            context::db(ctx),
            actor,
            "import",
            records,
            dry_run,
            &|_, _| {},
        )
        .await?;
        Ok(report.into())
    }
}
