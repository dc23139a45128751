//! `node`: any object by its global id (Relay).

use async_graphql::{Context, ID, Object, Result};
use entity::{
    competence, competence_area, facility, knowledge_workshop, learning_session, organisation,
    proposal, resource, stakeholder, visit,
};

use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::consultation::ConsultationComment;
use crate::graphql::types::guideline::{GuidelineVersion, Rule};
use crate::graphql::types::node::Node;
use crate::graphql::types::proposal::Proposal;
use crate::service::kernel::read;

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
        let (kind, key) = id::decode_any(&id, "id")?;
        let row_id = id::rows(db, kind, &[key]).await?[0];
        let node = match kind {
            Kind::Facility => read::find_by_id::<facility::Entity>(db, row_id)
                .await?
                .map(|m| Node::Facility(m.into())),
            Kind::Stakeholder => read::find_by_id::<stakeholder::Entity>(db, row_id)
                .await?
                .filter(|m| context::audience(ctx).sees_record(m))
                .map(|m| Node::Stakeholder(m.into())),
            Kind::KnowledgeWorkshop => read::find_by_id::<knowledge_workshop::Entity>(db, row_id)
                .await?
                .map(|m| Node::KnowledgeWorkshop(m.into())),
            Kind::GuidelineVersion => GuidelineVersion::find_visible(ctx, row_id)
                .await?
                .map(Node::GuidelineVersion),
            Kind::Visit => read::find_by_id::<visit::Entity>(db, row_id)
                .await?
                .map(|m| Node::Visit(m.into())),
            Kind::LearningSession => read::find_by_id::<learning_session::Entity>(db, row_id)
                .await?
                .map(|m| Node::LearningSession(m.into())),
            Kind::Organisation => read::find_by_id::<organisation::Entity>(db, row_id)
                .await?
                .map(|m| Node::Organisation(m.into())),
            Kind::Proposal => read::find_by_id::<proposal::Entity>(db, row_id)
                .await?
                .filter(|m| Proposal::visible_to(&context::caller(ctx), m))
                .map(|m| Node::Proposal(m.into())),
            Kind::Resource => read::find_by_id::<resource::Entity>(db, row_id)
                .await?
                .map(|m| Node::Resource(m.into())),
            Kind::Rule => Rule::find_visible(ctx, row_id).await?.map(Node::Rule),
            Kind::ConsultationComment => ConsultationComment::find_visible(ctx, row_id)
                .await?
                .map(Node::ConsultationComment),
            Kind::CompetenceArea => read::find_by_id::<competence_area::Entity>(db, row_id)
                .await?
                .map(|m| Node::CompetenceArea(m.into())),
            Kind::Competence => read::find_by_id::<competence::Entity>(db, row_id)
                .await?
                .map(|m| Node::Competence(m.into())),
            // Only the audit log names endpoints by global id; they are no nodes.
            Kind::WebhookEndpoint => None,
        };
        Ok(node)
    }
}
