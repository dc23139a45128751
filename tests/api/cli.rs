//! The binary as an operator runs it.

use std::process::Command;

fn wish_api() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wish-api"));
    command
        .env_remove("WISH_DATABASE_URL")
        .env_remove("WISH_DATABASE_SCHEMA");
    command
}

#[test]
fn unreachable_database_gets_one_clear_line_and_a_failure_exit() {
    let output = wish_api()
        .args([
            "migrate",
            "--database-url",
            "postgres://wish:secret@127.0.0.1:1/wish",
        ])
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot connect to the database at postgres://wish:***@127.0.0.1:1/wish"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("secret"),
        "the password is not printed: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[test]
fn unsupported_database_url_is_explained() {
    let output = wish_api()
        .args(["migrate", "--database-url", "mysql://localhost/wish"])
        .output()
        .unwrap();

    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unsupported database URL"));
}

#[test]
fn schema_command_prints_the_committed_schema() {
    let output = wish_api().arg("schema").output().unwrap();

    assert!(output.status.success());
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert!(
        String::from_utf8(output.stdout).unwrap() == committed,
        "`wish-api schema` differs from schema.graphql"
    );
}

#[test]
fn migrate_and_seed_work_on_a_new_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());

    let migrate = wish_api()
        .args(["migrate", "--database-url", &url])
        .output()
        .unwrap();
    let seed = wish_api()
        .args(["seed", "--database-url", &url])
        .output()
        .unwrap();
    let seed_again = wish_api()
        .args(["seed", "--database-url", &url])
        .output()
        .unwrap();

    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    assert!(
        seed.status.success(),
        "{}",
        String::from_utf8_lossy(&seed.stderr)
    );
    let loaded = format!("facilities={}", crate::helpers::demo_facility_rows());
    assert!(String::from_utf8_lossy(&seed.stderr).contains(&loaded));
    assert!(String::from_utf8_lossy(&seed_again.stderr).contains("facilities=0"));
}

fn import_db() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("import.db").display()
    );
    (dir, url)
}

#[test]
fn import_reads_geojson_and_reports_progress() {
    let (dir, url) = import_db();
    let file = dir.path().join("partners.geojson");
    std::fs::write(
        &file,
        r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","geometry":{"type":"Point","coordinates":[5.1,52.1]},
           "properties":{"name":"Huis Utrecht","slug":"huis-utrecht","countryCode":"NL","facilityType":"detention_house","status":"open","capacity":12}},
          {"type":"Feature","geometry":null,
           "properties":{"name":"Huis Zwolle","slug":"huis-zwolle","country_code":"NL","facility_type":"transition_house","status":"planned"}}
        ]}"#,
    )
    .unwrap();

    let dry = wish_api()
        .args(["import", "--dry-run", "--database-url", &url])
        .arg(&file)
        .output()
        .unwrap();
    let real = wish_api()
        .args(["import", "--database-url", &url])
        .arg(&file)
        .output()
        .unwrap();
    let again = wish_api()
        .args(["import", "--database-url", &url])
        .arg(&file)
        .output()
        .unwrap();

    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&dry.stdout),
        "2 rows: 2 created, 0 updated, 0 unchanged (dry run: nothing written)\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&real.stdout),
        "2 rows: 2 created, 0 updated, 0 unchanged\n"
    );
    assert!(String::from_utf8_lossy(&real.stderr).contains("written 2/2"));
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        "2 rows: 0 created, 0 updated, 2 unchanged\n"
    );
}

#[test]
fn import_refuses_a_file_that_is_not_utf8_and_writes_nothing() {
    let (dir, url) = import_db();
    let file = dir.path().join("latin1.csv");
    let mut content = b"name,country_code,city,latitude,longitude,facility_type,capacity,opened_year,operator,population,security_level,status,managed_by,target_age,regime,social_enterprise,source_url\n".to_vec();
    content.extend_from_slice(b"Huis Utrecht,NL,,,,detention_house,,,,,,open,,,,,\n");
    content.extend_from_slice(b"Li\xe8ge,BE,,,,detention_house,,,,,,open,,,,,\n");
    std::fs::write(&file, content).unwrap();

    let output = wish_api()
        .args(["import", "--database-url", &url])
        .arg(&file)
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 3"), "{stderr}");
    assert!(stderr.contains("not valid UTF-8"), "{stderr}");
    assert!(stderr.contains("nothing was imported"), "{stderr}");
}
