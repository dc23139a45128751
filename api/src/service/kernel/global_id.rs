//! Global object ids (Relay): opaque strings that name a type and a record,
//! so `node(id:)` can find any object and ids of different types never
//! collide. The exchange formats carry them too, so they are made here,
//! below the GraphQL layer; `graphql::id` finds the rows they name.
//!
//! An id is base64url of `Type:<uuid>`: the record's UUID is the same in
//! every installation that holds it, so ids survive export and import. Ids
//! issued before records had UUIDs, `Type:<serial>`, name the same rows
//! still, so a client that stored one keeps working.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::value::AuditEntity;
use uuid::Uuid;

use crate::error::AppError;

/// The types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Facility,
    Visit,
    LearningSession,
    Stakeholder,
    KnowledgeWorkshop,
    GuidelineVersion,
    Organisation,
    Proposal,
    Resource,
    Rule,
    ConsultationComment,
    CompetenceArea,
    Competence,
    WebhookEndpoint,
}

/// The kind of a record the audit log names.
impl From<AuditEntity> for Kind {
    fn from(entity: AuditEntity) -> Self {
        match entity {
            AuditEntity::Facility => Kind::Facility,
            AuditEntity::Visit => Kind::Visit,
            AuditEntity::LearningSession => Kind::LearningSession,
            AuditEntity::Stakeholder => Kind::Stakeholder,
            AuditEntity::GuidelineVersion => Kind::GuidelineVersion,
            AuditEntity::Organisation => Kind::Organisation,
            AuditEntity::Proposal => Kind::Proposal,
            AuditEntity::Resource => Kind::Resource,
            AuditEntity::KnowledgeWorkshop => Kind::KnowledgeWorkshop,
            AuditEntity::ConsultationComment => Kind::ConsultationComment,
            AuditEntity::CompetenceArea => Kind::CompetenceArea,
            AuditEntity::Competence => Kind::Competence,
            AuditEntity::WebhookEndpoint => Kind::WebhookEndpoint,
        }
    }
}

impl Kind {
    const ALL: [Kind; 14] = [
        Kind::Facility,
        Kind::Visit,
        Kind::LearningSession,
        Kind::Stakeholder,
        Kind::KnowledgeWorkshop,
        Kind::GuidelineVersion,
        Kind::Organisation,
        Kind::Proposal,
        Kind::Resource,
        Kind::Rule,
        Kind::ConsultationComment,
        Kind::CompetenceArea,
        Kind::Competence,
        Kind::WebhookEndpoint,
    ];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Kind::Facility => "Facility",
            Kind::Visit => "Visit",
            Kind::LearningSession => "LearningSession",
            Kind::Stakeholder => "Stakeholder",
            Kind::KnowledgeWorkshop => "KnowledgeWorkshop",
            Kind::GuidelineVersion => "GuidelineVersion",
            Kind::Organisation => "Organisation",
            Kind::Proposal => "Proposal",
            Kind::Resource => "Resource",
            Kind::Rule => "Rule",
            Kind::ConsultationComment => "ConsultationComment",
            Kind::CompetenceArea => "CompetenceArea",
            Kind::Competence => "Competence",
            Kind::WebhookEndpoint => "WebhookEndpoint",
        }
    }
}

/// What a global id names a record by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// The record's UUID: the ids this API issues.
    Uuid(Uuid),
    /// The row's serial number in one database: ids issued before records
    /// had UUIDs.
    Serial(i32),
}

/// The global id of the record of type `kind` with this UUID.
#[must_use]
pub fn encode(kind: Kind, uuid: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{uuid}", kind.name())))
}

/// The global id of a row as ids were made before records had UUIDs: only
/// for records whose UUID is unknown (audit events older than UUIDs).
#[must_use]
pub fn encode_serial(kind: Kind, row: i32) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{row}", kind.name())))
}

/// Any global id: its type and what it names the record by.
///
/// # Errors
/// `BAD_USER_INPUT` when `id` is not an id of this API.
pub fn decode_any(id: &str, argument: &str) -> Result<(Kind, Key), AppError> {
    let malformed = || AppError::bad_input(argument, format!("`{id}` is not an id of this API"));
    let raw = URL_SAFE_NO_PAD
        .decode(id.trim().as_bytes())
        .map_err(|_| malformed())?;
    let raw = String::from_utf8(raw).map_err(|_| malformed())?;
    let (name, key) = raw.split_once(':').ok_or_else(malformed)?;
    let kind = Kind::ALL
        .into_iter()
        .find(|k| k.name() == name)
        .ok_or_else(malformed)?;
    let key = if let Ok(uuid) = Uuid::try_parse(key) {
        Key::Uuid(uuid)
    } else {
        key.parse::<i32>()
            .ok()
            .filter(|n| *n > 0)
            .map(Key::Serial)
            .ok_or_else(malformed)?
    };
    Ok((kind, key))
}

/// What a global id that must be of type `kind` names.
///
/// # Errors
/// `BAD_USER_INPUT` when `id` is malformed or names another type.
pub fn decode(id: &str, kind: Kind, argument: &str) -> Result<Key, AppError> {
    match decode_any(id, argument)? {
        (k, key) if k == kind => Ok(key),
        (other, _) => Err(AppError::bad_input(
            argument,
            format!(
                "`{id}` is the id of a {}, not of a {}",
                other.name(),
                kind.name()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let uuid = Uuid::now_v7();
        let id = encode(Kind::Facility, uuid);
        assert_eq!(
            decode(&id, Kind::Facility, "id").ok(),
            Some(Key::Uuid(uuid))
        );
    }

    #[test]
    fn ids_issued_before_uuids_still_decode() {
        let old = URL_SAFE_NO_PAD.encode("Facility:42");
        assert_eq!(
            decode(&old, Kind::Facility, "id").ok(),
            Some(Key::Serial(42))
        );
    }

    #[test]
    fn an_id_of_another_type_is_refused() {
        let id = encode(Kind::Visit, Uuid::now_v7());
        assert!(decode(&id, Kind::Facility, "id").is_err());
    }

    #[test]
    fn malformed_ids_are_refused() {
        for bad in ["", "42", "RmFjaWxpdHk6", "RmFjaWxpdHk6LTE", "%%%"] {
            assert!(decode_any(bad, "id").is_err(), "{bad}");
        }
    }
}
