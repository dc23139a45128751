//! Stakeholders, their consent and their workshop memberships (editors and
//! admins write them): the hooks of [`Record`] for the write steps of the
//! kernel. E-mail and phone are personal data: they are stored, never
//! searched, and the audit log keeps only whether each is set and whether a
//! write changed it; so are discipline, gender and age band, which others
//! see only counted in a workshop's balance, and gender and age band are
//! recorded only with the person's consent. A write that changes only what the public does not see
//! stays out of the public change feed.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use entity::value::{AgeBand, Discipline, Gender, MemberRole, StakeholderKind};
use entity::{
    knowledge_workshop, learning_session_participant, stakeholder, visit_participant,
    workshop_membership,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde::Serialize;

use crate::error::{AppError, Result};
use crate::service::kernel::link::check_existing;
use crate::service::kernel::now;
use crate::service::kernel::record::{Record, Stamp, snapshots_keeping_private};
use crate::service::kernel::text;
use crate::service::kernel::unit_of_work::{self as unit_of_work, Write};
use crate::service::kernel::validate::{self, Problems};
use crate::service::workshop::MAX_WORKSHOPS;

/// Every editable field of a stakeholder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StakeholderFields {
    pub name: String,
    pub kind: StakeholderKind,
    pub organisation: Option<String>,
    pub country_code: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub workshops: Vec<i32>,
    /// Their role in the workshops where it is not plain `member`, by workshop.
    pub roles: Vec<WorkshopRole>,
    pub discipline: Option<Discipline>,
    /// Only with `consent.demographics`.
    pub gender: Option<Gender>,
    /// Only with `consent.demographics`.
    pub age_band: Option<AgeBand>,
    pub consent: Consent,
}

/// A member's role in one of their workshops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct WorkshopRole {
    pub workshop: i32,
    pub role: MemberRole,
}

/// What a person agreed to make public.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Consent {
    /// Their name, and so their record.
    pub name: bool,
    /// Their organisation and country.
    pub affiliation: bool,
    /// Their kind.
    pub kind: bool,
    /// That their gender and age band be recorded, to be counted (never
    /// shown one by one) in the balance of their workshops.
    pub demographics: bool,
}

impl Consent {
    /// The consent stored in a row.
    #[must_use]
    pub fn of(person: &stakeholder::Model) -> Self {
        Self {
            name: person.consent_name,
            affiliation: person.consent_affiliation,
            kind: person.consent_kind,
            demographics: person.consent_demographics,
        }
    }
}

/// When and by whom the stored consent was recorded: the server sets it
/// whenever a write changes the consent.
#[derive(Debug, Clone, Default)]
pub struct Recorded {
    at: Option<DateTime<Utc>>,
    by: Option<String>,
}

/// The fields that the public sees of a person: a write that changes none
/// of them is no public event.
#[derive(PartialEq)]
struct PublicView<'a> {
    name: &'a str,
    affiliation: Option<(&'a Option<String>, &'a Option<String>)>,
    kind: Option<StakeholderKind>,
    workshops: &'a [i32],
    roles: &'a [WorkshopRole],
}

/// What the public sees of `fields` under `consent`; nothing without a public name.
fn public_view(fields: &StakeholderFields, consent: Consent) -> Option<PublicView<'_>> {
    consent.name.then(|| PublicView {
        name: &fields.name,
        affiliation: consent
            .affiliation
            .then_some((&fields.organisation, &fields.country_code)),
        kind: consent.kind.then_some(fields.kind),
        workshops: &fields.workshops,
        roles: &fields.roles,
    })
}

/// The fields whose values the audit log never keeps.
const PRIVATE_FIELDS: [&str; 5] = ["email", "phone", "discipline", "gender", "age_band"];

/// A stakeholder, as the write steps see it.
pub struct Stakeholder;

#[async_trait]
impl Record for Stakeholder {
    type Entity = stakeholder::Entity;
    type Fields = StakeholderFields;
    type Resolved = Recorded;

    const EDITORS_ONLY: Option<&'static str> = Some("writing stakeholders");

    /// A person is public data only with consent to a public name.
    fn public(model: &stakeholder::Model) -> bool {
        model.consent_name && model.erased_at.is_none()
    }

    /// A change is public when the person is public after it and a field
    /// the public sees changed: not a change of contact details or of the
    /// consent alone.
    fn public_change(
        before: Option<(&stakeholder::Model, &StakeholderFields)>,
        after: Option<(&stakeholder::Model, &StakeholderFields)>,
    ) -> bool {
        match (before, after) {
            (_, Some((model, fields))) => {
                let consent = Consent::of(model);
                Self::public(model)
                    && before.is_none_or(|(_, old)| {
                        public_view(old, consent) != public_view(fields, consent)
                    })
            }
            (Some((model, _)), None) => Self::public(model),
            (None, None) => false,
        }
    }

    /// The snapshots without e-mail and phone: for each, whether it is set
    /// and whether this write changed it.
    fn audit_states(
        before: Option<(&stakeholder::Model, &StakeholderFields)>,
        after: Option<(&stakeholder::Model, &StakeholderFields)>,
    ) -> Result<(Option<serde_json::Value>, Option<serde_json::Value>)> {
        snapshots_keeping_private::<Self>(before, after, &PRIVATE_FIELDS)
    }

    /// An erased person stays anonymous: no write gives them data again.
    async fn may_change(write: &Write, current: &stakeholder::Model) -> Result<()> {
        Self::may_create(&write.actor)?;
        if current.erased_at.is_some() {
            return Err(AppError::Conflict(
                "this stakeholder was erased: an erased record stays anonymous and is never written again; record the person anew if they come back".to_owned(),
            ));
        }
        Ok(())
    }

    async fn fields_of(
        db: &impl ConnectionTrait,
        model: &stakeholder::Model,
    ) -> Result<StakeholderFields> {
        fields_of(db, model).await
    }

    async fn check(
        write: &Write,
        fields: &mut StakeholderFields,
        current: Option<&stakeholder::Model>,
    ) -> Result<Recorded> {
        check(write.txn(), fields).await?;
        // A new person's stored consent is none, never recorded.
        Ok(match current {
            Some(stored) if Consent::of(stored) == fields.consent => Recorded {
                at: stored.consent_recorded_at,
                by: stored.consent_recorded_by.clone(),
            },
            None if fields.consent == Consent::default() => Recorded::default(),
            _ => Recorded {
                at: Some(now()),
                by: write.actor.subject.clone(),
            },
        })
    }

    fn row(
        fields: &StakeholderFields,
        recorded: &Recorded,
        stamp: Stamp,
    ) -> stakeholder::ActiveModel {
        // What the public may not see is not searchable: a search by an
        // organisation must not tell whom it has.
        let mut public = vec![fields.name.as_str()];
        if fields.consent.affiliation {
            public.extend(fields.organisation.as_deref());
        }
        stakeholder::ActiveModel {
            name: Set(fields.name.clone()),
            kind: Set(fields.kind),
            organisation: Set(fields.organisation.clone()),
            country_code: Set(fields.country_code.clone()),
            email: Set(fields.email.clone()),
            phone: Set(fields.phone.clone()),
            sort_name: Set(text::fold(&fields.name)),
            search_text: Set(text::fold_all(public)),
            consent_name: Set(fields.consent.name),
            consent_affiliation: Set(fields.consent.affiliation),
            consent_kind: Set(fields.consent.kind),
            consent_demographics: Set(fields.consent.demographics),
            discipline: Set(fields.discipline),
            gender: Set(fields.gender),
            age_band: Set(fields.age_band),
            consent_recorded_at: Set(recorded.at),
            consent_recorded_by: Set(recorded.by.clone()),
            ..stamp.into()
        }
    }

    async fn save_children(
        db: &impl ConnectionTrait,
        id: i32,
        fields: &StakeholderFields,
        before: Option<&StakeholderFields>,
    ) -> Result<()> {
        let before = before.map(memberships);
        unit_of_work::replace_children(
            db,
            workshop_membership::Column::StakeholderId,
            id,
            &memberships(fields),
            before.as_deref(),
            |(workshop, role)| workshop_membership::ActiveModel {
                workshop_id: Set(*workshop),
                stakeholder_id: Set(id),
                role: Set(*role),
            },
        )
        .await
    }

    /// Who took part in a visit or session stays, so that it keeps its participants.
    async fn before_delete(write: &Write, current: &stakeholder::Model) -> Result<()> {
        let visits = visit_participant::Entity::find()
            .filter(visit_participant::Column::StakeholderId.eq(current.id))
            .count(write.txn())
            .await?;
        let sessions = learning_session_participant::Entity::find()
            .filter(learning_session_participant::Column::StakeholderId.eq(current.id))
            .count(write.txn())
            .await?;
        if visits + sessions > 0 {
            return Err(AppError::Conflict(format!(
                "this stakeholder took part in {visits} visit(s) and {sessions} learning session(s); remove them from those first"
            )));
        }
        // A work keeps its authors: the resource names them, however the
        // stakeholder's record changes (an erasure leaves them anonymous).
        let works = entity::resource_author::Entity::find()
            .filter(entity::resource_author::Column::StakeholderId.eq(current.id))
            .count(write.txn())
            .await?;
        if works > 0 {
            return Err(AppError::Conflict(format!(
                "this stakeholder is an author of {works} resource(s) of the knowledge library; remove them from those first (or erase the person, which keeps the works and makes them an anonymous author)"
            )));
        }
        Ok(())
    }
}

async fn check(db: &impl ConnectionTrait, fields: &mut StakeholderFields) -> Result<()> {
    let mut problems = Problems::new();
    fields.name = fields.name.trim().to_owned();
    problems.check("input.name", validate::name(&fields.name));
    for value in [
        &mut fields.organisation,
        &mut fields.email,
        &mut fields.phone,
    ] {
        if let Some(v) = value.as_mut() {
            *v = v.trim().to_owned();
        }
    }
    if let Some(organisation) = &fields.organisation {
        problems.check("input.organisation", validate::name(organisation));
    }
    if let Some(code) = &fields.country_code {
        match validate::country_code(code) {
            Ok(code) => fields.country_code = Some(code),
            Err(message) => problems.add("input.countryCode", message),
        }
    }
    if let Some(email) = &fields.email {
        problems.check("input.email", validate::email(email));
    }
    if let Some(phone) = &fields.phone {
        problems.check("input.phone", validate::phone(phone));
    }
    if fields.workshops.len() > MAX_WORKSHOPS {
        problems.add(
            "input.workshops",
            format!(
                "there are {MAX_WORKSHOPS} knowledge workshops, so a stakeholder belongs to at most {MAX_WORKSHOPS}, each once; got {}",
                fields.workshops.len()
            ),
        );
    } else {
        let workshops = &fields.workshops;
        check_existing::<knowledge_workshop::Entity>(
            db,
            &mut problems,
            "input.workshops",
            workshops,
        )
        .await?;
    }
    // A role is stored with the membership, so it names one of theirs.
    let mut seen = std::collections::HashSet::new();
    for (i, role) in fields.roles.iter().enumerate() {
        let field = format!("input.workshopRoles[{i}]");
        if !fields.workshops.contains(&role.workshop) {
            problems.add(
                format!("{field}.workshop"),
                "they are not a member of this workshop: add it to `workshops`",
            );
        } else if !seen.insert(role.workshop) {
            problems.add(format!("{field}.workshop"), "this workshop appears twice");
        }
    }
    if !fields.consent.demographics {
        for (field, set) in [
            ("input.gender", fields.gender.is_some()),
            ("input.ageBand", fields.age_band.is_some()),
        ] {
            if set {
                problems.add(
                    field,
                    "recorded only with the person's consent: set `consent.demographics`",
                );
            }
        }
    }
    problems.finish()?;
    fields.workshops.sort_unstable();
    // As `fields_of` reads them back: plain members are not listed.
    fields.roles.retain(|r| r.role != MemberRole::Member);
    fields.roles.sort_unstable();
    Ok(())
}

/// The membership rows of `fields`: each workshop with the person's role in it.
fn memberships(fields: &StakeholderFields) -> Vec<(i32, MemberRole)> {
    fields
        .workshops
        .iter()
        .map(|w| {
            let role = fields
                .roles
                .iter()
                .find(|r| r.workshop == *w)
                .map_or(MemberRole::Member, |r| r.role);
            (*w, role)
        })
        .collect()
}

/// The current fields of a stored stakeholder.
///
/// # Errors
/// Database errors.
async fn fields_of(
    db: &impl ConnectionTrait,
    model: &stakeholder::Model,
) -> Result<StakeholderFields> {
    let rows = workshop_membership::Entity::find()
        .filter(workshop_membership::Column::StakeholderId.eq(model.id))
        .order_by_asc(workshop_membership::Column::WorkshopId)
        .all(db)
        .await?;
    let workshops = rows.iter().map(|m| m.workshop_id).collect();
    let roles = rows
        .iter()
        .filter(|m| m.role != MemberRole::Member)
        .map(|m| WorkshopRole {
            workshop: m.workshop_id,
            role: m.role,
        })
        .collect();
    Ok(StakeholderFields {
        name: model.name.clone(),
        kind: model.kind,
        organisation: model.organisation.clone(),
        country_code: model.country_code.clone(),
        email: model.email.clone(),
        phone: model.phone.clone(),
        workshops,
        roles,
        discipline: model.discipline,
        gender: model.gender,
        age_band: model.age_band,
        consent: Consent::of(model),
    })
}
