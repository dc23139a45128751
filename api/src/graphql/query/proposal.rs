//! `proposal` and `proposals`: partners' proposals, for the editors who
//! review them and the organisations that made them.

use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::proposal;

use super::list;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::connection::{listed, paginated};
use crate::graphql::types::proposal::{Proposal, ProposalConnection, ProposalStatus};
use crate::service;
use crate::service::kernel::read;

/// Which proposals to return. Absent or empty lists place no constraint.
#[derive(InputObject, Default, Debug)]
pub struct ProposalFilter {
    /// In any of these states (`[PENDING]`: the editors' queue).
    pub status: Option<Vec<ProposalStatus>>,
    /// Of this facility (its global id).
    pub facility: Option<ID>,
}

paginated! {
    /// `proposals`, which `ProposalQuery` shows as its own.
    struct ProposalList;

    /// Proposals, oldest first, a page at a time (`first` defaults to 50, at
    /// most 500): for editors and admins all of them, for a partner its
    /// organisation's. Anonymous callers get `UNAUTHENTICATED`.
    async fn proposals(
        &self,
        ctx,
        #[graphql(desc = "Which proposals to include; absent: all you may see.")] filter: Option<ProposalFilter>,
        args,
    ) -> ProposalConnection {
        let caller = context::caller(ctx);
        if caller.role.is_none() {
            return Err(AppError::Unauthenticated(
                "proposals are read with a token: send `Authorization: Bearer <token>`".to_owned(),
            )
            .into());
        }
        let organisation_id = if caller.is_editor() {
            None
        } else {
            Some(caller.organisation_record.as_ref().map_or(0, |o| o.id))
        };
        let filter = filter.unwrap_or_default();
        let facility_id = match &filter.facility {
            Some(facility) => Some(
                id::row(
                    context::db(ctx),
                    facility,
                    Kind::Facility,
                    "filter.facility",
                )
                .await?,
            ),
            None => None,
        };
        let filter = service::proposal::Filter {
            status: list(filter.status),
            facility_id,
            organisation_id,
        };
        listed(ctx, &filter, &args).await
    }
}

/// The reads of proposals.
#[derive(Default)]
pub struct ProposalQuery;

#[Object]
impl ProposalQuery {
    /// One proposal; null when none has this id or the caller may not see it
    /// (editors and admins see all, a partner its organisation's).
    async fn proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the proposal.")] id: ID,
    ) -> Result<Option<Proposal>> {
        let db = context::db(ctx);
        let row = id::row(db, &id, Kind::Proposal, "id").await?;
        Ok(read::find_by_id::<proposal::Entity>(db, row)
            .await?
            .filter(|m| Proposal::visible_to(&context::caller(ctx), m))
            .map(Into::into))
    }

    /// `proposals`.
    #[graphql(flatten)]
    async fn list(&self) -> ProposalList {
        ProposalList
    }
}
