//! The writes of knowledge workshops: editors describe the project's four
//! workshops (their name, principles and focus themes); none is added or
//! deleted through the API.

use async_graphql::{Context, ID, InputObject, Object, Result};

use super::update;
use crate::error::AppError;
use crate::graphql::id::Kind;
use crate::graphql::types::learning_session::SessionTopic;
use crate::graphql::types::workshop::{KnowledgeWorkshop, WorkshopPrinciple};
use crate::service::workshop::write::{Workshop, WorkshopFields};

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
}

impl KnowledgeWorkshopPatch {
    async fn changes(self) -> Result<impl FnOnce(&mut WorkshopFields) + Send, AppError> {
        let Self {
            name,
            principles,
            themes,
        } = self;
        Ok(move |f: &mut WorkshopFields| {
            if let Some(v) = name {
                f.name = v;
            }
            if let Some(v) = principles {
                f.principles = v.into_iter().map(Into::into).collect();
            }
            if let Some(v) = themes {
                f.themes = v.into_iter().map(Into::into).collect();
            }
        })
    }
}

/// The writes of knowledge workshops.
#[derive(Default)]
pub struct WorkshopMutation;

#[Object]
impl WorkshopMutation {
    /// Changes a knowledge workshop's name, principles or themes (editors
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
