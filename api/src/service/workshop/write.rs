//! Knowledge workshops as editors write them: their name, principles, focus
//! themes and change agenda, through the write steps of the kernel, so that
//! each change is one audit event and one entry of the change feed. The
//! agenda is a field of the workshop, written whole, as a resource's links
//! are. The four workshops are the project's own: the API offers no write
//! that adds or removes one.

use async_trait::async_trait;
use entity::value::{LocalizedText, SessionTopic, WorkshopPrinciple};
use entity::workshop_principle::Column as PrincipleLink;
use entity::workshop_theme::Column as ThemeLink;
use entity::{knowledge_workshop, workshop_activity, workshop_goal};
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use serde::Serialize;

use crate::error::Result;
use crate::service::kernel::link::Link;
use crate::service::kernel::record::{Record, Stamp};
use crate::service::kernel::unit_of_work::{self as unit_of_work, Write};
use crate::service::kernel::validate::{self, Problems};

use super::{AgendaActivity, Goal};

/// The most goals one change agenda holds; queries are costed by it.
pub const MAX_GOALS: usize = 20;

/// The most activities one goal has attached; queries are costed by it.
pub const MAX_ACTIVITIES: usize = 20;

/// Every editable field of a knowledge workshop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkshopFields {
    pub name: String,
    /// Kept in the project's order, each once.
    pub principles: Vec<WorkshopPrinciple>,
    /// Kept in the project's order, each once.
    pub themes: Vec<SessionTopic>,
    /// The change agenda, in the workshop's order.
    pub agenda: Vec<Goal>,
    /// Not editable: a national workshop stays in its country.
    #[serde(skip)]
    pub key: String,
    #[serde(skip)]
    pub country_code: Option<String>,
}

/// A knowledge workshop, as the write steps see it.
pub struct Workshop;

/// The lists of a knowledge workshop that link tables hold.
const PRINCIPLES: Link<PrincipleLink> = Link(PrincipleLink::WorkshopId, PrincipleLink::Principle);
const THEMES: Link<ThemeLink> = Link(ThemeLink::WorkshopId, ThemeLink::Theme);

#[async_trait]
impl Record for Workshop {
    type Entity = knowledge_workshop::Entity;
    type Fields = WorkshopFields;
    type Resolved = ();

    const EDITORS_ONLY: Option<&'static str> = Some("writing knowledge workshops");

    fn describe(model: &knowledge_workshop::Model) -> String {
        format!("knowledge workshop `{}`", model.key)
    }

    async fn fields_of(
        db: &impl ConnectionTrait,
        model: &knowledge_workshop::Model,
    ) -> Result<WorkshopFields> {
        let ids = [model.id];
        let principles = super::principles_of(db, &ids).await?;
        let themes = super::themes_of(db, &ids).await?;
        let agenda = super::agenda_of(db, &ids).await?;
        Ok(WorkshopFields {
            name: model.name.clone(),
            principles: principles.into_iter().map(|p| p.principle).collect(),
            themes: themes.into_iter().map(|t| t.theme).collect(),
            agenda: agenda.into_iter().map(|(_, goal)| goal).collect(),
            key: model.key.clone(),
            country_code: model.country_code.clone(),
        })
    }

    async fn check(
        _write: &Write,
        fields: &mut WorkshopFields,
        _current: Option<&knowledge_workshop::Model>,
    ) -> Result<()> {
        let mut problems = Problems::new();
        fields.name = fields.name.trim().to_owned();
        problems.check("name", validate::name(&fields.name));
        // A list names each value once, whatever order the caller sent.
        fields.principles.sort_unstable();
        fields.principles.dedup();
        fields.themes.sort_unstable();
        fields.themes.dedup();
        check_agenda(&mut problems, &mut fields.agenda);
        problems.finish()
    }

    fn row(fields: &WorkshopFields, (): &(), stamp: Stamp) -> knowledge_workshop::ActiveModel {
        knowledge_workshop::ActiveModel {
            key: Set(fields.key.clone()),
            name: Set(fields.name.clone()),
            country_code: Set(fields.country_code.clone()),
            ..stamp.into()
        }
    }

    async fn save_children(
        db: &impl ConnectionTrait,
        id: i32,
        fields: &WorkshopFields,
        before: Option<&WorkshopFields>,
    ) -> Result<()> {
        PRINCIPLES
            .save(db, id, fields, before, |f| &f.principles)
            .await?;
        THEMES.save(db, id, fields, before, |f| &f.themes).await?;
        save_agenda(db, id, &fields.agenda, before.map(|b| b.agenda.as_slice())).await
    }
}

/// Trims the texts of the agenda and checks each goal and activity.
fn check_agenda(problems: &mut Problems, agenda: &mut [Goal]) {
    if agenda.len() > MAX_GOALS {
        problems.add(
            "input.agenda",
            format!("at most {MAX_GOALS} goals, got {}", agenda.len()),
        );
        return;
    }
    for (i, goal) in agenda.iter_mut().enumerate() {
        let at = format!("input.agenda[{i}]");
        check_title(problems, &format!("{at}.title"), &mut goal.title);
        validate::localized_prose(
            problems,
            &format!("{at}.description"),
            goal.description.as_ref(),
        );
        if goal.activities.len() > MAX_ACTIVITIES {
            problems.add(
                format!("{at}.activities"),
                format!(
                    "at most {MAX_ACTIVITIES} activities, got {}",
                    goal.activities.len()
                ),
            );
            continue;
        }
        for (j, activity) in goal.activities.iter_mut().enumerate() {
            let at = format!("{at}.activities[{j}]");
            check_title(problems, &format!("{at}.title"), &mut activity.title);
            validate::localized_prose(
                problems,
                &format!("{at}.outcome"),
                activity.outcome.as_ref(),
            );
            if let (Some(start), Some(end)) = (activity.starts_on, activity.ends_on)
                && end < start
            {
                problems.add(
                    format!("{at}.endsOn"),
                    format!("ends before it starts ({start})"),
                );
            }
        }
    }
}

fn check_title(problems: &mut Problems, at: &str, title: &mut LocalizedText) {
    if !title.0.contains_key("en") {
        problems.add(at, "give a title, at least in English (`en`)");
    }
    for (lang, text) in &mut title.0 {
        problems.check(&format!("{at}.{lang}"), validate::name(text));
        *text = text.trim().to_owned();
    }
}

/// Stores the agenda, goals and activities, numbered from 1 in their order.
async fn save_agenda(
    db: &impl ConnectionTrait,
    id: i32,
    agenda: &[Goal],
    before: Option<&[Goal]>,
) -> Result<()> {
    if before == Some(agenda) {
        return Ok(());
    }
    let numbered: Vec<(i32, &Goal)> = (1..).zip(agenda).collect();
    unit_of_work::replace_children(
        db,
        workshop_goal::Column::WorkshopId,
        id,
        &numbered,
        None,
        |(position, goal)| workshop_goal::ActiveModel {
            workshop_id: Set(id),
            position: Set(*position),
            title: Set(goal.title.clone()),
            description: Set(goal.description.clone()),
        },
    )
    .await?;
    let activities: Vec<(i32, i32, &AgendaActivity)> = numbered
        .iter()
        .flat_map(|(goal, g)| (1..).zip(&g.activities).map(|(n, a)| (*goal, n, a)))
        .collect();
    unit_of_work::replace_children(
        db,
        workshop_activity::Column::WorkshopId,
        id,
        &activities,
        None,
        |(goal, position, a)| workshop_activity::ActiveModel {
            workshop_id: Set(id),
            goal_position: Set(*goal),
            position: Set(*position),
            kind: Set(a.kind),
            title: Set(a.title.clone()),
            starts_on: Set(a.starts_on),
            ends_on: Set(a.ends_on),
            status: Set(a.status),
            outcome: Set(a.outcome.clone()),
        },
    )
    .await
}
