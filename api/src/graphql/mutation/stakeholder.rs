//! Creating, changing and deleting stakeholders (editors and admins).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};

use super::{create, decode_ids, decode_list, delete, update};
use crate::error::AppError;
use crate::graphql::id::Kind;
use crate::graphql::types::stakeholder::{Stakeholder, StakeholderKind};
use crate::service::stakeholder::write::{Stakeholder as StakeholderRecord, StakeholderFields};

/// A new stakeholder.
#[derive(InputObject, Debug)]
pub struct StakeholderInput {
    /// Name of the person or organisation (at most 200 characters).
    pub name: String,
    /// The perspective they bring.
    pub kind: StakeholderKind,
    /// The organisation they belong to.
    pub organisation: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country_code: Option<String>,
    /// E-mail address (personal data: editors and admins read it).
    pub email: Option<String>,
    /// Phone number (personal data: editors and admins read it).
    pub phone: Option<String>,
    /// The knowledge workshops they are a member of.
    pub workshops: Option<Vec<ID>>,
}

/// Changes to a stakeholder: an absent field stays; `null` clears an optional one.
#[derive(InputObject, Debug, Default)]
pub struct StakeholderPatch {
    /// Name.
    pub name: Option<String>,
    /// The perspective they bring.
    pub kind: Option<StakeholderKind>,
    /// The organisation they belong to.
    pub organisation: MaybeUndefined<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country_code: MaybeUndefined<String>,
    /// E-mail address.
    pub email: MaybeUndefined<String>,
    /// Phone number.
    pub phone: MaybeUndefined<String>,
    /// Knowledge workshops (replaces the list).
    pub workshops: Option<Vec<ID>>,
}

impl StakeholderInput {
    async fn into_fields(self, ctx: &Context<'_>) -> Result<StakeholderFields, AppError> {
        Ok(StakeholderFields {
            name: self.name,
            kind: self.kind.into(),
            organisation: self.organisation,
            country_code: self.country_code,
            email: self.email,
            phone: self.phone,
            workshops: decode_ids(
                ctx,
                &self.workshops.unwrap_or_default(),
                Kind::KnowledgeWorkshop,
                "input.workshops",
            )
            .await?,
        })
    }
}

impl StakeholderPatch {
    /// The patch with its ids decoded, as a change of the stored fields.
    async fn changes(
        self,
        ctx: &Context<'_>,
    ) -> Result<impl FnOnce(&mut StakeholderFields) + Send, AppError> {
        let Self {
            name,
            kind,
            organisation,
            country_code,
            email,
            phone,
            workshops,
        } = self;
        let workshops =
            decode_list(ctx, workshops, Kind::KnowledgeWorkshop, "input.workshops").await?;
        Ok(move |f: &mut StakeholderFields| {
            if let Some(v) = name {
                f.name = v;
            }
            if let Some(v) = kind {
                f.kind = v.into();
            }
            organisation.update_to(&mut f.organisation);
            country_code.update_to(&mut f.country_code);
            email.update_to(&mut f.email);
            phone.update_to(&mut f.phone);
            if let Some(v) = workshops {
                f.workshops = v;
            }
        })
    }
}

/// The writes of stakeholders.
#[derive(Default)]
pub struct StakeholderMutation;

#[Object]
impl StakeholderMutation {
    /// Records a stakeholder (editors and admins).
    async fn create_stakeholder(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields to write.")] input: StakeholderInput,
    ) -> Result<Stakeholder> {
        let model = create::<StakeholderRecord>(ctx, input.into_fields(ctx)).await?;
        Ok(model.into())
    }

    /// Changes a stakeholder; a stale `expectedVersion` is a `CONFLICT` and changes nothing.
    async fn update_stakeholder(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the record changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: i32,
        #[graphql(desc = "The fields to write.")] input: StakeholderPatch,
    ) -> Result<Stakeholder> {
        let kind = Kind::Stakeholder;
        let model =
            update::<StakeholderRecord, _>(ctx, &id, kind, expected_version, input.changes(ctx))
                .await?;
        Ok(model.into())
    }

    /// Deletes a stakeholder who took part in no visit or session (admins only); returns its id.
    async fn delete_stakeholder(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the record changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: i32,
    ) -> Result<ID> {
        delete::<StakeholderRecord>(ctx, id, Kind::Stakeholder, expected_version).await
    }
}
