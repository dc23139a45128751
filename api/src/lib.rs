//! wish-api: the GraphQL API of WISH-EU over small-scale detention facilities
//! in Europe, their visits, learning sessions, stakeholders and guidelines.
//!
//! `main` parses the command line ([`cli`]) and hands over to
//! [`startup::Application`]; the tests build the same application.

pub mod auth;
pub mod cli;
pub mod config;
pub mod data_version;
pub mod db;
pub mod error;
pub mod graphql;
pub mod http;
pub mod service;
pub mod startup;
pub mod telemetry;
