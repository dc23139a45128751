//! The writes of knowledge workshops: editors describe the project's four
//! workshops (their name, principles and focus themes); none is added or
//! deleted through the API.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::NaiveDate;

use super::{TranslationInput, localized, localized_opt, set, update};
use crate::error::AppError;
use crate::graphql::id::Kind;
use crate::graphql::types::learning_session::SessionTopic;
use crate::graphql::types::workshop::{
    AgendaActivityKind, AgendaActivityStatus, KnowledgeWorkshop, WorkshopPrinciple,
};
use crate::service::workshop::write::{Workshop, WorkshopFields};
use crate::service::workshop::{AgendaActivity, Goal};

/// The fields of a knowledge workshop to change: an absent field keeps what
/// the workshop has; a list replaces the list.
#[derive(InputObject, Debug, Default)]
pub struct KnowledgeWorkshopPatch {
    /// Name.
    pub name: Option<String>,
    /// The principles it is built on (replaces the list; each once, in the project's order).
    pub principles: Option<Vec<WorkshopPrinciple>>,
    /// The themes it focuses on (replaces the list).
    pub themes: Option<Vec<SessionTopic>>,
    /// Its change agenda (replaces the whole agenda: goals and their activities).
    pub agenda: Option<Vec<AgendaGoalInput>>,
}

/// A goal of a change agenda.
#[derive(InputObject, Debug)]
pub struct AgendaGoalInput {
    /// Title (English is required).
    pub title: Vec<TranslationInput>,
    /// Description.
    pub description: Option<Vec<TranslationInput>>,
    /// The activities attached to it, in order.
    #[graphql(default)]
    pub activities: Vec<AgendaActivityInput>,
}

/// An activity of a change agenda.
#[derive(InputObject, Debug)]
pub struct AgendaActivityInput {
    /// Which kind of activity it is.
    pub kind: AgendaActivityKind,
    /// Title (English is required).
    pub title: Vec<TranslationInput>,
    /// The day it starts, when known.
    pub starts_on: Option<NaiveDate>,
    /// The day it ends, when known (not before `startsOn`).
    pub ends_on: Option<NaiveDate>,
    /// Where it stands (default `PLANNED`).
    #[graphql(default_with = "AgendaActivityStatus::Planned")]
    pub status: AgendaActivityStatus,
    /// What came of it.
    pub outcome: Option<Vec<TranslationInput>>,
}

/// The agenda a patch gives, its texts read.
fn agenda(goals: Vec<AgendaGoalInput>) -> Result<Vec<Goal>, AppError> {
    goals
        .into_iter()
        .enumerate()
        .map(|(i, goal)| {
            let at = format!("input.agenda[{i}]");
            let activities = goal
                .activities
                .into_iter()
                .enumerate()
                .map(|(j, a)| {
                    let at = format!("{at}.activities[{j}]");
                    Ok(AgendaActivity {
                        kind: a.kind.into(),
                        title: localized(&format!("{at}.title"), a.title)?,
                        starts_on: a.starts_on,
                        ends_on: a.ends_on,
                        status: a.status.into(),
                        outcome: localized_opt(&format!("{at}.outcome"), a.outcome)?,
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            Ok(Goal {
                title: localized(&format!("{at}.title"), goal.title)?,
                description: localized_opt(&format!("{at}.description"), goal.description)?,
                activities,
            })
        })
        .collect()
}

impl KnowledgeWorkshopPatch {
    async fn changes(self) -> Result<impl FnOnce(&mut WorkshopFields) + Send, AppError> {
        let Self {
            name,
            principles,
            themes,
            agenda: new_agenda,
        } = self;
        let new_agenda = new_agenda.map(agenda).transpose()?;
        Ok(move |f: &mut WorkshopFields| {
            set(&mut f.name, name);
            if let Some(v) = principles {
                f.principles = v.into_iter().map(Into::into).collect();
            }
            if let Some(v) = themes {
                f.themes = v.into_iter().map(Into::into).collect();
            }
            set(&mut f.agenda, new_agenda);
        })
    }
}

/// The writes of knowledge workshops.
#[derive(Default)]
pub struct WorkshopMutation;

#[Object]
impl WorkshopMutation {
    /// Changes a knowledge workshop's name, principles, themes or change
    /// agenda (editors
    /// and admins; partners get `FORBIDDEN`); a stale `expectedVersion` is a
    /// `CONFLICT` and changes nothing.
    async fn update_knowledge_workshop(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the workshop.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the record changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: i32,
        #[graphql(desc = "The fields to write.")] input: KnowledgeWorkshopPatch,
    ) -> Result<KnowledgeWorkshop> {
        let model = update::<Workshop, _>(
            ctx,
            &id,
            Kind::KnowledgeWorkshop,
            expected_version,
            input.changes(),
        )
        .await?;
        Ok(model.into())
    }
}
