//! `competenceAreas`, `competences` and `competence`: the competence
//! framework of relational security, whole, a page at a time, or one by key.

use async_graphql::{Context, InputObject, Object, Result};

use crate::graphql::context;
use crate::graphql::types::competence::{Competence, CompetenceArea, CompetenceConnection};
use crate::graphql::types::connection::{listed, paginated};
use crate::service;

/// Which competences to return. Every field narrows the list.
#[derive(InputObject, Default, Debug)]
pub struct CompetenceFilter {
    /// In any of these areas (their keys); absent or empty: in any.
    pub area: Option<Vec<String>>,
    /// Every word appears in the key, a name or a description, ignoring
    /// case and accents.
    pub text: Option<String>,
}

paginated! {
    /// `competences`, which `CompetenceQuery` shows as its own.
    struct CompetenceList;

    /// The competences of relational security matching `filter`, in the
    /// framework's order (by area, then within it), a page at a time
    /// (`first` defaults to 50, at most 500).
    async fn competences(
        &self,
        ctx,
        #[graphql(desc = "Which records to include; absent: all of them.")] filter: Option<CompetenceFilter>,
        args,
    ) -> CompetenceConnection {
        let filter = filter.unwrap_or_default();
        let filter = service::competence::Filter {
            area: filter.area.unwrap_or_default(),
            text: filter.text,
        };
        listed(ctx, &filter, &args).await
    }
}

/// The reads of the competence framework.
#[derive(Default)]
pub struct CompetenceQuery;

#[Object]
impl CompetenceQuery {
    /// The areas of the competence framework, in its order, each with its
    /// competences (at most 50 areas).
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::competence::MAX_AREAS, child_complexity)"
    )]
    async fn competence_areas(&self, ctx: &Context<'_>) -> Result<Vec<CompetenceArea>> {
        let areas = service::competence::areas(context::db(ctx)).await?;
        Ok(areas.into_iter().map(Into::into).collect())
    }

    /// `competences`.
    #[graphql(flatten)]
    async fn list(&self) -> CompetenceList {
        CompetenceList
    }

    /// One competence by its key (`de-escalation`); null when none has it.
    async fn competence(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The competence's key.")] key: String,
    ) -> Result<Option<Competence>> {
        let found = service::competence::find_by_key(context::db(ctx), &key).await?;
        Ok(found.map(Into::into))
    }
}
