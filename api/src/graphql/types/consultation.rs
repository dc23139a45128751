//! The consultation on a guideline version: comments on its rules, or on
//! the version as a whole, with the editors' answers, and the report that
//! counts them.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::value as db;
use entity::{consultation_comment, guideline_version};

use super::connection::{connection, paginated, sliced};
use super::guideline::{GuidelineVersion, Rule};
use super::organisation::Organisation;
use super::record::record;
use super::revision::Revision;
use super::stakeholder::Participant;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::loader::{
    GuidelineById, GuidelineVersionById, OrganisationById, RuleById, StakeholderById,
};
use crate::service::consultation::{self as service, Reader};
use crate::service::kernel::page;

/// Where a consultation comment stands.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::CommentStatus")]
pub enum ConsultationCommentStatus {
    /// Not answered yet.
    Open,
    /// The editors take it up.
    Accepted,
    /// The editors take part of it up.
    PartlyAccepted,
    /// The editors do not take it up, and say why.
    NotAccepted,
    /// It is about something the guideline does not cover.
    OutOfScope,
    /// Its author took it back; never public.
    Withdrawn,
}

/// The mark an editor gives a comment with the answer.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum ConsultationAnswerMark {
    /// The editors take it up.
    Accepted,
    /// The editors take part of it up.
    PartlyAccepted,
    /// The editors do not take it up, and say why.
    NotAccepted,
    /// It is about something the guideline does not cover.
    OutOfScope,
}

impl From<ConsultationAnswerMark> for service::write::Mark {
    fn from(mark: ConsultationAnswerMark) -> Self {
        match mark {
            ConsultationAnswerMark::Accepted => Self::Accepted,
            ConsultationAnswerMark::PartlyAccepted => Self::PartlyAccepted,
            ConsultationAnswerMark::NotAccepted => Self::NotAccepted,
            ConsultationAnswerMark::OutOfScope => Self::OutOfScope,
        }
    }
}

/// Who reads, as the visibility of comments needs it.
#[must_use]
pub fn reader(ctx: &Context<'_>) -> Reader {
    Reader::of_caller(&context::caller(ctx))
}

/// The fingerprint of one list of comments as one reader sees it: cursors
/// of another reader's list count other comments.
fn fingerprint(list: &str, id: i32, reader: &Reader) -> String {
    page::fingerprint(&(
        list,
        id,
        reader.editor,
        reader.organisation_id,
        &reader.subject,
    ))
}

record! {
    /// A comment made during the consultation on a guideline version, with the
    /// editors' answer. While the version is in CONSULTATION, only the
    /// commenting organisation, editors and admins see it; once the version is
    /// ADOPTED, everyone does, unless it was withdrawn.
    ConsultationComment(consultation_comment::Model)
}

connection!(
    ConsultationComment,
    ConsultationCommentConnection,
    ConsultationCommentEdge
);

impl ConsultationComment {
    /// The comment with this row id, if the caller may see it.
    ///
    /// # Errors
    /// Database errors.
    pub async fn find_visible(ctx: &Context<'_>, row: i32) -> Result<Option<Self>, AppError> {
        let Some(comment) = context::load(ctx, crate::graphql::loader::CommentById(row)).await?
        else {
            return Ok(None);
        };
        let Some(version) =
            context::load(ctx, GuidelineVersionById(comment.guideline_version_id)).await?
        else {
            return Ok(None);
        };
        Ok(reader(ctx)
            .sees(&comment, version.status)
            .then(|| comment.into()))
    }

    /// The comments of a version in `status` that the caller sees, a page at a time.
    pub(crate) async fn page(
        ctx: &Context<'_>,
        comments: Vec<consultation_comment::Model>,
        status: db::GuidelineStatus,
        fingerprint_of: (&str, i32),
        args: page::PageArgs,
    ) -> Result<ConsultationCommentConnection> {
        let reader = reader(ctx);
        let visible: Vec<_> = comments
            .into_iter()
            .filter(|c| reader.sees(c, status))
            .collect();
        sliced(
            visible,
            &fingerprint(fingerprint_of.0, fingerprint_of.1, &reader),
            &args,
            ConsultationComment::from,
        )
        .await
    }

    /// Whether the caller wrote it, or edits for everyone: they see who
    /// wrote and answered it.
    fn shows_tokens(&self, ctx: &Context<'_>) -> bool {
        let reader = reader(ctx);
        reader.editor || reader.is_author(&self.0)
    }
}

/// A comment made during the consultation on a guideline version, with the
/// editors' answer.
#[Object]
impl ConsultationComment {
    /// Global id.
    pub async fn id(&self) -> ID {
        id::encode(Kind::ConsultationComment, self.0.uuid)
    }
    /// The version it was made on.
    async fn guideline_version(&self, ctx: &Context<'_>) -> Result<GuidelineVersion> {
        let missing = || AppError::Internal(anyhow::anyhow!("a comment without its version"));
        let version = context::load(ctx, GuidelineVersionById(self.0.guideline_version_id))
            .await?
            .ok_or_else(missing)?;
        let guideline = context::load(ctx, GuidelineById(version.guideline_id))
            .await?
            .ok_or_else(missing)?;
        Ok((version, guideline).into())
    }
    /// The rule it is about; null for a comment on the version as a whole.
    async fn rule(&self, ctx: &Context<'_>) -> Result<Option<Rule>> {
        let Some(rule_id) = self.0.rule_id else {
            return Ok(None);
        };
        let Some(rule) = context::load(ctx, RuleById(rule_id)).await? else {
            return Ok(None);
        };
        let version = self.guideline_version(ctx).await?;
        Ok(Some(Rule::new(rule, version.model, version.guideline)))
    }
    /// The organisation that made it; null for an editor's or admin's comment.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(id) = self.0.organisation_id else {
            return Ok(None);
        };
        Ok(context::load(ctx, OrganisationById(id))
            .await?
            .map(Into::into))
    }
    /// The person who speaks through it, as a participant: by name only
    /// with their consent (editors and admins see everyone by name).
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Participant>> {
        let Some(id) = self.0.stakeholder_id else {
            return Ok(None);
        };
        Ok(context::load(ctx, StakeholderById(id))
            .await?
            .map(Into::into))
    }
    /// The `sub` of the token that made it: for its own organisation,
    /// editors and admins; null for everyone else.
    async fn author(&self, ctx: &Context<'_>) -> Option<&str> {
        self.shows_tokens(ctx)
            .then_some(self.0.author.as_deref())
            .flatten()
    }
    /// What it says.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// Where it stands: open, answered with a mark, or withdrawn.
    async fn status(&self) -> ConsultationCommentStatus {
        self.0.status.into()
    }
    /// The editors' answer; null until they answer.
    async fn answer(&self) -> Option<&str> {
        self.0.answer.as_deref()
    }
    /// The `sub` of the editor who answered: for the commenting
    /// organisation, editors and admins; null for everyone else.
    async fn answered_by(&self, ctx: &Context<'_>) -> Option<&str> {
        self.shows_tokens(ctx)
            .then_some(self.0.answered_by.as_deref())
            .flatten()
    }
    /// When the editors last answered it.
    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.answered_at
    }
    /// When its author withdrew it.
    async fn withdrawn_at(&self) -> Option<DateTime<Utc>> {
        self.0.withdrawn_at
    }
    /// `version`, `createdAt` and `updatedAt`.
    #[graphql(flatten)]
    async fn revision(&self) -> Revision {
        self.0.as_ref().into()
    }
}

/// How many comments one rule drew (or the version as a whole).
#[derive(SimpleObject, Clone, Debug)]
pub struct ConsultationRuleCount {
    /// The rule; null for the comments on the version as a whole.
    pub rule: Option<Rule>,
    /// How many comments the reader sees on it.
    pub count: i32,
}

/// How many comments are in one status.
#[derive(SimpleObject, Clone, Debug)]
pub struct ConsultationStatusCount {
    /// The status.
    pub status: ConsultationCommentStatus,
    /// How many comments the reader sees in it.
    pub count: i32,
}

/// The consultation on one guideline version as the caller may see it:
/// every comment with its answer, counted per rule and per status.
#[derive(Clone)]
pub struct ConsultationReport {
    pub version: GuidelineVersion,
    pub report: Arc<service::Report>,
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

paginated! {
    /// The comments of a report, which `ConsultationReport` shows as its own.
    pub(crate) struct ReportComments(ConsultationReport);

    /// The comments, with their answers: those on the version as a whole
    /// first, then rule by rule, each in the order they came; a page at a
    /// time (`first` defaults to 50, at most 500).
    async fn comments(&self, ctx, args) -> ConsultationCommentConnection {
        let ConsultationReport { version, report } = &self.0;
        let comments = report.entries.iter().map(|e| e.comment.clone()).collect();
        let fingerprint = fingerprint("consultation-report", version.model.id, &reader(ctx));
        sliced(comments, &fingerprint, &args, ConsultationComment::from).await
    }
}

/// The consultation on one guideline version as the caller may see it:
/// every comment with its answer, counted per rule and per status.
#[Object]
impl ConsultationReport {
    /// The version.
    async fn guideline_version(&self) -> GuidelineVersion {
        self.version.clone()
    }
    /// How many comments the caller sees.
    async fn total_count(&self) -> i32 {
        count(self.report.entries.len())
    }
    /// `comments`.
    #[graphql(flatten)]
    async fn comments(&self) -> ReportComments {
        ReportComments(self.clone())
    }
    /// How many comments each rule drew, every part and rule listed in
    /// order, after the count for the version as a whole (at most 201).
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::guideline::rules::MAX_RULES + 1, child_complexity)"
    )]
    async fn by_rule(&self) -> Vec<ConsultationRuleCount> {
        let version: &Arc<guideline_version::Model> = &self.version.model;
        self.report
            .per_rule()
            .into_iter()
            .map(|(rule, n)| ConsultationRuleCount {
                rule: rule
                    .map(|r| Rule::new(r.clone(), version.clone(), self.version.guideline.clone())),
                count: count(n),
            })
            .collect()
    }
    /// How many comments are in each status, every status listed.
    async fn by_status(&self) -> Vec<ConsultationStatusCount> {
        self.report
            .per_status()
            .into_iter()
            .map(|(status, n)| ConsultationStatusCount {
                status: status.into(),
                count: count(n),
            })
            .collect()
    }
}
