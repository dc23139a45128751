//! `learningSession` and `learningSessions`: expert learning sessions, by id
//! or a page at a time.

use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::learning_session;

use super::workshop::workshop_id;
use super::{by_id, list};
use crate::error::AppError;
use crate::graphql::id::Kind;
use crate::graphql::types::connection::{listed, paginated};
use crate::graphql::types::learning_session::{
    LearningSession, LearningSessionConnection, SessionLevel, SessionTopic,
};
use crate::graphql::types::scalar::Date;
use crate::service;

/// Which learning sessions to return. Absent or empty lists place no constraint.
#[derive(InputObject, Default, Debug)]
pub struct LearningSessionFilter {
    /// Any of these levels.
    pub level: Option<Vec<SessionLevel>>,
    /// Any of these topics.
    pub topic: Option<Vec<SessionTopic>>,
    /// Held in any of these countries (ISO 3166-1 alpha-2).
    pub country_code: Option<Vec<String>>,
    /// Organised by this knowledge workshop (its key).
    pub workshop: Option<String>,
    /// On or after this day.
    pub held_from: Option<Date>,
    /// On or before this day.
    pub held_to: Option<Date>,
    /// Words that must all appear in the title or outcomes, ignoring case and accents.
    pub text: Option<String>,
}

impl LearningSessionFilter {
    /// The filter the service applies, with the workshop's key looked up.
    async fn resolve(
        self,
        ctx: &Context<'_>,
    ) -> Result<service::learning_session::Filter, AppError> {
        Ok(service::learning_session::Filter {
            level: list(self.level),
            topic: list(self.topic),
            country_code: self.country_code.unwrap_or_default(),
            workshop_id: workshop_id(ctx, self.workshop.as_deref()).await?,
            held_from: self.held_from.map(|d| d.0),
            held_to: self.held_to.map(|d| d.0),
            text: self.text,
        })
    }
}

paginated! {
    /// `learningSessions`, which `LearningSessionQuery` shows as its own.
    struct LearningSessionList;

    /// Learning sessions, most recent first, a page at a time (`first` defaults to 50, at most 500).
    async fn learning_sessions(
        &self,
        ctx,
        #[graphql(desc = "Which records to include; absent: all of them.")] filter: Option<LearningSessionFilter>,
        args,
    ) -> LearningSessionConnection {
        let filter = filter.unwrap_or_default().resolve(ctx).await?;
        listed(ctx, &filter, &args).await
    }
}

/// The reads of learning sessions.
#[derive(Default)]
pub struct LearningSessionQuery;

#[Object]
impl LearningSessionQuery {
    /// One learning session; null when none has this id. A malformed id is `BAD_USER_INPUT`.
    async fn learning_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
    ) -> Result<Option<LearningSession>> {
        by_id::<learning_session::Entity, _>(ctx, &id, Kind::LearningSession).await
    }

    /// `learningSessions`.
    #[graphql(flatten)]
    async fn list(&self) -> LearningSessionList {
        LearningSessionList
    }
}
