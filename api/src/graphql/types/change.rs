//! The change feed and the audit log.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::audit_event;
use entity::value as db;

use crate::graphql::context;
use crate::graphql::loader::{
    CompetenceAreaById, CompetenceById, FacilityById, GuidelineById, GuidelineVersionById,
    OrganisationById, ProposalById, ResourceById, SessionById, StakeholderById, VisitById,
    WorkshopById,
};
use crate::graphql::types::connection::PageInfo;
use crate::graphql::types::consultation::ConsultationComment;
use crate::graphql::types::node::Node;
use crate::graphql::types::proposal::Proposal;
use crate::service;

/// What a write did to a record.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::AuditAction")]
pub enum ChangeAction {
    /// The record was created.
    Created,
    /// The record was changed (for a guideline version: also when it left
    /// DRAFT and became public; for a consultation comment: also when its
    /// version was adopted and it became public).
    Updated,
    /// The record was deleted; `node` is null.
    Deleted,
    /// A person was erased (`eraseStakeholder`): only in the audit log, which
    /// keeps that it happened, not what was erased.
    Erased,
}

/// The kinds of record the change feed and the audit log report.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::AuditEntity")]
pub enum ChangeEntity {
    /// A `Facility`.
    Facility,
    /// A `Visit`.
    Visit,
    /// A `LearningSession`.
    LearningSession,
    /// A `Stakeholder`.
    Stakeholder,
    /// A `GuidelineVersion`.
    GuidelineVersion,
    /// An `Organisation`.
    Organisation,
    /// A `Proposal` (only in the audit log: proposals are not public).
    Proposal,
    /// A `Resource` of the knowledge library.
    Resource,
    /// A `KnowledgeWorkshop`.
    KnowledgeWorkshop,
    /// A `ConsultationComment` (in the change feed once its version is
    /// adopted: its writes before are only in the audit log).
    ConsultationComment,
    /// A `CompetenceArea` of the competence framework.
    CompetenceArea,
    /// A `Competence` of relational security.
    Competence,
    /// A `WebhookEndpoint` (only in the audit log, without its secrets;
    /// never sent to webhooks). Its `entityId` is the global id of
    /// `WebhookEndpoint:<its id>`.
    WebhookEndpoint,
}

/// Who made a change recorded in the audit log.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::Role")]
pub enum ActorRole {
    /// A partner organisation's token.
    Partner,
    /// An editor's token.
    Editor,
    /// An admin's token.
    Admin,
    /// The command line of the server (`wish-api import`).
    System,
}

/// Declares an object of the fields that say what a write did to which
/// record, which the type that flattens it (`#[graphql(flatten)]`) shows as
/// its own, with that type's descriptions of the record's id and version.
// A macro for the reasons `paginated!` is one: the descriptions are read
// off the methods.
macro_rules! write_fields {
    (
        $(#[doc = $holder_doc:tt])*
        struct $holder:ident;
        $(#[doc = $id_doc:tt])*
        entity_id;
        $(#[doc = $version_doc:tt])*
        entity_version;
    ) => {
        $(#[doc = $holder_doc])*
        pub(crate) struct $holder(Arc<audit_event::Model>);

        #[Object]
        impl $holder {
            /// What happened.
            async fn action(&self) -> ChangeAction {
                self.0.action.into()
            }
            /// The kind of record.
            async fn entity_type(&self) -> ChangeEntity {
                self.0.entity_type.into()
            }
            $(#[doc = $id_doc])*
            async fn entity_id(&self) -> ID {
                service::changes::record_id(&self.0)
            }
            $(#[doc = $version_doc])*
            async fn entity_version(&self) -> Option<i32> {
                self.0.entity_version
            }
        }
    };
}

write_fields! {
    /// What a change did, which `Change` shows as its own.
    struct ChangeWrite;
    /// The record's global id (also after a delete).
    entity_id;
    /// The record's `version` after the change; null after a delete.
    entity_version;
}

write_fields! {
    /// What a write in the audit log did, which `AuditEvent` shows as its own.
    struct AuditWrite;
    /// The record's global id.
    entity_id;
    /// The record's `version` after the write; null after a delete.
    entity_version;
}

/// One create, update or delete of public data.
#[derive(Clone, Debug)]
pub struct Change(pub Arc<audit_event::Model>);

/// One create, update or delete of public data, in commit order.
#[Object]
impl Change {
    /// Position in the feed: pass it as `after` to read what came next.
    async fn cursor(&self) -> String {
        service::changes::encode_cursor(self.0.id)
    }
    /// `action`, `entityType`, `entityId` and `entityVersion`.
    #[graphql(flatten)]
    async fn write(&self) -> ChangeWrite {
        ChangeWrite(self.0.clone())
    }
    /// When the change was committed.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// The record as it is now (it may have changed again since: later
    /// changes follow in the feed); null once deleted, and null for a
    /// record the caller may not see (a stakeholder without consent to a public name).
    async fn node(&self, ctx: &Context<'_>) -> Result<Option<Node>> {
        current_node(ctx, self.0.entity_type, self.0.entity_id).await
    }
}

/// The current state of a record, through the request's batching loader.
async fn current_node(
    ctx: &Context<'_>,
    entity: db::AuditEntity,
    row: i32,
) -> Result<Option<Node>> {
    let node = match entity {
        db::AuditEntity::Facility => context::load(ctx, FacilityById(row))
            .await?
            .map(|m| Node::Facility(m.into())),
        db::AuditEntity::Visit => context::load(ctx, VisitById(row))
            .await?
            .map(|m| Node::Visit(m.into())),
        db::AuditEntity::LearningSession => context::load(ctx, SessionById(row))
            .await?
            .map(|m| Node::LearningSession(m.into())),
        db::AuditEntity::Stakeholder => context::load(ctx, StakeholderById(row))
            .await?
            .filter(|m| context::audience(ctx).sees_record(m))
            .map(|m| Node::Stakeholder(m.into())),
        db::AuditEntity::GuidelineVersion => {
            let version = context::load(ctx, GuidelineVersionById(row))
                .await?
                .filter(|v| context::drafts(ctx).admit(v.status));
            match version {
                Some(v) => context::load(ctx, GuidelineById(v.guideline_id))
                    .await?
                    .map(|g| Node::GuidelineVersion((v, g).into())),
                None => None,
            }
        }
        db::AuditEntity::Organisation => context::load(ctx, OrganisationById(row))
            .await?
            .map(|m| Node::Organisation(m.into())),
        db::AuditEntity::Proposal => context::load(ctx, ProposalById(row))
            .await?
            .filter(|m| Proposal::visible_to(&context::caller(ctx), m))
            .map(|m| Node::Proposal(m.into())),
        db::AuditEntity::Resource => context::load(ctx, ResourceById(row))
            .await?
            .map(|m| Node::Resource(m.into())),
        db::AuditEntity::KnowledgeWorkshop => context::load(ctx, WorkshopById(row))
            .await?
            .map(|m| Node::KnowledgeWorkshop(m.into())),
        db::AuditEntity::ConsultationComment => ConsultationComment::find_visible(ctx, row)
            .await?
            .map(Node::ConsultationComment),
        db::AuditEntity::CompetenceArea => context::load(ctx, CompetenceAreaById(row))
            .await?
            .map(|m| Node::CompetenceArea(m.into())),
        db::AuditEntity::Competence => context::load(ctx, CompetenceById(row))
            .await?
            .map(|m| Node::Competence(m.into())),
        // Not a node: read it with `webhookEndpoints`.
        db::AuditEntity::WebhookEndpoint => None,
    };
    Ok(node)
}

/// A page of the change feed.
#[derive(SimpleObject, Debug)]
pub struct ChangeConnection {
    /// The changes of this page, with their cursors.
    pub edges: Vec<ChangeEdge>,
    /// The changes of this page.
    pub nodes: Vec<Change>,
    /// `endCursor` is where to resume: store it, and pass it as `after` next
    /// time. On an empty page it is the `after` you sent.
    pub page_info: PageInfo,
}

/// One change with its cursor.
#[derive(SimpleObject, Debug)]
pub struct ChangeEdge {
    /// Pass it as `after` to read what came next.
    pub cursor: String,
    /// The change.
    pub node: Change,
}

/// A write in the audit log, with the record before and after (admins only).
#[derive(Clone, Debug)]
pub struct AuditEvent(pub Arc<audit_event::Model>);

/// A write in the audit log, with the record before and after (admins only).
#[Object]
impl AuditEvent {
    /// Position in the log: pass it as `after` to read what came next.
    async fn cursor(&self) -> String {
        service::changes::encode_cursor(self.0.id)
    }
    /// When the write was committed.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// The token's subject (`sub`); null for the command line.
    async fn actor_subject(&self) -> Option<&str> {
        self.0.actor_subject.as_deref()
    }
    /// The writer's role.
    async fn actor_role(&self) -> ActorRole {
        self.0.actor_role.into()
    }
    /// A partner's organisation slug.
    async fn actor_organisation(&self) -> Option<&str> {
        self.0.actor_organisation.as_deref()
    }
    /// `action`, `entityType`, `entityId` and `entityVersion`.
    #[graphql(flatten)]
    async fn write(&self) -> AuditWrite {
        AuditWrite(self.0.clone())
    }
    /// `api` for a GraphQL write, `import` for a bulk import.
    async fn origin(&self) -> &str {
        &self.0.origin
    }
    /// The record before the write (stored columns, with its lists); null for a create.
    async fn before(&self) -> Option<Json<serde_json::Value>> {
        self.0.before_state.clone().map(Json)
    }
    /// The record after the write; null for a delete.
    async fn after(&self) -> Option<Json<serde_json::Value>> {
        self.0.after_state.clone().map(Json)
    }
    /// The partner's proposal this write applied, when an editor approved one.
    async fn proposal(&self, ctx: &Context<'_>) -> Result<Option<Proposal>> {
        let Some(id) = self.0.proposal_id else {
            return Ok(None);
        };
        Ok(context::load(ctx, ProposalById(id)).await?.map(Into::into))
    }
}

/// A page of the audit log.
#[derive(SimpleObject, Debug)]
pub struct AuditEventConnection {
    /// The events of this page.
    pub nodes: Vec<AuditEvent>,
    /// `endCursor` is where to resume.
    pub page_info: PageInfo,
}
