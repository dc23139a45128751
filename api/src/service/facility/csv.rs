//! The facility CSV format: the columns of the project's source list of
//! facilities, read into validated records with every problem located by line
//! and column. The demo data loads through here, and so do imports.

use std::borrow::Cow;

use entity::value::{
    FacilityStatus, FacilityType, ManagedBy, Population, Regime, SecurityLevel, TargetAge,
};

use crate::service::kernel::{country, validate};

/// The columns, in order, of a facility CSV file. The last, `slug`, is
/// optional: the project's source list and older exports do not have it.
pub const COLUMNS: [&str; 18] = [
    "name",
    "country_code",
    "city",
    "latitude",
    "longitude",
    "facility_type",
    "capacity",
    "opened_year",
    "operator",
    "population",
    "security_level",
    "status",
    "managed_by",
    "target_age",
    "regime",
    "social_enterprise",
    "source_url",
    "slug",
];

/// The columns a file may leave out.
const OPTIONAL: [&str; 1] = ["slug"];

/// What makes a spreadsheet read a text cell as a formula (OWASP, "CSV Injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One valid row.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilityRecord {
    /// Line of the file where the row starts (the header is line 1).
    pub line: u64,
    pub name: String,
    pub country_code: String,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub facility_type: FacilityType,
    pub capacity: Option<i32>,
    pub opened_year: Option<i32>,
    pub operator: Option<String>,
    pub population: Option<Population>,
    pub security_level: Option<SecurityLevel>,
    pub status: FacilityStatus,
    pub managed_by: Option<ManagedBy>,
    pub target_age: Option<TargetAge>,
    pub regime: Option<Regime>,
    pub social_enterprise: Option<bool>,
    pub source_url: Option<String>,
    /// The facility the row is: given, the row matches this facility and no other.
    pub slug: Option<String>,
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
pub fn parse(input: &[u8], current_year: i32) -> Result<Vec<FacilityRecord>, Vec<RowError>> {
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

    let mut records = Vec::new();
    let mut errors = Vec::new();
    for row in reader.records() {
        let row = match row {
            Ok(row) => row,
            Err(err) => {
                let line = err.position().map_or(0, csv::Position::line);
                errors.push(RowError::new(line, "", describe_csv_error(&err)));
                continue;
            }
        };
        let line = row.position().map_or(0, csv::Position::line);
        if row.len() != header.len() {
            errors.push(RowError::new(
                line,
                "",
                format!("expected {} fields, found {}", header.len(), row.len()),
            ));
            continue;
        }
        let cell = |i: usize| {
            positions[i]
                .and_then(|p| row.get(p))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(unquote_formula)
        };
        match read_row(line, &cell, current_year) {
            Ok(record) => records.push(record),
            Err(mut row_errors) => errors.append(&mut row_errors),
        }
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(errors)
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
fn check_header(header: &csv::StringRecord) -> Result<[Option<usize>; 18], Vec<RowError>> {
    let found: Vec<&str> = header.iter().map(str::trim).collect();
    let mut errors = Vec::new();
    for expected in COLUMNS {
        if !OPTIONAL.contains(&expected) && !found.contains(&expected) {
            errors.push(RowError::new(1, expected, "missing column"));
        }
    }
    for column in &found {
        if !COLUMNS.contains(column) {
            errors.push(RowError::new(1, column, "unknown column"));
        }
    }
    let in_order = COLUMNS
        .iter()
        .filter(|c| found.contains(c))
        .eq(found.iter());
    if errors.is_empty() && !in_order {
        errors.push(RowError::new(
            1,
            "",
            format!(
                "columns must be in this order: {} (`{}` may be left out)",
                COLUMNS.join(","),
                OPTIONAL.join("`, `")
            ),
        ));
    }
    if errors.is_empty() {
        Ok(COLUMNS.map(|c| found.iter().position(|f| *f == c)))
    } else {
        Err(errors)
    }
}

/// Reads one row given as its cells in the order of [`COLUMNS`] (trimmed, empty as `None`).
///
/// # Errors
/// Every problem of the row.
pub fn read_row<'a>(
    line: u64,
    cell: &dyn Fn(usize) -> Option<&'a str>,
    current_year: i32,
) -> Result<FacilityRecord, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut fail = |column: &str, reason: String| errors.push(RowError::new(line, column, reason));

    let name = match cell(0) {
        None => {
            fail("name", "a name is required".to_owned());
            None
        }
        Some(n) if n.chars().count() > 200 => {
            fail("name", "a name is at most 200 characters".to_owned());
            None
        }
        Some(n) => Some(n.to_owned()),
    };
    let country_code = match cell(1) {
        None => {
            fail("country_code", "a country code is required".to_owned());
            None
        }
        Some(code) => country::normalize(code).or_else(|| {
            fail(
                "country_code",
                format!("`{code}` is not an ISO 3166-1 alpha-2 country code"),
            );
            None
        }),
    };
    for (i, column) in [(2, "city"), (8, "operator")] {
        if cell(i).is_some_and(|v| v.chars().count() > 200) {
            fail(column, format!("{column} is at most 200 characters"));
        }
    }
    let latitude = coordinate(cell(3), 90.0, "latitude", &mut fail);
    let longitude = coordinate(cell(4), 180.0, "longitude", &mut fail);
    if latitude.is_some() != longitude.is_some() {
        fail(
            "longitude",
            "latitude and longitude go together: give both or neither".to_owned(),
        );
    }
    let facility_type = required_enum(
        cell(5),
        "facility_type",
        FacilityType::parse,
        FacilityType::all_values,
        &mut fail,
    );
    // The same rules as the GraphQL input: one place says what a valid facility is.
    let capacity = integer(cell(6), "capacity", &mut fail).and_then(|c| {
        validate::capacity(c)
            .map_err(|reason| fail("capacity", reason))
            .ok()
            .map(|()| c)
    });
    let opened_year = integer(cell(7), "opened_year", &mut fail).and_then(|y| {
        validate::year(y, current_year)
            .map_err(|reason| fail("opened_year", reason))
            .ok()
            .map(|()| y)
    });
    let population = optional_enum(
        cell(9),
        "population",
        Population::parse,
        Population::all_values,
        &mut fail,
    );
    // Sources say "unknown" where they do not know: that is an empty value.
    let security_level = optional_enum(
        cell(10).filter(|v| *v != "unknown"),
        "security_level",
        SecurityLevel::parse,
        SecurityLevel::all_values,
        &mut fail,
    );
    let status = required_enum(
        cell(11),
        "status",
        FacilityStatus::parse,
        FacilityStatus::all_values,
        &mut fail,
    );
    let managed_by = optional_enum(
        cell(12),
        "managed_by",
        ManagedBy::parse,
        ManagedBy::all_values,
        &mut fail,
    );
    let target_age = optional_enum(
        cell(13),
        "target_age",
        TargetAge::parse,
        TargetAge::all_values,
        &mut fail,
    );
    let regime = optional_enum(
        cell(14),
        "regime",
        Regime::parse,
        Regime::all_values,
        &mut fail,
    );
    let social_enterprise = match cell(15) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            fail(
                "social_enterprise",
                format!("`{other}` is not `true`, `false` or empty"),
            );
            None
        }
    };
    let source_url = cell(16).and_then(|u| {
        validate::web_url(u)
            .map_err(|reason| fail("source_url", reason))
            .ok()
            .map(|()| u.to_owned())
    });
    let slug = cell(17).and_then(|s| {
        validate::slug(s)
            .map_err(|reason| fail("slug", reason))
            .ok()
            .map(|()| s.to_owned())
    });

    match (name, country_code, facility_type, status) {
        (Some(name), Some(country_code), Some(facility_type), Some(status))
            if errors.is_empty() =>
        {
            Ok(FacilityRecord {
                line,
                name,
                country_code,
                city: cell(2).map(str::to_owned),
                latitude,
                longitude,
                facility_type,
                capacity,
                opened_year,
                operator: cell(8).map(str::to_owned),
                population,
                security_level,
                status,
                managed_by,
                target_age,
                regime,
                social_enterprise,
                source_url,
                slug,
            })
        }
        _ => Err(errors),
    }
}

/// Writes facilities in the import format (UTF-8, RFC 4180 quoting), so an
/// export imports back unchanged. Text that a spreadsheet would run as a
/// formula is written with a leading `'` (see [`quote_formula`]); numbers are
/// written as numbers.
///
/// # Errors
/// Only if writing to memory fails, which it does not in practice.
pub fn write(facilities: &[entity::facility::Model]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(COLUMNS)?;
    let text = |value: Option<&str>| quote_formula(value.unwrap_or_default()).into_owned();
    // Numbers and fixed values never start a formula: written as they are.
    let plain = |value: Option<String>| value.unwrap_or_default();
    for f in facilities {
        writer.write_record([
            text(Some(&f.name)),
            text(Some(&f.country_code)),
            text(f.city.as_deref()),
            plain(f.latitude.map(|v| v.to_string())),
            plain(f.longitude.map(|v| v.to_string())),
            f.facility_type.as_str(),
            plain(f.capacity.map(|v| v.to_string())),
            plain(f.opened_year.map(|v| v.to_string())),
            text(f.operator.as_deref()),
            plain(f.population.map(Population::as_str)),
            plain(f.security_level.map(SecurityLevel::as_str)),
            f.status.as_str(),
            plain(f.managed_by.map(ManagedBy::as_str)),
            plain(f.target_age.map(TargetAge::as_str)),
            plain(f.regime.map(Regime::as_str)),
            plain(f.social_enterprise.map(|v| v.to_string())),
            text(f.source_url.as_deref()),
            text(Some(&f.slug)),
        ])?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
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

fn coordinate(
    value: Option<&str>,
    bound: f64,
    column: &str,
    fail: &mut impl FnMut(&str, String),
) -> Option<f64> {
    let value = value?;
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() && (-bound..=bound).contains(&v) => Some(v),
        Ok(v) => {
            fail(column, format!("{v} is outside -{bound} to {bound}"));
            None
        }
        Err(_) => {
            fail(column, format!("`{value}` is not a number"));
            None
        }
    }
}

fn integer(value: Option<&str>, column: &str, fail: &mut impl FnMut(&str, String)) -> Option<i32> {
    let value = value?;
    value
        .parse::<i32>()
        .map_err(|_| fail(column, format!("`{value}` is not a whole number")))
        .ok()
}

fn optional_enum<T>(
    value: Option<&str>,
    column: &str,
    parse: fn(&str) -> Option<T>,
    allowed: fn() -> Vec<String>,
    fail: &mut impl FnMut(&str, String),
) -> Option<T> {
    let value = value?;
    parse(value).or_else(|| {
        fail(
            column,
            format!("`{value}` is not one of: {}", allowed().join(", ")),
        );
        None
    })
}

fn required_enum<T>(
    value: Option<&str>,
    column: &str,
    parse: fn(&str) -> Option<T>,
    allowed: fn() -> Vec<String>,
    fail: &mut impl FnMut(&str, String),
) -> Option<T> {
    if value.is_none() {
        fail(
            column,
            format!("a value is required, one of: {}", allowed().join(", ")),
        );
        return None;
    }
    optional_enum(value, column, parse, allowed, fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "name,country_code,city,latitude,longitude,facility_type,capacity,opened_year,operator,population,security_level,status,managed_by,target_age,regime,social_enterprise,source_url";

    #[test]
    fn parse_reads_a_valid_row_with_bom_crlf_and_quoted_comma() {
        let csv = format!(
            "\u{feff}{HEADER}\r\n\"Huis, Liège\",be,Liège,50.6,5.5,detention_house,20,2022,\"FOD, Justitie\",mixed,unknown,open,national_prison_administration,adults,closed,true,https://example.org/a\r\n"
        );
        let records = parse(csv.as_bytes(), 2026).expect("valid");
        assert_eq!(records.len(), 1);
        let r = &records[0];
        assert_eq!(r.name, "Huis, Liège");
        assert_eq!(r.country_code, "BE");
        assert_eq!(r.line, 2);
        assert_eq!(r.security_level, None);
        assert_eq!(r.social_enterprise, Some(true));
        assert_eq!(r.operator.as_deref(), Some("FOD, Justitie"));
    }

    #[test]
    fn parse_reports_every_bad_cell_with_line_and_column() {
        let csv = format!(
            "{HEADER}\nA,XX,,95,3,castle,0,1200,,,low,open,,,,maybe,ftp://x\nB,BE,,,,other,,,,,,open,,,,,\n"
        );
        let errors = parse(csv.as_bytes(), 2026).expect_err("invalid");
        let cells: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            cells,
            vec![
                (2, "country_code"),
                (2, "latitude"),
                (2, "longitude"),
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
        let errors = parse(b"name,country_code,colour\n", 2026).expect_err("invalid");
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
        let errors = parse(&csv, 2026).expect_err("invalid");
        assert_eq!(errors[0].reason, "the file is not valid UTF-8");
    }

    #[test]
    fn parse_reads_the_optional_slug_column_and_checks_it() {
        let csv = format!(
            "{HEADER},slug\nA,BE,,,,other,,,,,,open,,,,,,huis-a\nB,BE,,,,other,,,,,,open,,,,,,\nC,BE,,,,other,,,,,,open,,,,,,Huis C\n"
        );
        let errors = parse(csv.as_bytes(), 2026).expect_err("invalid slug");
        assert_eq!(
            errors
                .iter()
                .map(|e| (e.line, e.column.as_str()))
                .collect::<Vec<_>>(),
            [(4, "slug")]
        );
        let csv = csv.replace("Huis C", "huis-c");
        let slugs: Vec<Option<String>> = parse(csv.as_bytes(), 2026)
            .expect("valid")
            .into_iter()
            .map(|r| r.slug)
            .collect();
        assert_eq!(slugs, [Some("huis-a".into()), None, Some("huis-c".into())]);

        let first = format!("slug,{HEADER}\n");
        let errors = parse(first.as_bytes(), 2026).expect_err("slug comes last");
        assert!(
            errors[0]
                .reason
                .starts_with("columns must be in this order")
        );
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
        let records = parse(include_bytes!("../../../demo/facilities.csv"), 2026)
            .expect("demo data is valid");
        assert!(records.len() > 100);
        assert!(records.iter().all(|r| r.source_url.is_some()));
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
