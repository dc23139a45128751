//! `consultationReport`: the consultation on one guideline version, as the
//! caller may see it.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};

use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::consultation::{ConsultationReport, reader};
use crate::graphql::types::guideline::GuidelineVersion;
use crate::service;

/// The reads of the consultation.
#[derive(Default)]
pub struct ConsultationQuery;

#[Object]
impl ConsultationQuery {
    /// The consultation on a guideline version: every comment the caller
    /// sees, with its answer, counted per rule and per status. While the
    /// version is in CONSULTATION, a partner sees its own organisation's
    /// comments, editors and admins all; once it is ADOPTED, everyone sees
    /// every comment that was not withdrawn. Null when no version has this
    /// id (or it is a draft the caller may not see).
    async fn consultation_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the guideline version.")] version: ID,
    ) -> Result<Option<ConsultationReport>> {
        let row = id::row(
            context::db(ctx),
            &version,
            Kind::GuidelineVersion,
            "version",
        )
        .await?;
        let Some(version) = GuidelineVersion::find_visible(ctx, row).await? else {
            return Ok(None);
        };
        let report =
            service::consultation::report(context::db(ctx), &version.model, &reader(ctx)).await?;
        Ok(Some(ConsultationReport {
            version,
            report: Arc::new(report),
        }))
    }
}
