//! Scalars of the contract that async-graphql does not name as we do.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// What the contract says of `DateTime`, which is chrono's `DateTime<Utc>`
/// as async-graphql maps it (it writes `to_rfc3339`), in place of the
/// library's generic text.
pub const DATE_TIME_DESCRIPTION: &str = "An instant, in UTC, as an RFC 3339 string with \
its offset written `+00:00` and fractions of a second when there are any \
(`2024-05-14T09:30:00+00:00`, `2024-05-14T09:30:00.250+00:00`). Inputs may \
carry any offset; they are read as the same instant in UTC.";

/// A calendar date in ISO 8601 form, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// A calendar date in ISO 8601 form, `YYYY-MM-DD`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| {
                    InputValueError::custom(format!("`{s}` is not a date in YYYY-MM-DD form"))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}
