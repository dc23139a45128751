//! Stakeholders and their workshop memberships (editors and admins write
//! them): the hooks of [`Record`] for the write steps of the kernel. E-mail
//! and phone are personal data: they are stored and audited, never searched.

use async_trait::async_trait;
use entity::value::{AuditEntity, StakeholderKind};
use entity::{
    knowledge_workshop, learning_session_participant, stakeholder, visit_participant,
    workshop_membership,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde::Serialize;

use crate::error::{AppError, Result};
use crate::service::kernel::record::{Record, Stamp};
use crate::service::kernel::text;
use crate::service::kernel::unit_of_work::{
    self as unit_of_work, Write, check_references, existing_ids,
};
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
}

/// A stakeholder, as the write steps see it.
pub struct Stakeholder;

#[async_trait]
impl Record for Stakeholder {
    type Entity = stakeholder::Entity;
    type Model = stakeholder::Model;
    type ActiveModel = stakeholder::ActiveModel;
    type Fields = StakeholderFields;
    type Resolved = ();

    const ENTITY: AuditEntity = AuditEntity::Stakeholder;
    const NAME: &'static str = "stakeholder";

    const EDITORS_ONLY: Option<&'static str> = Some("writing stakeholders");

    async fn fields_of(
        db: &impl ConnectionTrait,
        model: &stakeholder::Model,
    ) -> Result<StakeholderFields> {
        fields_of(db, model).await
    }

    async fn check(
        write: &Write,
        fields: &mut StakeholderFields,
        _current: Option<&stakeholder::Model>,
    ) -> Result<()> {
        check(write.txn(), fields).await
    }

    fn row(fields: &StakeholderFields, (): &(), stamp: Stamp) -> stakeholder::ActiveModel {
        let mut public = vec![fields.name.as_str()];
        public.extend(fields.organisation.as_deref());
        stakeholder::ActiveModel {
            name: Set(fields.name.clone()),
            kind: Set(fields.kind),
            organisation: Set(fields.organisation.clone()),
            country_code: Set(fields.country_code.clone()),
            email: Set(fields.email.clone()),
            phone: Set(fields.phone.clone()),
            sort_name: Set(text::fold(&fields.name)),
            search_text: Set(text::fold_all(public)),
            ..stamp.into()
        }
    }

    async fn save_children(
        db: &impl ConnectionTrait,
        id: i32,
        fields: &StakeholderFields,
        before: Option<&StakeholderFields>,
    ) -> Result<()> {
        unit_of_work::replace_children(
            db,
            workshop_membership::Column::StakeholderId,
            id,
            &fields.workshops,
            before.map(|b| b.workshops.as_slice()),
            |w| workshop_membership::ActiveModel {
                workshop_id: Set(*w),
                stakeholder_id: Set(id),
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
        let found = existing_ids::<knowledge_workshop::Entity>(
            db,
            knowledge_workshop::Column::Id,
            &fields.workshops,
        )
        .await?;
        check_references(
            &mut problems,
            "input.workshops",
            &fields.workshops,
            &found,
            "knowledge workshop",
        );
    }
    problems.finish()?;
    fields.workshops.sort_unstable();
    Ok(())
}

/// The current fields of a stored stakeholder.
///
/// # Errors
/// Database errors.
async fn fields_of(
    db: &impl ConnectionTrait,
    model: &stakeholder::Model,
) -> Result<StakeholderFields> {
    let workshops = unit_of_work::child_ids(
        db,
        workshop_membership::Column::StakeholderId,
        model.id,
        workshop_membership::Column::WorkshopId,
    )
    .await?;
    Ok(StakeholderFields {
        name: model.name.clone(),
        kind: model.kind,
        organisation: model.organisation.clone(),
        country_code: model.country_code.clone(),
        email: model.email.clone(),
        phone: model.phone.clone(),
        workshops,
    })
}
