//! Global object ids (Relay): opaque strings that name a type and a row, so
//! `node(id:)` can find any object and ids of different types never collide.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::AppError;

/// The types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Facility,
    Visit,
    LearningSession,
    Stakeholder,
    KnowledgeWorkshop,
    GuidelineVersion,
}

impl Kind {
    const ALL: [Kind; 6] = [
        Kind::Facility,
        Kind::Visit,
        Kind::LearningSession,
        Kind::Stakeholder,
        Kind::KnowledgeWorkshop,
        Kind::GuidelineVersion,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::Facility => "Facility",
            Kind::Visit => "Visit",
            Kind::LearningSession => "LearningSession",
            Kind::Stakeholder => "Stakeholder",
            Kind::KnowledgeWorkshop => "KnowledgeWorkshop",
            Kind::GuidelineVersion => "GuidelineVersion",
        }
    }
}

#[must_use]
pub fn encode(kind: Kind, id: i32) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name())))
}

/// Any global id: its type and row id.
///
/// # Errors
/// `BAD_USER_INPUT` when `id` is not an id of this API.
pub fn decode_any(id: &str, argument: &str) -> Result<(Kind, i32), AppError> {
    let malformed = || AppError::bad_input(argument, format!("`{id}` is not an id of this API"));
    let raw = URL_SAFE_NO_PAD
        .decode(id.trim().as_bytes())
        .map_err(|_| malformed())?;
    let raw = String::from_utf8(raw).map_err(|_| malformed())?;
    let (name, number) = raw.split_once(':').ok_or_else(malformed)?;
    let kind = Kind::ALL
        .into_iter()
        .find(|k| k.name() == name)
        .ok_or_else(malformed)?;
    let number = number
        .parse::<i32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(malformed)?;
    Ok((kind, number))
}

/// The row id of a global id that must be of type `kind`.
///
/// # Errors
/// `BAD_USER_INPUT` when `id` is malformed or names another type.
pub fn decode(id: &str, kind: Kind, argument: &str) -> Result<i32, AppError> {
    match decode_any(id, argument)? {
        (k, number) if k == kind => Ok(number),
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
        let id = encode(Kind::Facility, 42);
        assert_eq!(decode(&id, Kind::Facility, "id").ok(), Some(42));
    }

    #[test]
    fn an_id_of_another_type_is_refused() {
        let id = encode(Kind::Visit, 42);
        assert!(decode(&id, Kind::Facility, "id").is_err());
    }

    #[test]
    fn malformed_ids_are_refused() {
        for bad in ["", "42", "RmFjaWxpdHk6", "RmFjaWxpdHk6LTE", "%%%"] {
            assert!(decode_any(bad, "id").is_err(), "{bad}");
        }
    }
}
