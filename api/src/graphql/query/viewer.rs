//! `viewer`: who is calling, and what they may do.

use async_graphql::{Context, Enum, Object, SimpleObject};

use entity::value::Role;

use crate::graphql::context;

/// A role of a token's caller.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum ViewerRole {
    /// A partner organisation: writes its own facilities and visits.
    Partner,
    /// Writes all content; reads drafts and stakeholders' contact details.
    Editor,
    /// Everything an editor may, and the audit log and deletes.
    Admin,
}

/// Something a caller may do.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum Permission {
    /// Read published data (everyone).
    ReadPublished,
    /// Read guideline versions in DRAFT.
    ReadDrafts,
    /// Read stakeholders' e-mail addresses and phone numbers.
    ReadContactDetails,
    /// Create and update the facilities and visits of one's own organisation.
    WriteOwnFacilities,
    /// Create and update all content.
    WriteAllContent,
    /// Read the audit log.
    ReadAuditLog,
    /// Delete records.
    Delete,
}

/// Who is calling, and what they may do.
#[derive(SimpleObject, Debug)]
pub struct Viewer {
    /// Whether the request carried a valid token.
    pub authenticated: bool,
    /// The token's subject (`sub`).
    pub subject: Option<String>,
    /// The token's role.
    pub role: Option<ViewerRole>,
    /// A partner's organisation slug.
    pub organisation: Option<String>,
    /// What this caller may do.
    pub permissions: Vec<Permission>,
}

/// The caller's own identity and permissions.
#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// Who is calling (from the bearer token; anonymous without one) and what they may do.
    async fn viewer(&self, ctx: &Context<'_>) -> Viewer {
        let caller = context::caller(ctx);
        let role = caller.role.map(|r| match r {
            Role::Partner => ViewerRole::Partner,
            Role::Editor => ViewerRole::Editor,
            // No token carries the command line's role (the token check refuses it).
            Role::Admin | Role::System => ViewerRole::Admin,
        });
        let mut permissions = vec![Permission::ReadPublished];
        if let Some(role) = caller.role {
            if role == Role::Partner {
                permissions.push(Permission::WriteOwnFacilities);
            }
            if role.writes_all_content() {
                permissions.extend([
                    Permission::ReadDrafts,
                    Permission::ReadContactDetails,
                    Permission::WriteAllContent,
                ]);
            }
            if role.is_admin() {
                permissions.extend([Permission::ReadAuditLog, Permission::Delete]);
            }
        }
        Viewer {
            authenticated: caller.role.is_some(),
            subject: caller.subject.clone(),
            role,
            organisation: caller.organisation.clone(),
            permissions,
        }
    }
}
