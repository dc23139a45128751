//! The register of tokens: issuing through the API (the token shown once),
//! listing what was issued, and revoking, which every server honours within
//! a second; and the same register through the command line.

use std::time::{Duration, Instant};

use entity::value::Role;
use serde_json::{Value, json};

use crate::helpers::{
    Backend, TEST_SECRET, TestApp, assert_error_code, auth_settings, spawn_app, token,
};
use crate::on_both_databases;

const VIEWER: &str = "{ viewer { role organisation } }";

const CREATE_ORG: &str = "mutation($input: CreateOrganisationInput!) { createOrganisation(input: $input) { slug version } }";

const ISSUE: &str = "mutation($input: IssueTokenInput!) { issueToken(input: $input) { token record { jti subject role organisation label issuedAt expiresAt issuedBy revokedAt status } } }";

const REVOKE: &str =
    "mutation($jti: String!) { revokeToken(jti: $jti) { jti status revokedAt revokedBy } }";

fn admin() -> String {
    token(Role::Admin, None)
}

async fn as_admin(app: &TestApp, document: &str, variables: Value) -> Value {
    let (status, body) = app.graphql_as(&admin(), document, variables).await;
    assert_eq!(status, 200, "{body:#}");
    body
}

/// Creates `example-org` and issues a partner token for it; returns the payload.
async fn onboard_partner(app: &TestApp) -> Value {
    let created = as_admin(
        app,
        CREATE_ORG,
        json!({ "input": { "slug": "example-org", "name": "Example organisation" } }),
    )
    .await;
    assert!(created.get("errors").is_none(), "{created:#}");
    let issued = as_admin(
        app,
        ISSUE,
        json!({ "input": { "subject": "sync@example.org", "role": "PARTNER", "organisation": "example-org", "ttl": "1h", "label": "nightly sync" } }),
    )
    .await;
    assert!(issued.get("errors").is_none(), "{issued:#}");
    issued["data"]["issueToken"].clone()
}

async fn viewer_at(app: &TestApp, address: &str, bearer: &str) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{address}/graphql"))
        .bearer_auth(bearer)
        .json(&json!({ "query": VIEWER }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn an_issued_token_works_and_the_register_never_shows_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let issued = onboard_partner(&app).await;
    let partner = issued["token"].as_str().unwrap();
    let (status, viewer) = app.graphql_as(partner, VIEWER, json!({})).await;
    let listed = as_admin(
        &app,
        "{ tokens(filter: { organisation: \"example-org\" }) { totalCount nodes { jti subject role organisation label issuedBy status } } }",
        json!({}),
    )
    .await;

    assert_eq!(status, 200);
    assert_eq!(
        viewer["data"]["viewer"],
        json!({ "role": "PARTNER", "organisation": "example-org" })
    );
    let record = &issued["record"];
    assert_eq!(record["status"], "ACTIVE");
    assert_eq!(record["issuedBy"], "ana@example.org");
    assert!(record["revokedAt"].is_null());
    assert_eq!(
        listed["data"]["tokens"],
        json!({ "totalCount": 1, "nodes": [{
            "jti": record["jti"], "subject": "sync@example.org", "role": "PARTNER",
            "organisation": "example-org", "label": "nightly sync",
            "issuedBy": "ana@example.org", "status": "ACTIVE"
        }] })
    );
    let jti = record["jti"].as_str().unwrap();
    assert!(sea_orm::prelude::Uuid::parse_str(jti).is_ok_and(|u| u.get_version_num() == 7));
    let every_row = crate::fixtures::state(&app.db).await;
    assert!(
        !serde_json::to_string(&every_row).unwrap().contains(partner),
        "the database holds the token itself"
    );
}

async fn a_revoked_token_is_refused_by_every_server_within_a_second(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let other = app.second_replica().await.address;
    let issued = onboard_partner(&app).await;
    let partner = issued["token"].as_str().unwrap();
    let jti = issued["record"]["jti"].as_str().unwrap();
    assert_eq!(viewer_at(&app, &other, partner).await.0, 200);

    let revoked = as_admin(&app, REVOKE, json!({ "jti": jti })).await;
    let at = Instant::now();

    assert_eq!(revoked["data"]["revokeToken"]["status"], "REVOKED");
    assert_eq!(
        revoked["data"]["revokeToken"]["revokedBy"],
        "ana@example.org"
    );
    let (status, here) = viewer_at(&app, &app.address, partner).await;
    assert_eq!(status, 401, "the server that revoked it refuses it at once");
    assert_error_code(&here, "UNAUTHENTICATED");
    assert!(here.to_string().contains("revoked"), "{here:#}");
    loop {
        let (status, there) = viewer_at(&app, &other, partner).await;
        if status == 401 {
            assert_error_code(&there, "UNAUTHENTICATED");
            break;
        }
        assert!(
            at.elapsed() < Duration::from_secs(1),
            "the other server still accepts a token revoked {:?} ago",
            at.elapsed()
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let again = as_admin(&app, REVOKE, json!({ "jti": jti })).await;
    assert_eq!(
        again["data"]["revokeToken"]["revokedAt"], revoked["data"]["revokeToken"]["revokedAt"],
        "revoking twice changes nothing"
    );
}

async fn issuing_refuses_what_would_make_a_bad_token(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    onboard_partner(&app).await;

    for (what, input, field) in [
        (
            "a lifetime past the cap",
            json!({ "subject": "a@example.org", "role": "EDITOR", "ttl": "91d" }),
            "input.ttl",
        ),
        (
            "no duration",
            json!({ "subject": "a@example.org", "role": "EDITOR", "ttl": "soon" }),
            "input.ttl",
        ),
        (
            "both ttl and expiresAt",
            json!({ "subject": "a@example.org", "role": "EDITOR", "ttl": "1h", "expiresAt": "2099-01-01T00:00:00Z" }),
            "input.expiresAt",
        ),
        (
            "an unknown organisation",
            json!({ "subject": "a@example.org", "role": "PARTNER", "organisation": "nobody" }),
            "input.organisation",
        ),
        (
            "a partner without organisation",
            json!({ "subject": "a@example.org", "role": "PARTNER" }),
            "input.organisation",
        ),
        (
            "an editor with an organisation",
            json!({ "subject": "a@example.org", "role": "EDITOR", "organisation": "example-org" }),
            "input.organisation",
        ),
        (
            "no subject",
            json!({ "subject": "  ", "role": "EDITOR" }),
            "input.subject",
        ),
    ] {
        let body = as_admin(&app, ISSUE, json!({ "input": input })).await;
        assert_error_code(&body, "BAD_USER_INPUT");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], field,
            "{what}: {body:#}"
        );
    }
    let listed = as_admin(&app, "{ tokens { totalCount } }", json!({})).await;
    assert_eq!(
        listed["data"]["tokens"]["totalCount"], 1,
        "nothing recorded"
    );
}

async fn expires_at_sets_the_tokens_expiry(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let expires = (chrono::Utc::now() + chrono::TimeDelta::days(7))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();

    let body = as_admin(
        &app,
        ISSUE,
        json!({ "input": { "subject": "ed@example.org", "role": "EDITOR", "expiresAt": expires } }),
    )
    .await;

    assert!(body.get("errors").is_none(), "{body:#}");
    let record = &body["data"]["issueToken"]["record"];
    let stored =
        chrono::DateTime::parse_from_rfc3339(record["expiresAt"].as_str().unwrap()).unwrap();
    let wanted = chrono::DateTime::parse_from_rfc3339(&expires).unwrap();
    assert!(
        (stored - wanted).num_seconds().abs() <= 1,
        "{stored} vs {wanted}"
    );
    let token = body["data"]["issueToken"]["token"].as_str().unwrap();
    let (status, viewer) = app.graphql_as(token, VIEWER, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(viewer["data"]["viewer"]["role"], "EDITOR");
}

async fn revoking_an_unknown_token_is_not_found(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let body = as_admin(
        &app,
        REVOKE,
        json!({ "jti": sea_orm::prelude::Uuid::now_v7().to_string() }),
    )
    .await;

    assert_error_code(&body, "NOT_FOUND");
}

on_both_databases!(
    an_issued_token_works_and_the_register_never_shows_it,
    a_revoked_token_is_refused_by_every_server_within_a_second,
    issuing_refuses_what_would_make_a_bad_token,
    expires_at_sets_the_tokens_expiry,
    revoking_an_unknown_token_is_not_found,
);

fn wish_api(url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_wish-api"))
        .args(args)
        .args(["--database-url", url])
        .env("WISH_JWT_SECRET", TEST_SECRET)
        .env_remove("WISH_JWT_MAX_TTL")
        .output()
        .unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn the_command_line_issues_lists_and_revokes_in_the_register() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());

    let unknown = wish_api(
        &url,
        &[
            "token",
            "--role",
            "partner",
            "--org",
            "example-org",
            "--sub",
            "ana",
        ],
    );
    stdout(&wish_api(
        &url,
        &[
            "organisation",
            "create",
            "--slug",
            "example-org",
            "--name",
            "Example organisation",
        ],
    ));
    let token = stdout(&wish_api(
        &url,
        &[
            "token",
            "--role",
            "partner",
            "--org",
            "example-org",
            "--sub",
            "ana",
            "--ttl",
            "2h",
            "--label",
            "first sync",
        ],
    ));
    let active = stdout(&wish_api(&url, &["token", "list"]));
    let claims = api::auth::Authenticator::from_settings(&auth_settings())
        .unwrap()
        .unwrap()
        .verify(token.trim())
        .unwrap();
    let jti = claims.token_id.clone().unwrap();
    stdout(&wish_api(&url, &["token", "revoke", &jti]));
    let after = stdout(&wish_api(&url, &["token", "list"]));
    let all = stdout(&wish_api(&url, &["token", "list", "--all"]));

    assert!(!unknown.status.success());
    let message = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        message.contains("no organisation has the slug `example-org`")
            && message.contains("wish-api organisation create --slug example-org"),
        "{message}"
    );
    assert_eq!(claims.organisation.as_deref(), Some("example-org"));
    assert!(
        active.contains(&jti) && active.contains("first sync"),
        "{active}"
    );
    assert!(
        !active.contains(token.trim()),
        "the list never shows a token"
    );
    assert!(!after.contains(&jti), "{after}");
    assert!(all.contains(&jti) && all.contains("Revoked"), "{all}");
}

#[test]
fn the_command_line_refuses_a_lifetime_past_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("cap.db").display());

    let output = wish_api(
        &url,
        &[
            "token",
            "--role",
            "editor",
            "--sub",
            "ana",
            "--ttl",
            "999999999d",
        ],
    );

    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("--ttl") && message.contains("at most 90d"),
        "{message}"
    );
    assert!(output.stdout.is_empty());
}
