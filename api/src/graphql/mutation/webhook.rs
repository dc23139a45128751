//! Webhook endpoints: registering, changing and removing them, rotating
//! their secrets, enabling them again, and sending a delivery again.
//! Partners manage their own organisation's; admins any organisation's.
//! Another organisation's endpoint is `NOT_FOUND` to a partner.

use async_graphql::{Context, ID, InputObject, Object, Result};
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::types::change::ChangeEntity;
use crate::graphql::types::webhook::{WebhookDelivery, WebhookEndpoint, WebhookSecretPayload};
use crate::service::webhook::{Policy, write};

/// An endpoint to register.
#[derive(InputObject, Debug)]
pub struct CreateWebhookEndpointInput {
    /// The organisation it is for (its slug): admins name one; a partner's is its own.
    pub organisation: Option<String>,
    /// Where to send: an `https://` URL on a public address (the server's
    /// settings may allow `http://` and non-public addresses).
    pub url: String,
    /// What it is for (at most 500 characters).
    pub description: Option<String>,
    /// The kinds of record whose changes to send; none or empty: all kinds.
    pub entity_types: Option<Vec<ChangeEntity>>,
    /// Only changes of the facilities the organisation maintains, and of visits to them.
    #[graphql(default = false)]
    pub own_facilities_only: bool,
}

/// What an endpoint receives, replacing what it received.
#[derive(InputObject, Debug)]
pub struct UpdateWebhookEndpointInput {
    /// Where to send.
    pub url: String,
    /// What it is for (at most 500 characters).
    pub description: Option<String>,
    /// The kinds of record whose changes to send; none or empty: all kinds.
    pub entity_types: Option<Vec<ChangeEntity>>,
    /// Only changes of the facilities the organisation maintains, and of visits to them.
    #[graphql(default = false)]
    pub own_facilities_only: bool,
}

fn policy<'a>(ctx: &Context<'a>) -> Result<&'a Policy, AppError> {
    ctx.data::<Policy>()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("the schema carries no webhook policy")))
}

fn uuid(id: &ID, field: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id.trim())
        .map_err(|_| AppError::bad_input(field, "not an id of this API's webhooks"))
}

fn fields(
    url: String,
    description: Option<String>,
    entity_types: Option<Vec<ChangeEntity>>,
    own_facilities_only: bool,
) -> write::Fields {
    write::Fields {
        url,
        description,
        entity_types: entity_types
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect(),
        own_facilities_only,
    }
}

impl CreateWebhookEndpointInput {
    /// The organisation it names, and the endpoint's fields.
    fn split(self) -> (Option<String>, write::Fields) {
        let fields = fields(
            self.url,
            self.description,
            self.entity_types,
            self.own_facilities_only,
        );
        (self.organisation, fields)
    }
}

impl From<UpdateWebhookEndpointInput> for write::Fields {
    fn from(input: UpdateWebhookEndpointInput) -> Self {
        fields(
            input.url,
            input.description,
            input.entity_types,
            input.own_facilities_only,
        )
    }
}

/// Enables the endpoint `id` names (no `reason`), or disables it for `reason`.
async fn set_enabled(
    ctx: &Context<'_>,
    id: &ID,
    reason: Option<String>,
) -> Result<WebhookEndpoint> {
    let actor = context::actor(ctx)?;
    let endpoint = write::set_enabled(context::db(ctx), &actor, uuid(id, "id")?, reason).await?;
    Ok(endpoint.into())
}

/// The writes of webhook endpoints.
#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers an endpoint; it receives the events committed from now on.
    /// The answer holds its signing secret this once. A refused URL is
    /// `BAD_USER_INPUT`; an editor, or a partner naming another
    /// organisation, is `FORBIDDEN`.
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint.")] input: CreateWebhookEndpointInput,
    ) -> Result<WebhookSecretPayload> {
        let actor = context::actor(ctx)?;
        let (organisation, fields) = input.split();
        let created = write::create(
            context::db(ctx),
            &actor,
            organisation.as_deref(),
            fields,
            policy(ctx)?,
        )
        .await?;
        Ok(WebhookSecretPayload {
            endpoint: created.endpoint.into(),
            secret: created.secret,
        })
    }

    /// Changes what an endpoint receives. A stale `version` is `CONFLICT`.
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] id: ID,
        #[graphql(desc = "The `version` you read.")] version: i32,
        #[graphql(desc = "What it receives now.")] input: UpdateWebhookEndpointInput,
    ) -> Result<WebhookEndpoint> {
        let actor = context::actor(ctx)?;
        let updated = write::update(
            context::db(ctx),
            &actor,
            uuid(&id, "id")?,
            version,
            input.into(),
            policy(ctx)?,
        )
        .await?;
        Ok(updated.into())
    }

    /// Removes an endpoint and its delivery log; the answer is its id.
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] id: ID,
    ) -> Result<ID> {
        let actor = context::actor(ctx)?;
        write::delete(context::db(ctx), &actor, uuid(&id, "id")?).await?;
        Ok(id)
    }

    /// Gives an endpoint a new signing secret, shown this once. The previous
    /// secret goes on signing too (each delivery then carries two
    /// signatures) for `keepPreviousHours`, so that the receiver can switch
    /// without losing a delivery.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] id: ID,
        #[graphql(
            desc = "How long the previous secret also signs, in hours (default 24, at most 168; 0: not at all).",
            default = 24
        )]
        keep_previous_hours: u32,
    ) -> Result<WebhookSecretPayload> {
        let actor = context::actor(ctx)?;
        let rotated = write::rotate_secret(
            context::db(ctx),
            &actor,
            uuid(&id, "id")?,
            keep_previous_hours,
        )
        .await?;
        Ok(WebhookSecretPayload {
            endpoint: rotated.endpoint.into(),
            secret: rotated.secret,
        })
    }

    /// Sends to an endpoint again after it was disabled: its pending
    /// deliveries go on in order, and the events committed meanwhile follow.
    async fn enable_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] id: ID,
    ) -> Result<WebhookEndpoint> {
        set_enabled(ctx, &id, None).await
    }

    /// Stops sending to an endpoint until it is enabled again; events are kept for it meanwhile.
    async fn disable_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] id: ID,
        #[graphql(desc = "Why, shown as its `disabledReason`.")] reason: Option<String>,
    ) -> Result<WebhookEndpoint> {
        let reason = reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "disabled by its owner".to_owned());
        set_enabled(ctx, &id, Some(reason)).await
    }

    /// Sends a delivery again, soon, with the same `webhook-id`: after the
    /// endpoint's earlier pending deliveries, before its later ones.
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The delivery's id (`WebhookDelivery.id`).")] delivery: ID,
    ) -> Result<WebhookDelivery> {
        let actor = context::actor(ctx)?;
        let redelivered =
            write::redeliver(context::db(ctx), &actor, uuid(&delivery, "delivery")?).await?;
        Ok(WebhookDelivery(redelivered))
    }
}
