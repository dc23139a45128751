//! `facilityChanged`: one facility, live.

use std::sync::Arc;

use async_graphql::{Context, ID, Result, Subscription};
use entity::facility;
use entity::value::{AuditAction, AuditEntity};
use futures_util::Stream;
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::data_version::DataVersion;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::facility::Facility;
use crate::service::changes::{self, Range};
use crate::service::kernel::page::MAX_PAGE_SIZE;
use crate::service::kernel::read;

#[derive(Default)]
pub struct FacilitySubscription;

#[Subscription]
impl FacilitySubscription {
    /// The facility each time it changes after you subscribe, as it is then
    /// (several changes committed close together may arrive as one event, the
    /// latest state). When it is deleted, one last event is `null` and the
    /// subscription completes. `NOT_FOUND` for a facility that does not exist.
    async fn facility_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the facility.")] id: ID,
    ) -> Result<impl Stream<Item = Result<Option<Facility>>> + use<>> {
        let db = context::db(ctx).clone();
        let mut moved = ctx.data_unchecked::<Arc<DataVersion>>().watch();
        let row = id::row(&db, &id, Kind::Facility, "id").await?;
        if row == id::NO_ROW {
            return Err(
                AppError::not_found(format!("no facility has the id `{}`", id.as_str())).into(),
            );
        }
        // Seen before the start is read: a write after it wakes the stream.
        moved.borrow_and_update();
        let after = changes::last_id(&db).await?;
        Ok(follow(Watched {
            db,
            moved,
            row,
            after,
            done: false,
        }))
    }
}

/// Where a `facilityChanged` subscription is in the feed.
struct Watched {
    db: DatabaseConnection,
    moved: watch::Receiver<i64>,
    row: i32,
    after: Option<i64>,
    done: bool,
}

fn follow(watched: Watched) -> impl Stream<Item = Result<Option<Facility>>> {
    futures_util::stream::unfold(watched, |mut watched| async move {
        if watched.done {
            return None;
        }
        loop {
            watched.moved.changed().await.ok()?;
            watched.moved.borrow_and_update();
            match next(&mut watched).await {
                Ok(None) => {}
                Ok(Some(state)) => {
                    watched.done = state.is_none();
                    return Some((Ok(state.map(Facility::from)), watched));
                }
                Err(err) => {
                    err.log_if_internal();
                    watched.done = true;
                    return Some((Err(err.into()), watched));
                }
            }
        }
    })
}

/// The facility's changes since the last event: `None` when there were
/// none; else its state now, `Some(None)` once it is deleted.
async fn next(watched: &mut Watched) -> Result<Option<Option<facility::Model>>, AppError> {
    let mut changed = false;
    let mut deleted = false;
    loop {
        let range = Range {
            after: watched.after,
            limit: MAX_PAGE_SIZE,
        };
        let events =
            changes::feed_of(&watched.db, AuditEntity::Facility, watched.row, range).await?;
        let Some(last) = events.last() else {
            break;
        };
        watched.after = Some(last.id);
        changed = true;
        deleted = last.action == AuditAction::Deleted;
    }
    if !changed {
        return Ok(None);
    }
    if deleted {
        return Ok(Some(None));
    }
    let now = read::find_by_id::<facility::Entity>(&watched.db, watched.row).await?;
    Ok(Some(now))
}
