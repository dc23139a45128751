//! Partner organisations: who maintains facilities and holds partner tokens.

use async_graphql::{Context, ID, Object, Result};
use entity::organisation;

use super::connection::connection;
use super::record::record;
use super::revision::Revision;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};

record! {
    /// A partner organisation, known by its slug.
    Organisation(organisation::Model)
}

connection!(Organisation, OrganisationConnection, OrganisationEdge);

/// A partner organisation: it maintains facilities and holds partner tokens.
#[Object]
impl Organisation {
    /// Global id, the same in every installation that holds this organisation.
    pub async fn id(&self) -> ID {
        id::encode(Kind::Organisation, self.0.uuid)
    }
    /// Stable identifier: the `org` claim of its partner tokens and the
    /// `maintainedBy` of its facilities. It never changes.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Its website.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }
    /// An e-mail address to reach it at. Admins only; others get `FORBIDDEN`.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        if context::caller(ctx).is_admin() {
            Ok(self.0.contact.as_deref())
        } else {
            Err(
                AppError::Forbidden("an organisation's `contact` is for admins only".to_owned())
                    .into(),
            )
        }
    }
    /// Whether it is suspended: its tokens are refused and no new ones are
    /// issued; its facilities stay.
    async fn suspended(&self) -> bool {
        self.0.suspended_at.is_some()
    }
    /// Whether an editor reviews its changes to facilities first: its
    /// partners propose (`proposeFacilityChange`) instead of writing.
    async fn review_first(&self) -> bool {
        self.0.review_first
    }
    /// `version`, `createdAt` and `updatedAt`.
    #[graphql(flatten)]
    async fn revision(&self) -> Revision {
        self.0.as_ref().into()
    }
}
