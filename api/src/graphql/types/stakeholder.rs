//! Stakeholders: the people and organisations in the knowledge workshops,
//! their kinds, and their connection.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, Result};
use entity::stakeholder;
use entity::value as db;

use super::connection::connection;
use super::revision::Revision;
use super::workshop::KnowledgeWorkshop;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::loader::StakeholderWorkshops;

/// The perspective a stakeholder brings.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::StakeholderKind")]
pub enum StakeholderKind {
    /// Practitioners working in detention.
    Practice,
    /// Policy makers.
    Policy,
    /// Researchers.
    Research,
    /// People with lived experience of detention.
    LivedExperience,
    /// Education and training.
    Education,
    /// The community around a facility.
    Community,
}

/// A person or organisation taking part in a knowledge workshop.
#[derive(Clone, Debug)]
pub struct Stakeholder(pub Arc<stakeholder::Model>);

impl From<stakeholder::Model> for Stakeholder {
    fn from(model: stakeholder::Model) -> Self {
        Self(Arc::new(model))
    }
}

connection!(Stakeholder, StakeholderConnection, StakeholderEdge);

fn personal_data(ctx: &Context<'_>, value: Option<&str>, field: &str) -> Result<Option<String>> {
    if context::caller(ctx).is_editor() {
        Ok(value.map(str::to_owned))
    } else {
        Err(AppError::Forbidden(format!(
            "`{field}` is personal data: only editors and admins may read it"
        ))
        .into())
    }
}

/// A person or organisation taking part in a knowledge workshop.
#[Object]
impl Stakeholder {
    /// Global id.
    pub async fn id(&self) -> ID {
        id::encode(Kind::Stakeholder, self.0.uuid)
    }
    /// Name of the person or organisation.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The perspective they bring.
    async fn kind(&self) -> StakeholderKind {
        self.0.kind.into()
    }
    /// The organisation they belong to.
    async fn organisation(&self) -> Option<&str> {
        self.0.organisation.as_deref()
    }
    /// ISO 3166-1 alpha-2 country code.
    async fn country_code(&self) -> Option<&str> {
        self.0.country_code.as_deref()
    }
    /// The knowledge workshops they belong to (at most the project's four).
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::workshop::MAX_WORKSHOPS, child_complexity)"
    )]
    async fn workshops(&self, ctx: &Context<'_>) -> Result<Vec<KnowledgeWorkshop>> {
        Ok(context::load_all(ctx, StakeholderWorkshops(self.0.id)).await?)
    }
    /// E-mail address. Personal data: editors and admins only; others get `FORBIDDEN`.
    async fn email(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        personal_data(ctx, self.0.email.as_deref(), "email")
    }
    /// Phone number. Personal data: editors and admins only; others get `FORBIDDEN`.
    async fn phone(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        personal_data(ctx, self.0.phone.as_deref(), "phone")
    }
    /// `version`, `createdAt` and `updatedAt`.
    #[graphql(flatten)]
    async fn revision(&self) -> Revision {
        self.0.as_ref().into()
    }
}
