//! Learning sessions: the expert sessions of the knowledge workshops, their
//! levels and topics, and their connection.

use std::sync::Arc;

use async_graphql::{Enum, ID, Object};
use entity::learning_session;
use entity::value as db;

use super::competence::CompetenceConnection;
use super::connection::{connection, linked, paginated};
use super::record::record;
use super::resource::ResourceConnection;
use super::revision::Revision;
use super::scalar::Date;
use super::translated::translated;
use super::visit::activity;
use crate::graphql::id::{self, Kind};
use crate::graphql::loader::{SessionCompetences, SessionResources};
use crate::service;

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

translated! {
    /// The outcomes of a learning session, which `LearningSession` shows as its own.
    pub(crate) struct LearningSessionTexts(Arc<learning_session::Model>);

    /// Outcomes in the caller's language (`lang`: en, fr, nl or es; else the
    /// `Accept-Language` header), falling back to English.
    outcomes: Option<String>,
    /// The language `outcomes(lang:)` serves for the same `lang`: the one
    /// asked for when the session has a text in it, else English, the fallback;
    /// null without a text.
    outcomes_language("As in `outcomes(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English.");
}

paginated! {
    /// What a learning session is linked to, which `LearningSession` shows as its own.
    pub(crate) struct LearningSessionLinks(Arc<learning_session::Model>);

    /// The resources of the knowledge library that came out of this session, by title.
    async fn resources(&self, ctx, args) -> ResourceConnection {
        let fingerprint = service::resource::links_fingerprint("learning-session", self.0.id);
        linked(ctx, SessionResources(self.0.id), &fingerprint, &args).await
    }
    /// The competences of relational security this session treated, in the
    /// framework's order. The other way: `Competence.learningSessions`.
    async fn competences(&self, ctx, args) -> CompetenceConnection {
        let fingerprint = service::competence::links_fingerprint("learning-session", self.0.id);
        linked(ctx, SessionCompetences(self.0.id), &fingerprint, &args).await
    }
}

activity! {
    /// A learning session's workshop and participants, which
    /// `LearningSession` shows as its own.
    SessionActivity, SessionParticipants
}

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
    async fn activity(&self) -> SessionActivity {
        SessionActivity {
            workshop_id: self.0.workshop_id,
            id: self.0.id,
        }
    }
    /// `outcomes` and `outcomesLanguage`.
    #[graphql(flatten)]
    async fn texts(&self) -> LearningSessionTexts {
        LearningSessionTexts(self.0.clone())
    }
    /// `resources` and `competences`.
    #[graphql(flatten)]
    async fn links(&self) -> LearningSessionLinks {
        LearningSessionLinks(self.0.clone())
    }
    /// `version`, `createdAt` and `updatedAt`.
    #[graphql(flatten)]
    async fn revision(&self) -> Revision {
        self.0.as_ref().into()
    }
}
