//! Creating, changing, suspending and reinstating partner organisations (admins).

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result};

use crate::graphql::context;
use crate::graphql::types::organisation::Organisation;
use crate::service::organisation::write::{self, New, Patch};
use crate::service::token::Register;

/// A new partner organisation.
#[derive(InputObject, Debug)]
pub struct CreateOrganisationInput {
    /// Its stable identifier: lower-case letters and digits in dash-separated
    /// words, at most 100 characters. Tokens name it; it never changes.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Its website (`https://…`).
    pub website: Option<String>,
    /// An e-mail address to reach it at; only admins read it.
    pub contact: Option<String>,
}

/// Changes to an organisation: absent fields stay, `null` clears an optional one.
#[derive(InputObject, Debug)]
pub struct UpdateOrganisationInput {
    /// A new name.
    pub name: Option<String>,
    /// A new website; `null` clears it.
    pub website: MaybeUndefined<String>,
    /// A new contact address; `null` clears it.
    pub contact: MaybeUndefined<String>,
    /// Whether an editor reviews its changes to facilities first: its
    /// partners then propose (`proposeFacilityChange`, `proposeFacility`)
    /// instead of writing.
    pub review_first: Option<bool>,
}

fn patched(value: MaybeUndefined<String>) -> Option<Option<String>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

async fn changed(ctx: &Context<'_>) {
    if let Ok(register) = ctx.data::<Register>() {
        register.changed(context::db(ctx)).await;
    }
}

/// The writes of organisations.
#[derive(Default)]
pub struct OrganisationMutation;

#[Object]
impl OrganisationMutation {
    /// Registers a partner organisation (admins); a slug in use is `CONFLICT`.
    async fn create_organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation to register.")] input: CreateOrganisationInput,
    ) -> Result<Organisation> {
        let actor = context::actor(ctx)?;
        let model = write::create(
            context::db(ctx),
            actor,
            New {
                slug: input.slug,
                name: input.name,
                website: input.website,
                contact: input.contact,
            },
        )
        .await?;
        changed(ctx).await;
        Ok(model.into())
    }

    /// Renames an organisation or changes its website, contact or review (admins).
    async fn update_organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's slug.")] slug: String,
        #[graphql(desc = "The `version` you read; `CONFLICT` if it changed since.")]
        expected_version: i32,
        #[graphql(desc = "What to change.")] input: UpdateOrganisationInput,
    ) -> Result<Organisation> {
        let actor = context::actor(ctx)?;
        let model = write::update(
            context::db(ctx),
            actor,
            slug.trim(),
            expected_version,
            Patch {
                name: input.name,
                website: patched(input.website),
                contact: patched(input.contact),
                review_first: input.review_first,
            },
        )
        .await?;
        changed(ctx).await;
        Ok(model.into())
    }

    /// Suspends an organisation (admins): every server refuses its tokens
    /// within a second (`UNAUTHENTICATED`), and no new ones are issued. Its
    /// facilities stay, and so do its tokens, which work again once it is reinstated.
    async fn suspend_organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's slug.")] slug: String,
    ) -> Result<Organisation> {
        let actor = context::actor(ctx)?;
        let model = write::set_suspended(context::db(ctx), actor, slug.trim(), true).await?;
        changed(ctx).await;
        Ok(model.into())
    }

    /// Reinstates a suspended organisation (admins): its unexpired, unrevoked tokens work again.
    async fn reinstate_organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's slug.")] slug: String,
    ) -> Result<Organisation> {
        let actor = context::actor(ctx)?;
        let model = write::set_suspended(context::db(ctx), actor, slug.trim(), false).await?;
        changed(ctx).await;
        Ok(model.into())
    }
}
