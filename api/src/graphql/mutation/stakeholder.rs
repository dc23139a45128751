//! Creating, changing and deleting stakeholders and recording their consent
//! (editors and admins); erasing a person (admins).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};

use super::{RecordInput, RecordPatch, decode_all, decode_ids, decode_list, set, writer};
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::Kind;
use crate::graphql::types::stakeholder::{
    AgeBand, Discipline, Gender, Stakeholder, StakeholderKind,
};
use crate::graphql::types::workshop::MemberRole;
use crate::service::stakeholder::erase;
use crate::service::stakeholder::write::{
    Consent, Stakeholder as StakeholderRecord, StakeholderFields, WorkshopRole,
};

/// What a person agreed to make public; each is false unless given. The
/// server records when and by whom whenever a write changes it.
#[derive(InputObject, Debug, Clone, Copy, Default)]
pub struct ConsentInput {
    /// Their name may be public (and so their record).
    #[graphql(default)]
    pub name: bool,
    /// Their organisation and country may be public.
    #[graphql(default)]
    pub affiliation: bool,
    /// Their kind may be public.
    #[graphql(default)]
    pub kind: bool,
    /// Their gender and age band may be recorded, to be counted (never
    /// shown one by one) in the balance of their workshops. Without it,
    /// `gender` and `ageBand` are refused, and withdrawing it clears them.
    #[graphql(default)]
    pub demographics: bool,
}

/// A member's role in one of the workshops of `workshops`.
#[derive(InputObject, Debug, Clone)]
pub struct WorkshopRoleInput {
    /// The workshop (one of the stakeholder's `workshops`).
    pub workshop: ID,
    /// What they do in its network.
    pub role: MemberRole,
}

impl From<ConsentInput> for Consent {
    fn from(input: ConsentInput) -> Self {
        Self {
            name: input.name,
            affiliation: input.affiliation,
            kind: input.kind,
            demographics: input.demographics,
        }
    }
}

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
    /// Their role in some of those workshops; in the others they are a `MEMBER`.
    pub workshop_roles: Option<Vec<WorkshopRoleInput>>,
    /// The discipline they work in (personal data: editors and admins read it).
    pub discipline: Option<Discipline>,
    /// Their gender, only with `consent.demographics` (personal data).
    pub gender: Option<Gender>,
    /// Their age band, only with `consent.demographics` (personal data).
    pub age_band: Option<AgeBand>,
    /// What they consented to make public; absent: nothing.
    pub consent: Option<ConsentInput>,
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
    /// Knowledge workshops (replaces the list; roles in workshops left go with them).
    pub workshops: Option<Vec<ID>>,
    /// Their roles (replaces the list; in workshops not named they are a `MEMBER`).
    pub workshop_roles: Option<Vec<WorkshopRoleInput>>,
    /// The discipline they work in.
    pub discipline: MaybeUndefined<Discipline>,
    /// Their gender, only with `consent.demographics`.
    pub gender: MaybeUndefined<Gender>,
    /// Their age band, only with `consent.demographics`.
    pub age_band: MaybeUndefined<AgeBand>,
    /// What they consented to make public (replaces the whole consent;
    /// without `demographics`, gender and age band are cleared).
    pub consent: Option<ConsentInput>,
}

/// The roles of an input, their workshops' ids looked up in one query.
async fn roles(
    ctx: &Context<'_>,
    items: Vec<WorkshopRoleInput>,
) -> Result<Vec<WorkshopRole>, AppError> {
    let ids: Vec<ID> = items.iter().map(|r| r.workshop.clone()).collect();
    let rows = decode_ids(ctx, &ids, Kind::KnowledgeWorkshop, "input.workshopRoles").await?;
    Ok(rows
        .into_iter()
        .zip(items)
        .map(|(workshop, item)| WorkshopRole {
            workshop,
            role: item.role.into(),
        })
        .collect())
}

impl RecordInput for StakeholderInput {
    type Record = StakeholderRecord;

    async fn decode(self, ctx: &Context<'_>) -> Result<StakeholderFields, AppError> {
        Ok(StakeholderFields {
            name: self.name,
            kind: self.kind.into(),
            organisation: self.organisation,
            country_code: self.country_code,
            email: self.email,
            phone: self.phone,
            workshops: decode_all(
                ctx,
                self.workshops,
                Kind::KnowledgeWorkshop,
                "input.workshops",
            )
            .await?,
            roles: roles(ctx, self.workshop_roles.unwrap_or_default()).await?,
            discipline: self.discipline.map(Into::into),
            gender: self.gender.map(Into::into),
            age_band: self.age_band.map(Into::into),
            consent: self.consent.map(Into::into).unwrap_or_default(),
        })
    }
}

impl RecordPatch for StakeholderPatch {
    type Record = StakeholderRecord;

    async fn decode(
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
            workshop_roles,
            discipline,
            gender,
            age_band,
            consent,
        } = self;
        let workshops =
            decode_list(ctx, workshops, Kind::KnowledgeWorkshop, "input.workshops").await?;
        let workshop_roles = match workshop_roles {
            Some(items) => Some(roles(ctx, items).await?),
            None => None,
        };
        Ok(move |f: &mut StakeholderFields| {
            set(&mut f.name, name);
            set(&mut f.kind, kind.map(Into::into));
            organisation.update_to(&mut f.organisation);
            country_code.update_to(&mut f.country_code);
            email.update_to(&mut f.email);
            phone.update_to(&mut f.phone);
            if let Some(v) = workshops {
                f.roles.retain(|r| v.contains(&r.workshop));
                f.workshops = v;
            }
            set(&mut f.roles, workshop_roles);
            discipline
                .map_value(Into::into)
                .update_to(&mut f.discipline);
            set(&mut f.consent, consent.map(Into::into));
            // Withdrawn consent takes what it covered with it, unless this
            // very patch sets it again, which the check then refuses.
            let (gender_given, age_given) = (!gender.is_undefined(), !age_band.is_undefined());
            gender.map_value(Into::into).update_to(&mut f.gender);
            age_band.map_value(Into::into).update_to(&mut f.age_band);
            if !f.consent.demographics {
                if !gender_given {
                    f.gender = None;
                }
                if !age_given {
                    f.age_band = None;
                }
            }
        })
    }
}

record_writes! {
    /// The writes of stakeholders.
    StakeholderMutation: StakeholderRecord => Stakeholder, Kind::Stakeholder;
    /// Records a stakeholder (editors and admins).
    create_stakeholder(StakeholderInput);
    /// Changes a stakeholder; a stale `expectedVersion` is a `CONFLICT` and changes nothing.
    update_stakeholder(StakeholderPatch);
    /// Deletes a stakeholder who took part in no visit or session (admins only); returns its id.
    delete_stakeholder;
}

/// The erasure of a person: the record stays, anonymous.
#[derive(Default)]
pub struct StakeholderErasure;

#[Object]
impl StakeholderErasure {
    /// Erases a person (admins only): their name, organisation, country,
    /// contact details and consent leave the record and every audit
    /// snapshot; the record stays as an anonymous participant, so visits,
    /// sessions and guideline versions stay whole, and the audit log records
    /// that an erasure happened (`ERASED`), not what it erased. An erased
    /// record is anonymous to everyone and is never written again
    /// (`CONFLICT`). A stale `expectedVersion` is a `CONFLICT` and erases nothing.
    async fn erase_stakeholder(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the record changed since, the answer is `CONFLICT` and nothing is erased."
        )]
        expected_version: i32,
    ) -> Result<Stakeholder> {
        let (actor, row) = writer(ctx, &id, Kind::Stakeholder).await?;
        let erased = erase::erase(context::db(ctx), actor, row, expected_version).await?;
        Ok(erased.into())
    }
}
