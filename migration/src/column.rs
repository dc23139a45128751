//! Column shapes that many tables share. The enum value lists are copied here
//! on purpose: a migration must keep meaning what it meant when it shipped,
//! whatever the entity crate says later.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{integer, string, timestamp_with_time_zone};
use sea_orm_migration::sea_orm::DbBackend;

/// `version`: optimistic-concurrency counter of an editable row.
pub fn version() -> ColumnDef {
    integer(Alias::new("version")).default(1).take()
}

/// `created_at` and `updated_at`, set by the application in UTC.
pub fn timestamps() -> [ColumnDef; 2] {
    [
        timestamp_with_time_zone(Alias::new("created_at")),
        timestamp_with_time_zone(Alias::new("updated_at")),
    ]
}

/// A string-backed enum column, with a CHECK constraint on its values.
pub fn enumeration<T: IntoIden + Clone + 'static>(
    col: T,
    values: &[&str],
    nullable: bool,
) -> ColumnDef {
    let mut def = ColumnDef::new(col.clone());
    let name = col.clone().into_iden().to_string();
    let list = values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ");
    def.string_len(40)
        .check(Expr::cust(format!("\"{name}\" IN ({list})")));
    if nullable {
        def.null()
    } else {
        def.not_null()
    };
    def
}

/// Replaces the values an [`enumeration`] column allows, `from` by `to`.
/// PostgreSQL changes the constraint in place; SQLite cannot, so the table
/// is made again from its own definition with the one list changed, which
/// keeps whatever else later migrations gave it (so no foreign key may point
/// at a SQLite table rewritten this way). Fails if the column does
/// not allow exactly `from` today.
pub async fn allow_values(
    manager: &SchemaManager<'_>,
    table: &str,
    column: &str,
    from: &[&str],
    to: &[&str],
) -> Result<(), DbErr> {
    use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

    let quoted = |values: &[&str]| {
        values
            .iter()
            .map(|v| format!("'{v}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (from, to) = (quoted(from), quoted(to));
    let db = manager.get_connection();
    if manager.get_database_backend() == DbBackend::Postgres {
        return db
            .execute_unprepared(&format!(
                "ALTER TABLE \"{table}\" DROP CONSTRAINT IF EXISTS \"{table}_{column}_check\", \
                 ADD CONSTRAINT \"{table}_{column}_check\" CHECK (\"{column}\" IN ({to}))"
            ))
            .await
            .map(|_| ());
    }
    let sqlite = |sql: String| Statement::from_string(DbBackend::Sqlite, sql);
    let definition = db
        .query_one_raw(sqlite(format!(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
        )))
        .await?
        .ok_or_else(|| DbErr::Migration(format!("the {table} table is missing")))?
        .try_get_by_index::<String>(0)?;
    let old_check = format!("\"{column}\" IN ({from})");
    if !definition.contains(&old_check) {
        return Err(DbErr::Migration(format!(
            "{table} does not hold the expected constraint {old_check}"
        )));
    }
    let rebuilt = definition
        .replacen(&format!("\"{table}\""), &format!("\"{table}_rebuilt\""), 1)
        .replace(&old_check, &format!("\"{column}\" IN ({to})"));
    let indexes = db
        .query_all_raw(sqlite(format!(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = '{table}' AND sql IS NOT NULL"
        )))
        .await?
        .into_iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect::<Result<Vec<_>, _>>()?;
    db.execute_unprepared(&rebuilt).await?;
    db.execute_unprepared(&format!(
        "INSERT INTO \"{table}_rebuilt\" SELECT * FROM \"{table}\""
    ))
    .await?;
    db.execute_unprepared(&format!("DROP TABLE \"{table}\""))
        .await?;
    db.execute_unprepared(&format!(
        "ALTER TABLE \"{table}_rebuilt\" RENAME TO \"{table}\""
    ))
    .await?;
    for index in indexes {
        db.execute_unprepared(&index).await?;
    }
    Ok(())
}

/// Lets an [`enumeration`] column that allows exactly `before` also hold
/// `value` (see [`allow_values`]).
pub async fn add_value(
    manager: &SchemaManager<'_>,
    table: &str,
    column: &str,
    before: &[&str],
    value: &str,
) -> Result<(), DbErr> {
    let after: Vec<&str> = before.iter().copied().chain([value]).collect();
    allow_values(manager, table, column, before, &after).await
}

/// Undoes [`add_value`]: the rows that hold `value` go, then the column
/// allows exactly `before` again.
pub async fn remove_value(
    manager: &SchemaManager<'_>,
    table: &str,
    column: &str,
    before: &[&str],
    value: &str,
) -> Result<(), DbErr> {
    manager
        .exec_stmt(
            Query::delete()
                .from_table(Alias::new(table))
                .and_where(Expr::col(Alias::new(column)).eq(value))
                .to_owned(),
        )
        .await?;
    let after: Vec<&str> = before.iter().copied().chain([value]).collect();
    allow_values(manager, table, column, &after, before).await
}

/// ISO 3166-1 alpha-2 country code, upper case.
pub fn country_code<T: IntoIden + Clone + 'static>(col: T, nullable: bool) -> ColumnDef {
    let mut def = ColumnDef::new(col.clone());
    let name = col.clone().into_iden().to_string();
    def.string_len(2)
        .check(Expr::cust(format!("length(\"{name}\") = 2")));
    if nullable {
        def.null()
    } else {
        def.not_null()
    };
    def
}

pub const ECOSYSTEM_DIMENSIONS: &[&str] = &[
    "architecture",
    "social_climate",
    "security",
    "community_integration",
    "sustainability",
    "work",
    "individual_needs",
    "staff_wellbeing",
    "technology",
];

/// A CHECK constraint written as literal SQL: both backends refuse bound
/// parameters in DDL, and these conditions only ever hold constants.
pub fn check(sql: &str) -> Expr {
    Expr::cust(sql.to_owned())
}

/// Foreign-key cascade on SQLite needs `PRAGMA foreign_keys = ON`, which the
/// application sets on every connection; the constraint itself is portable.
pub fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::NoAction)
        .take()
}

/// A folded name to order by. Orders must agree on both backends: SQLite
/// compares bytes, so PostgreSQL compares this column bytewise too, instead of
/// by the locale its server happens to run with.
pub fn sort_key<T: IntoIden>(manager: &SchemaManager, col: T) -> ColumnDef {
    let mut def = string(col);
    if manager.get_database_backend() == DbBackend::Postgres {
        def.extra("COLLATE \"C\"");
    }
    def
}
