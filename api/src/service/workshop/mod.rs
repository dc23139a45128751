//! Reading knowledge workshops, their principles, themes and members.

pub mod balance;
pub mod write;

use entity::value::{AgendaActivityKind, AgendaActivityStatus, LocalizedText};
use entity::{
    knowledge_workshop, learning_session, stakeholder, visit, workshop_activity, workshop_goal,
    workshop_membership, workshop_principle, workshop_theme,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::error::Result;
use crate::service::kernel::{page, read};

/// How many knowledge workshops the project defines: Belgium, France, the
/// Netherlands and the European think tank. No write of the API adds one, so
/// it is also the most workshops a stakeholder can belong to; queries are
/// costed by it.
pub const MAX_WORKSHOPS: usize = 4;

/// Every workshop: the national ones first (by country), then the European think tank.
/// Never more than [`MAX_WORKSHOPS`], which the query cost assumes.
///
/// # Errors
/// Database errors.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<knowledge_workshop::Model>> {
    let mut workshops = knowledge_workshop::Entity::find()
        .order_by_asc(knowledge_workshop::Column::Key)
        .limit(MAX_WORKSHOPS as u64 + 1)
        .all(db)
        .await?;
    if workshops.len() > MAX_WORKSHOPS {
        tracing::warn!(
            bound = MAX_WORKSHOPS,
            "the database holds more knowledge workshops than the project defines; the list is cut at the bound"
        );
        workshops.truncate(MAX_WORKSHOPS);
    }
    workshops.sort_by_key(|w| (w.country_code.is_none(), w.key.clone()));
    Ok(workshops)
}

/// The fingerprint of a workshop's own list of members, for cursors of `KnowledgeWorkshop.members`.
#[must_use]
pub fn members_fingerprint(workshop_id: i32) -> String {
    page::fingerprint(&("workshop-members", workshop_id))
}

/// The members of many workshops at once, as (workshop id, stakeholder) pairs,
/// in the order of `stakeholders`: by name, ties by id, so cursors stay put.
///
/// # Errors
/// Database errors.
pub async fn members_of(
    db: &impl ConnectionTrait,
    workshop_ids: &[i32],
) -> Result<Vec<(i32, stakeholder::Model)>> {
    let by_name = [stakeholder::Column::SortName, stakeholder::Column::Id];
    let parent = workshop_membership::Column::WorkshopId;
    read::linked(db, parent, workshop_ids, &by_name).await
}

/// A workshop by key.
///
/// # Errors
/// Database errors; an unknown key is `Ok(None)`.
pub async fn find_by_key(
    db: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<knowledge_workshop::Model>> {
    Ok(knowledge_workshop::Entity::find()
        .filter(knowledge_workshop::Column::Key.eq(key))
        .one(db)
        .await?)
}

/// The principles of many workshops at once, in the order the project names them.
///
/// # Errors
/// Database errors.
pub async fn principles_of(
    db: &impl ConnectionTrait,
    workshop_ids: &[i32],
) -> Result<Vec<workshop_principle::Model>> {
    let mut rows = workshop_principle::Entity::find()
        .filter(workshop_principle::Column::WorkshopId.is_in(workshop_ids.iter().copied()))
        .all(db)
        .await?;
    // The database orders by the stored text; the API by the project's order.
    rows.sort_by_key(|r| (r.workshop_id, r.principle));
    Ok(rows)
}

/// The focus themes of many workshops at once.
///
/// # Errors
/// Database errors.
pub async fn themes_of(
    db: &impl ConnectionTrait,
    workshop_ids: &[i32],
) -> Result<Vec<workshop_theme::Model>> {
    let mut rows = workshop_theme::Entity::find()
        .filter(workshop_theme::Column::WorkshopId.is_in(workshop_ids.iter().copied()))
        .all(db)
        .await?;
    rows.sort_by_key(|r| (r.workshop_id, r.theme));
    Ok(rows)
}

/// One goal of a workshop's change agenda, with the activities attached to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Goal {
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
    pub activities: Vec<AgendaActivity>,
}

/// One activity of a change agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgendaActivity {
    pub kind: AgendaActivityKind,
    pub title: LocalizedText,
    pub starts_on: Option<chrono::NaiveDate>,
    pub ends_on: Option<chrono::NaiveDate>,
    pub status: AgendaActivityStatus,
    pub outcome: Option<LocalizedText>,
}

/// The change agendas of many workshops at once, as (workshop id, goal)
/// pairs in each workshop's order: two statements, whatever the number of
/// workshops.
///
/// # Errors
/// Database errors.
pub async fn agenda_of(
    db: &impl ConnectionTrait,
    workshop_ids: &[i32],
) -> Result<Vec<(i32, Goal)>> {
    let goals = workshop_goal::Entity::find()
        .filter(workshop_goal::Column::WorkshopId.is_in(workshop_ids.iter().copied()))
        .order_by_asc(workshop_goal::Column::WorkshopId)
        .order_by_asc(workshop_goal::Column::Position)
        .all(db)
        .await?;
    let activities = workshop_activity::Entity::find()
        .filter(workshop_activity::Column::WorkshopId.is_in(workshop_ids.iter().copied()))
        .order_by_asc(workshop_activity::Column::WorkshopId)
        .order_by_asc(workshop_activity::Column::GoalPosition)
        .order_by_asc(workshop_activity::Column::Position)
        .all(db)
        .await?;
    let mut by_goal: std::collections::HashMap<(i32, i32), Vec<AgendaActivity>> =
        std::collections::HashMap::new();
    for a in activities {
        by_goal
            .entry((a.workshop_id, a.goal_position))
            .or_default()
            .push(AgendaActivity {
                kind: a.kind,
                title: a.title,
                starts_on: a.starts_on,
                ends_on: a.ends_on,
                status: a.status,
                outcome: a.outcome,
            });
    }
    Ok(goals
        .into_iter()
        .map(|g| {
            let activities = by_goal
                .remove(&(g.workshop_id, g.position))
                .unwrap_or_default();
            (
                g.workshop_id,
                Goal {
                    title: g.title,
                    description: g.description,
                    activities,
                },
            )
        })
        .collect())
}

/// The fingerprint of a workshop's own list of visits, for cursors of `KnowledgeWorkshop.visits`.
#[must_use]
pub fn visits_fingerprint(workshop_id: i32) -> String {
    page::fingerprint(&("workshop-visits", workshop_id))
}

/// The fingerprint of a workshop's own list of learning sessions, for
/// cursors of `KnowledgeWorkshop.learningSessions`.
#[must_use]
pub fn sessions_fingerprint(workshop_id: i32) -> String {
    page::fingerprint(&("workshop-sessions", workshop_id))
}

/// The study visits of many workshops at once, most recent first, as `visits` orders them.
///
/// # Errors
/// Database errors.
pub async fn visits_of(
    db: &impl ConnectionTrait,
    workshop_ids: &[i32],
) -> Result<Vec<visit::Model>> {
    Ok(visit::Entity::find()
        .filter(visit::Column::WorkshopId.is_in(workshop_ids.iter().copied()))
        .order_by_desc(visit::Column::VisitedOn)
        .order_by_desc(visit::Column::Id)
        .all(db)
        .await?)
}

/// The learning sessions of many workshops at once, most recent first, as
/// `learningSessions` orders them.
///
/// # Errors
/// Database errors.
pub async fn sessions_of(
    db: &impl ConnectionTrait,
    workshop_ids: &[i32],
) -> Result<Vec<learning_session::Model>> {
    Ok(learning_session::Entity::find()
        .filter(learning_session::Column::WorkshopId.is_in(workshop_ids.iter().copied()))
        .order_by_desc(learning_session::Column::HeldOn)
        .order_by_desc(learning_session::Column::Id)
        .all(db)
        .await?)
}
