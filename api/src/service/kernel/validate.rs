//! Rules for input fields, shared by every write, and a collector that
//! reports every bad field of an input at once.

use chrono::Datelike;

use crate::error::{AppError, Problem, Result};
use crate::service::kernel::{country, text};

/// Longest name or title, in characters.
pub const MAX_NAME: usize = 200;
/// Longest free text (a description, a note, a summary), in characters.
pub const MAX_PROSE: usize = 20_000;
/// Longest guideline body, in characters.
pub const MAX_BODY: usize = 500_000;
/// Earliest plausible year of anything this API records.
pub const EARLIEST_YEAR: i32 = 1800;

/// Collects problems; `finish` turns them into one `BAD_USER_INPUT`.
#[derive(Debug, Default)]
pub struct Problems(Vec<Problem>);

impl Problems {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Records the error of a rule, if any.
    pub fn check(&mut self, field: &str, outcome: Result<(), String>) {
        if let Err(message) = outcome {
            self.add(field, message);
        }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// # Errors
    /// `BAD_USER_INPUT` listing every problem, when there is any.
    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}

/// A required single-line name: trimmed, not empty, at most `MAX_NAME` characters.
///
/// # Errors
/// The reason, for the caller.
pub fn name(value: &str) -> Result<(), String> {
    let value = value.trim();
    if value.is_empty() {
        Err("must not be empty".to_owned())
    } else if value.chars().count() > MAX_NAME {
        Err(format!("must be at most {MAX_NAME} characters"))
    } else if let Some(c) = value.chars().find(|c| text::forbidden_in_name(*c)) {
        Err(format!(
            "must be one line of visible text: U+{:04X} (a control, zero-width or direction character) is not accepted",
            u32::from(c)
        ))
    } else {
        Ok(())
    }
}

/// Optional text of at most `max` characters, not blank when present.
///
/// # Errors
/// The reason, for the caller.
pub fn prose(value: &str, max: usize) -> Result<(), String> {
    if value.trim().is_empty() {
        Err("must not be blank (send null to leave it out)".to_owned())
    } else if value.chars().count() > max {
        Err(format!("must be at most {max} characters"))
    } else if let Some(c) = value.chars().find(|c| text::forbidden_in_text(*c)) {
        Err(format!(
            "U+{:04X} (a control or direction-override character) is not accepted",
            u32::from(c)
        ))
    } else {
        Ok(())
    }
}

/// Checks a name or title given in several languages, one at least (`what`
/// says which: "a name"), and trims each.
pub fn localized_name(
    problems: &mut Problems,
    at: &str,
    what: &str,
    text: &mut entity::value::LocalizedText,
) {
    if text.0.is_empty() {
        problems.add(at, format!("give {what}, at least in English (`en`)"));
    }
    for (lang, value) in &mut text.0 {
        problems.check(&format!("{at}.{lang}"), name(value));
        *value = value.trim().to_owned();
    }
}

/// Checks prose given in several languages, if any: each as [`prose`],
/// of at most [`MAX_PROSE`] characters.
pub fn localized_prose(
    problems: &mut Problems,
    at: &str,
    text: Option<&entity::value::LocalizedText>,
) {
    for (lang, value) in text.iter().flat_map(|t| t.0.iter()) {
        problems.check(&format!("{at}.{lang}"), prose(value, MAX_PROSE));
    }
}

/// # Errors
/// The reason, for the caller.
pub fn country_code(value: &str) -> Result<String, String> {
    country::normalize(value).ok_or_else(|| {
        format!("`{value}` is not an ISO 3166-1 alpha-2 country code (for example BE, FR, NL)")
    })
}

/// Latitude and longitude: both or neither, each in range.
pub fn coordinates(
    problems: &mut Problems,
    prefix: &str,
    latitude: Option<f64>,
    longitude: Option<f64>,
) {
    for (field, value, bound) in [
        ("latitude", latitude, 90.0),
        ("longitude", longitude, 180.0),
    ] {
        if let Some(v) = value
            && !(v.is_finite() && (-bound..=bound).contains(&v))
        {
            problems.add(
                format!("{prefix}{field}"),
                format!("{v} is outside -{bound} to {bound}"),
            );
        }
    }
    if latitude.is_some() != longitude.is_some() {
        let missing = if latitude.is_none() {
            "latitude"
        } else {
            "longitude"
        };
        problems.add(
            format!("{prefix}{missing}"),
            "latitude and longitude go together: give both or neither",
        );
    }
}

/// The current year, for [`year`].
#[must_use]
pub fn current_year() -> i32 {
    chrono::Utc::now().year()
}

/// # Errors
/// The reason, for the caller.
pub fn capacity(value: i32) -> Result<(), String> {
    if value >= 1 {
        Ok(())
    } else {
        Err(format!("must be at least 1, got {value}"))
    }
}

/// A year from `EARLIEST_YEAR` to ten years after `current_year` (facilities are planned ahead).
///
/// # Errors
/// The reason, for the caller.
pub fn year(value: i32, current_year: i32) -> Result<(), String> {
    let latest = current_year + 10;
    if (EARLIEST_YEAR..=latest).contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "{value} is not a plausible year ({EARLIEST_YEAR} to {latest})"
        ))
    }
}

/// A date of something that happened or is scheduled: from 2000 to two years ahead.
///
/// # Errors
/// The reason, for the caller.
pub fn activity_date(value: chrono::NaiveDate) -> Result<(), String> {
    let today = chrono::Utc::now().date_naive();
    let latest = today + chrono::Days::new(2 * 366);
    let earliest = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(today);
    if value < earliest || value > latest {
        Err(format!(
            "{value} is not a plausible date ({earliest} to {latest})"
        ))
    } else {
        Ok(())
    }
}

/// A day on which someone read or checked something: not before 1990, and
/// not after today (a day ahead is allowed for callers east of UTC).
///
/// # Errors
/// The reason, for the caller.
pub fn past_date(value: chrono::NaiveDate) -> Result<(), String> {
    let latest = chrono::Utc::now().date_naive() + chrono::Days::new(1);
    let earliest = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or(latest);
    if value < earliest || value > latest {
        Err(format!(
            "{value} is not a plausible day it was read or checked ({earliest} to today)"
        ))
    } else {
        Ok(())
    }
}

/// An absolute http(s) URL with a host.
#[must_use]
pub fn is_web_url(value: &str) -> bool {
    url::Url::parse(value).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    })
}

/// # Errors
/// The reason, for the caller.
pub fn web_url(value: &str) -> Result<(), String> {
    if value.len() > 2000 {
        Err("must be at most 2000 characters".to_owned())
    } else if is_web_url(value) {
        Ok(())
    } else {
        Err(format!(
            "`{value}` is not an absolute http or https URL (for example https://example.org/page)"
        ))
    }
}

/// Checks one source of a record's facts, found at `at` (`input.sources[0]`):
/// a web URL, a title and publisher that are names, a reading day not in the future.
pub fn source(problems: &mut Problems, at: &str, source: &entity::value::Source) {
    problems.check(&format!("{at}.url"), web_url(&source.url));
    for (name, value) in [("title", &source.title), ("publisher", &source.publisher)] {
        if let Some(v) = value {
            problems.check(&format!("{at}.{name}"), self::name(v));
        }
    }
    if let Some(day) = source.read_on {
        problems.check(&format!("{at}.readOn"), past_date(day));
    }
}

/// A plausible address: one `@`, a local part, and a domain with a dot.
/// Deliverability is for the mail system to judge, not for a form.
///
/// # Errors
/// The reason, for the caller.
pub fn email(value: &str) -> Result<(), String> {
    let valid = value.len() <= 254
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
        });
    if valid {
        Ok(())
    } else {
        Err(format!("`{value}` is not an e-mail address"))
    }
}

/// Digits with an optional leading `+`, and spaces, dots, dashes, brackets between.
///
/// # Errors
/// The reason, for the caller.
pub fn phone(value: &str) -> Result<(), String> {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || " .-()/".contains(c) || (c == '+' && i == 0));
    if allowed && (6..=20).contains(&digits) {
        Ok(())
    } else {
        Err(format!(
            "`{value}` is not a phone number (digits, optionally with a leading + and spaces)"
        ))
    }
}

/// # Errors
/// The reason, for the caller.
pub fn slug(value: &str) -> Result<(), String> {
    if text::is_valid_slug(value) {
        Ok(())
    } else {
        Err(format!(
            "`{value}` is not a slug: use lower-case letters and digits in words joined by `-`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_accepts_addresses_and_refuses_the_rest() {
        assert!(email("an.expert@example.org").is_ok());
        for bad in [
            "",
            "no-at.example.org",
            "a@b",
            "a@@b.org",
            "a b@c.org",
            "a@.org",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phone_accepts_international_numbers() {
        assert!(phone("+32 2 542 65 11").is_ok());
        assert!(phone("(020) 555-1234").is_ok());
        for bad in ["12", "call me", "32+2345678"] {
            assert!(phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn coordinates_go_together() {
        let mut problems = Problems::new();
        coordinates(&mut problems, "input.", Some(50.0), None);
        coordinates(&mut problems, "input.", Some(91.0), Some(181.0));
        let fields: Vec<String> = problems.0.iter().map(|p| p.field.clone()).collect();
        assert_eq!(
            fields,
            ["input.longitude", "input.latitude", "input.longitude"]
        );
    }
}
