//! `changes`: the change feed, live.

use std::collections::VecDeque;
use std::sync::Arc;

use async_graphql::{Context, Result, Subscription};
use futures_util::Stream;
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::data_version::DataVersion;
use crate::graphql::context;
use crate::graphql::types::change::Change;
use crate::service::changes::decode_cursor;
use crate::service::changes::{self, Range};
use crate::service::kernel::page::MAX_PAGE_SIZE;

#[derive(Default)]
pub struct ChangesSubscription;

#[Subscription]
impl ChangesSubscription {
    /// The change feed as it grows: first every change already after `after`
    /// (from the start of the feed without it), then each new change as it
    /// commits, in commit order. Each event carries its `cursor`: store the
    /// last one, and pass it as `after` when you reconnect, to miss and
    /// repeat nothing. The same cursors and privacy rules as the `changes` query.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Continue after this cursor (a `cursor` or `endCursor` of the feed).")]
        after: Option<String>,
    ) -> Result<impl Stream<Item = Result<Change>> + use<>> {
        let after = after.map(|c| decode_cursor(&c, "after")).transpose()?;
        let versions = ctx.data_unchecked::<Arc<DataVersion>>();
        Ok(feed(context::db(ctx).clone(), versions.watch(), after))
    }
}

/// What a `changes` subscription has read and not yet sent.
struct Follow {
    db: DatabaseConnection,
    moved: watch::Receiver<i64>,
    after: Option<i64>,
    read: VecDeque<entity::audit_event::Model>,
    failed: bool,
}

/// The feed after `after`, page by page, then waiting for each new version.
fn feed(
    db: DatabaseConnection,
    moved: watch::Receiver<i64>,
    after: Option<i64>,
) -> impl Stream<Item = Result<Change>> {
    let follow = Follow {
        db,
        moved,
        after,
        read: VecDeque::new(),
        failed: false,
    };
    futures_util::stream::unfold(follow, |mut follow| async move {
        if follow.failed {
            return None;
        }
        loop {
            if let Some(event) = follow.read.pop_front() {
                follow.after = Some(event.id);
                return Some((Ok(Change(Arc::new(event))), follow));
            }
            // Marked seen before reading: a write that commits after the read
            // wakes the wait below, so none is missed.
            follow.moved.borrow_and_update();
            let range = Range {
                after: follow.after,
                limit: MAX_PAGE_SIZE,
            };
            match changes::feed(&follow.db, range).await {
                Ok(events) if !events.is_empty() => follow.read.extend(events),
                Ok(_) => follow.moved.changed().await.ok()?,
                Err(err) => {
                    err.log_if_internal();
                    follow.failed = true;
                    return Some((Err(err.into()), follow));
                }
            }
        }
    })
}
