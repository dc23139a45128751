//! The competence framework as editors write it: areas and competences,
//! through the write steps of the kernel, so that each write is one audit
//! event and one entry of the change feed. A competence's links to the
//! resources, learning sessions and guideline versions that treat it are
//! fields of the competence, written with it; the other ends only read them.
//! Editors and admins write, and delete, the framework; partners read it.

use async_trait::async_trait;
use entity::competence_guideline_version::Column as VersionLink;
use entity::competence_learning_session::Column as SessionLink;
use entity::competence_resource::Column as ResourceLink;
use entity::value::LocalizedText;
use entity::{competence, competence_area, guideline_version, learning_session, resource};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde::Serialize;

use super::{MAX_AREAS, MAX_PER_AREA};
use crate::error::{AppError, Result};
use crate::service::kernel::link::{Link, check_ids};
use crate::service::kernel::record::{Record, Stamp};
use crate::service::kernel::text;
use crate::service::kernel::unit_of_work::{Actor, Write};
use crate::service::kernel::validate::{self, Problems};

/// The longest key.
pub const MAX_KEY: usize = 60;

/// The most records one competence lists in each of its links.
pub const MAX_LINKS: usize = 200;

/// Checks a key, its name and description; tidies them.
fn check_common(
    problems: &mut Problems,
    key: &mut String,
    name: &mut LocalizedText,
    description: Option<&LocalizedText>,
    position: i32,
) {
    *key = key.trim().to_owned();
    if key.len() > MAX_KEY {
        problems.add("input.key", format!("at most {MAX_KEY} characters"));
    } else {
        problems.check("input.key", validate::slug(key));
    }
    validate::localized_name(problems, "input.name", "a name", name);
    validate::localized_prose(problems, "input.description", description);
    if position < 0 {
        problems.add("input.position", "a position is 0 or more");
    }
}

/// Editors and admins delete parts of the framework, which is theirs to curate.
fn may_delete_framework(actor: &Actor, what: &str) -> Result<()> {
    actor.require_editor(what)
}

/// Every editable field of a competence area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaFields {
    pub key: String,
    pub position: i32,
    pub name: LocalizedText,
    pub description: Option<LocalizedText>,
}

/// A competence area, as the write steps see it.
pub struct Area;

#[async_trait]
impl Record for Area {
    type Entity = competence_area::Entity;
    type Fields = AreaFields;
    type Resolved = ();

    const EDITORS_ONLY: Option<&'static str> = Some("writing the competence framework");

    fn may_delete(actor: &Actor) -> Result<()> {
        may_delete_framework(actor, "deleting a competence area")
    }

    async fn fields_of(
        _db: &impl ConnectionTrait,
        model: &competence_area::Model,
    ) -> Result<AreaFields> {
        Ok(AreaFields {
            key: model.key.clone(),
            position: model.position,
            name: model.name.clone(),
            description: model.description.clone(),
        })
    }

    async fn check(
        write: &Write,
        fields: &mut AreaFields,
        current: Option<&competence_area::Model>,
    ) -> Result<()> {
        let mut problems = Problems::new();
        check_common(
            &mut problems,
            &mut fields.key,
            &mut fields.name,
            fields.description.as_ref(),
            fields.position,
        );
        let db = write.txn();
        let taken = competence_area::Entity::find()
            .filter(competence_area::Column::Key.eq(fields.key.as_str()))
            .filter(competence_area::Column::Id.ne(current.map_or(0, |c| c.id)))
            .count(db)
            .await?;
        if taken > 0 {
            problems.add(
                "input.key",
                format!("another area has the key `{}`", fields.key),
            );
        }
        if current.is_none() {
            let areas = competence_area::Entity::find().count(db).await?;
            if areas >= MAX_AREAS as u64 {
                problems.add(
                    "input",
                    format!("the framework holds at most {MAX_AREAS} areas"),
                );
            }
        }
        problems.finish()
    }

    fn row(fields: &AreaFields, (): &(), stamp: Stamp) -> competence_area::ActiveModel {
        competence_area::ActiveModel {
            key: Set(fields.key.clone()),
            position: Set(fields.position),
            name: Set(fields.name.clone()),
            description: Set(fields.description.clone()),
            ..stamp.into()
        }
    }

    async fn save_children(
        _db: &impl ConnectionTrait,
        _id: i32,
        _fields: &AreaFields,
        _before: Option<&AreaFields>,
    ) -> Result<()> {
        Ok(())
    }

    /// An area keeps its competences: they go first, or to another area.
    async fn before_delete(write: &Write, current: &competence_area::Model) -> Result<()> {
        let held = competence::Entity::find()
            .filter(competence::Column::AreaId.eq(current.id))
            .count(write.txn())
            .await?;
        if held > 0 {
            return Err(AppError::Conflict(format!(
                "this competence area holds {held} competence(s); delete them or move them to another area first"
            )));
        }
        Ok(())
    }
}

/// Every editable field of a competence, its links included.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompetenceFields {
    pub key: String,
    pub area: i32,
    pub position: i32,
    pub name: LocalizedText,
    pub description: Option<LocalizedText>,
    pub resources: Vec<i32>,
    pub learning_sessions: Vec<i32>,
    pub guideline_versions: Vec<i32>,
}

/// A competence, as the write steps see it.
pub struct Competence;

/// The lists of a competence that link tables hold.
const RESOURCES: Link<ResourceLink> = Link(ResourceLink::CompetenceId, ResourceLink::ResourceId);
const LEARNING_SESSIONS: Link<SessionLink> =
    Link(SessionLink::CompetenceId, SessionLink::LearningSessionId);
const GUIDELINE_VERSIONS: Link<VersionLink> =
    Link(VersionLink::CompetenceId, VersionLink::GuidelineVersionId);

#[async_trait]
impl Record for Competence {
    type Entity = competence::Entity;
    type Fields = CompetenceFields;
    type Resolved = ();

    const EDITORS_ONLY: Option<&'static str> = Some("writing the competence framework");

    fn may_delete(actor: &Actor) -> Result<()> {
        may_delete_framework(actor, "deleting a competence")
    }

    async fn fields_of(
        db: &impl ConnectionTrait,
        model: &competence::Model,
    ) -> Result<CompetenceFields> {
        let id = model.id;
        Ok(CompetenceFields {
            key: model.key.clone(),
            area: model.area_id,
            position: model.position,
            name: model.name.clone(),
            description: model.description.clone(),
            resources: RESOURCES.ids(db, id).await?,
            learning_sessions: LEARNING_SESSIONS.ids(db, id).await?,
            guideline_versions: GUIDELINE_VERSIONS.ids(db, id).await?,
        })
    }

    async fn check(
        write: &Write,
        fields: &mut CompetenceFields,
        current: Option<&competence::Model>,
    ) -> Result<()> {
        let mut problems = Problems::new();
        check_common(
            &mut problems,
            &mut fields.key,
            &mut fields.name,
            fields.description.as_ref(),
            fields.position,
        );
        let db = write.txn();
        let taken = competence::Entity::find()
            .filter(competence::Column::Key.eq(fields.key.as_str()))
            .filter(competence::Column::Id.ne(current.map_or(0, |c| c.id)))
            .count(db)
            .await?;
        if taken > 0 {
            problems.add(
                "input.key",
                format!("another competence has the key `{}`", fields.key),
            );
        }
        let area = competence_area::Entity::find_by_id(fields.area)
            .one(db)
            .await?;
        if area.is_none() {
            problems.add("input.area", "no competence area has this id");
        } else if current.is_none_or(|c| c.area_id != fields.area) {
            let held = competence::Entity::find()
                .filter(competence::Column::AreaId.eq(fields.area))
                .count(db)
                .await?;
            if held >= MAX_PER_AREA as u64 {
                problems.add(
                    "input.area",
                    format!("an area holds at most {MAX_PER_AREA} competences"),
                );
            }
        }
        check_ids::<resource::Entity>(
            db,
            &mut problems,
            "input.resources",
            &fields.resources,
            MAX_LINKS,
        )
        .await?;
        check_ids::<learning_session::Entity>(
            db,
            &mut problems,
            "input.learningSessions",
            &fields.learning_sessions,
            MAX_LINKS,
        )
        .await?;
        check_ids::<guideline_version::Entity>(
            db,
            &mut problems,
            "input.guidelineVersions",
            &fields.guideline_versions,
            MAX_LINKS,
        )
        .await?;
        problems.finish()?;
        // In the order `fields_of` reads them back, so that the same
        // competence written again compares equal and writes nothing.
        for ids in [
            &mut fields.resources,
            &mut fields.learning_sessions,
            &mut fields.guideline_versions,
        ] {
            ids.sort_unstable();
        }
        Ok(())
    }

    fn row(fields: &CompetenceFields, (): &(), stamp: Stamp) -> competence::ActiveModel {
        let search_text = text::fold_all(
            std::iter::once(fields.key.as_str())
                .chain(fields.name.0.values().map(String::as_str))
                .chain(
                    fields
                        .description
                        .iter()
                        .flat_map(|d| d.0.values().map(String::as_str)),
                ),
        );
        competence::ActiveModel {
            key: Set(fields.key.clone()),
            area_id: Set(fields.area),
            position: Set(fields.position),
            name: Set(fields.name.clone()),
            description: Set(fields.description.clone()),
            search_text: Set(search_text),
            ..stamp.into()
        }
    }

    async fn save_children(
        db: &impl ConnectionTrait,
        id: i32,
        fields: &CompetenceFields,
        before: Option<&CompetenceFields>,
    ) -> Result<()> {
        RESOURCES
            .save(db, id, fields, before, |f| &f.resources)
            .await?;
        LEARNING_SESSIONS
            .save(db, id, fields, before, |f| &f.learning_sessions)
            .await?;
        GUIDELINE_VERSIONS
            .save(db, id, fields, before, |f| &f.guideline_versions)
            .await
    }
}
