//! `changes` (the feed partners sync from) and `auditLog` (admins).

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};
use entity::audit_event;

use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id;
use crate::graphql::types::change::{
    AuditEvent, AuditEventConnection, Change, ChangeConnection, ChangeEdge, ChangeEntity,
};
use crate::graphql::types::connection::{PageInfo, forward_limit};
use crate::service::changes::{self, Range, decode_cursor, encode_cursor};

fn range(after: Option<&str>, first: Option<i32>) -> Result<Range, AppError> {
    let limit = forward_limit(first)?;
    let after = after.map(|c| decode_cursor(c, "after")).transpose()?;
    Ok(Range { after, limit })
}

/// The rows of a page and its page info; the extra row read tells whether more follow.
fn page(
    mut rows: Vec<audit_event::Model>,
    range: Range,
) -> (Vec<Arc<audit_event::Model>>, PageInfo) {
    let limit = usize::try_from(range.limit).unwrap_or(usize::MAX);
    let has_next_page = rows.len() > limit;
    rows.truncate(limit);
    let end = rows.last().map(|r| r.id).or(range.after);
    let page_info = PageInfo {
        has_next_page,
        has_previous_page: range.after.is_some_and(|a| a > 0),
        start_cursor: rows.first().map(|r| encode_cursor(r.id)),
        end_cursor: end.map(encode_cursor),
    };
    (rows.into_iter().map(Arc::new).collect(), page_info)
}

/// Declares `ChangesQuery`, whose fields read the audit log forward from a
/// cursor: each takes `after` and `first`, described and costed alike,
/// before the arguments of its own.
// A macro for the reasons `paginated!` is one.
macro_rules! read_forward {
    (
        $(
            $(#[doc = $doc:tt])*
            async fn $field:ident(
                &$this:tt,
                $ctx:ident,
                $after:ident,
                $first:ident
                $(, #[graphql(desc = $desc:tt)] $arg:ident: $arg_ty:ty)* $(,)?
            ) -> $result:ty $body:block
        )+
    ) => {
        /// The change feed and the audit log.
        #[derive(Default)]
        pub struct ChangesQuery;

        #[Object]
        impl ChangesQuery {
            $(
                $(#[doc = $doc])*
                #[graphql(
                    complexity = "crate::graphql::types::connection::page_cost(first, None, 50, child_complexity)"
                )]
                async fn $field(
                    &$this,
                    $ctx: &Context<'_>,
                    #[graphql(desc = "Continue after this cursor (a `pageInfo.endCursor`).")]
                    after: Option<String>,
                    #[graphql(
                        desc = "How many items from the start, or after `after` (default 50, at most 500)."
                    )]
                    first: Option<i32>,
                    $(#[graphql(desc = $desc)] $arg: $arg_ty,)*
                ) -> Result<$result> {
                    let ($after, $first) = (after, first);
                    $body
                }
            )+
        }
    };
}

read_forward! {
    /// Change feed for partners that sync: every create, update and delete of
    /// public data, in commit order. Start without `after`; then pass the
    /// `endCursor` you received as `after` to get only what changed since,
    /// without missing or repeating a change. `first` defaults to 50, at most 500.
    async fn changes(&self, ctx, after, first) -> ChangeConnection {
        let range = range(after.as_deref(), first)?;
        let rows = changes::feed(context::db(ctx), range).await?;
        let (rows, page_info) = page(rows, range);
        let nodes: Vec<Change> = rows.into_iter().map(Change).collect();
        Ok(ChangeConnection {
            edges: nodes
                .iter()
                .map(|c| ChangeEdge {
                    cursor: encode_cursor(c.0.id),
                    node: c.clone(),
                })
                .collect(),
            nodes,
            page_info,
        })
    }

    /// The audit log (admins only): every write with who made it and the record
    /// before and after, oldest first. Narrow it to one kind of record, or to
    /// one record with `entityId`.
    async fn audit_log(
        &self,
        ctx,
        after,
        first,
        #[graphql(desc = "Only events of this kind of record.")] entity_type: Option<ChangeEntity>,
        #[graphql(desc = "Only events of this record (its global id).")] entity_id: Option<ID>,
    ) -> AuditEventConnection {
        context::actor(ctx)?.require_admin("reading the audit log")?;
        let range = range(after.as_deref(), first)?;
        let entity = match (entity_type, entity_id) {
            (_, Some(global)) => {
                let (kind, key) = id::decode_any(&global, "entityId")?;
                let entity = entity_of(kind).ok_or_else(|| {
                    AppError::bad_input("entityId", "knowledge workshops are not in the audit log")
                })?;
                let db = context::db(ctx);
                let mut row = id::rows(db, kind, &[key]).await?[0];
                if let (id::NO_ROW, id::Key::Uuid(uuid)) = (row, key) {
                    // A deleted record's history is still its own.
                    row = changes::deleted_row(db, entity, uuid)
                        .await?
                        .unwrap_or(id::NO_ROW);
                }
                Some((entity, Some(row)))
            }
            (Some(kind), None) => Some((kind.into(), None)),
            (None, None) => None,
        };
        let rows = changes::audit_log(context::db(ctx), entity, range).await?;
        let (rows, page_info) = page(rows, range);
        Ok(AuditEventConnection {
            nodes: rows.into_iter().map(AuditEvent).collect(),
            page_info,
        })
    }
}

fn entity_of(kind: id::Kind) -> Option<entity::value::AuditEntity> {
    use entity::value::AuditEntity;
    match kind {
        id::Kind::Facility => Some(AuditEntity::Facility),
        id::Kind::Visit => Some(AuditEntity::Visit),
        id::Kind::LearningSession => Some(AuditEntity::LearningSession),
        id::Kind::Stakeholder => Some(AuditEntity::Stakeholder),
        id::Kind::GuidelineVersion => Some(AuditEntity::GuidelineVersion),
        id::Kind::Organisation => Some(AuditEntity::Organisation),
        id::Kind::Proposal => Some(AuditEntity::Proposal),
        id::Kind::Resource => Some(AuditEntity::Resource),
        id::Kind::KnowledgeWorkshop => Some(AuditEntity::KnowledgeWorkshop),
        id::Kind::CompetenceArea => Some(AuditEntity::CompetenceArea),
        id::Kind::Competence => Some(AuditEntity::Competence),
        // A rule's changes are its version's.
        id::Kind::Rule => None,
        id::Kind::ConsultationComment => Some(AuditEntity::ConsultationComment),
        id::Kind::WebhookEndpoint => Some(AuditEntity::WebhookEndpoint),
    }
}
