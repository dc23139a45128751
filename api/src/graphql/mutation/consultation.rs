//! Commenting on a guideline version in consultation, and answering comments.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};

use super::{decode_maybe, decode_opt, writer};
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::consultation::{ConsultationAnswerMark, ConsultationComment};
use crate::service::consultation::write::{self, CommentFields};

/// A comment on a guideline version in consultation.
#[derive(InputObject, Debug)]
pub struct AddConsultationCommentInput {
    /// Global id of the guideline version, which must be in CONSULTATION.
    pub version: ID,
    /// Global id of the rule of that version it is about; absent: the version as a whole.
    pub rule: Option<ID>,
    /// What you think of it (at most 10,000 characters).
    pub text: String,
    /// Global id of the stakeholder who speaks through it, if any: shown
    /// by name only with their consent.
    pub person: Option<ID>,
}

/// Changes to one's own comment: an absent field stays; `null` clears an optional one.
#[derive(InputObject, Debug, Default)]
pub struct ConsultationCommentPatch {
    /// Global id of the rule of the same version it is about; `null`: the version as a whole.
    pub rule: MaybeUndefined<ID>,
    /// What you think of it (at most 10,000 characters).
    pub text: Option<String>,
    /// Global id of the stakeholder who speaks through it; `null`: no one.
    pub person: MaybeUndefined<ID>,
}

/// The editors' answer to a comment.
#[derive(InputObject, Debug)]
pub struct AnswerConsultationCommentInput {
    /// What becomes of the comment.
    pub status: ConsultationAnswerMark,
    /// The answer, saying why (at most 10,000 characters); public once the version is adopted.
    pub answer: String,
}

/// The writes of the consultation.
#[derive(Default)]
pub struct ConsultationMutation;

#[Object]
impl ConsultationMutation {
    /// Comments on a guideline version in CONSULTATION, or on one of its
    /// rules (partners, for their organisation; editors; admins). Until the
    /// version is adopted, only your organisation, editors and admins see it.
    async fn add_consultation_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The comment.")] input: AddConsultationCommentInput,
    ) -> Result<ConsultationComment> {
        let actor = context::actor(ctx)?;
        let db = context::db(ctx);
        let version = id::row(db, &input.version, Kind::GuidelineVersion, "input.version").await?;
        let fields = CommentFields {
            rule_id: decode_opt(ctx, input.rule.as_ref(), Kind::Rule, "input.rule").await?,
            text: input.text,
            stakeholder_id: decode_opt(
                ctx,
                input.person.as_ref(),
                Kind::Stakeholder,
                "input.person",
            )
            .await?,
        };
        let model = write::add(db, actor, version, fields).await?;
        Ok(model.into())
    }

    /// Changes your own comment (the organisation, or without one the
    /// token, that made it) while its version is in CONSULTATION.
    async fn update_consultation_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the comment.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the comment changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: i32,
        #[graphql(desc = "The fields to write.")] input: ConsultationCommentPatch,
    ) -> Result<ConsultationComment> {
        let (actor, id) = writer(ctx, &id, Kind::ConsultationComment).await?;
        let rule = decode_maybe(ctx, input.rule, Kind::Rule, "input.rule").await?;
        let person = decode_maybe(ctx, input.person, Kind::Stakeholder, "input.person").await?;
        let text = input.text;
        let model = write::update(context::db(ctx), actor, id, expected_version, move |f| {
            rule.update_to(&mut f.rule_id);
            person.update_to(&mut f.stakeholder_id);
            if let Some(text) = text {
                f.text = text;
            }
        })
        .await?;
        Ok(model.into())
    }

    /// Withdraws your own comment while its version is in CONSULTATION: it
    /// is never public, and no longer answered.
    async fn withdraw_consultation_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the comment.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the comment changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: i32,
    ) -> Result<ConsultationComment> {
        let (actor, id) = writer(ctx, &id, Kind::ConsultationComment).await?;
        let model = write::withdraw(context::db(ctx), actor, id, expected_version).await?;
        Ok(model.into())
    }

    /// Answers a comment and marks it (editors and admins), during the
    /// consultation or after; a later answer replaces an earlier one.
    async fn answer_consultation_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the comment.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the comment changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: i32,
        #[graphql(desc = "The answer and its mark.")] input: AnswerConsultationCommentInput,
    ) -> Result<ConsultationComment> {
        let (actor, id) = writer(ctx, &id, Kind::ConsultationComment).await?;
        let model = write::answer(
            context::db(ctx),
            actor,
            id,
            expected_version,
            input.status.into(),
            input.answer,
        )
        .await?;
        Ok(model.into())
    }
}
