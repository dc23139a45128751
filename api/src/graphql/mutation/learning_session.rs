//! Creating, changing and deleting learning sessions (editors and admins).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Result};

use super::visit::{organiser, participants};
use super::{
    RecordInput, RecordPatch, TranslationInput, decode_list, decode_maybe, localized_opt,
    prose_maybe, set,
};
use crate::error::AppError;
use crate::graphql::id::Kind;
use crate::graphql::types::learning_session::{LearningSession, SessionLevel, SessionTopic};
use crate::graphql::types::scalar::Date;
use crate::service::learning_session::write::{LearningSession as SessionRecord, SessionFields};

/// A new learning session (editors and admins).
#[derive(InputObject, Debug)]
pub struct LearningSessionInput {
    /// Title (at most 200 characters).
    pub title: String,
    /// The day it was held (from 2000 to two years ahead).
    pub held_on: Date,
    /// National or European.
    pub level: SessionLevel,
    /// ISO 3166-1 alpha-2 country code; required for a national session.
    pub country_code: Option<String>,
    /// What it is about.
    pub topic: SessionTopic,
    /// The organising knowledge workshop.
    pub workshop: Option<ID>,
    /// Stakeholders who took part.
    pub participants: Option<Vec<ID>>,
    /// Outcomes in one or more languages; English is required when any is given.
    pub outcomes: Option<Vec<TranslationInput>>,
}

/// Changes to a learning session: an absent field stays; `null` clears an optional one.
#[derive(InputObject, Debug, Default)]
pub struct LearningSessionPatch {
    /// Title.
    pub title: Option<String>,
    /// The day it was held.
    pub held_on: Option<Date>,
    /// National or European.
    pub level: Option<SessionLevel>,
    /// ISO 3166-1 alpha-2 country code.
    pub country_code: MaybeUndefined<String>,
    /// What it is about.
    pub topic: Option<SessionTopic>,
    /// The organising knowledge workshop.
    pub workshop: MaybeUndefined<ID>,
    /// Stakeholders who took part (replaces the list).
    pub participants: Option<Vec<ID>>,
    /// Outcomes (replaces every translation).
    pub outcomes: MaybeUndefined<Vec<TranslationInput>>,
}

impl RecordInput for LearningSessionInput {
    type Record = SessionRecord;

    async fn decode(self, ctx: &Context<'_>) -> Result<SessionFields, AppError> {
        Ok(SessionFields {
            title: self.title,
            held_on: self.held_on.0,
            level: self.level.into(),
            country_code: self.country_code,
            topic: self.topic.into(),
            workshop_id: organiser(ctx, self.workshop.as_ref()).await?,
            outcomes: localized_opt("input.outcomes", self.outcomes)?,
            participants: participants(ctx, self.participants).await?,
        })
    }
}

impl RecordPatch for LearningSessionPatch {
    type Record = SessionRecord;

    async fn decode(
        self,
        ctx: &Context<'_>,
    ) -> Result<impl FnOnce(&mut SessionFields) + Send, AppError> {
        let Self {
            title,
            held_on,
            level,
            country_code,
            topic,
            workshop,
            participants,
            outcomes,
        } = self;
        let workshop =
            decode_maybe(ctx, workshop, Kind::KnowledgeWorkshop, "input.workshop").await?;
        let participants =
            decode_list(ctx, participants, Kind::Stakeholder, "input.participants").await?;
        let outcomes = prose_maybe(outcomes, "input.outcomes")?;
        Ok(move |f: &mut SessionFields| {
            set(&mut f.title, title);
            set(&mut f.held_on, held_on.map(|d| d.0));
            set(&mut f.level, level.map(Into::into));
            set(&mut f.topic, topic.map(Into::into));
            country_code.update_to(&mut f.country_code);
            workshop.update_to(&mut f.workshop_id);
            set(&mut f.participants, participants);
            outcomes.update_to(&mut f.outcomes);
        })
    }
}

record_writes! {
    /// The writes of learning sessions.
    LearningSessionMutation: SessionRecord => LearningSession, Kind::LearningSession;
    /// Records a learning session (editors and admins).
    create_learning_session(LearningSessionInput);
    /// Changes a learning session; a stale `expectedVersion` is a `CONFLICT` and changes nothing.
    update_learning_session(LearningSessionPatch);
    /// Deletes a learning session that informed no guideline version (admins only); returns its id.
    delete_learning_session;
}
