//! The database schema of wish-api, as migrations that run unchanged on SQLite
//! and PostgreSQL. Migrations are history: never edit one that has shipped.

pub use sea_orm_migration::prelude::*;

mod column;
mod m20261128_000001_create_app_state_table;
mod m20261128_000002_create_organisation_table;
mod m20261128_000003_create_knowledge_workshop_table;
mod m20261128_000004_create_facility_table;
mod m20261128_000005_create_stakeholder_table;
mod m20261128_000006_create_visit_table;
mod m20261128_000007_create_learning_session_table;
mod m20261128_000008_create_guideline_table;
mod m20261128_000009_create_audit_event_table;
mod m20261201_000010_add_record_uuid;
mod m20261201_000011_create_facility_external_ref_table;
mod m20261201_000020_add_facility_provenance;
mod m20261202_000030_add_stakeholder_consent;
mod m20261202_000031_keep_contact_details_out_of_audit;
mod m20261202_000040_create_api_token_table;
mod m20261202_000041_add_organisation_profile;
mod m20261202_000050_notify_data_version;
mod m20261202_000060_create_webhook_tables;
mod m20261202_000070_create_resource_table;
mod m20261202_000071_audit_resources;
mod m20261202_000080_audit_organisations;
mod m20261202_000090_create_proposal_table;
mod m20261202_000100_create_guideline_rule_table;
mod m20261202_000110_add_workshop_principles;
mod m20261202_000111_create_workshop_agenda;
mod m20261202_000120_create_consultation_comment_table;
mod m20261202_000130_create_competence_tables;
mod m20261202_000131_add_member_roles_and_balance;
mod m20261202_000140_audit_webhook_endpoints;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_app_state_table::Migration),
            Box::new(m20261128_000002_create_organisation_table::Migration),
            Box::new(m20261128_000003_create_knowledge_workshop_table::Migration),
            Box::new(m20261128_000004_create_facility_table::Migration),
            Box::new(m20261128_000005_create_stakeholder_table::Migration),
            Box::new(m20261128_000006_create_visit_table::Migration),
            Box::new(m20261128_000007_create_learning_session_table::Migration),
            Box::new(m20261128_000008_create_guideline_table::Migration),
            Box::new(m20261128_000009_create_audit_event_table::Migration),
            Box::new(m20261201_000010_add_record_uuid::Migration),
            Box::new(m20261201_000011_create_facility_external_ref_table::Migration),
            Box::new(m20261201_000020_add_facility_provenance::Migration),
            Box::new(m20261202_000030_add_stakeholder_consent::Migration),
            Box::new(m20261202_000031_keep_contact_details_out_of_audit::Migration),
            Box::new(m20261202_000040_create_api_token_table::Migration),
            Box::new(m20261202_000041_add_organisation_profile::Migration),
            Box::new(m20261202_000050_notify_data_version::Migration),
            Box::new(m20261202_000060_create_webhook_tables::Migration),
            Box::new(m20261202_000070_create_resource_table::Migration),
            Box::new(m20261202_000071_audit_resources::Migration),
            Box::new(m20261202_000080_audit_organisations::Migration),
            Box::new(m20261202_000090_create_proposal_table::Migration),
            Box::new(m20261202_000100_create_guideline_rule_table::Migration),
            Box::new(m20261202_000110_add_workshop_principles::Migration),
            Box::new(m20261202_000111_create_workshop_agenda::Migration),
            Box::new(m20261202_000120_create_consultation_comment_table::Migration),
            Box::new(m20261202_000130_create_competence_tables::Migration),
            Box::new(m20261202_000131_add_member_roles_and_balance::Migration),
            Box::new(m20261202_000140_audit_webhook_endpoints::Migration),
        ]
    }
}
