//! Knowledge workshops and the stakeholders in them.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::{knowledge_workshop, stakeholder};

use super::enums::StakeholderKind;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::loader::{MembersOf, StakeholderWorkshops};
use crate::graphql::types::connection::StakeholderConnection;
use crate::service;
use crate::service::kernel::page::PageArgs;

/// A knowledge workshop: a national one (Belgium, France, the Netherlands) or the European think tank.
#[derive(Clone, Debug)]
pub struct KnowledgeWorkshop(pub Arc<knowledge_workshop::Model>);

impl From<knowledge_workshop::Model> for KnowledgeWorkshop {
    fn from(model: knowledge_workshop::Model) -> Self {
        Self(Arc::new(model))
    }
}

/// A knowledge workshop: a national one (Belgium, France, the Netherlands) or the European think tank.
#[Object]
impl KnowledgeWorkshop {
    /// Global id.
    pub async fn id(&self) -> ID {
        id::encode(Kind::KnowledgeWorkshop, self.0.id)
    }
    /// Short stable key: `be`, `fr`, `nl` or `eu`.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Country of a national workshop; null for the European think tank.
    async fn country_code(&self) -> Option<&str> {
        self.0.country_code.as_deref()
    }
    /// Its members, by name, a page at a time (`first` defaults to 50, at most 500).
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
    )]
    async fn members(
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
    ) -> Result<StakeholderConnection> {
        // Every member of every workshop asked for comes in one query; each
        // workshop then takes its page out of its own list.
        let members = context::loader(ctx)
            .load_one(MembersOf(self.0.id))
            .await
            .map_err(AppError::from)?
            .unwrap_or_default();
        let total = i32::try_from(members.len()).unwrap_or(i32::MAX);
        let fingerprint = service::workshop::members_fingerprint(self.0.id);
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let page = service::kernel::page::slice(members, &fingerprint, &args).await?;
        Ok(StakeholderConnection::new(
            page.map(Stakeholder::from),
            total,
        ))
    }
}

/// A person or organisation taking part in a knowledge workshop.
#[derive(Clone, Debug)]
pub struct Stakeholder(pub Arc<stakeholder::Model>);

impl From<stakeholder::Model> for Stakeholder {
    fn from(model: stakeholder::Model) -> Self {
        Self(Arc::new(model))
    }
}

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
        id::encode(Kind::Stakeholder, self.0.id)
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
        let workshops = context::loader(ctx)
            .load_one(StakeholderWorkshops(self.0.id))
            .await
            .map_err(AppError::from)?;
        Ok(workshops
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// E-mail address. Personal data: editors and admins only; others get `FORBIDDEN`.
    async fn email(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        personal_data(ctx, self.0.email.as_deref(), "email")
    }
    /// Phone number. Personal data: editors and admins only; others get `FORBIDDEN`.
    async fn phone(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        personal_data(ctx, self.0.phone.as_deref(), "phone")
    }
    /// Optimistic-concurrency version: pass it as `expectedVersion` when updating.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the record was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the record last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
