//! Creating, updating and deleting stakeholders and their workshop
//! memberships (editors and admins). E-mail and phone are personal data: they
//! are stored and audited, never searched.

use entity::value::{AuditAction, AuditEntity, StakeholderKind};
use entity::{
    knowledge_workshop, learning_session_participant, stakeholder, visit_participant,
    workshop_membership,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;

use crate::error::{AppError, Result};
use crate::service::kernel::unit_of_work::{
    self as unit_of_work, Actor, Change, Write, check_references, check_version, existing_ids,
    snapshot,
};
use crate::service::kernel::validate::{self, Problems};
use crate::service::kernel::{now, text};
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

#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(flatten)]
    record: &'a stakeholder::Model,
    workshops: &'a [i32],
}

fn stakeholder_snapshot(
    model: &stakeholder::Model,
    fields: &StakeholderFields,
) -> Result<serde_json::Value> {
    snapshot(&Snapshot {
        record: model,
        workshops: &fields.workshops,
    })
}

fn active_model(fields: &StakeholderFields) -> stakeholder::ActiveModel {
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
        ..Default::default()
    }
}

/// # Errors
/// `FORBIDDEN` for partners, `BAD_USER_INPUT` listing every bad field, database errors.
pub async fn create(
    db: &DatabaseConnection,
    actor: Actor,
    mut fields: StakeholderFields,
) -> Result<stakeholder::Model> {
    actor.require_editor("writing stakeholders")?;
    let mut write = Write::begin(db, actor, "api").await?;
    check(write.txn(), &mut fields).await?;
    let now = now();
    let mut model = active_model(&fields);
    model.version = Set(1);
    model.created_at = Set(now);
    model.updated_at = Set(now);
    let model = model.insert(write.txn()).await?;
    replace_memberships(write.txn(), model.id, &fields.workshops).await?;
    write.record(Change {
        entity: AuditEntity::Stakeholder,
        id: model.id,
        action: AuditAction::Created,
        version: Some(1),
        public: true,
        before: None,
        after: Some(stakeholder_snapshot(&model, &fields)?),
    });
    write.commit().await?;
    Ok(model)
}

/// # Errors
/// `FORBIDDEN`, `NOT_FOUND`, `CONFLICT` for a stale version, `BAD_USER_INPUT`, database errors.
pub async fn update(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
    apply: impl FnOnce(&mut StakeholderFields),
) -> Result<stakeholder::Model> {
    actor.require_editor("writing stakeholders")?;
    let mut write = Write::begin(db, actor, "api").await?;
    let current = find(write.txn(), id).await?;
    check_version("this stakeholder", current.version, expected_version)?;
    let before = fields_of(write.txn(), &current).await?;
    let mut fields = before.clone();
    apply(&mut fields);
    check(write.txn(), &mut fields).await?;
    if fields == before {
        return Ok(current);
    }
    let mut model = active_model(&fields);
    model.id = Set(id);
    model.version = Set(current.version + 1);
    model.created_at = Set(current.created_at);
    model.updated_at = Set(now());
    let model = model.update(write.txn()).await?;
    if fields.workshops != before.workshops {
        replace_memberships(write.txn(), id, &fields.workshops).await?;
    }
    write.record(Change {
        entity: AuditEntity::Stakeholder,
        id,
        action: AuditAction::Updated,
        version: Some(model.version),
        public: true,
        before: Some(stakeholder_snapshot(&current, &before)?),
        after: Some(stakeholder_snapshot(&model, &fields)?),
    });
    write.commit().await?;
    Ok(model)
}

/// Deletes a stakeholder who took part in no visit or session (admins only).
///
/// # Errors
/// `FORBIDDEN`, `NOT_FOUND`, `CONFLICT`, database errors.
pub async fn delete(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
) -> Result<()> {
    actor.require_admin("deleting a stakeholder")?;
    let mut write = Write::begin(db, actor, "api").await?;
    let current = find(write.txn(), id).await?;
    check_version("this stakeholder", current.version, expected_version)?;
    let visits = visit_participant::Entity::find()
        .filter(visit_participant::Column::StakeholderId.eq(id))
        .count(write.txn())
        .await?;
    let sessions = learning_session_participant::Entity::find()
        .filter(learning_session_participant::Column::StakeholderId.eq(id))
        .count(write.txn())
        .await?;
    if visits + sessions > 0 {
        return Err(AppError::Conflict(format!(
            "this stakeholder took part in {visits} visit(s) and {sessions} learning session(s); remove them from those first"
        )));
    }
    let before = fields_of(write.txn(), &current).await?;
    stakeholder::Entity::delete_by_id(id)
        .exec(write.txn())
        .await?;
    write.record(Change {
        entity: AuditEntity::Stakeholder,
        id,
        action: AuditAction::Deleted,
        version: None,
        public: true,
        before: Some(stakeholder_snapshot(&current, &before)?),
        after: None,
    });
    write.commit().await
}

async fn find(db: &impl ConnectionTrait, id: i32) -> Result<stakeholder::Model> {
    stakeholder::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("no stakeholder has this id"))
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
pub async fn fields_of(
    db: &impl ConnectionTrait,
    model: &stakeholder::Model,
) -> Result<StakeholderFields> {
    let workshops = workshop_membership::Entity::find()
        .filter(workshop_membership::Column::StakeholderId.eq(model.id))
        .order_by_asc(workshop_membership::Column::WorkshopId)
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.workshop_id)
        .collect();
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

async fn replace_memberships(db: &impl ConnectionTrait, id: i32, workshops: &[i32]) -> Result<()> {
    let rows = workshops.iter().map(|w| workshop_membership::ActiveModel {
        workshop_id: Set(*w),
        stakeholder_id: Set(id),
    });
    unit_of_work::replace_children(
        db,
        workshop_membership::Column::StakeholderId,
        id,
        rows.collect(),
    )
    .await
}
