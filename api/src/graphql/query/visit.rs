use async_graphql::{Context, ID, InputObject, Object, Result};

use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::connection::{Connection, total_count};
use crate::graphql::types::learning_session::{
    LearningSession, LearningSessionConnection, SessionLevel, SessionTopic,
};
use crate::graphql::types::scalar::Date;
use crate::graphql::types::stakeholder::{Stakeholder, StakeholderConnection, StakeholderKind};
use crate::graphql::types::visit::{Visit, VisitConnection};
use crate::service;
use crate::service::kernel::page::PageArgs;

/// Which visits to return.
#[derive(InputObject, Default, Debug)]
pub struct VisitFilter {
    /// Visits to this facility (its id).
    pub facility: Option<ID>,
    /// Visits organised by this knowledge workshop (its key: `be`, `fr`, `nl` or `eu`).
    pub workshop: Option<String>,
    /// On or after this day.
    pub visited_from: Option<Date>,
    /// On or before this day.
    pub visited_to: Option<Date>,
}

/// Which learning sessions to return. Absent or empty lists place no constraint.
#[derive(InputObject, Default, Debug)]
pub struct LearningSessionFilter {
    /// Any of these levels.
    pub level: Option<Vec<SessionLevel>>,
    /// Any of these topics.
    pub topic: Option<Vec<SessionTopic>>,
    /// Held in any of these countries (ISO 3166-1 alpha-2).
    pub country_code: Option<Vec<String>>,
    /// Organised by this knowledge workshop (its key).
    pub workshop: Option<String>,
    /// On or after this day.
    pub held_from: Option<Date>,
    /// On or before this day.
    pub held_to: Option<Date>,
    /// Words that must all appear in the title or outcomes, ignoring case and accents.
    pub text: Option<String>,
}

/// Which stakeholders to return. Absent or empty lists place no constraint.
#[derive(InputObject, Default, Debug)]
pub struct StakeholderFilter {
    /// Of any of these kinds.
    pub kind: Option<Vec<StakeholderKind>>,
    /// From any of these countries (ISO 3166-1 alpha-2).
    pub country_code: Option<Vec<String>>,
    /// Members of this knowledge workshop (its key).
    pub workshop: Option<String>,
    /// Words that must all appear in the name or organisation, ignoring case and accents.
    pub text: Option<String>,
}

async fn workshop_id(ctx: &Context<'_>, key: Option<&str>) -> Result<Option<i32>, AppError> {
    let Some(key) = key else { return Ok(None) };
    match service::workshop::find_by_key(context::db(ctx), key).await? {
        Some(workshop) => Ok(Some(workshop.id)),
        None => Err(AppError::bad_input(
            "filter.workshop",
            format!("`{key}` is not a knowledge workshop: use be, fr, nl or eu"),
        )),
    }
}

#[derive(Default)]
pub struct ActivityQuery;

#[Object]
impl ActivityQuery {
    /// One study visit; an unknown id is a `NOT_FOUND` error.
    async fn visit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
    ) -> Result<Option<Visit>> {
        let row_id = id::decode(&id, Kind::Visit, "id")?;
        let visit = service::visit::find_by_id(context::db(ctx), row_id).await?;
        Ok(Some(
            visit
                .ok_or_else(|| AppError::not_found("no visit has this id"))?
                .into(),
        ))
    }

    /// Study visits, most recent first, a page at a time (`first` defaults to 50, at most 500).
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
    )]
    async fn visits(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which records to include; absent: all of them.")] filter: Option<
            VisitFilter,
        >,
        #[graphql(
            desc = "How many items from the start, or after `after` (default 50, at most 500)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Continue after this cursor (a `pageInfo.endCursor`).")] after: Option<
            String,
        >,
        #[graphql(desc = "How many items from the end, or before `before` (at most 500).")]
        last: Option<i32>,
        #[graphql(desc = "Continue before this cursor (a `pageInfo.startCursor`).")] before: Option<
            String,
        >,
    ) -> Result<VisitConnection> {
        let filter = filter.unwrap_or_default();
        let facility_id = match &filter.facility {
            Some(id) => Some(id::decode(id, Kind::Facility, "filter.facility")?),
            None => None,
        };
        let filter = service::visit::Filter {
            facility_id,
            workshop_id: workshop_id(ctx, filter.workshop.as_deref()).await?,
            visited_from: filter.visited_from.map(|d| d.0),
            visited_to: filter.visited_to.map(|d| d.0),
        };
        let db = context::db(ctx);
        let page = service::visit::page(
            db,
            &filter,
            &PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .await?;
        let total = total_count(ctx, service::visit::count(db, &filter)).await?;
        Ok(VisitConnection::new(page.map(Visit::from), total))
    }

    /// One learning session; an unknown id is a `NOT_FOUND` error.
    async fn learning_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
    ) -> Result<Option<LearningSession>> {
        let row_id = id::decode(&id, Kind::LearningSession, "id")?;
        let session = service::learning_session::find_by_id(context::db(ctx), row_id).await?;
        Ok(Some(
            session
                .ok_or_else(|| AppError::not_found("no learning session has this id"))?
                .into(),
        ))
    }

    /// Learning sessions, most recent first, a page at a time (`first` defaults to 50, at most 500).
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
    )]
    async fn learning_sessions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which records to include; absent: all of them.")] filter: Option<
            LearningSessionFilter,
        >,
        #[graphql(
            desc = "How many items from the start, or after `after` (default 50, at most 500)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Continue after this cursor (a `pageInfo.endCursor`).")] after: Option<
            String,
        >,
        #[graphql(desc = "How many items from the end, or before `before` (at most 500).")]
        last: Option<i32>,
        #[graphql(desc = "Continue before this cursor (a `pageInfo.startCursor`).")] before: Option<
            String,
        >,
    ) -> Result<LearningSessionConnection> {
        let filter = filter.unwrap_or_default();
        let filter = service::learning_session::Filter {
            level: filter
                .level
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            topic: filter
                .topic
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            country_code: filter.country_code.unwrap_or_default(),
            workshop_id: workshop_id(ctx, filter.workshop.as_deref()).await?,
            held_from: filter.held_from.map(|d| d.0),
            held_to: filter.held_to.map(|d| d.0),
            text: filter.text,
        };
        let db = context::db(ctx);
        let page = service::learning_session::page(
            db,
            &filter,
            &PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .await?;
        let total = total_count(ctx, service::learning_session::count(db, &filter)).await?;
        Ok(LearningSessionConnection::new(
            page.map(LearningSession::from),
            total,
        ))
    }

    /// One stakeholder; an unknown id is a `NOT_FOUND` error.
    async fn stakeholder(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
    ) -> Result<Option<Stakeholder>> {
        let row_id = id::decode(&id, Kind::Stakeholder, "id")?;
        let person = service::stakeholder::find_by_id(context::db(ctx), row_id).await?;
        Ok(Some(
            person
                .ok_or_else(|| AppError::not_found("no stakeholder has this id"))?
                .into(),
        ))
    }

    /// Stakeholders by name, a page at a time (`first` defaults to 50, at most 500).
    /// `email` and `phone` are for editors and admins only.
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
    )]
    async fn stakeholders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which records to include; absent: all of them.")] filter: Option<
            StakeholderFilter,
        >,
        #[graphql(
            desc = "How many items from the start, or after `after` (default 50, at most 500)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Continue after this cursor (a `pageInfo.endCursor`).")] after: Option<
            String,
        >,
        #[graphql(desc = "How many items from the end, or before `before` (at most 500).")]
        last: Option<i32>,
        #[graphql(desc = "Continue before this cursor (a `pageInfo.startCursor`).")] before: Option<
            String,
        >,
    ) -> Result<StakeholderConnection> {
        let filter = filter.unwrap_or_default();
        let filter = service::stakeholder::Filter {
            kind: filter
                .kind
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            country_code: filter.country_code.unwrap_or_default(),
            workshop_id: workshop_id(ctx, filter.workshop.as_deref()).await?,
            text: filter.text,
        };
        let db = context::db(ctx);
        let page = service::stakeholder::page(
            db,
            &filter,
            &PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .await?;
        let total = total_count(ctx, service::stakeholder::count(db, &filter)).await?;
        Ok(StakeholderConnection::new(
            page.map(Stakeholder::from),
            total,
        ))
    }
}
