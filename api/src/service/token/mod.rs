//! The register of issued tokens: issuing one (the token is shown once and
//! never stored), listing what was issued, and revoking.

pub mod standing;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use entity::api_token;
use entity::value::Role;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Select,
};
use serde::Serialize;

use crate::auth::{Claims, Signer};
use crate::error::{AppError, Result};
use crate::service::kernel::condition::one_of;
use crate::service::kernel::page::Listing;
use crate::service::kernel::{now, text, validate};
use crate::service::organisation;
use standing::Standing;

/// What issuing and revoking need, shared by a server's requests: the
/// signing key (none on a server that only verifies) and the server's view
/// of revocations, which a change made here updates at once.
#[derive(Clone, Debug)]
pub struct Register {
    pub signer: Option<Arc<Signer>>,
    pub standing: Arc<Standing>,
}

impl Register {
    /// Brings this server's view up to date after a change it made; the
    /// change is committed whatever this answers, and the next refresh retries.
    pub async fn changed(&self, db: &impl ConnectionTrait) {
        if let Err(err) = self.standing.reload(db).await {
            err.log_if_internal();
        }
    }
}

/// Longest label, in characters.
const MAX_LABEL: usize = 200;

/// What a new token is for.
#[derive(Debug, Clone)]
pub struct Request {
    pub subject: String,
    pub role: Role,
    /// A partner's organisation slug; required for partners, refused for others.
    pub organisation: Option<String>,
    pub ttl: std::time::Duration,
    pub label: Option<String>,
}

/// A token just issued, and its entry in the register.
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: String,
    pub record: api_token::Model,
}

/// Issues a token and records it. `issued_by` is the admin's subject, none
/// for the command line.
///
/// # Errors
/// `BAD_USER_INPUT` for a bad subject, role, organisation, lifetime or
/// label (an unknown or suspended organisation included); database errors.
pub async fn issue(
    db: &impl ConnectionTrait,
    signer: &Signer,
    request: Request,
    issued_by: Option<String>,
) -> Result<Issued> {
    let mut problems = validate::Problems::new();
    let subject = request.subject.trim().to_owned();
    if subject.is_empty() || subject.chars().count() > 200 {
        problems.add(
            "input.subject",
            "name who the token is for (an e-mail address or a service name), in at most 200 characters",
        );
    }
    if !Role::OF_TOKENS.contains(&request.role) {
        problems.add("input.role", "a token is for a partner, editor or admin");
    }
    let label = request
        .label
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty());
    if label
        .as_ref()
        .is_some_and(|l| l.chars().count() > MAX_LABEL)
    {
        problems.add("input.label", format!("at most {MAX_LABEL} characters"));
    }
    let organisation = match (request.role, request.organisation.as_deref()) {
        (Role::Partner, None) => {
            problems.add(
                "input.organisation",
                "a partner token names its organisation (its slug)",
            );
            None
        }
        (Role::Partner, Some(slug)) => {
            match organisation::find(db, slug).await? {
                Some(org) if org.suspended_at.is_some() => {
                    problems.add(
                        "input.organisation",
                        format!("the organisation `{slug}` is suspended: reinstate it first"),
                    );
                }
                Some(_) => {}
                None => problems.add(
                    "input.organisation",
                    format!(
                        "no organisation has the slug `{slug}`: create it first (`createOrganisation`, or `wish-api organisation create`)"
                    ),
                ),
            }
            Some(slug.to_owned())
        }
        (_, Some(_)) => {
            problems.add(
                "input.organisation",
                "only partner tokens name an organisation; editors and admins work for the project",
            );
            None
        }
        (_, None) => None,
    };
    let claims = signer.claims(&subject, request.role, organisation.as_deref(), request.ttl);
    if let Err(err) = &claims {
        problems.add("input.ttl", err.public_message());
    }
    problems.finish()?;
    let claims = claims?;
    let token = signer.sign(&claims)?;
    let record = record(&claims, label, issued_by)?.insert(db).await?;
    Ok(Issued { token, record })
}

fn timestamp(seconds: u64) -> Result<DateTime<Utc>> {
    i64::try_from(seconds)
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a token time out of range")))
}

fn record(
    claims: &Claims,
    label: Option<String>,
    issued_by: Option<String>,
) -> Result<api_token::ActiveModel> {
    Ok(api_token::ActiveModel {
        jti: Set(claims.jti.clone().unwrap_or_default()),
        subject: Set(claims.sub.clone()),
        role: Set(claims.role),
        organisation: Set(claims.org.clone()),
        label: Set(label),
        issued_at: Set(timestamp(claims.iat)?),
        expires_at: Set(timestamp(claims.exp)?),
        issued_by: Set(issued_by),
        revoked_at: Set(None),
        revoked_by: Set(None),
        ..Default::default()
    })
}

/// Revokes the token with this id; revoking it again changes nothing.
/// `revoked_by` is the admin's subject, none for the command line.
///
/// # Errors
/// `NOT_FOUND` for an id the register does not hold; database errors.
pub async fn revoke(
    db: &DatabaseConnection,
    jti: &str,
    revoked_by: Option<String>,
) -> Result<api_token::Model> {
    let txn = crate::db::begin(db).await?;
    let Some(current) = api_token::Entity::find()
        .filter(api_token::Column::Jti.eq(jti.trim()))
        .one(&txn)
        .await?
    else {
        return Err(AppError::not_found(format!(
            "no token with the id (`jti`) `{}` was issued here",
            jti.trim()
        )));
    };
    if current.revoked_at.is_some() {
        return Ok(current);
    }
    let mut row = current.into_active_model();
    row.revoked_at = Set(Some(now()));
    row.revoked_by = Set(revoked_by);
    let revoked = row.update(&txn).await?;
    standing::bump_access_version(&txn).await?;
    txn.commit().await?;
    Ok(revoked)
}

/// Whether a token of the register may still be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    Active,
    Expired,
    Revoked,
}

impl Status {
    #[must_use]
    pub fn of(token: &api_token::Model) -> Self {
        if token.revoked_at.is_some() {
            Self::Revoked
        } else if token.expires_at <= now() {
            Self::Expired
        } else {
            Self::Active
        }
    }
}

/// Which tokens of the register to list; absent fields place no constraint.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Filter {
    pub subject: Option<String>,
    pub organisation: Option<String>,
    pub role: Vec<Role>,
    pub status: Vec<Status>,
}

impl Listing for Filter {
    type Entity = api_token::Entity;

    const NAME: &'static str = "api_token";

    fn condition(&self) -> Result<Condition> {
        let mut cond = Condition::all();
        if let Some(subject) = &self.subject {
            cond = cond.add(api_token::Column::Subject.eq(subject.trim()));
        }
        if let Some(slug) = &self.organisation {
            if !text::is_valid_slug(slug) {
                return Err(AppError::bad_input(
                    "filter.organisation",
                    "an organisation's slug: lower-case letters and digits in dash-separated words",
                ));
            }
            cond = cond.add(api_token::Column::Organisation.eq(slug.as_str()));
        }
        cond = one_of(cond, api_token::Column::Role, &self.role);
        if !self.status.is_empty() {
            let at = now();
            let mut any = Condition::any();
            for status in &self.status {
                any = any.add(match status {
                    Status::Revoked => {
                        Condition::all().add(api_token::Column::RevokedAt.is_not_null())
                    }
                    Status::Expired => Condition::all()
                        .add(api_token::Column::RevokedAt.is_null())
                        .add(api_token::Column::ExpiresAt.lte(at)),
                    Status::Active => Condition::all()
                        .add(api_token::Column::RevokedAt.is_null())
                        .add(api_token::Column::ExpiresAt.gt(at)),
                });
            }
            cond = cond.add(any);
        }
        Ok(cond)
    }

    /// Newest first.
    fn order(select: Select<api_token::Entity>) -> Select<api_token::Entity> {
        select
            .order_by_desc(api_token::Column::IssuedAt)
            .order_by_desc(api_token::Column::Id)
    }
}
