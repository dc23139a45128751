//! Writing guideline versions through their workflow (editors and admins).

use async_graphql::{Context, ID, InputObject, Object, Result};

use super::{create, update, writer};
use crate::error::{AppError, Problem};
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::guideline::{GuidelineStatus, GuidelineVersion};
use crate::service;
use crate::service::guideline::write::{
    self as guideline_write, GuidelineRef, GuidelineVersion as VersionRecord, VersionFields,
};

/// A new version of a guideline. It starts in DRAFT with the next number.
#[derive(InputObject, Debug)]
pub struct GuidelineVersionInput {
    /// Title of this version (at most 200 characters).
    pub title: String,
    /// The text, in Markdown.
    pub body: String,
    /// Visits and learning sessions that informed it (their ids).
    pub informed_by: Option<Vec<ID>>,
}

/// Changes to a version in DRAFT: an absent field stays; a list replaces the list.
#[derive(InputObject, Debug, Default)]
pub struct GuidelineVersionPatch {
    /// Title.
    pub title: Option<String>,
    /// The text, in Markdown.
    pub body: Option<String>,
    /// Visits and learning sessions that informed it (replaces the list).
    pub informed_by: Option<Vec<ID>>,
}

/// Visit and session row ids of a list of `Visit` and `LearningSession` ids.
async fn provenance(ctx: &Context<'_>, ids: &[ID]) -> Result<(Vec<i32>, Vec<i32>), AppError> {
    let mut visits = Vec::new();
    let mut sessions = Vec::new();
    let mut problems = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let field = format!("input.informedBy[{i}]");
        match id::decode_any(id, &field) {
            Ok((Kind::Visit, key)) => visits.push(key),
            Ok((Kind::LearningSession, key)) => sessions.push(key),
            Ok(_) => problems.push(Problem {
                field,
                message: "only visits and learning sessions inform a guideline version".to_owned(),
            }),
            Err(err) => problems.push(Problem {
                field,
                message: err.public_message(),
            }),
        }
    }
    if problems.is_empty() {
        let db = context::db(ctx);
        Ok((
            id::rows(db, Kind::Visit, &visits).await?,
            id::rows(db, Kind::LearningSession, &sessions).await?,
        ))
    } else {
        Err(AppError::Invalid(problems))
    }
}

impl GuidelineVersionInput {
    async fn into_fields(
        self,
        ctx: &Context<'_>,
        guideline: String,
    ) -> Result<VersionFields, AppError> {
        let (visits, sessions) = provenance(ctx, &self.informed_by.unwrap_or_default()).await?;
        Ok(VersionFields {
            guideline: GuidelineRef::Key(guideline),
            title: self.title,
            body: self.body,
            informed_by_visits: visits,
            informed_by_sessions: sessions,
        })
    }
}

impl GuidelineVersionPatch {
    /// The patch with its ids decoded, as a change of the stored fields.
    async fn changes(
        self,
        ctx: &Context<'_>,
    ) -> Result<impl FnOnce(&mut VersionFields) + Send, AppError> {
        let informed_by = match self.informed_by.as_deref() {
            Some(ids) => Some(provenance(ctx, ids).await?),
            None => None,
        };
        let (title, body) = (self.title, self.body);
        Ok(move |f: &mut VersionFields| {
            if let Some(v) = title {
                f.title = v;
            }
            if let Some(v) = body {
                f.body = v;
            }
            if let Some((visits, sessions)) = informed_by {
                f.informed_by_visits = visits;
                f.informed_by_sessions = sessions;
            }
        })
    }
}

async fn with_guideline(
    ctx: &Context<'_>,
    model: entity::guideline_version::Model,
) -> Result<GuidelineVersion> {
    let (model, guideline) = service::guideline::find_version(context::db(ctx), model.id)
        .await?
        .ok_or_else(|| AppError::not_found("no guideline version has this id"))?;
    Ok((model, guideline).into())
}

/// The writes of guideline versions.
#[derive(Default)]
pub struct GuidelineMutation;

#[Object]
impl GuidelineMutation {
    /// Starts the next version of a guideline (`ecosystem-rules` or
    /// `relational-security`), in DRAFT. Numbers have no gaps, even when
    /// editors create versions at the same moment.
    async fn create_guideline_version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The guideline's key: `ecosystem-rules` or `relational-security`.")]
        guideline: String,
        #[graphql(desc = "The fields to write.")] input: GuidelineVersionInput,
    ) -> Result<GuidelineVersion> {
        let model = create::<VersionRecord>(ctx, input.into_fields(ctx, guideline)).await?;
        with_guideline(ctx, model).await
    }

    /// Changes a version in DRAFT. A version that left DRAFT never changes: that is a `CONFLICT`.
    async fn update_guideline_version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the record changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: i32,
        #[graphql(desc = "The fields to write.")] input: GuidelineVersionPatch,
    ) -> Result<GuidelineVersion> {
        let kind = Kind::GuidelineVersion;
        let model =
            update::<VersionRecord, _>(ctx, &id, kind, expected_version, input.changes(ctx))
                .await?;
        with_guideline(ctx, model).await
    }

    /// Moves a version one step on, DRAFT → CONSULTATION → ADOPTED, and sets
    /// `publishedOn` to today. Any other move is a `CONFLICT`. With
    /// `expectedVersion`, a version changed since you read it is a `CONFLICT` too.
    async fn advance_guideline_version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
        #[graphql(desc = "The next status: CONSULTATION after DRAFT, ADOPTED after CONSULTATION.")]
        to: GuidelineStatus,
        #[graphql(
            desc = "The `version` you read; if the record changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> Result<GuidelineVersion> {
        let (actor, row) = writer(ctx, &id, Kind::GuidelineVersion).await?;
        let model =
            guideline_write::advance(context::db(ctx), actor, row, to.into(), expected_version)
                .await?;
        with_guideline(ctx, model).await
    }
}
