//! The facility CSV format: the columns of the project's source list of
//! facilities, each read into and written from a facility's editable fields.
//! A row is checked by the rules the API checks its input by, and every
//! problem is located by line and column. The demo data loads through here,
//! and so do imports.

use std::borrow::Cow;

use entity::value::{
    FacilityStatus, FacilityType, LocationPrecision, ManagedBy, Population, Principle, RefScheme,
    Regime, SecurityLevel, Source, TargetAge,
};

use crate::error::AppError;
use crate::service::facility::write::{ExternalRef, FacilityFields, lead_with};
use crate::service::kernel::global_id::{self, Key, Kind};

/// One column of the format: its header, and how its cell reads into,
/// writes from and carries over a facility's fields. A column is added here
/// and nowhere else in the format.
#[derive(Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    /// Whether a file may leave the column out.
    optional: bool,
    /// Reads a cell (trimmed; `None` when empty) into its field.
    read: fn(Option<&str>, &mut FacilityFields) -> Result<(), String>,
    write: fn(&FacilityFields) -> String,
    /// Copies the field from a row onto a stored facility's fields.
    carry: fn(&FacilityFields, &mut FacilityFields),
}

/// The [`Column`] of a field whose value is a [`Cell`]; `$cell` first
/// turns the cell's text into the value's (a source's way of saying "empty").
macro_rules! column {
    ($name:literal, $field:ident) => {
        column!($name, $field, std::convert::identity)
    };
    ($name:literal, $field:ident, $cell:expr) => {
        Column {
            name: $name,
            optional: false,
            read: |cell, fields| {
                fields.$field = Cell::read($cell(cell))?;
                Ok(())
            },
            write: |fields| Cell::write(&fields.$field),
            carry: |row, stored| stored.$field.clone_from(&row.$field),
        }
    };
}

/// A pair of optional columns for the reference of one scheme: its value
/// (`ref_wikidata`) and its page (`ref_wikidata_url`), both or neither.
macro_rules! reference {
    ($name:literal, $scheme:expr) => {
        [
            Column {
                name: $name,
                optional: true,
                read: |cell, fields| {
                    if let Some(value) = cell {
                        fields.external_refs.push(ExternalRef {
                            scheme: $scheme,
                            value: value.to_owned(),
                            url: String::new(),
                        });
                    }
                    Ok(())
                },
                write: |fields| {
                    reference_of(fields, $scheme)
                        .map_or_else(String::new, |r| quote_formula(&r.value).into_owned())
                },
                carry: |row, stored| carry_reference(row, stored, $scheme),
            },
            Column {
                name: concat!($name, "_url"),
                optional: true,
                read: |cell, fields| {
                    let reference = fields
                        .external_refs
                        .iter_mut()
                        .find(|r| r.scheme == $scheme);
                    match (reference, cell) {
                        (Some(r), Some(url)) => {
                            r.url = url.to_owned();
                            Ok(())
                        }
                        (None, None) => Ok(()),
                        (Some(_), None) => Err(format!("a `{}` needs its page here", $name)),
                        (None, Some(_)) => Err(format!("a page without a `{}`", $name)),
                    }
                },
                write: |fields| {
                    reference_of(fields, $scheme)
                        .map_or_else(String::new, |r| quote_formula(&r.url).into_owned())
                },
                // The value's column carries the reference whole.
                carry: |_, _| {},
            },
        ]
    };
}

fn reference_of(fields: &FacilityFields, scheme: RefScheme) -> Option<&ExternalRef> {
    fields.external_refs.iter().find(|r| r.scheme == scheme)
}

fn carry_reference(row: &FacilityFields, stored: &mut FacilityFields, scheme: RefScheme) {
    stored.external_refs.retain(|r| r.scheme != scheme);
    stored
        .external_refs
        .extend(reference_of(row, scheme).cloned());
    stored.external_refs.sort_by_key(|r| r.scheme);
}

const RESCALED: [Column; 2] = reference!("ref_rescaled", RefScheme::Rescaled);
const PRISON_INSIDER: [Column; 2] = reference!("ref_prison_insider", RefScheme::PrisonInsider);
const WIKIDATA: [Column; 2] = reference!("ref_wikidata", RefScheme::Wikidata);
const OSM: [Column; 2] = reference!("ref_osm", RefScheme::Osm);
const OTHER: [Column; 2] = reference!("ref_other", RefScheme::Other);

/// The columns, in order, of a facility CSV file: the project's source
/// list's, then every source in full, the principles, `slug`, `id` (the
/// global id) and a value and page column per reference scheme, all
/// optional, as the source list does not have them.
pub const COLUMNS: [Column; 33] = [
    column!("name", name),
    column!("country_code", country_code),
    column!("city", city),
    column!("latitude", latitude),
    column!("longitude", longitude),
    column!("facility_type", facility_type),
    column!("capacity", capacity),
    column!("opened_year", opened_year),
    column!("operator", operator),
    column!("population", population),
    column!("security_level", security_level, unknown_is_empty),
    column!("status", status),
    column!("managed_by", managed_by),
    column!("target_age", target_age),
    column!("regime", regime),
    column!("social_enterprise", social_enterprise),
    Column {
        name: "source_url",
        optional: false,
        read: |cell, fields| {
            fields.sources = cell.map(Source::at).into_iter().collect();
            Ok(())
        },
        write: |fields| {
            fields
                .sources
                .first()
                .map(|s| s.url.clone())
                .unwrap_or_default()
        },
        carry: |row, stored| {
            if let Some(first) = row.sources.first() {
                lead_with(&mut stored.sources, first.clone());
            }
        },
    },
    Column {
        name: "location_precision",
        optional: true,
        read: |cell, fields| {
            fields.location_precision = Cell::read(cell)?;
            Ok(())
        },
        write: |fields| Cell::write(&fields.location_precision),
        carry: |row, stored| stored.location_precision = row.location_precision,
    },
    Column {
        name: "verified_on",
        optional: true,
        read: |cell, fields| {
            fields.verified_on = Cell::read(cell)?;
            Ok(())
        },
        write: |fields| Cell::write(&fields.verified_on),
        carry: |row, stored| stored.verified_on = row.verified_on,
    },
    Column {
        name: "sources",
        optional: true,
        read: read_sources,
        write: |fields| {
            // Empty when `source_url` says it all.
            match fields.sources.as_slice() {
                [] => String::new(),
                [only] if *only == Source::at(only.url.clone()) => String::new(),
                all => serde_json::to_string(all).unwrap_or_default(),
            }
        },
        carry: |row, stored| stored.sources.clone_from(&row.sources),
    },
    Column {
        name: "principles",
        optional: true,
        read: |cell, fields| {
            fields.principles = cell
                .into_iter()
                .flat_map(|list| list.split(';'))
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    Principle::parse(&p.to_ascii_lowercase()).ok_or_else(|| {
                        format!(
                            "`{p}` is not one of: {} (separate several with `;`)",
                            Principle::all_values().join(", ")
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
            Ok(())
        },
        write: |fields| {
            fields
                .principles
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(";")
        },
        carry: |row, stored| stored.principles.clone_from(&row.principles),
    },
    Column {
        name: "slug",
        optional: true,
        read: |cell, fields| {
            fields.slug = Cell::read(cell)?;
            Ok(())
        },
        write: |fields| Cell::write(&fields.slug),
        // The slug says which facility a row is; it never renames one.
        carry: |_, _| {},
    },
    Column {
        name: "id",
        optional: true,
        read: |cell, fields| {
            fields.uuid = cell
                .map(|id| match global_id::decode(id, Kind::Facility, "id") {
                    Ok(Key::Uuid(uuid)) => Ok(uuid),
                    Ok(Key::Serial(_)) => Err(format!(
                        "`{id}` is an id of one installation, from before ids were stable: leave it out, and the `slug` says which facility this is"
                    )),
                    Err(err) => Err(err.public_message()),
                })
                .transpose()?;
            Ok(())
        },
        write: |fields| {
            fields
                .uuid
                .map(|uuid| global_id::encode(Kind::Facility, uuid).0)
                .unwrap_or_default()
        },
        // The id says which facility a row is; it never changes.
        carry: |_, _| {},
    },
    RESCALED[0],
    RESCALED[1],
    PRISON_INSIDER[0],
    PRISON_INSIDER[1],
    WIKIDATA[0],
    WIKIDATA[1],
    OSM[0],
    OSM[1],
    OTHER[0],
    OTHER[1],
];

/// Sources say "unknown" where they do not know: that is an empty value.
fn unknown_is_empty(cell: Option<&str>) -> Option<&str> {
    cell.filter(|v| *v != "unknown")
}

/// Reads the `sources` cell: every source of the facility as a JSON array,
/// the first of them the one `source_url` names.
fn read_sources(cell: Option<&str>, fields: &mut FacilityFields) -> Result<(), String> {
    let Some(json) = cell else {
        return Ok(());
    };
    let listed: Vec<Source> = serde_json::from_str(json).map_err(|err| {
        format!(
            "must be a JSON array of sources, each {{\"url\", \"title\", \"publisher\", \"read_on\": \"YYYY-MM-DD\", \"supports\": [\"capacity\", ...]}} with only `url` required: {err}"
        )
    })?;
    match (fields.sources.first(), listed.first()) {
        (Some(given), Some(first)) if given.url != first.url => Err(format!(
            "the first source is the one `source_url` names (`{}`), but these start with `{}`",
            given.url, first.url
        )),
        (_, Some(_)) => {
            fields.sources = listed;
            Ok(())
        }
        (_, None) => Ok(()),
    }
}

/// What makes a spreadsheet read a text cell as a formula (OWASP, "CSV Injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One valid row: a facility's fields, those the file does not carry
/// (description, principles, ...) empty.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilityRow {
    /// Line of the file where the row starts (the header is line 1).
    pub line: u64,
    /// `uuid` (the `id` column), external references and `slug`, when
    /// given, say which facility the row is, in that order.
    pub fields: FacilityFields,
    /// The columns the file has: what it leaves out (the project's source
    /// list has no references) stays as it is on a stored facility.
    pub present: Present,
}

/// Which of [`COLUMNS`] a file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Present([bool; COLUMNS.len()]);

impl Present {
    /// Each column whose name `has` accepts.
    #[must_use]
    pub fn by_name(has: impl Fn(&str) -> bool) -> Self {
        Self(COLUMNS.map(|c| has(c.name)))
    }

    fn has(&self, column: usize) -> bool {
        self.0[column]
    }
}

/// Why one cell (or the whole file, with line 0 or column "") was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: String,
    pub reason: String,
}

impl RowError {
    fn new(line: u64, column: &str, reason: impl Into<String>) -> Self {
        Self {
            line,
            column: column.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Reads a whole file: every valid row, or every problem found.
///
/// # Errors
/// All row errors, in file order, when any row (or the header) is invalid.
pub fn parse(input: &[u8]) -> Result<Vec<FacilityRow>, Vec<RowError>> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    // The reader numbers CRLF lines inconsistently; with LF only, line numbers are exact.
    let input = normalize_line_ends(input);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input.as_slice());

    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(err) => return Err(vec![RowError::new(1, "", describe_csv_error(&err))]),
    };
    let positions = check_header(&header)?;
    let present = Present(positions.map(|p| p.is_some()));

    let mut rows = Rows::default();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = err.position().map_or(0, csv::Position::line);
                rows.refuse(RowError::new(line, "", describe_csv_error(&err)));
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.len() != header.len() {
            rows.refuse(RowError::new(
                line,
                "",
                format!("expected {} fields, found {}", header.len(), record.len()),
            ));
            continue;
        }
        let cell = |i: usize| {
            positions[i]
                .and_then(|p| record.get(p))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(unquote_formula)
        };
        rows.read(line, present, &cell);
    }
    rows.finish()
}

/// The rows of a file read so far, and every problem found on the way: a
/// file is read to its end, so that one answer lists every bad row.
#[derive(Default)]
pub struct Rows {
    rows: Vec<FacilityRow>,
    errors: Vec<RowError>,
}

impl Rows {
    /// Reads one row from its cells, as [`read_row`] does.
    pub fn read<'a>(
        &mut self,
        line: u64,
        present: Present,
        cell: &dyn Fn(usize) -> Option<&'a str>,
    ) {
        match read_row(line, present, cell) {
            Ok(row) => self.rows.push(row),
            Err(mut errors) => self.errors.append(&mut errors),
        }
    }

    /// Notes a row that could not be read at all.
    pub fn refuse(&mut self, error: RowError) {
        self.errors.push(error);
    }

    /// Every row, or every problem when there is any.
    ///
    /// # Errors
    /// All problems, in the order they were found.
    pub fn finish(self) -> Result<Vec<FacilityRow>, Vec<RowError>> {
        if self.errors.is_empty() {
            Ok(self.rows)
        } else {
            Err(self.errors)
        }
    }
}

fn normalize_line_ends(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut bytes = input.iter().peekable();
    while let Some(&b) = bytes.next() {
        if b == b'\r' && bytes.peek() == Some(&&b'\n') {
            continue;
        }
        out.push(b);
    }
    out
}

fn describe_csv_error(err: &csv::Error) -> String {
    match err.kind() {
        csv::ErrorKind::Utf8 { .. } => "the file is not valid UTF-8".to_owned(),
        _ => "the CSV is malformed (check quotes and separators)".to_owned(),
    }
}

/// Where each of [`COLUMNS`] is in the file, `None` for an optional column left out.
fn check_header(
    header: &csv::StringRecord,
) -> Result<[Option<usize>; COLUMNS.len()], Vec<RowError>> {
    let found: Vec<&str> = header.iter().map(str::trim).collect();
    let known = |name: &str| COLUMNS.iter().any(|c| c.name == name);
    let mut errors = Vec::new();
    for expected in COLUMNS.iter().filter(|c| !c.optional) {
        if !found.contains(&expected.name) {
            errors.push(RowError::new(1, expected.name, "missing column"));
        }
    }
    for column in &found {
        if !known(column) {
            errors.push(RowError::new(1, column, "unknown column"));
        }
    }
    let in_order = COLUMNS
        .iter()
        .map(|c| c.name)
        .filter(|c| found.contains(c))
        .eq(found.iter().copied());
    if errors.is_empty() && !in_order {
        let optional: Vec<&str> = COLUMNS
            .iter()
            .filter(|c| c.optional)
            .map(|c| c.name)
            .collect();
        errors.push(RowError::new(
            1,
            "",
            format!(
                "columns must be in this order: {} (`{}` may be left out)",
                COLUMNS.map(|c| c.name).join(","),
                optional.join("`, `")
            ),
        ));
    }
    if errors.is_empty() {
        Ok(COLUMNS.map(|c| found.iter().position(|f| *f == c.name)))
    } else {
        Err(errors)
    }
}

/// Reads one row given as its cells in the order of [`COLUMNS`] (trimmed,
/// empty as `None`), and checks it by the API's rules for a facility.
///
/// # Errors
/// Every problem of the row, one per cell, left to right.
pub fn read_row<'a>(
    line: u64,
    present: Present,
    cell: &dyn Fn(usize) -> Option<&'a str>,
) -> Result<FacilityRow, Vec<RowError>> {
    let mut fields = unread();
    let mut errors = Vec::new();
    for (i, column) in COLUMNS.iter().enumerate() {
        if let Err(reason) = (column.read)(cell(i), &mut fields) {
            errors.push(RowError::new(line, column.name, reason));
        }
    }
    fields.normalise();
    if let Err(AppError::Invalid(problems)) = fields.problems("").finish() {
        for problem in problems {
            let column = column_of(&problem.field, &fields);
            // A cell that could not be read has said what is wrong with it.
            if !errors.iter().any(|e| e.column == column) {
                errors.push(RowError::new(line, &column, problem.message));
            }
        }
    }
    if errors.is_empty() {
        return Ok(FacilityRow {
            line,
            fields,
            present,
        });
    }
    errors.sort_by_key(|e| COLUMNS.iter().position(|c| c.name == e.column));
    Err(errors)
}

/// A facility with nothing read into it yet. The placeholders of the
/// required columns never outlive the read: a row whose cell does not
/// replace them is refused.
fn unread() -> FacilityFields {
    FacilityFields {
        uuid: None,
        slug: None,
        name: String::new(),
        country_code: String::new(),
        city: None,
        latitude: None,
        longitude: None,
        location_precision: None,
        facility_type: FacilityType::Other,
        status: FacilityStatus::Open,
        capacity: None,
        opened_year: None,
        operator: None,
        managed_by: None,
        population: None,
        target_age: None,
        regime: None,
        security_level: None,
        social_enterprise: None,
        description: None,
        website: None,
        sources: Vec::new(),
        verified_on: None,
        maintained_by: None,
        principles: Vec::new(),
        ecosystem: Vec::new(),
        external_refs: Vec::new(),
    }
}

/// The column of a problem the API's rules name by field (`countryCode`).
fn column_of(field: &str, fields: &FacilityFields) -> String {
    // `source_url` is the first source's address; the `sources` cell has them all.
    if field.starts_with("sources[0].url") {
        return "source_url".to_owned();
    }
    if field.starts_with("sources") {
        return "sources".to_owned();
    }
    // `externalRefs[2].url`: the page column of the third reference's scheme.
    if let Some(rest) = field.strip_prefix("externalRefs[") {
        let reference = rest.split_once(']').and_then(|(i, part)| {
            Some((fields.external_refs.get(i.parse::<usize>().ok()?)?, part))
        });
        if let Some((r, part)) = reference {
            let suffix = if part == ".url" { "_url" } else { "" };
            return format!("ref_{}{suffix}", r.scheme.as_str());
        }
    }
    COLUMNS
        .iter()
        .find(|c| camel_case(c.name) == field)
        .map_or(field, |c| c.name)
        .to_owned()
}

/// A column's name as the API (and GeoJSON properties) spell it: `country_code` is `countryCode`.
#[must_use]
pub fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A row onto a stored facility's fields: what the file's columns carry
/// replaces what is stored, and what it does not (a column it leaves out,
/// the description, ...) stays.
pub fn carry(row: &FacilityRow, stored: &mut FacilityFields) {
    for (i, column) in COLUMNS.iter().enumerate() {
        if row.present.has(i) {
            (column.carry)(&row.fields, stored);
        }
    }
}

/// Writes facilities in the import format (UTF-8, RFC 4180 quoting), so an
/// export imports back unchanged. Text that a spreadsheet would run as a
/// formula is written with a leading `'` (see [`quote_formula`]); numbers are
/// written as numbers.
///
/// # Errors
/// Only if writing to memory fails, which it does not in practice.
pub fn write(facilities: &[FacilityFields]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(COLUMNS.map(|c| c.name))?;
    for fields in facilities {
        writer.write_record(COLUMNS.map(|c| (c.write)(fields)))?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// The cells of a facility as GeoJSON properties, by column name: every
/// column but the coordinates (the geometry's), the id (the feature's) and
/// the references (an array of their own). Numbers and booleans are JSON's,
/// text is as it is (no formula quote: no spreadsheet reads it), sources
/// and principles are arrays, and an empty cell is `null`.
#[must_use]
pub fn properties(fields: &FacilityFields) -> Vec<(&'static str, serde_json::Value)> {
    COLUMNS
        .iter()
        .filter(|c| {
            !matches!(c.name, "latitude" | "longitude" | "id") && !c.name.starts_with("ref_")
        })
        .map(|c| {
            // Lists are JSON's own, also when empty.
            match c.name {
                "sources" => return (c.name, serde_json::json!(fields.sources)),
                "principles" => return (c.name, serde_json::json!(fields.principles)),
                _ => {}
            }
            let cell = (c.write)(fields);
            let value = if cell.is_empty() {
                serde_json::Value::Null
            } else {
                match c.name {
                    "capacity" | "opened_year" => cell
                        .parse::<i64>()
                        .map_or(serde_json::Value::String(cell), Into::into),
                    "social_enterprise" => serde_json::Value::Bool(cell == "true"),
                    _ => serde_json::Value::String(unquote_formula(&cell).to_owned()),
                }
            };
            (c.name, value)
        })
        .collect()
}

/// A text cell a spreadsheet would run as a formula, with a leading `'` that
/// makes it text. A cell whose leading quotes are followed by such a character
/// gets one more, so that [`unquote_formula`] never takes a quote of the data
/// for the export's: every value comes back exactly.
#[must_use]
pub fn quote_formula(value: &str) -> Cow<'_, str> {
    if value.trim_start_matches('\'').starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// Takes off the quote [`quote_formula`] adds.
#[must_use]
pub fn unquote_formula(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(FORMULA_STARTS) => rest,
        _ => value,
    }
}

/// How a field's value reads from a cell and writes to one: its shape (a
/// number, one of an enum's values, present at all), not the rules it must
/// meet, which are the API's.
trait Cell: Sized {
    /// Reads a trimmed cell, `None` when empty.
    fn read(cell: Option<&str>) -> Result<Self, String>;
    fn write(&self) -> String;
}

impl Cell for String {
    fn read(cell: Option<&str>) -> Result<Self, String> {
        cell.map(str::to_owned)
            .ok_or_else(|| "a value is required".to_owned())
    }

    fn write(&self) -> String {
        quote_formula(self).into_owned()
    }
}

impl Cell for Option<String> {
    fn read(cell: Option<&str>) -> Result<Self, String> {
        Ok(cell.map(str::to_owned))
    }

    fn write(&self) -> String {
        quote_formula(self.as_deref().unwrap_or_default()).into_owned()
    }
}

// Numbers and fixed values never start a formula: written as they are.

impl Cell for Option<f64> {
    fn read(cell: Option<&str>) -> Result<Self, String> {
        cell.map(|v| v.parse().map_err(|_| format!("`{v}` is not a number")))
            .transpose()
    }

    fn write(&self) -> String {
        self.map(|v| v.to_string()).unwrap_or_default()
    }
}

impl Cell for Option<i32> {
    fn read(cell: Option<&str>) -> Result<Self, String> {
        cell.map(|v| {
            v.parse()
                .map_err(|_| format!("`{v}` is not a whole number"))
        })
        .transpose()
    }

    fn write(&self) -> String {
        self.map(|v| v.to_string()).unwrap_or_default()
    }
}

impl Cell for Option<chrono::NaiveDate> {
    fn read(cell: Option<&str>) -> Result<Self, String> {
        cell.map(|v| {
            chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map_err(|_| format!("`{v}` is not a date in YYYY-MM-DD form"))
        })
        .transpose()
    }

    fn write(&self) -> String {
        self.map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    }
}

impl Cell for Option<bool> {
    fn read(cell: Option<&str>) -> Result<Self, String> {
        match cell {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(format!("`{other}` is not `true`, `false` or empty")),
        }
    }

    fn write(&self) -> String {
        self.map(|v| v.to_string()).unwrap_or_default()
    }
}

/// [`Cell`] for string-backed enums, required and optional.
macro_rules! enum_cells {
    ($($enum:ident),+ $(,)?) => {$(
        impl Cell for $enum {
            fn read(cell: Option<&str>) -> Result<Self, String> {
                let allowed = || $enum::all_values().join(", ");
                match cell {
                    None => Err(format!("a value is required, one of: {}", allowed())),
                    // GeoJSON written by GraphQL clients spells values as GraphQL does.
                    Some(v) => $enum::parse(&v.to_ascii_lowercase())
                        .ok_or_else(|| format!("`{v}` is not one of: {}", allowed())),
                }
            }

            fn write(&self) -> String {
                self.as_str()
            }
        }

        impl Cell for Option<$enum> {
            fn read(cell: Option<&str>) -> Result<Self, String> {
                cell.map(|v| <$enum as Cell>::read(Some(v))).transpose()
            }

            fn write(&self) -> String {
                self.map($enum::as_str).unwrap_or_default()
            }
        }
    )+};
}

enum_cells!(
    FacilityType,
    FacilityStatus,
    ManagedBy,
    Population,
    TargetAge,
    Regime,
    SecurityLevel,
    LocationPrecision,
);

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "name,country_code,city,latitude,longitude,facility_type,capacity,opened_year,operator,population,security_level,status,managed_by,target_age,regime,social_enterprise,source_url";

    #[test]
    fn parse_reads_a_valid_row_with_bom_crlf_and_quoted_comma() {
        let csv = format!(
            "\u{feff}{HEADER}\r\n\"Huis, Liège\",be,Liège,50.6,5.5,detention_house,20,2022,\"FOD, Justitie\",mixed,unknown,open,national_prison_administration,adults,closed,true,https://example.org/a\r\n"
        );
        let rows = parse(csv.as_bytes()).expect("valid");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        let r = &rows[0].fields;
        assert_eq!(r.name, "Huis, Liège");
        assert_eq!(r.country_code, "BE");
        assert_eq!(r.security_level, None);
        assert_eq!(r.social_enterprise, Some(true));
        assert_eq!(r.operator.as_deref(), Some("FOD, Justitie"));
    }

    #[test]
    fn parse_reports_every_bad_cell_with_line_and_column() {
        let csv = format!(
            "{HEADER}\nA,XX,,95,3,castle,0,1200,,,low,open,,,,maybe,ftp://x\nB,BE,,,,other,,,,,,open,,,,,\n"
        );
        let errors = parse(csv.as_bytes()).expect_err("invalid");
        let cells: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            cells,
            vec![
                (2, "country_code"),
                (2, "latitude"),
                (2, "facility_type"),
                (2, "capacity"),
                (2, "opened_year"),
                (2, "social_enterprise"),
                (2, "source_url"),
            ]
        );
    }

    #[test]
    fn parse_refuses_missing_and_unknown_columns() {
        let errors = parse(b"name,country_code,colour\n").expect_err("invalid");
        assert!(
            errors
                .iter()
                .any(|e| e.column == "city" && e.reason == "missing column")
        );
        assert!(
            errors
                .iter()
                .any(|e| e.column == "colour" && e.reason == "unknown column")
        );
    }

    #[test]
    fn parse_refuses_text_that_is_not_utf8() {
        let mut csv = format!("{HEADER}\n").into_bytes();
        csv.extend_from_slice(b"Li\xe8ge,BE,,,,other,,,,,,open,,,,,\n");
        let errors = parse(&csv).expect_err("invalid");
        assert_eq!(errors[0].reason, "the file is not valid UTF-8");
    }

    #[test]
    fn parse_reads_the_optional_slug_column_and_checks_it() {
        let csv = format!(
            "{HEADER},slug\nA,BE,,,,other,,,,,,open,,,,,,huis-a\nB,BE,,,,other,,,,,,open,,,,,,\nC,BE,,,,other,,,,,,open,,,,,,Huis C\n"
        );
        let errors = parse(csv.as_bytes()).expect_err("invalid slug");
        assert_eq!(
            errors
                .iter()
                .map(|e| (e.line, e.column.as_str()))
                .collect::<Vec<_>>(),
            [(4, "slug")]
        );
        let csv = csv.replace("Huis C", "huis-c");
        let slugs: Vec<Option<String>> = parse(csv.as_bytes())
            .expect("valid")
            .into_iter()
            .map(|r| r.fields.slug)
            .collect();
        assert_eq!(slugs, [Some("huis-a".into()), None, Some("huis-c".into())]);

        let first = format!("slug,{HEADER}\n");
        let errors = parse(first.as_bytes()).expect_err("slug comes last");
        assert!(
            errors[0]
                .reason
                .starts_with("columns must be in this order")
        );
    }

    #[test]
    fn parse_refuses_what_the_api_refuses_with_the_apis_reason() {
        let csv = format!(
            "{HEADER}\nA,BE,,50,,other,,,,,,open,,,,,\nB,be,\"Den\nHaag\",,,other,,,,,,open,,,,,\nC\u{200b}D,BE,,,,castle,,,,,,open,,,,,\n"
        );
        let errors = parse(csv.as_bytes()).expect_err("invalid");
        assert_eq!(
            errors
                .iter()
                .map(|e| (e.line, e.column.as_str(), e.reason.as_str()))
                .collect::<Vec<_>>(),
            [
                (
                    2,
                    "longitude",
                    "latitude and longitude go together: give both or neither"
                ),
                (
                    3,
                    "city",
                    "must be one line of visible text: U+000A (a control, zero-width or direction character) is not accepted"
                ),
                // A line break inside a quoted cell: the next row starts a line later.
                (
                    5,
                    "name",
                    "must be one line of visible text: U+200B (a control, zero-width or direction character) is not accepted"
                ),
                (
                    5,
                    "facility_type",
                    "`castle` is not one of: detention_house, transition_house, youth_small_scale, community_custody_unit, halfway_house, open_prison, mother_child_unit, other"
                ),
            ]
        );
    }

    #[test]
    fn carry_replaces_the_columns_and_keeps_the_rest() {
        let csv = format!("{HEADER},slug\nA,BE,Gent,,,other,,,,,,open,,,,,,a\n");
        let row = parse(csv.as_bytes()).expect("valid").remove(0);
        let mut stored = unread();
        stored.slug = Some("stored".to_owned());
        stored.name = "Old".to_owned();
        stored.website = Some("https://example.org".to_owned());
        stored.principles = vec![entity::value::Principle::SmallScale];

        carry(&row, &mut stored);

        assert_eq!(
            (
                stored.slug.as_deref(),
                stored.name.as_str(),
                stored.city.as_deref()
            ),
            (Some("stored"), "A", Some("Gent"))
        );
        assert_eq!(stored.website.as_deref(), Some("https://example.org"));
        assert_eq!(stored.principles.len(), 1);
    }

    #[test]
    fn formulas_get_a_quote_that_comes_off_again() {
        for (value, cell) in [
            ("=1+1", "'=1+1"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=1", "''=1"),
            ("'quoted'", "'quoted'"),
            ("Huis = thuis", "Huis = thuis"),
            ("", ""),
        ] {
            assert_eq!(quote_formula(value), cell);
            assert_eq!(unquote_formula(cell), value);
        }
    }

    #[test]
    fn project_demo_file_is_valid() {
        let rows =
            parse(include_bytes!("../../../demo/facilities.csv")).expect("demo data is valid");
        assert!(rows.len() > 100);
        assert!(rows.iter().all(|r| !r.fields.sources.is_empty()));
        // The reference list's further sources, after the one `source_url` names.
        assert!(rows.iter().any(|r| r.fields.sources.len() > 1));
    }
}

/// Every text survives the quote the export adds, and no quoted cell starts a formula.
#[cfg(test)]
mod formula_properties {
    use proptest::prelude::*;

    use super::{FORMULA_STARTS, quote_formula, unquote_formula};

    proptest! {
        #[test]
        fn quoting_is_undone_exactly(value in "['=+@\\-\t\ra-z ]{0,8}") {
            let cell = quote_formula(&value);
            prop_assert!(!cell.starts_with(FORMULA_STARTS));
            prop_assert_eq!(unquote_formula(&cell), value.as_str());
        }
    }
}
