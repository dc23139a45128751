//! `node`: any object by its global id (Relay).

use async_graphql::{Context, ID, Object, Result};

use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::guideline::GuidelineVersion;
use crate::graphql::types::node::Node;
use crate::service;

/// The Relay entry point: any object by its global id.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global id; null when none exists (or the caller may not see it).
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
    ) -> Result<Option<Node>> {
        let db = context::db(ctx);
        let (kind, row_id) = id::decode_any(&id, "id")?;
        let node = match kind {
            Kind::Facility => service::facility::find_by_id(db, row_id)
                .await?
                .map(|m| Node::Facility(m.into())),
            Kind::Stakeholder => service::stakeholder::find_by_id(db, row_id)
                .await?
                .map(|m| Node::Stakeholder(m.into())),
            Kind::KnowledgeWorkshop => service::workshop::find_by_id(db, row_id)
                .await?
                .map(|m| Node::KnowledgeWorkshop(m.into())),
            Kind::GuidelineVersion => GuidelineVersion::find_visible(ctx, row_id)
                .await?
                .map(Node::GuidelineVersion),
            Kind::Visit => service::visit::find_by_id(db, row_id)
                .await?
                .map(|m| Node::Visit(m.into())),
            Kind::LearningSession => service::learning_session::find_by_id(db, row_id)
                .await?
                .map(|m| Node::LearningSession(m.into())),
        };
        Ok(node)
    }
}
