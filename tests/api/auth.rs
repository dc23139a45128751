//! Bearer tokens: who may call as whom, and every way a token is refused.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::value::Role;
use entity::value::{GuidelineStatus, StakeholderKind};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{
    Backend, TEST_SECRET, assert_error_code, auth_settings, serve_settings, spawn_app,
};
use crate::on_both_databases;

const VIEWER: &str = "{ viewer { authenticated subject role organisation permissions } }";

fn token(role: Role, org: Option<&str>) -> String {
    api::auth::sign(
        &auth_settings(),
        "ana@example.org",
        role,
        org,
        Duration::from_secs(600),
    )
    .unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn signed(claims: &Value, algorithm: Algorithm, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn claims() -> Value {
    json!({ "sub": "ana", "role": "editor", "exp": now() + 600, "iat": now(), "iss": "wish-api", "aud": "wish-api", "jti": "0193a2b4-0000-7000-8000-000000000001" })
}

async fn anonymous_viewer_reads_published_data_only(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let data = app.query(VIEWER, json!({})).await;

    assert_eq!(
        data["viewer"],
        json!({ "authenticated": false, "subject": null, "role": null, "organisation": null, "permissions": ["READ_PUBLISHED"] })
    );
}

async fn editor_token_reads_drafts_and_contact_details(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    fixtures::stakeholder(
        &app.db,
        "Anna Practitioner",
        StakeholderKind::Practice,
        None,
    )
    .await;
    fixtures::guideline_version(
        &app.db,
        "ecosystem-rules",
        1,
        GuidelineStatus::Draft,
        "Draft text.\n",
    )
    .await;
    let editor = token(Role::Editor, None);

    let (status, response) = app
        .graphql_as(
            &editor,
            "{ viewer { role permissions } stakeholders { nodes { email phone } } guideline(key: \"ecosystem-rules\") { versions { nodes { status } } } }",
            json!({}),
        )
        .await;

    assert_eq!(status, 200);
    assert!(response.get("errors").is_none(), "{response:#}");
    let data = &response["data"];
    assert_eq!(data["viewer"]["role"], "EDITOR");
    assert!(
        data["viewer"]["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("READ_CONTACT_DETAILS"))
    );
    assert_eq!(
        data["stakeholders"]["nodes"][0]["email"],
        "anna-practitioner@example.org"
    );
    assert_eq!(
        data["guideline"]["versions"]["nodes"],
        json!([{ "status": "DRAFT" }])
    );
}

async fn partner_token_names_a_registered_organisation(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    api::service::organisation::ensure(&app.db, "rescaled")
        .await
        .unwrap();

    let (status, registered) = app
        .graphql_as(&token(Role::Partner, Some("rescaled")), VIEWER, json!({}))
        .await;
    let (unknown_status, unknown) = app
        .graphql_as(&token(Role::Partner, Some("nobody")), VIEWER, json!({}))
        .await;

    assert_eq!(status, 200);
    assert_eq!(registered["data"]["viewer"]["role"], "PARTNER");
    assert_eq!(registered["data"]["viewer"]["organisation"], "rescaled");
    assert_eq!(
        registered["data"]["viewer"]["permissions"],
        json!(["READ_PUBLISHED", "WRITE_OWN_FACILITIES"])
    );
    assert_eq!(unknown_status, 401);
    assert_error_code(&unknown, "UNAUTHENTICATED");
}

async fn bad_tokens_are_refused_with_unauthenticated(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mut no_exp = claims();
    no_exp.as_object_mut().unwrap().remove("exp");
    let mut expired = claims();
    expired["exp"] = json!(now() - 3600);
    let mut other_issuer = claims();
    other_issuer["iss"] = json!("someone-else");
    let mut other_audience = claims();
    other_audience["aud"] = json!("another-api");
    let mut unknown_role = claims();
    unknown_role["role"] = json!("superuser");
    let mut partner_without_org = claims();
    partner_without_org["role"] = json!("partner");
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims().to_string())
    );

    for (what, token) in [
        ("no exp", signed(&no_exp, Algorithm::HS256, TEST_SECRET)),
        ("expired", signed(&expired, Algorithm::HS256, TEST_SECRET)),
        ("alg none", unsigned),
        (
            "another algorithm",
            signed(&claims(), Algorithm::HS512, TEST_SECRET),
        ),
        (
            "wrong signature",
            signed(
                &claims(),
                Algorithm::HS256,
                "another-secret-that-is-long-enough-0123456789",
            ),
        ),
        (
            "other issuer",
            signed(&other_issuer, Algorithm::HS256, TEST_SECRET),
        ),
        (
            "other audience",
            signed(&other_audience, Algorithm::HS256, TEST_SECRET),
        ),
        (
            "unknown role",
            signed(&unknown_role, Algorithm::HS256, TEST_SECRET),
        ),
        (
            "partner without org",
            signed(&partner_without_org, Algorithm::HS256, TEST_SECRET),
        ),
        ("garbage", "not.a.token".to_owned()),
    ] {
        let (status, response) = app.graphql_as(&token, VIEWER, json!({})).await;
        assert_eq!(status, 401, "{what}");
        assert_error_code(&response, "UNAUTHENTICATED");
        assert!(response.get("data").is_none(), "{what}: nothing runs");
    }
    let basic = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("Authorization", "Basic dXNlcjpwYXNz")
        .json(&json!({ "query": VIEWER }))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401);
    assert_eq!(basic.headers()["www-authenticate"], "Bearer");
}

async fn a_server_without_a_secret_refuses_every_token(backend: Backend) {
    let Some(database) = crate::helpers::TestDatabase::create(backend).await else {
        return;
    };
    let auth = api::config::AuthSettings {
        secret: None,
        ..auth_settings()
    };
    let app = api::startup::Application::build(&database.settings, &auth, serve_settings())
        .await
        .unwrap();
    let address = format!("http://{}", app.address());
    actix_web::rt::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();

    let with_token = client
        .post(format!("{address}/graphql"))
        .bearer_auth(token(Role::Admin, None))
        .json(&json!({ "query": VIEWER }))
        .send()
        .await
        .unwrap();
    let anonymous = client
        .post(format!("{address}/graphql"))
        .json(&json!({ "query": VIEWER }))
        .send()
        .await
        .unwrap();

    assert_eq!(with_token.status(), 401);
    let body: Value = with_token.json().await.unwrap();
    assert_error_code(&body, "UNAUTHENTICATED");
    assert!(body.to_string().contains("accepts no tokens"));
    assert_eq!(anonymous.status(), 200);
}

async fn authenticated_gets_are_never_cached_publicly(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", VIEWER)])
        .bearer_auth(token(Role::Editor, None))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "private, no-store");
    assert!(response.headers().get("etag").is_none());
}

async fn token_times_are_enforced(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let day = 24 * 3600;
    let with = |changes: Value| {
        let mut claims = claims();
        for (key, value) in changes.as_object().unwrap() {
            claims[key] = value.clone();
        }
        signed(&claims, Algorithm::HS256, TEST_SECRET)
    };
    let mut no_jti = claims();
    no_jti.as_object_mut().unwrap().remove("jti");

    for (what, token, reason) in [
        (
            "nbf ahead",
            with(json!({ "nbf": now() + 3600 })),
            "not valid yet",
        ),
        (
            "iat years ahead",
            with(json!({ "iat": now() + 3 * 365 * day, "exp": now() + 3 * 365 * day + 600 })),
            "issued in the future",
        ),
        (
            "exp at the end of time",
            with(json!({ "exp": u64::MAX })),
            "lifetime",
        ),
        (
            "a lifetime past the cap",
            with(json!({ "exp": now() + 91 * day })),
            "lifetime",
        ),
        (
            "no jti",
            signed(&no_jti, Algorithm::HS256, TEST_SECRET),
            "jti",
        ),
    ] {
        let (status, response) = app.graphql_as(&token, VIEWER, json!({})).await;
        assert_eq!(status, 401, "{what}");
        assert_error_code(&response, "UNAUTHENTICATED");
        let message = response["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(reason), "{what}: {message}");
    }
    for (what, token) in [
        ("nbf within the leeway", with(json!({ "nbf": now() + 2 }))),
        ("nbf passed", with(json!({ "nbf": now() - 60 }))),
        ("iat within the leeway", with(json!({ "iat": now() + 2 }))),
        (
            "a lifetime at the cap",
            with(json!({ "exp": now() + 90 * day })),
        ),
    ] {
        let (status, response) = app.graphql_as(&token, VIEWER, json!({})).await;
        assert_eq!(status, 200, "{what}: {response:#}");
        assert_eq!(response["data"]["viewer"]["role"], "EDITOR", "{what}");
    }
}

/// A server over `backend` with these token settings; its address.
async fn server_with(
    backend: Backend,
    auth: &api::config::AuthSettings,
) -> Option<(crate::helpers::TestDatabase, String)> {
    let database = crate::helpers::TestDatabase::create(backend).await?;
    let app = api::startup::Application::build(&database.settings, auth, serve_settings())
        .await
        .unwrap();
    let address = format!("http://{}", app.address());
    actix_web::rt::spawn(app.run_until_stopped());
    Some((database, address))
}

async fn a_previous_secret_verifies_only_while_configured(backend: Backend) {
    const NEW_SECRET: &str = "the-new-secret-of-a-rotation-0123456789-abcdefghij";
    let rotating = api::config::AuthSettings {
        secret: Some(NEW_SECRET.to_owned()),
        previous_secret: Some(TEST_SECRET.to_owned()),
        ..auth_settings()
    };
    let rotated = api::config::AuthSettings {
        secret: Some(NEW_SECRET.to_owned()),
        ..auth_settings()
    };
    let Some((_during, during)) = server_with(backend, &rotating).await else {
        return;
    };
    let Some((_after, after)) = server_with(backend, &rotated).await else {
        return;
    };
    let old = token(Role::Editor, None);
    let new = api::auth::sign(
        &rotating,
        "ana",
        Role::Editor,
        None,
        Duration::from_secs(600),
    )
    .unwrap();
    let client = reqwest::Client::new();
    let status = |address: &str, bearer: &str| {
        client
            .post(format!("{address}/graphql"))
            .bearer_auth(bearer)
            .json(&json!({ "query": VIEWER }))
            .send()
    };

    let old_during = status(&during, &old).await.unwrap().status();
    let new_during = status(&during, &new).await.unwrap().status();
    let old_after = status(&after, &old).await.unwrap();
    let new_after = status(&after, &new).await.unwrap().status();

    assert_eq!(
        old_during, 200,
        "the previous secret verifies during the rotation"
    );
    assert_eq!(new_during, 200);
    assert_eq!(old_after.status(), 401, "and no longer once it is removed");
    assert_error_code(&old_after.json().await.unwrap(), "UNAUTHENTICATED");
    assert_eq!(new_after, 200);
}

on_both_databases!(
    anonymous_viewer_reads_published_data_only,
    editor_token_reads_drafts_and_contact_details,
    partner_token_names_a_registered_organisation,
    bad_tokens_are_refused_with_unauthenticated,
    a_server_without_a_secret_refuses_every_token,
    authenticated_gets_are_never_cached_publicly,
    token_times_are_enforced,
    a_previous_secret_verifies_only_while_configured,
);

#[test]
fn token_command_signs_a_token_the_server_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("token.db").display()
    );
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_wish-api"))
            .args(args)
            .args(["--database-url", &url])
            .env("WISH_JWT_SECRET", TEST_SECRET)
            .output()
            .unwrap()
    };
    let created = run(&[
        "organisation",
        "create",
        "--slug",
        "rescaled",
        "--name",
        "RESCALED",
    ]);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );

    let output = run(&[
        "token", "--role", "partner", "--org", "rescaled", "--sub", "ana", "--ttl", "1h",
    ]);

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let token = String::from_utf8(output.stdout).unwrap();
    let authenticator = api::auth::Authenticator::from_settings(&auth_settings())
        .unwrap()
        .unwrap();
    let viewer = authenticator.verify(token.trim()).unwrap();
    assert_eq!(viewer.role, Some(Role::Partner));
    assert_eq!(viewer.organisation.as_deref(), Some("rescaled"));
    assert!(viewer.token_id.is_some());
}

#[test]
fn a_short_secret_is_refused_at_start() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_wish-api"))
        .args(["token", "--role", "editor", "--sub", "ana"])
        .env("WISH_JWT_SECRET", "short")
        .output()
        .unwrap();

    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("too short"));
}
