//! Knowledge workshops as editors write them: their name, principles and
//! focus themes, through the write steps of the kernel, so that each change
//! is one audit event and one entry of the change feed. The four workshops
//! are the project's own: no write adds or removes one.

use async_trait::async_trait;
use entity::value::{AuditEntity, SessionTopic, WorkshopPrinciple};
use entity::{knowledge_workshop, workshop_principle, workshop_theme};
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use serde::Serialize;

use crate::error::Result;
use crate::service::kernel::record::{Record, Stamp};
use crate::service::kernel::unit_of_work::{self as unit_of_work, Write};
use crate::service::kernel::validate::{self, Problems};

/// Every editable field of a knowledge workshop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkshopFields {
    pub name: String,
    /// Kept in the project's order, each once.
    pub principles: Vec<WorkshopPrinciple>,
    /// Kept in the project's order, each once.
    pub themes: Vec<SessionTopic>,
    /// Not editable: a national workshop stays in its country.
    #[serde(skip)]
    pub key: String,
    #[serde(skip)]
    pub country_code: Option<String>,
}

/// A knowledge workshop, as the write steps see it.
pub struct Workshop;

#[async_trait]
impl Record for Workshop {
    type Entity = knowledge_workshop::Entity;
    type Model = knowledge_workshop::Model;
    type ActiveModel = knowledge_workshop::ActiveModel;
    type Fields = WorkshopFields;
    type Resolved = ();

    const ENTITY: AuditEntity = AuditEntity::KnowledgeWorkshop;
    const NAME: &'static str = "knowledge workshop";
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
        Ok(WorkshopFields {
            name: model.name.clone(),
            principles: principles.into_iter().map(|p| p.principle).collect(),
            themes: themes.into_iter().map(|t| t.theme).collect(),
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
        unit_of_work::replace_children(
            db,
            workshop_principle::Column::WorkshopId,
            id,
            &fields.principles,
            before.map(|b| b.principles.as_slice()),
            |principle| workshop_principle::ActiveModel {
                workshop_id: Set(id),
                principle: Set(*principle),
            },
        )
        .await?;
        unit_of_work::replace_children(
            db,
            workshop_theme::Column::WorkshopId,
            id,
            &fields.themes,
            before.map(|b| b.themes.as_slice()),
            |theme| workshop_theme::ActiveModel {
                workshop_id: Set(id),
                theme: Set(*theme),
            },
        )
        .await
    }
}
