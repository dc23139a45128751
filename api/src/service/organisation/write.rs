//! Creating, changing, suspending and reinstating organisations (admins and
//! the command line), through the same write steps as every other record:
//! each is audited and, but for the admins-only contact address, in the
//! public change feed. Each write also moves the access version, so that
//! every server sees a suspension within a second.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use entity::organisation;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection};
use serde::Serialize;

use crate::error::{AppError, Result};
use crate::service::kernel::now;
use crate::service::kernel::record::{self, Record, Stamp, snapshots_keeping_private};
use crate::service::kernel::unit_of_work::{Actor, Write};
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
    pub review_first: Option<bool>,
}

/// Every field of an organisation a write may set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrganisationFields {
    pub slug: String,
    pub name: String,
    pub website: Option<String>,
    pub contact: Option<String>,
    pub suspended: bool,
    pub review_first: bool,
}

impl OrganisationFields {
    /// What anyone may read of it: all but the contact address.
    fn public_view(&self) -> (&str, &str, Option<&str>, bool, bool) {
        (
            &self.slug,
            &self.name,
            self.website.as_deref(),
            self.suspended,
            self.review_first,
        )
    }
}

/// The field whose value only admins see, and the audit log never keeps.
const PRIVATE_FIELDS: [&str; 1] = ["contact"];

fn tidy(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// An organisation, as the write steps see it.
pub struct Organisation;

#[async_trait]
impl Record for Organisation {
    type Entity = organisation::Entity;
    type Fields = OrganisationFields;
    /// Since when it is suspended: kept while it stays so.
    type Resolved = Option<DateTime<Utc>>;

    fn describe(model: &organisation::Model) -> String {
        format!("the organisation `{}`", model.slug)
    }

    /// A change of the contact address alone is for admins only.
    fn public_change(
        before: Option<(&organisation::Model, &OrganisationFields)>,
        after: Option<(&organisation::Model, &OrganisationFields)>,
    ) -> bool {
        match (before, after) {
            (Some((_, old)), Some((_, new))) => old.public_view() != new.public_view(),
            _ => true,
        }
    }

    fn audit_states(
        before: Option<(&organisation::Model, &OrganisationFields)>,
        after: Option<(&organisation::Model, &OrganisationFields)>,
    ) -> Result<(Option<serde_json::Value>, Option<serde_json::Value>)> {
        snapshots_keeping_private::<Self>(before, after, &PRIVATE_FIELDS)
    }

    fn may_create(actor: &Actor) -> Result<()> {
        actor.require_admin("writing an organisation")
    }

    async fn fields_of(
        _db: &impl ConnectionTrait,
        model: &organisation::Model,
    ) -> Result<OrganisationFields> {
        Ok(OrganisationFields {
            slug: model.slug.clone(),
            name: model.name.clone(),
            website: model.website.clone(),
            contact: model.contact.clone(),
            suspended: model.suspended_at.is_some(),
            review_first: model.review_first,
        })
    }

    async fn check(
        write: &Write,
        fields: &mut OrganisationFields,
        current: Option<&organisation::Model>,
    ) -> Result<Option<DateTime<Utc>>> {
        fields.name = fields.name.trim().to_owned();
        fields.website = tidy(fields.website.take());
        fields.contact = tidy(fields.contact.take());
        let mut problems = Problems::new();
        if current.is_none() {
            fields.slug = fields.slug.trim().to_owned();
            problems.check("input.slug", validate::slug(&fields.slug));
            if fields.slug.len() > 100 {
                problems.add("input.slug", "at most 100 characters");
            }
        }
        problems.check("input.name", validate::name(&fields.name));
        if let Some(url) = &fields.website {
            problems.check("input.website", validate::web_url(url));
        }
        if let Some(email) = &fields.contact {
            problems.check("input.contact", validate::email(email));
        }
        problems.finish()?;
        if current.is_none() && super::find(write.txn(), &fields.slug).await?.is_some() {
            return Err(AppError::Conflict(format!(
                "an organisation with the slug `{}` exists already",
                fields.slug
            )));
        }
        let since = current.and_then(|c| c.suspended_at);
        Ok(fields.suspended.then(|| since.unwrap_or_else(now)))
    }

    fn row(
        fields: &OrganisationFields,
        suspended_at: &Option<DateTime<Utc>>,
        stamp: Stamp,
    ) -> organisation::ActiveModel {
        organisation::ActiveModel {
            slug: Set(fields.slug.clone()),
            name: Set(fields.name.clone()),
            website: Set(fields.website.clone()),
            contact: Set(fields.contact.clone()),
            suspended_at: Set(*suspended_at),
            review_first: Set(fields.review_first),
            ..stamp.into()
        }
    }

    /// No child rows; what every write must also do is tell the servers to
    /// read again who is suspended.
    async fn save_children(
        db: &impl ConnectionTrait,
        _id: i32,
        _fields: &OrganisationFields,
        _before: Option<&OrganisationFields>,
    ) -> Result<()> {
        bump_access_version(db).await
    }
}

/// Creates an organisation.
///
/// # Errors
/// `FORBIDDEN` for anyone but admins, `BAD_USER_INPUT` listing every bad
/// field, `CONFLICT` for a slug in use; database errors.
pub async fn create(
    db: &DatabaseConnection,
    actor: Actor,
    new: New,
) -> Result<organisation::Model> {
    let fields = OrganisationFields {
        slug: new.slug,
        name: new.name,
        website: new.website,
        contact: new.contact,
        suspended: false,
        review_first: false,
    };
    record::create::<Organisation>(db, actor, fields).await
}

/// Changes an organisation's name, website or contact. A patch that changes
/// nothing writes nothing, and the version stays.
///
/// # Errors
/// `FORBIDDEN` for anyone but admins, `NOT_FOUND`, `CONFLICT` for a stale
/// `expected_version`, `BAD_USER_INPUT` listing every bad field; database errors.
pub async fn update(
    db: &DatabaseConnection,
    actor: Actor,
    slug: &str,
    expected_version: i32,
    patch: Patch,
) -> Result<organisation::Model> {
    Organisation::may_create(&actor)?;
    let current = existing(db, slug).await?;
    record::update::<Organisation>(db, actor, current.id, expected_version, |fields| {
        if let Some(name) = patch.name {
            fields.name = name;
        }
        if let Some(website) = patch.website {
            fields.website = website;
        }
        if let Some(contact) = patch.contact {
            fields.contact = contact;
        }
        if let Some(review_first) = patch.review_first {
            fields.review_first = review_first;
        }
    })
    .await
}

/// Suspends an organisation (`true`: its tokens are refused from now on, and
/// no new ones are issued) or reinstates it (`false`). Its facilities stay.
/// Asking for the state it is in changes nothing.
///
/// # Errors
/// `FORBIDDEN` for anyone but admins, `NOT_FOUND`, `CONFLICT` when another
/// write changed it at the same moment; database errors.
pub async fn set_suspended(
    db: &DatabaseConnection,
    actor: Actor,
    slug: &str,
    suspended: bool,
) -> Result<organisation::Model> {
    Organisation::may_create(&actor)?;
    let current = existing(db, slug).await?;
    record::update::<Organisation>(db, actor, current.id, current.version, |fields| {
        fields.suspended = suspended;
    })
    .await
}

/// The organisation with this slug; `NOT_FOUND` for an unknown one.
async fn existing(db: &DatabaseConnection, slug: &str) -> Result<organisation::Model> {
    super::find(db, slug)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no organisation has the slug `{slug}`")))
}
