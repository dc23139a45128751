//! Learning sessions: the expert sessions of the knowledge workshops, their
//! levels and topics, and their connection.

use async_graphql::{Context, Enum, ID, Object, Result};
use entity::learning_session;
use entity::value as db;

use super::connection::{connection, page_args};
use super::label::Language;
use super::record::record;
use super::revision::Revision;
use super::scalar::Date;
use super::visit::{Activity, Participants};
use crate::graphql::context;
use crate::graphql::id::{self, Kind};

/// Where a learning session is held.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::SessionLevel")]
pub enum SessionLevel {
    /// Organised by a national knowledge workshop.
    National,
    /// Organised at European level.
    European,
}

/// What a learning session is about.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::SessionTopic")]
pub enum SessionTopic {
    /// The ecosystem of small-scale detention facilities.
    Ecosystem,
    /// Relational security.
    RelationalSecurity,
}

record! {
    /// An expert learning session, national or European.
    LearningSession(learning_session::Model)
}

connection!(
    LearningSession,
    LearningSessionConnection,
    LearningSessionEdge
);

/// An expert learning session, national or European.
#[Object]
impl LearningSession {
    /// Global id.
    pub async fn id(&self) -> ID {
        id::encode(Kind::LearningSession, self.0.uuid)
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The day it was held.
    async fn held_on(&self) -> Date {
        Date(self.0.held_on)
    }
    /// National or European.
    async fn level(&self) -> SessionLevel {
        self.0.level.into()
    }
    /// Country of a national session.
    async fn country_code(&self) -> Option<&str> {
        self.0.country_code.as_deref()
    }
    /// The ecosystem of small-scale facilities, or relational security.
    async fn topic(&self) -> SessionTopic {
        self.0.topic.into()
    }
    /// `workshop` and `participants`.
    #[graphql(flatten)]
    async fn activity(&self) -> Activity {
        Activity {
            workshop_id: self.0.workshop_id,
            participants: Participants::OfSession(self.0.id),
        }
    }
    /// Outcomes in the caller's language (`lang`: en, fr, nl or es; else the
    /// `Accept-Language` header), falling back to English.
    async fn outcomes(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Language: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English."
        )]
        lang: Option<String>,
    ) -> Result<Option<String>> {
        Ok(context::translated(
            ctx,
            lang.as_deref(),
            self.0.outcomes.as_ref(),
        )?)
    }
    /// The language `outcomes(lang:)` serves for the same `lang`: the one
    /// asked for when the session has a text in it, else English, the fallback;
    /// null without a text.
    async fn outcomes_language(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "As in `outcomes(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English."
        )]
        lang: Option<String>,
    ) -> Result<Option<Language>> {
        let served = context::served_language(ctx, lang.as_deref(), self.0.outcomes.as_ref())?;
        Ok(served.map(Into::into))
    }
    /// The resources of the knowledge library that came out of this session, by title.
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
    )]
    async fn resources(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many items from the start, or after `after` (default 50, at most 500)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Continue after this cursor (a `pageInfo.endCursor`).")] after: Option<
            String,
        >,
        #[graphql(desc = "How many items from the end, or before `before` (at most 500).")]
        last: Option<i32>,
        #[graphql(desc = "Continue before this cursor (a `pageInfo.startCursor`).")] before: Option<
            String,
        >,
    ) -> Result<crate::graphql::types::resource::ResourceConnection> {
        crate::graphql::types::resource::linked_resources(
            ctx,
            crate::graphql::loader::SessionResources(self.0.id),
            "learning-session",
            self.0.id,
            page_args(first, after, last, before),
        )
        .await
    }
    /// The competences of relational security this session treated, in the
    /// framework's order. The other way: `Competence.learningSessions`.
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
    )]
    async fn competences(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many items from the start, or after `after` (default 50, at most 500)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Continue after this cursor (a `pageInfo.endCursor`).")] after: Option<
            String,
        >,
        #[graphql(desc = "How many items from the end, or before `before` (at most 500).")]
        last: Option<i32>,
        #[graphql(desc = "Continue before this cursor (a `pageInfo.startCursor`).")] before: Option<
            String,
        >,
    ) -> Result<crate::graphql::types::competence::CompetenceConnection> {
        crate::graphql::types::competence::linked_competences(
            ctx,
            crate::graphql::loader::SessionCompetences(self.0.id),
            "learning-session",
            self.0.id,
            page_args(first, after, last, before),
        )
        .await
    }
    /// `version`, `createdAt` and `updatedAt`.
    #[graphql(flatten)]
    async fn revision(&self) -> Revision {
        self.0.as_ref().into()
    }
}
