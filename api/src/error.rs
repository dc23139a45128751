//! The one error type of the API and its mapping to the contract's
//! `extensions.code`. Internal causes are logged, never shown to a caller.

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// Error codes of the contract (`extensions.code`).
pub mod code {
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const CONFLICT: &str = "CONFLICT";
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    pub const INTERNAL: &str = "INTERNAL";

    /// Every code, in the contract's order.
    pub const ALL: [&str; 8] = [
        BAD_USER_INPUT,
        UNAUTHENTICATED,
        FORBIDDEN,
        NOT_FOUND,
        CONFLICT,
        QUERY_TOO_COMPLEX,
        RATE_LIMITED,
        INTERNAL,
    ];
}

/// What went wrong, in the categories a caller can act on.
///
/// It deliberately has no `Display`: async-graphql converts anything that
/// displays into an error carrying that text, which would put database
/// messages in front of callers. Conversion goes through
/// `From<AppError> for async_graphql::Error` instead, which masks internals.
#[derive(Debug)]
pub enum AppError {
    /// The caller sent something invalid; `field` names the offending input.
    BadUserInput {
        field: Option<String>,
        message: String,
    },
    /// Several invalid input fields at once, each with its reason.
    Invalid(Vec<Problem>),
    NotFound(String),
    Unauthenticated(String),
    Forbidden(String),
    Conflict(String),
    Db(DbErr),
    Internal(anyhow::Error),
}

/// One invalid input field: its path as the caller sent it (`input.capacity`,
/// `input.ecosystem[2].note`) and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl AppError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound(message.into())
    }

    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput { .. } | Self::Invalid(_) => code::BAD_USER_INPUT,
            Self::NotFound(_) => code::NOT_FOUND,
            Self::Unauthenticated(_) => code::UNAUTHENTICATED,
            Self::Forbidden(_) => code::FORBIDDEN,
            Self::Conflict(_) => code::CONFLICT,
            Self::Db(_) | Self::Internal(_) => code::INTERNAL,
        }
    }

    /// The text a caller may see.
    #[must_use]
    pub fn public_message(&self) -> String {
        match self {
            Self::BadUserInput { message, .. }
            | Self::NotFound(message)
            | Self::Unauthenticated(message)
            | Self::Forbidden(message)
            | Self::Conflict(message) => message.clone(),
            Self::Invalid(problems) => problems
                .iter()
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect::<Vec<_>>()
                .join("; "),
            Self::Db(_) | Self::Internal(_) => {
                "internal error: the request could not be completed; it has been logged".to_owned()
            }
        }
    }

    /// Logs internal causes with their whole chain; client faults are not logged here.
    pub fn log_if_internal(&self) {
        match self {
            Self::Db(err) => tracing::error!(error = %err, "database error"),
            Self::Internal(err) => tracing::error!(error = format!("{err:#}"), "internal error"),
            _ => {}
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        Self::Db(err)
    }
}

impl From<std::sync::Arc<DbErr>> for AppError {
    fn from(err: std::sync::Arc<DbErr>) -> Self {
        Self::Internal(anyhow::anyhow!("{err}"))
    }
}

impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        Self::Internal(err)
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        err.log_if_internal();
        let (field, problems) = match &err {
            AppError::BadUserInput { field, .. } => (field.clone(), Vec::new()),
            AppError::Invalid(problems) => (
                problems.first().map(|p| p.field.clone()),
                problems
                    .iter()
                    .map(|p| {
                        let mut entry = async_graphql::indexmap::IndexMap::new();
                        entry.insert(
                            async_graphql::Name::new("field"),
                            async_graphql::Value::from(p.field.clone()),
                        );
                        entry.insert(
                            async_graphql::Name::new("message"),
                            async_graphql::Value::from(p.message.clone()),
                        );
                        async_graphql::Value::Object(entry)
                    })
                    .collect(),
            ),
            _ => (None, Vec::new()),
        };
        async_graphql::Error::new(err.public_message()).extend_with(|_, ext| {
            ext.set("code", err.code());
            if let Some(field) = field {
                ext.set("field", field);
            }
            // Every bad field at once, so a form can mark them all.
            if !problems.is_empty() {
                ext.set("problems", async_graphql::Value::List(problems));
            }
        })
    }
}
