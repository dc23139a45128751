//! Integration tests: the real application over HTTP, on a fresh database per
//! test. Tests that touch data run twice, on SQLite and on PostgreSQL
//! (`WISH_TEST_DATABASE_URL`, or a local server as `postgres`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod fixtures;
mod helpers;

mod activities;
mod activity_writes;
mod auth;
mod bbox;
mod browser;
mod changes;
mod cli;
mod competences;
mod compiled;
mod consultation;
mod demo_data;
mod errors;
mod examples;
mod facilities;
mod fuzz;
mod graphiql;
mod guideline_workflow;
mod hardening;
mod health;
mod identity;
mod import;
mod labels;
mod limits;
mod map;
mod migrations;
mod observability;
mod open_data;
mod organisations;
mod privacy;
mod proposals;
mod provenance;
mod provider;
mod rate_limits;
mod replicas;
mod resilience;
mod resources;
mod roles;
mod rules;
mod schema;
mod search;
mod security_headers;
mod spec;
mod subscriptions;
mod tokens;
mod webhooks;
mod workshop_agenda;
mod workshop_balance;
mod workshops_and_guidelines;
mod writes;
