//! What every write shares: who is writing and what they may do, one
//! transaction per write, and the audit record made inside it.
//!
//! Every write transaction first increments the `data_version` row of
//! `app_state`. The row lock that takes serialises writers, so the audit ids
//! handed out afterwards follow commit order: a partner reading the change
//! feed after id N never finds a smaller id appearing later. The counter also
//! tells every replica that its cached answers are stale.

use entity::value::{AuditAction, AuditEntity, Role};
use entity::{app_state, audit_event, organisation};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter,
};
use serde::Serialize;

use crate::error::{AppError, Result};
use crate::service::kernel::now;

/// The `app_state` key of the write counter.
pub const DATA_VERSION_KEY: &str = "data_version";

/// Audit rows inserted per statement: 13 columns each, well under the
/// parameter limits of SQLite (32,766) and PostgreSQL (65,535).
const AUDIT_BATCH: usize = 2000;

/// Who writes. Built from a verified token, or by the command line as `System`.
#[derive(Debug, Clone)]
pub struct Actor {
    pub subject: Option<String>,
    pub role: Role,
    /// A partner's organisation.
    pub organisation: Option<organisation::Model>,
}

impl Actor {
    /// The command line, run by whoever operates the server.
    #[must_use]
    pub fn system() -> Self {
        Self {
            subject: None,
            role: Role::System,
            organisation: None,
        }
    }

    /// Editors, admins and the command line write all content.
    #[must_use]
    pub fn writes_all_content(&self) -> bool {
        self.role.writes_all_content()
    }

    /// # Errors
    /// `FORBIDDEN` for partners.
    pub fn require_editor(&self, what: &str) -> Result<()> {
        if self.writes_all_content() {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "partners write their own facilities and visits only; {what} needs an editor or admin token"
            )))
        }
    }

    /// # Errors
    /// `FORBIDDEN` for partners and editors.
    pub fn require_admin(&self, what: &str) -> Result<()> {
        if self.role.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("{what} needs an admin token")))
        }
    }

    /// Whether this actor may change a facility maintained by `maintained_by_id`
    /// (and the visits to it).
    #[must_use]
    pub fn may_maintain(&self, maintained_by_id: Option<i32>) -> bool {
        self.writes_all_content()
            || matches!((&self.organisation, maintained_by_id), (Some(org), Some(id)) if org.id == id)
    }

    /// # Errors
    /// `FORBIDDEN` for a partner whose organisation has its changes to
    /// facilities reviewed first: it proposes them instead.
    pub fn require_unreviewed(&self) -> Result<()> {
        match &self.organisation {
            Some(org) if org.review_first && !self.writes_all_content() => {
                Err(AppError::Forbidden(format!(
                    "an editor reviews the changes of `{}` to facilities first: propose them with `proposeFacilityChange` or `proposeFacility`",
                    org.slug
                )))
            }
            _ => Ok(()),
        }
    }

    /// # Errors
    /// `FORBIDDEN` when a partner reaches for another organisation's facility.
    pub fn require_maintainer(&self, maintained_by_id: Option<i32>, what: &str) -> Result<()> {
        if self.may_maintain(maintained_by_id) {
            Ok(())
        } else {
            let org = self.organisation.as_ref().map_or("", |o| o.slug.as_str());
            Err(AppError::Forbidden(format!(
                "{what} is not maintained by your organisation `{org}`; partners change only their own facilities and their visits"
            )))
        }
    }
}

/// One audited change of one record.
#[derive(Debug)]
pub struct Change {
    pub entity: AuditEntity,
    pub id: i32,
    pub action: AuditAction,
    /// The record's version after the change; none after a delete.
    pub version: Option<i32>,
    /// Whether the change is of public data and so goes into the change feed.
    pub public: bool,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A snapshot of a record for the audit log.
///
/// # Errors
/// Only if the record cannot be serialised, which derived serialisers do not do.
pub fn snapshot(record: &impl Serialize) -> Result<serde_json::Value> {
    serde_json::to_value(record).map_err(|err| AppError::Internal(err.into()))
}

/// One write in progress: a transaction holding the write lock, and the
/// changes to audit when it commits. Dropped without `commit`, it rolls back.
pub struct Write {
    txn: DatabaseTransaction,
    pub actor: Actor,
    origin: &'static str,
    /// The proposal this write applies, which its audit rows name.
    proposal: Option<i32>,
    changes: Vec<Change>,
}

impl Write {
    /// Opens the transaction and takes the write lock.
    ///
    /// # Errors
    /// Database errors.
    pub async fn begin(
        db: &DatabaseConnection,
        actor: Actor,
        origin: &'static str,
    ) -> Result<Self> {
        let txn = crate::db::begin(db).await?;
        bump_data_version(&txn).await?;
        Ok(Self {
            txn,
            actor,
            origin,
            proposal: None,
            changes: Vec::new(),
        })
    }

    /// The transaction to run the write's statements on.
    #[must_use]
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Names `proposal` in the audit rows of this write: it applies it.
    pub fn applying(&mut self, proposal: i32) {
        self.proposal = Some(proposal);
    }

    pub fn record(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// Writes the audit rows recorded so far, inside the transaction; a long
    /// write (an import) flushes as it goes, so that it does not hold every
    /// snapshot in memory until the end.
    ///
    /// # Errors
    /// Database errors.
    pub async fn flush(&mut self) -> Result<()> {
        let occurred_at = now();
        let actor = &self.actor;
        let rows: Vec<audit_event::ActiveModel> = std::mem::take(&mut self.changes)
            .into_iter()
            .map(|c| audit_event::ActiveModel {
                occurred_at: Set(occurred_at),
                actor_subject: Set(actor.subject.clone()),
                actor_role: Set(actor.role),
                actor_organisation: Set(actor.organisation.as_ref().map(|o| o.slug.clone())),
                entity_type: Set(c.entity),
                entity_id: Set(c.id),
                action: Set(c.action),
                entity_version: Set(c.version),
                public: Set(c.public),
                before_state: Set(c.before),
                after_state: Set(c.after),
                origin: Set(self.origin.to_owned()),
                proposal_id: Set(self.proposal),
                ..Default::default()
            })
            .collect();
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<_> = rows.by_ref().take(AUDIT_BATCH).collect();
            audit_event::Entity::insert_many(chunk)
                .exec_without_returning(&self.txn)
                .await?;
        }
        Ok(())
    }

    /// Writes the audit rows and commits everything together.
    ///
    /// # Errors
    /// Database errors; nothing is committed then.
    pub async fn commit(mut self) -> Result<()> {
        self.flush().await?;
        self.txn.commit().await?;
        Ok(())
    }
}

/// Increments the data version, taking the write lock until the transaction
/// ends. Anything that changes data outside [`Write`] (the demo loader) calls
/// it too, or cached answers would outlive the data they show.
///
/// # Errors
/// Database errors.
pub async fn bump_data_version(db: &impl ConnectionTrait) -> Result<()> {
    bump_counter(db, DATA_VERSION_KEY).await
}

/// How many writes this database has seen: changes whenever data changes.
///
/// # Errors
/// Database errors.
pub async fn data_version(db: &impl ConnectionTrait) -> Result<i64> {
    counter(db, DATA_VERSION_KEY).await
}

/// Increments the counter of `app_state` under `key`, in the transaction of
/// `db`: the row stays locked until it ends.
///
/// # Errors
/// Database errors.
pub async fn bump_counter(db: &impl ConnectionTrait, key: &str) -> Result<()> {
    app_state::Entity::update_many()
        .col_expr(
            app_state::Column::Value,
            Expr::cust("CAST(CAST(value AS BIGINT) + 1 AS TEXT)"),
        )
        .col_expr(app_state::Column::UpdatedAt, Expr::value(now()))
        .filter(app_state::Column::Key.eq(key))
        .exec(db)
        .await?;
    Ok(())
}

/// The counter of `app_state` under `key`; 0 before its first increment.
///
/// # Errors
/// Database errors.
pub async fn counter(db: &impl ConnectionTrait, key: &str) -> Result<i64> {
    let row = app_state::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?;
    Ok(row.and_then(|r| r.value.parse().ok()).unwrap_or(0))
}

/// The optimistic-concurrency check of every update and delete.
///
/// # Errors
/// `CONFLICT` when the record changed since the caller read it.
pub fn check_version(what: &str, current: i32, expected: i32) -> Result<()> {
    if current == expected {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "{what} has changed since you read it: its version is {current}, you sent expectedVersion {expected}; read it again and reapply your change"
        )))
    }
}

/// Which of `ids` name a row of `E` (by its `column`).
///
/// # Errors
/// Database errors.
pub async fn existing_ids<E>(
    db: &impl ConnectionTrait,
    column: E::Column,
    ids: &[i32],
) -> Result<std::collections::HashSet<i32>>
where
    E: EntityTrait,
{
    use sea_orm::QuerySelect;
    if ids.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    Ok(E::find()
        .select_only()
        .column(column)
        .filter(column.is_in(ids.iter().copied()))
        .into_tuple::<i32>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// A problem for every id in `ids` that is not in `existing`, and for repeats.
pub fn check_references(
    problems: &mut crate::service::kernel::validate::Problems,
    field: &str,
    ids: &[i32],
    existing: &std::collections::HashSet<i32>,
    what: &str,
) {
    let mut seen = std::collections::HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        if !existing.contains(id) {
            problems.add(format!("{field}[{i}]"), format!("no {what} has this id"));
        } else if !seen.insert(*id) {
            problems.add(
                format!("{field}[{i}]"),
                format!("this {what} appears twice"),
            );
        }
    }
}

/// The ids that one record's rows of a link table name, smallest first: a
/// list of its fields as [`replace_children`] stored it, in the order its
/// check sorts the list, so that stored and written fields compare equal.
///
/// # Errors
/// Database errors.
pub async fn child_ids<C>(
    db: &impl ConnectionTrait,
    parent: C,
    id: i32,
    child: C,
) -> Result<Vec<i32>>
where
    C: ColumnTrait,
    C::EntityName: EntityTrait<Column = C>,
{
    use sea_orm::{QueryOrder, QuerySelect};
    Ok(<C::EntityName as EntityTrait>::find()
        .select_only()
        .column(child)
        .filter(parent.eq(id))
        .order_by_asc(child)
        .into_tuple::<i32>()
        .all(db)
        .await?)
}

/// Stores `items`, a list of one record's fields, in its link or child
/// table, unless they are as `before` (`None`: a new record, with no rows
/// yet): the rows whose `parent` column is `id` go, and `row` makes one for
/// each item, all inserted in one statement.
///
/// # Errors
/// Database errors.
pub async fn replace_children<T, A>(
    db: &impl ConnectionTrait,
    parent: <A::Entity as EntityTrait>::Column,
    id: i32,
    items: &[T],
    before: Option<&[T]>,
    row: impl FnMut(&T) -> A,
) -> Result<()>
where
    T: PartialEq,
    A: sea_orm::ActiveModelTrait + Send,
{
    if before == Some(items) {
        return Ok(());
    }
    <A::Entity as EntityTrait>::delete_many()
        .filter(parent.eq(id))
        .exec(db)
        .await?;
    if !items.is_empty() {
        <A::Entity as EntityTrait>::insert_many(items.iter().map(row))
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
