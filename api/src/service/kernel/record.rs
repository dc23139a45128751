//! The steps of every create, update and delete of one record, written once.
//!
//! Each write runs in one [`Write`]: begin (taking the write lock), find,
//! authorise, check the version the caller read, load the current fields,
//! apply the change, check it, do nothing if nothing changed, save the row
//! and its children, audit, commit. What differs between facilities,
//! visits, learning sessions, stakeholders and guideline versions is in the
//! hooks of their [`Record`] implementation; the order of the steps, and
//! what each answers when it fails, is here and nowhere else.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use entity::value::{AuditAction, AuditEntity};
use entity::versioned::Versioned;
use sea_orm::{
    ActiveModelTrait, ActiveValue, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PrimaryKeyTrait,
};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{AppError, Result};
use crate::service::kernel::now;
use crate::service::kernel::unit_of_work::{Actor, Change, Write, check_version};

/// The bookkeeping columns of a row about to be stored: its id (none yet
/// for a new row), its UUID (only a new row gets one), version and times.
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    id: Option<i32>,
    uuid: Option<Uuid>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Stamp {
    /// A new row's: a new UUID, version 1, created now.
    #[must_use]
    pub fn first() -> Self {
        Self::first_as(Uuid::now_v7())
    }

    /// A new row's that keeps the identity it has elsewhere (an imported
    /// record, a demo row): `uuid`, version 1, created now.
    #[must_use]
    pub fn first_as(uuid: Uuid) -> Self {
        let now = now();
        Self {
            id: None,
            uuid: Some(uuid),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// The next version of `current`, changed now.
    #[must_use]
    pub fn next(current: &impl Versioned) -> Self {
        Self {
            id: Some(current.id()),
            uuid: None,
            version: current.version() + 1,
            created_at: current.created_at(),
            updated_at: now(),
        }
    }

    /// The id column: unset for a new row, which the database numbers.
    fn id(&self) -> ActiveValue<i32> {
        self.id.map_or(ActiveValue::NotSet, ActiveValue::Set)
    }

    /// The UUID column: set once, when the row is made, and never changed.
    fn uuid(&self) -> ActiveValue<Uuid> {
        self.uuid.map_or(ActiveValue::NotSet, ActiveValue::Set)
    }
}

/// A row with only its bookkeeping columns set, as `..stamp.into()` ends
/// the literal of a [`Record::row`]: the kernel numbers and dates every
/// versioned table alike, and a row builder names all its other columns.
/// A table written `as` a kind of the audit log is [`Audited`] as that kind.
macro_rules! stamped {
    ($($table:ident $(as $audited:ident)?),+ $(,)?) => {
        $(
            impl From<Stamp> for entity::$table::ActiveModel {
                fn from(stamp: Stamp) -> Self {
                    Self {
                        id: stamp.id(),
                        uuid: stamp.uuid(),
                        version: ActiveValue::Set(stamp.version),
                        created_at: ActiveValue::Set(stamp.created_at),
                        updated_at: ActiveValue::Set(stamp.updated_at),
                        ..Default::default()
                    }
                }
            }

            $(
                impl Audited for entity::$table::Entity {
                    const ENTITY: AuditEntity = AuditEntity::$audited;
                }
            )?
        )+
    };
}

/// A table whose writes the audit log records, under this kind of record.
pub trait Audited {
    const ENTITY: AuditEntity;
}

stamped!(
    facility as Facility,
    visit as Visit,
    learning_session as LearningSession,
    stakeholder as Stakeholder,
    guideline_version as GuidelineVersion,
    // Editors change workshops; the demo data stamps new ones alike.
    knowledge_workshop as KnowledgeWorkshop,
    // Never written through the API; the demo data stamps its rows alike.
    guideline,
    // Registered when a partner's token first names one.
    organisation as Organisation,
    proposal as Proposal,
    resource as Resource,
    // Comments on a version in consultation have their own writes.
    consultation_comment as ConsultationComment,
    competence_area as CompetenceArea,
    competence as Competence,
);

/// The row of a record of `R`.
pub type Model<R> = <<R as Record>::Entity as EntityTrait>::Model;

/// One kind of record the API writes, as its hooks into the steps.
#[async_trait]
pub trait Record: Send + Sync + 'static {
    /// The table; its model and active model are the record's row.
    type Entity: EntityTrait<
            Model: Versioned
                       + Serialize
                       + Clone
                       + Send
                       + Sync
                       + IntoActiveModel<<Self::Entity as EntityTrait>::ActiveModel>,
            ActiveModel: Send,
            PrimaryKey: PrimaryKeyTrait<ValueType: From<i32>>,
        > + Audited;
    /// Every field a caller may change, children included, as the audit log shows them.
    type Fields: Clone + PartialEq + Serialize + Send + Sync;
    /// What checking the fields resolved that storing them needs (an
    /// organisation's id, the columns a workflow sets); `()` for most.
    type Resolved: Send + Sync;

    /// The record's name in messages ("facility", "learning session"): the
    /// audit log's, in words.
    #[must_use]
    fn name() -> String {
        <Self::Entity as Audited>::ENTITY.as_str().replace('_', " ")
    }

    /// How a message names one stored record.
    fn describe(_model: &Model<Self>) -> String {
        format!("this {}", Self::name())
    }

    /// Whether the record is public data, whose changes go into the public change feed.
    fn public(_model: &Model<Self>) -> bool {
        true
    }

    /// Whether one write goes into the public change feed, from the record
    /// before it (`None` for a create) and after it (`None` for a delete):
    /// by default, whether the record is public after the write, or, for a
    /// delete, before it. A record with private fields says more, so that a
    /// change only they see stays out of the feed.
    fn public_change(
        before: Option<(&Model<Self>, &Self::Fields)>,
        after: Option<(&Model<Self>, &Self::Fields)>,
    ) -> bool
    where
        Self: Sized,
    {
        after
            .or(before)
            .is_some_and(|(model, _)| Self::public(model))
    }

    /// What the audit log keeps of one write: the record before and after
    /// it, as [`snapshot`]s. A record whose fields the log must not keep
    /// says what it keeps instead.
    ///
    /// # Errors
    /// As [`snapshot`].
    fn audit_states(
        before: Option<(&Model<Self>, &Self::Fields)>,
        after: Option<(&Model<Self>, &Self::Fields)>,
    ) -> Result<(Option<serde_json::Value>, Option<serde_json::Value>)>
    where
        Self: Sized,
    {
        let before = before.map(|(m, f)| snapshot::<Self>(m, f)).transpose()?;
        let after = after.map(|(m, f)| snapshot::<Self>(m, f)).transpose()?;
        Ok((before, after))
    }

    /// For records that only editors and admins write, the work a refused
    /// partner is told needs them ("writing stakeholders"); `None` where
    /// partners write some too, which [`Record::may_change`] then decides.
    const EDITORS_ONLY: Option<&'static str> = None;

    /// # Errors
    /// `FORBIDDEN` when `actor` may not create one.
    fn may_create(actor: &Actor) -> Result<()> {
        Self::EDITORS_ONLY.map_or(Ok(()), |work| actor.require_editor(work))
    }

    /// Whoever may create one may change any, unless a record says more.
    ///
    /// # Errors
    /// `FORBIDDEN` (or `CONFLICT`, for a record frozen by a workflow) when
    /// the writer may not change this one.
    async fn may_change(write: &Write, _current: &Model<Self>) -> Result<()> {
        Self::may_create(&write.actor)
    }

    /// # Errors
    /// `FORBIDDEN` for anyone but admins.
    fn may_delete(actor: &Actor) -> Result<()> {
        actor.require_admin(&format!("deleting a {}", Self::name()))
    }

    /// The fields of a stored record, children included.
    async fn fields_of(db: &impl ConnectionTrait, model: &Model<Self>) -> Result<Self::Fields>;

    /// Tidies the fields and checks every one of them (`BAD_USER_INPUT`
    /// listing all problems at once), including what they refer to.
    async fn check(
        write: &Write,
        fields: &mut Self::Fields,
        current: Option<&Model<Self>>,
    ) -> Result<Self::Resolved>;

    /// The row to store: every column of the record, the derived ones (sort
    /// and search keys) computed here and only here, then `..stamp.into()`.
    fn row(
        fields: &Self::Fields,
        resolved: &Self::Resolved,
        stamp: Stamp,
    ) -> <Self::Entity as EntityTrait>::ActiveModel;

    /// Writes the child rows (participants, principles, ...) when they
    /// differ from `before` (`None`: a new record).
    async fn save_children(
        db: &impl ConnectionTrait,
        id: i32,
        fields: &Self::Fields,
        before: Option<&Self::Fields>,
    ) -> Result<()>;

    /// A last word before a change that does change something.
    async fn before_change(
        _write: &Write,
        _current: &Model<Self>,
        _before: &Self::Fields,
        _after: &Self::Fields,
    ) -> Result<()> {
        Ok(())
    }

    /// What a delete would leave dangling: `CONFLICT` saying so.
    async fn before_delete(_write: &Write, _current: &Model<Self>) -> Result<()> {
        Ok(())
    }
}

/// A record as the audit log keeps it: its row, with the fields that live
/// in other tables (participants, principles, ...) beside its columns.
///
/// # Errors
/// Only if the record cannot be serialised, which derived serialisers do not do.
pub fn snapshot<R: Record>(model: &Model<R>, fields: &R::Fields) -> Result<serde_json::Value> {
    let mut row = to_json(model)?;
    if let (Some(row), serde_json::Value::Object(fields)) = (row.as_object_mut(), to_json(fields)?)
    {
        for (key, value) in fields {
            row.entry(key).or_insert(value);
        }
    }
    Ok(row)
}

/// What the audit log keeps of one write of a record with private fields:
/// its [`snapshot`]s, in which each field named in `private` keeps only
/// whether it is set and whether this write changed it, as
/// `{"set": …, "changed": …}`.
///
/// # Errors
/// As [`snapshot`].
pub fn snapshots_keeping_private<R: Record>(
    before: Option<(&Model<R>, &R::Fields)>,
    after: Option<(&Model<R>, &R::Fields)>,
    private: &[&str],
) -> Result<(Option<serde_json::Value>, Option<serde_json::Value>)> {
    Ok(keeping_private(
        before.map(|(m, f)| snapshot::<R>(m, f)).transpose()?,
        after.map(|(m, f)| snapshot::<R>(m, f)).transpose()?,
        private,
    ))
}

/// The snapshots of one write (`None` before a create, after a delete) in
/// which each field named in `private` keeps only whether it is set and
/// whether this write changed it, as `{"set": …, "changed": …}`: what
/// [`snapshots_keeping_private`] keeps, for a record written outside [`Record`].
#[must_use]
pub fn keeping_private(
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    private: &[&str],
) -> (Option<serde_json::Value>, Option<serde_json::Value>) {
    let mut states = [before, after];
    let written = states.each_ref().map(Option::is_some);
    let is_set = |value: Option<&serde_json::Value>| value.is_some_and(|v| !v.is_null());
    for field in private {
        let [old, new] = states
            .each_ref()
            .map(|state| state.as_ref().and_then(|s| s.get(*field)).cloned());
        let changed = match (written[0], written[1]) {
            (true, true) => old != new,
            (false, true) => is_set(new.as_ref()),
            _ => false,
        };
        for (state, value) in states.iter_mut().zip([old, new]) {
            if let Some(serde_json::Value::Object(state)) = state {
                state.insert(
                    (*field).to_owned(),
                    serde_json::json!({ "set": is_set(value.as_ref()), "changed": changed }),
                );
            }
        }
    }
    let [before, after] = states;
    (before, after)
}

/// The audit record of one write of `R`, from the record before and after it.
fn audited<R: Record>(
    action: AuditAction,
    id: i32,
    version: Option<i32>,
    before: Option<(&Model<R>, &R::Fields)>,
    after: Option<(&Model<R>, &R::Fields)>,
) -> Result<Change> {
    let (before_state, after_state) = R::audit_states(before, after)?;
    Ok(Change {
        entity: <R::Entity as Audited>::ENTITY,
        id,
        action,
        version,
        public: R::public_change(before, after),
        before: before_state,
        after: after_state,
    })
}

fn to_json(value: &impl Serialize) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| AppError::Internal(e.into()))
}

async fn find<R: Record>(db: &impl ConnectionTrait, id: i32) -> Result<Model<R>> {
    R::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no {} has this id", R::name())))
}

/// Creates a record from `fields`.
///
/// # Errors
/// `FORBIDDEN`, `BAD_USER_INPUT` listing every bad field, database errors.
pub async fn create<R: Record>(
    db: &DatabaseConnection,
    actor: Actor,
    fields: R::Fields,
) -> Result<Model<R>> {
    R::may_create(&actor)?;
    let mut write = Write::begin(db, actor, "api").await?;
    let model = create_in::<R>(&mut write, fields).await?;
    write.commit().await?;
    Ok(model)
}

/// [`create`] within a write that does more (and that checked the writer).
///
/// # Errors
/// As [`create`].
pub async fn create_in<R: Record>(write: &mut Write, mut fields: R::Fields) -> Result<Model<R>> {
    let resolved = R::check(write, &mut fields, None).await?;
    let model = R::row(&fields, &resolved, Stamp::first())
        .insert(write.txn())
        .await?;
    R::save_children(write.txn(), model.id(), &fields, None).await?;
    write.record(audited::<R>(
        AuditAction::Created,
        model.id(),
        Some(model.version()),
        None,
        Some((&model, &fields)),
    )?);
    Ok(model)
}

/// Changes a record: `apply` edits its current fields. A change that
/// changes nothing writes nothing, and the version stays.
///
/// # Errors
/// `NOT_FOUND`, `FORBIDDEN`, `CONFLICT` for a stale `expected_version` (or
/// a record a workflow froze), `BAD_USER_INPUT` listing every bad field,
/// database errors.
pub async fn update<R: Record>(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
    apply: impl FnOnce(&mut R::Fields) + Send,
) -> Result<Model<R>> {
    let mut write = Write::begin(db, actor, "api").await?;
    let model = update_in::<R>(&mut write, id, expected_version, apply).await?;
    write.commit().await?;
    Ok(model)
}

/// [`update`] within a write that does more.
///
/// # Errors
/// As [`update`].
pub async fn update_in<R: Record>(
    write: &mut Write,
    id: i32,
    expected_version: i32,
    apply: impl FnOnce(&mut R::Fields) + Send,
) -> Result<Model<R>> {
    let current = find::<R>(write.txn(), id).await?;
    R::may_change(write, &current).await?;
    check_version(&R::describe(&current), current.version(), expected_version)?;
    let before = R::fields_of(write.txn(), &current).await?;
    let mut fields = before.clone();
    apply(&mut fields);
    let resolved = R::check(write, &mut fields, Some(&current)).await?;
    if fields == before {
        return Ok(current);
    }
    R::before_change(write, &current, &before, &fields).await?;
    let model = R::row(&fields, &resolved, Stamp::next(&current))
        .update(write.txn())
        .await?;
    R::save_children(write.txn(), id, &fields, Some(&before)).await?;
    write.record(audited::<R>(
        AuditAction::Updated,
        id,
        Some(model.version()),
        Some((&current, &before)),
        Some((&model, &fields)),
    )?);
    Ok(model)
}

/// Deletes a record that nothing needs any more.
///
/// # Errors
/// `FORBIDDEN`, `NOT_FOUND`, `CONFLICT` for a stale version or a record
/// others refer to, database errors.
pub async fn delete<R: Record>(
    db: &DatabaseConnection,
    actor: Actor,
    id: i32,
    expected_version: i32,
) -> Result<()> {
    R::may_delete(&actor)?;
    let mut write = Write::begin(db, actor, "api").await?;
    let current = find::<R>(write.txn(), id).await?;
    check_version(&R::describe(&current), current.version(), expected_version)?;
    R::before_delete(&write, &current).await?;
    let before = R::fields_of(write.txn(), &current).await?;
    R::Entity::delete_by_id(id).exec(write.txn()).await?;
    write.record(audited::<R>(
        AuditAction::Deleted,
        id,
        None,
        Some((&current, &before)),
        None,
    )?);
    write.commit().await
}
