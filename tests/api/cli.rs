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
