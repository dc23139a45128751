//! Database entities of wish-api: one module per table, plus the value types
//! stored in their columns. Nothing here knows about HTTP or GraphQL.

pub mod api_token;
pub mod app_state;
pub mod audit_event;
pub mod facility;
pub mod facility_ecosystem_note;
pub mod facility_external_ref;
pub mod facility_principle;
pub mod guideline;
pub mod guideline_version;
pub mod guideline_version_session;
pub mod guideline_version_visit;
pub mod knowledge_workshop;
pub mod learning_session;
pub mod learning_session_participant;
pub mod organisation;
pub mod resource;
pub mod resource_author;
pub mod resource_dimension;
pub mod resource_facility;
pub mod resource_guideline_version;
pub mod resource_language;
pub mod resource_learning_session;
pub mod resource_visit;
pub mod resource_workshop;
pub mod stakeholder;
pub mod value;
pub mod versioned;
pub mod visit;
pub mod visit_finding;
pub mod visit_participant;
pub mod workshop_membership;

pub mod prelude {
    pub use super::api_token::Entity as ApiToken;
    pub use super::app_state::Entity as AppState;
    pub use super::audit_event::Entity as AuditEvent;
    pub use super::facility::Entity as Facility;
    pub use super::facility_ecosystem_note::Entity as FacilityEcosystemNote;
    pub use super::facility_external_ref::Entity as FacilityExternalRef;
    pub use super::facility_principle::Entity as FacilityPrinciple;
    pub use super::guideline::Entity as Guideline;
    pub use super::guideline_version::Entity as GuidelineVersion;
    pub use super::guideline_version_session::Entity as GuidelineVersionSession;
    pub use super::guideline_version_visit::Entity as GuidelineVersionVisit;
    pub use super::knowledge_workshop::Entity as KnowledgeWorkshop;
    pub use super::learning_session::Entity as LearningSession;
    pub use super::learning_session_participant::Entity as LearningSessionParticipant;
    pub use super::organisation::Entity as Organisation;
    pub use super::resource::Entity as Resource;
    pub use super::resource_author::Entity as ResourceAuthor;
    pub use super::resource_dimension::Entity as ResourceDimension;
    pub use super::resource_facility::Entity as ResourceFacility;
    pub use super::resource_guideline_version::Entity as ResourceGuidelineVersion;
    pub use super::resource_language::Entity as ResourceLanguage;
    pub use super::resource_learning_session::Entity as ResourceLearningSession;
    pub use super::resource_visit::Entity as ResourceVisit;
    pub use super::resource_workshop::Entity as ResourceWorkshop;
    pub use super::stakeholder::Entity as Stakeholder;
    pub use super::visit::Entity as Visit;
    pub use super::visit_finding::Entity as VisitFinding;
    pub use super::visit_participant::Entity as VisitParticipant;
    pub use super::workshop_membership::Entity as WorkshopMembership;
}
