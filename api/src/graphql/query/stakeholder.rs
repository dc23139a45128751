//! `stakeholder` and `stakeholders`: the people and organisations of the
//! knowledge workshops, by id or a page at a time, as far as the caller may
//! see them; their counts by kind; and, for admins, everything held about one.

use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::stakeholder;

use super::list;
use super::workshop::workshop_id;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::connection::{listed, paginated};
use crate::graphql::types::stakeholder::{
    PersonalData, Stakeholder, StakeholderConnection, StakeholderKind, StakeholderStats,
};
use crate::service;
use crate::service::kernel::read;

/// Which stakeholders to return. Absent or empty lists place no constraint.
#[derive(InputObject, Default, Debug)]
pub struct StakeholderFilter {
    /// Of any of these kinds (for callers other than editors and admins:
    /// among the people whose kind is public).
    pub kind: Option<Vec<StakeholderKind>>,
    /// From any of these countries, ISO 3166-1 alpha-2 (for callers other
    /// than editors and admins: among the people whose affiliation is public).
    pub country_code: Option<Vec<String>>,
    /// Members of this knowledge workshop (its key).
    pub workshop: Option<String>,
    /// Words that must all appear in the name or organisation (a public one), ignoring case and accents.
    pub text: Option<String>,
}

impl StakeholderFilter {
    /// The filter the service applies, with the workshop's key looked up.
    async fn resolve(self, ctx: &Context<'_>) -> Result<service::stakeholder::Filter, AppError> {
        Ok(service::stakeholder::Filter {
            kind: list(self.kind),
            country_code: self.country_code.unwrap_or_default(),
            workshop_id: workshop_id(ctx, self.workshop.as_deref()).await?,
            text: self.text,
            audience: context::audience(ctx),
        })
    }
}

paginated! {
    /// `stakeholders`, which `StakeholderQuery` shows as its own.
    struct StakeholderList;

    /// Stakeholders by name, a page at a time (`first` defaults to 50, at most 500).
    /// Callers other than editors and admins get only the people who
    /// consented to a public name (`totalCount` counts those), and their
    /// organisation, country and kind only where each consented to those.
    /// `email`, `phone` and `consent` are for editors and admins only.
    async fn stakeholders(
        &self,
        ctx,
        #[graphql(desc = "Which records to include; absent: all of them.")] filter: Option<StakeholderFilter>,
        args,
    ) -> StakeholderConnection {
        let filter = filter.unwrap_or_default().resolve(ctx).await?;
        listed(ctx, &filter, &args).await
    }
}

/// The reads of stakeholders.
#[derive(Default)]
pub struct StakeholderQuery;

#[Object]
impl StakeholderQuery {
    /// One stakeholder; null when none has this id, or when the caller may
    /// not see them (callers other than editors and admins see only people
    /// who consented to a public name; nobody sees an erased person). A
    /// malformed id is `BAD_USER_INPUT`.
    async fn stakeholder(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
    ) -> Result<Option<Stakeholder>> {
        let db = context::db(ctx);
        let row = id::row(db, &id, Kind::Stakeholder, "id").await?;
        let person = read::find_by_id::<stakeholder::Entity>(db, row).await?;
        let audience = context::audience(ctx);
        Ok(person.filter(|p| audience.sees_record(p)).map(Into::into))
    }

    /// `stakeholders`.
    #[graphql(flatten)]
    async fn list(&self) -> StakeholderList {
        StakeholderList
    }

    /// How many stakeholders there are of each kind, everyone counted, erased
    /// people left out (per workshop: `KnowledgeWorkshop.memberStats`).
    async fn stakeholder_stats(&self, ctx: &Context<'_>) -> Result<StakeholderStats> {
        let rows = service::stakeholder::count_by_kind(context::db(ctx), None).await?;
        Ok(StakeholderStats::new(&rows, false))
    }

    /// Everything held about one person, for a subject access request
    /// (admins only; others get `FORBIDDEN`): the record with its consent and
    /// contact details, workshops, the visits and sessions they took part
    /// in, and the audit events about them. Null when no stakeholder has this id.
    async fn personal_data(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the stakeholder.")] stakeholder: ID,
    ) -> Result<Option<PersonalData>> {
        context::actor(ctx)?.require_admin("reading personal data")?;
        let db = context::db(ctx);
        let row = id::row(db, &stakeholder, Kind::Stakeholder, "stakeholder").await?;
        let data = service::stakeholder::erase::personal_data(db, row).await?;
        Ok(data.map(PersonalData))
    }
}
