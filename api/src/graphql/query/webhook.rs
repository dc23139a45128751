//! `webhookEndpoints`: an organisation's endpoints and their delivery logs.

use async_graphql::{Context, Object, Result};

use crate::graphql::context;
use crate::graphql::types::webhook::WebhookEndpoint;
use crate::service;

/// Webhook endpoints.
#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The webhook endpoints of the caller's organisation (partners), or of
    /// every organisation (admins), oldest first. Editors manage none: `FORBIDDEN`.
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this organisation's (its slug); a partner may name only its own.")]
        organisation: Option<String>,
    ) -> Result<Vec<WebhookEndpoint>> {
        let actor = context::actor(ctx)?;
        let endpoints =
            service::webhook::list(context::db(ctx), &actor, organisation.as_deref()).await?;
        Ok(endpoints.into_iter().map(Into::into).collect())
    }
}
