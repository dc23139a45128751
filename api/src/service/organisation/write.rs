//! Creating, changing, suspending and reinstating organisations (admins and
//! the command line). Each write takes the write lock like every other
//! write, so that cached answers that show organisations go stale, and moves
//! the access version, so that every server sees a suspension within a second.

use entity::organisation;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};

use crate::error::{AppError, Result};
use crate::service::kernel::now;
use crate::service::kernel::record::Stamp;
use crate::service::kernel::unit_of_work::{Actor, Write, check_version};
use crate::service::kernel::validate::{self, Problems};
use crate::service::token::standing::bump_access_version;

/// A new organisation.
#[derive(Debug, Clone)]
pub struct New {
    pub slug: String,
    pub name: String,
    pub website: Option<String>,
    pub contact: Option<String>,
}

/// Changes to an organisation: `None` keeps a field; `Some(None)` clears an
/// optional one. The slug never changes: tokens name it.
#[derive(Debug, Clone, Default)]
pub struct Patch {
    pub name: Option<String>,
    pub website: Option<Option<String>>,
    pub contact: Option<Option<String>>,
}

fn tidy(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn check_fields(problems: &mut Problems, name: &str, website: Option<&str>, contact: Option<&str>) {
    problems.check("input.name", validate::name(name));
    if let Some(url) = website {
        problems.check("input.website", validate::web_url(url));
    }
    if let Some(email) = contact {
        problems.check("input.contact", validate::email(email));
    }
}

/// Creates an organisation.
///
/// # Errors
/// `FORBIDDEN` for anyone but admins, `BAD_USER_INPUT` listing every bad
/// field, `CONFLICT` for a slug in use; database errors.
pub async fn create(
    db: &sea_orm::DatabaseConnection,
    actor: Actor,
    new: New,
) -> Result<organisation::Model> {
    actor.require_admin("creating an organisation")?;
    let slug = new.slug.trim().to_owned();
    let name = new.name.trim().to_owned();
    let website = tidy(new.website);
    let contact = tidy(new.contact);
    let mut problems = Problems::new();
    problems.check("input.slug", validate::slug(&slug));
    if slug.len() > 100 {
        problems.add("input.slug", "at most 100 characters");
    }
    check_fields(&mut problems, &name, website.as_deref(), contact.as_deref());
    problems.finish()?;

    let write = Write::begin(db, actor, "api").await?;
    if super::find(write.txn(), &slug).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "an organisation with the slug `{slug}` exists already"
        )));
    }
    let model = organisation::ActiveModel {
        slug: Set(slug),
        name: Set(name),
        website: Set(website),
        contact: Set(contact),
        suspended_at: Set(None),
        ..Stamp::first().into()
    }
    .insert(write.txn())
    .await?;
    bump_access_version(write.txn()).await?;
    write.commit().await?;
    Ok(model)
}

async fn current(write: &Write, slug: &str) -> Result<organisation::Model> {
    super::find(write.txn(), slug)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no organisation has the slug `{slug}`")))
}

/// Changes an organisation's name, website or contact. A patch that changes
/// nothing writes nothing, and the version stays.
///
/// # Errors
/// `FORBIDDEN` for anyone but admins, `NOT_FOUND`, `CONFLICT` for a stale
/// `expected_version`, `BAD_USER_INPUT` listing every bad field; database errors.
pub async fn update(
    db: &sea_orm::DatabaseConnection,
    actor: Actor,
    slug: &str,
    expected_version: i32,
    patch: Patch,
) -> Result<organisation::Model> {
    actor.require_admin("changing an organisation")?;
    let write = Write::begin(db, actor, "api").await?;
    let current = current(&write, slug).await?;
    check_version(
        &format!("the organisation `{slug}`"),
        current.version,
        expected_version,
    )?;
    let name = patch
        .name
        .map_or_else(|| current.name.clone(), |n| n.trim().to_owned());
    let website = patch.website.map_or_else(|| current.website.clone(), tidy);
    let contact = patch.contact.map_or_else(|| current.contact.clone(), tidy);
    let mut problems = Problems::new();
    check_fields(&mut problems, &name, website.as_deref(), contact.as_deref());
    problems.finish()?;
    if (&name, &website, &contact) == (&current.name, &current.website, &current.contact) {
        return Ok(current);
    }
    let stamp = Stamp::next(&current);
    let mut row = current.into_active_model();
    row.name = Set(name);
    row.website = Set(website);
    row.contact = Set(contact);
    let model = stamped(row, stamp).update(write.txn()).await?;
    bump_access_version(write.txn()).await?;
    write.commit().await?;
    Ok(model)
}

/// Suspends an organisation (`true`: its tokens are refused from now on, and
/// no new ones are issued) or reinstates it (`false`). Its facilities stay.
/// Asking for the state it is in changes nothing.
///
/// # Errors
/// `FORBIDDEN` for anyone but admins, `NOT_FOUND`; database errors.
pub async fn set_suspended(
    db: &sea_orm::DatabaseConnection,
    actor: Actor,
    slug: &str,
    suspended: bool,
) -> Result<organisation::Model> {
    actor.require_admin(if suspended {
        "suspending an organisation"
    } else {
        "reinstating an organisation"
    })?;
    let write = Write::begin(db, actor, "api").await?;
    let current = current(&write, slug).await?;
    if current.suspended_at.is_some() == suspended {
        return Ok(current);
    }
    let stamp = Stamp::next(&current);
    let mut row = current.into_active_model();
    row.suspended_at = Set(suspended.then(now));
    let model = stamped(row, stamp).update(write.txn()).await?;
    bump_access_version(write.txn()).await?;
    write.commit().await?;
    Ok(model)
}

/// `row` with the version and change time of `stamp`.
fn stamped(mut row: organisation::ActiveModel, stamp: Stamp) -> organisation::ActiveModel {
    let bookkeeping: organisation::ActiveModel = stamp.into();
    row.version = bookkeeping.version;
    row.updated_at = bookkeeping.updated_at;
    row
}
