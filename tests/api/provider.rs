//! Tokens from an identity provider: verified against a JSON Web Key Set
//! that the test serves on loopback, with the key chosen by `kid`, the key's
//! algorithm enforced, the claims mapped to role and organisation, and the
//! keys read again when the provider rotates them. The two private keys in
//! `keys/` were made for these tests and sign nothing else.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestDatabase, assert_error_code, auth_settings, serve_settings};
use crate::on_both_databases;

const ED25519_A: &[u8] = include_bytes!("keys/provider-ed25519-a.pem");
const RSA_B: &[u8] = include_bytes!("keys/provider-rsa-b.pem");
const ISSUER: &str = "https://idp.example.org/realms/example-org";
const VIEWER: &str = "{ viewer { subject role organisation } }";

/// The provider: a key set it publishes, and how often it was asked for it.
#[derive(Clone, Default)]
struct Provider {
    keys: Arc<Mutex<JwkSet>>,
    asked: Arc<AtomicUsize>,
}

impl Provider {
    fn publish(&self, keys: Vec<Jwk>) {
        *self.keys.lock().unwrap() = JwkSet { keys };
    }

    /// Serves the key set at `/jwks` on a free loopback port; its URL.
    fn serve(&self) -> String {
        let provider = self.clone();
        let server = HttpServer::new(move || {
            let provider = provider.clone();
            App::new().route(
                "/jwks",
                web::get().to(move || {
                    let provider = provider.clone();
                    async move {
                        provider.asked.fetch_add(1, Ordering::SeqCst);
                        let keys = provider.keys.lock().unwrap().clone();
                        HttpResponse::Ok().json(keys)
                    }
                }),
            )
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
        let url = format!("http://{}/jwks", server.addrs()[0]);
        actix_web::rt::spawn(server.run());
        url
    }
}

fn ed25519() -> EncodingKey {
    EncodingKey::from_ed_pem(ED25519_A).unwrap()
}

fn rsa() -> EncodingKey {
    EncodingKey::from_rsa_pem(RSA_B).unwrap()
}

fn jwk(key: &EncodingKey, algorithm: Algorithm, kid: &str) -> Jwk {
    let mut jwk = Jwk::from_encoding_key(key, algorithm).unwrap();
    jwk.common.key_id = Some(kid.to_owned());
    jwk
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The claims of a provider's token, as Keycloak writes them.
fn claims(roles: &[&str]) -> Value {
    json!({
        "sub": "f2b1c0de-0000-4000-8000-000000000001",
        "iss": ISSUER, "aud": "wish-api",
        "iat": now(), "exp": now() + 300,
        "realm_access": { "roles": roles },
        "wish_org": "example-org",
    })
}

fn signed(claims: &Value, key: &EncodingKey, algorithm: Algorithm, kid: &str) -> String {
    let mut header = Header::new(algorithm);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

/// A server that accepts the provider's tokens; its address.
async fn server(database: &TestDatabase, jwks_url: String, min_refresh: Duration) -> String {
    let mut auth = auth_settings();
    auth.provider.jwks_url = Some(jwks_url);
    auth.provider.jwks_issuer = Some(ISSUER.to_owned());
    auth.provider.jwks_audience = Some("wish-api".to_owned());
    auth.provider.role_claim = "realm_access.roles".to_owned();
    auth.provider.role_map = vec![
        "wish-admin=admin".to_owned(),
        "wish-editor=editor".to_owned(),
        "wish-partner=partner".to_owned(),
    ];
    auth.provider.organisation_claim = "wish_org".to_owned();
    auth.provider.jwks_min_refresh = min_refresh;
    let app = api::startup::Application::build(&database.settings, &auth, serve_settings())
        .await
        .unwrap();
    let address = format!("http://{}", app.address());
    actix_web::rt::spawn(app.run_until_stopped());
    address
}

async fn viewer(address: &str, token: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": VIEWER }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn refused(address: &str, token: &str, reason: &str) {
    let (status, body) = viewer(address, token).await;
    assert_eq!(status, 401, "{body:#}");
    assert_error_code(&body, "UNAUTHENTICATED");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(reason), "{message}");
}

async fn provider_tokens_are_verified_by_kid_and_follow_a_key_rotation(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let provider = Provider::default();
    provider.publish(vec![jwk(&ed25519(), Algorithm::EdDSA, "a")]);
    let address = server(&database, provider.serve(), Duration::from_millis(1)).await;
    crate::fixtures::organisation(&database.connect().await, "example-org").await;
    let partner_a = signed(
        &claims(&["offline_access", "wish-partner"]),
        &ed25519(),
        Algorithm::EdDSA,
        "a",
    );

    let (status, partner) = viewer(&address, &partner_a).await;
    let (_, editor) = viewer(
        &address,
        &signed(
            &claims(&["wish-editor", "wish-partner"]),
            &ed25519(),
            Algorithm::EdDSA,
            "a",
        ),
    )
    .await;

    assert_eq!(status, 200, "{partner:#}");
    assert_eq!(
        partner["data"]["viewer"],
        json!({ "subject": "f2b1c0de-0000-4000-8000-000000000001", "role": "PARTNER", "organisation": "example-org" })
    );
    assert_eq!(
        editor["data"]["viewer"]["role"], "EDITOR",
        "the highest mapped role"
    );
    // The key's algorithm, not the token's, decides.
    refused(
        &address,
        &signed(&claims(&["wish-admin"]), &rsa(), Algorithm::RS256, "a"),
        "algorithm",
    )
    .await;
    let mut other_issuer = claims(&["wish-admin"]);
    other_issuer["iss"] = json!("https://elsewhere.example.org");
    refused(
        &address,
        &signed(&other_issuer, &ed25519(), Algorithm::EdDSA, "a"),
        "issuer",
    )
    .await;
    refused(
        &address,
        &signed(
            &claims(&["offline_access"]),
            &ed25519(),
            Algorithm::EdDSA,
            "a",
        ),
        "names no role",
    )
    .await;
    let mut no_org = claims(&["wish-partner"]);
    no_org.as_object_mut().unwrap().remove("wish_org");
    refused(
        &address,
        &signed(&no_org, &ed25519(), Algorithm::EdDSA, "a"),
        "organisation",
    )
    .await;

    // The provider rotates: `b` appears, `a` is withdrawn.
    provider.publish(vec![jwk(&rsa(), Algorithm::RS256, "b")]);
    let (status, rotated) = viewer(
        &address,
        &signed(&claims(&["wish-admin"]), &rsa(), Algorithm::RS256, "b"),
    )
    .await;

    assert_eq!(
        status, 200,
        "a new kid is read from the provider: {rotated:#}"
    );
    assert_eq!(rotated["data"]["viewer"]["role"], "ADMIN");
    refused(&address, &partner_a, "does not publish").await;
}

async fn unknown_kids_do_not_flood_the_provider(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let provider = Provider::default();
    provider.publish(vec![jwk(&ed25519(), Algorithm::EdDSA, "a")]);
    let address = server(&database, provider.serve(), Duration::from_secs(3600)).await;
    // The server reads the key set when it starts.
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    let asked = provider.asked.load(Ordering::SeqCst);
    let editor = signed(&claims(&["wish-editor"]), &ed25519(), Algorithm::EdDSA, "a");
    assert_eq!(viewer(&address, &editor).await.0, 200);

    for kid in ["made-up-1", "made-up-2", "made-up-3"] {
        refused(
            &address,
            &signed(&claims(&["wish-editor"]), &ed25519(), Algorithm::EdDSA, kid),
            "does not publish",
        )
        .await;
    }
    actix_web::rt::time::sleep(Duration::from_millis(100)).await;

    assert!(asked >= 1);
    assert_eq!(
        provider.asked.load(Ordering::SeqCst),
        asked,
        "unknown kids within WISH_JWKS_MIN_REFRESH read the key set again"
    );
}

on_both_databases!(
    provider_tokens_are_verified_by_kid_and_follow_a_key_rotation,
    unknown_kids_do_not_flood_the_provider,
);
