//! Study visits of the knowledge workshops to facilities, and their connection.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};
use entity::{visit, visit_finding};

use super::connection::{connection, linked, paginated};
use super::facility::{EcosystemNote, Facility};
use super::record::record;
use super::resource::ResourceConnection;
use super::revision::Revision;
use super::scalar::Date;
use super::translated::translated;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::loader::{FacilityById, VisitFindings, VisitResources};
use crate::service;

record! {
    /// A study visit of a knowledge workshop to a facility.
    Visit(visit::Model)
}

connection!(Visit, VisitConnection, VisitEdge);

impl From<visit_finding::Model> for EcosystemNote {
    fn from(finding: visit_finding::Model) -> Self {
        (finding.dimension, finding.note).into()
    }
}

/// What a visit and a learning session both have: the workshop that
/// organised it and who took part, as an object of the given name that
/// loads its participants with the given loader key. Each type flattens its
/// own (`#[graphql(flatten)]`), so no type of these names is in the schema.
/// One each, not one shared: async-graphql copies a flattened object's
/// fields when it registers the type that flattens it, and a shared one
/// could be copied by the second type while the first is still registering
/// it, before its fields are known.
macro_rules! activity {
    ($(#[$doc:meta])* $name:ident, $participants:ident) => {
        $(#[$doc])*
        pub(crate) struct $name {
            pub workshop_id: Option<i32>,
            pub id: i32,
        }

        #[async_graphql::Object]
        impl $name {
            /// The knowledge workshop that organised it.
            async fn workshop(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<Option<$crate::graphql::types::workshop::KnowledgeWorkshop>> {
                let Some(workshop_id) = self.workshop_id else {
                    return Ok(None);
                };
                let key = $crate::graphql::loader::WorkshopById(workshop_id);
                let workshop = $crate::graphql::context::load(ctx, key).await?;
                Ok(workshop.map(Into::into))
            }
            /// Who took part (at most 100): by name those whom you may see by name,
            /// then the others as anonymous participants, so the activity stays
            /// whole whoever reads it.
            #[graphql(
                complexity = "crate::graphql::types::connection::list_cost(crate::service::visit::write::MAX_PARTICIPANTS, child_complexity)"
            )]
            async fn participants(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<Vec<$crate::graphql::types::stakeholder::Participant>> {
                let key = $crate::graphql::loader::$participants(self.id);
                let mut participants: Vec<$crate::graphql::types::stakeholder::Participant> =
                    $crate::graphql::context::load_all(ctx, key).await?;
                let audience = $crate::graphql::context::audience(ctx);
                participants.sort_by_key(|p| p.position(audience));
                Ok(participants)
            }
        }
    };
}
pub(crate) use activity;

activity! {
    /// A visit's workshop and participants, which `Visit` shows as its own.
    VisitActivity, VisitParticipants
}

translated! {
    /// The summary of a visit, which `Visit` shows as its own.
    pub(crate) struct VisitTexts(Arc<visit::Model>);

    /// Summary in the caller's language (`lang`: en, fr, nl or es; else the
    /// `Accept-Language` header), falling back to English.
    summary: Option<String>,
    /// The language `summary(lang:)` serves for the same `lang`: the one
    /// asked for when the visit has a text in it, else English, the fallback;
    /// null without a text.
    summary_language("As in `summary(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English.");
}

paginated! {
    /// What a visit is linked to, which `Visit` shows as its own.
    pub(crate) struct VisitLinks(Arc<visit::Model>);

    /// The resources of the knowledge library that came out of this visit, by title.
    async fn resources(&self, ctx, args) -> ResourceConnection {
        let fingerprint = service::resource::links_fingerprint("visit", self.0.id);
        linked(ctx, VisitResources(self.0.id), &fingerprint, &args).await
    }
}

/// A study visit of a knowledge workshop to a facility.
#[Object]
impl Visit {
    /// Global id.
    pub async fn id(&self) -> ID {
        id::encode(Kind::Visit, self.0.uuid)
    }
    /// The facility visited.
    async fn facility(&self, ctx: &Context<'_>) -> Result<Facility> {
        let facility = context::load(ctx, FacilityById(self.0.facility_id)).await?;
        facility.map(Into::into).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("visit {} has no facility", self.0.id)).into()
        })
    }
    /// The day of the visit.
    async fn visited_on(&self) -> Date {
        Date(self.0.visited_on)
    }
    /// `workshop` and `participants`.
    #[graphql(flatten)]
    async fn activity(&self) -> VisitActivity {
        VisitActivity {
            workshop_id: self.0.workshop_id,
            id: self.0.id,
        }
    }
    /// `summary` and `summaryLanguage`.
    #[graphql(flatten)]
    async fn texts(&self) -> VisitTexts {
        VisitTexts(self.0.clone())
    }
    /// What the visit found, per ecosystem dimension, in the dimensions' order (one per dimension).
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::visit::write::max_findings(), child_complexity)"
    )]
    async fn findings(&self, ctx: &Context<'_>) -> Result<Vec<EcosystemNote>> {
        Ok(context::load_all(ctx, VisitFindings(self.0.id)).await?)
    }
    /// `resources`.
    #[graphql(flatten)]
    async fn links(&self) -> VisitLinks {
        VisitLinks(self.0.clone())
    }
    /// `version`, `createdAt` and `updatedAt`.
    #[graphql(flatten)]
    async fn revision(&self) -> Revision {
        self.0.as_ref().into()
    }
}
