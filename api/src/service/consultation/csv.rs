//! The consultation report of a version as CSV (RFC 4180, UTF-8, a header
//! row): one row per comment the reader sees, with its answer. People are
//! named only as the reader may see them, as in the GraphQL report.

use std::borrow::Cow;

use super::{Entry, Reader, Report};
use crate::service::facility::csv::quote_formula;

/// The columns, in order.
pub const HEADER: [&str; 11] = [
    "id",
    "rule",
    "organisation",
    "person",
    "status",
    "comment",
    "answer",
    "answered_at",
    "created_at",
    "updated_at",
    "withdrawn_at",
];

/// The report as CSV. Text that a spreadsheet would run as a formula gets
/// a leading `'`, as in the facility export.
///
/// # Errors
/// Only if writing to memory fails, which it does not in practice.
pub fn write(report: &Report, reader: &Reader) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(HEADER)?;
    for entry in &report.entries {
        writer.write_record(row(entry, reader))?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

fn row(entry: &Entry, reader: &Reader) -> [String; 11] {
    let comment = &entry.comment;
    let text = |value: &str| quote_formula(value).into_owned();
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    let audience = reader.audience();
    let person: Cow<'_, str> = match &entry.person {
        Some(p) if audience.sees_record(p) => Cow::Borrowed(p.name.as_str()),
        Some(p) => Cow::Borrowed(audience.describe(p)),
        None => Cow::Borrowed(""),
    };
    [
        crate::service::kernel::global_id::encode(
            crate::service::kernel::global_id::Kind::ConsultationComment,
            comment.uuid,
        )
        .0,
        entry.rule_number.clone().unwrap_or_default(),
        entry
            .organisation
            .as_ref()
            .map(|o| text(&o.name))
            .unwrap_or_default(),
        text(person.as_ref()),
        comment.status.as_str().to_ascii_uppercase(),
        text(&comment.text),
        comment.answer.as_deref().map(text).unwrap_or_default(),
        time(comment.answered_at),
        time(Some(comment.created_at)),
        time(Some(comment.updated_at)),
        time(comment.withdrawn_at),
    ]
}
