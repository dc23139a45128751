//! The Relay `Node` interface: every object with a global id.

use async_graphql::{ID, Interface};

use super::competence::{Competence, CompetenceArea};
use super::consultation::ConsultationComment;
use super::facility::Facility;
use super::guideline::{GuidelineVersion, Rule};
use super::learning_session::LearningSession;
use super::organisation::Organisation;
use super::proposal::Proposal;
use super::resource::Resource;
use super::stakeholder::Stakeholder;
use super::visit::Visit;
use super::workshop::KnowledgeWorkshop;

/// An object with a global id, which `node(id:)` finds.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Global id."))]
pub enum Node {
    Resource(Resource),
    Facility(Facility),
    Visit(Visit),
    LearningSession(LearningSession),
    Stakeholder(Stakeholder),
    KnowledgeWorkshop(KnowledgeWorkshop),
    GuidelineVersion(GuidelineVersion),
    Organisation(Organisation),
    Proposal(Proposal),
    Rule(Rule),
    ConsultationComment(ConsultationComment),
    CompetenceArea(CompetenceArea),
    Competence(Competence),
}
